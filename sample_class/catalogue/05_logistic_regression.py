# Mistake catalogue of 05 logistic regression (issue 11): plausible mistakes and correct alternatives.
# Format: see sample_class/catalogue/README.md.

# %% sigmoid | mistake: operator precedence, 1 / 1 + exp(-z) | fails: test_sigmoid | says: parentheses | student: m05-a
def sigmoid(z):
    return 1 / 1 + torch.exp(-z)

# %% sigmoid | mistake: math.exp on a tensor | fails: test_sigmoid | says: math.exp works on one number | student: m05-b
def sigmoid(z):
    return 1 / (1 + math.exp(-z))

# %% sigmoid | mistake: exp(z) / (1 + exp(z)) overflows for large z | fails: test_sigmoid | says: overflows | student: m05-c
def sigmoid(z):
    e = torch.exp(z)
    return e / (1 + e)

# %% sigmoid | mistake: a detour through numpy leaves the autograd graph | fails: test_sigmoid | says: torch operations | student: m05-d
def sigmoid(z):
    return torch.from_numpy(1 / (1 + np.exp(-z.numpy())))

# %% sigmoid | alternative: reciprocal of 1 + exp(-z), method chaining | student: a05-1
def sigmoid(z):
    return (1 + (-z).exp()).reciprocal()

# %% sigmoid | alternative: the tanh identity 0.5 (1 + tanh(z / 2)) | student: a05-2
def sigmoid(z):
    return 0.5 * (1.0 + torch.tanh(z / 2.0))

# %% bce | mistake: the sum over the samples instead of the mean | fails: test_bce | says: the mean is missing | student: m05-a
def bce(y_hat, y):
    return -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).sum()

# %% bce | mistake: the (1 - y) log(1 - y_hat) term is missing | fails: test_bce | says: counts for nothing | student: m05-b
def bce(y_hat, y):
    return -(y * torch.log(y_hat)).mean()

# %% bce | mistake: returns a Python float (.item()), not a tensor | fails: test_bce | says: no .item() | student: m05-c
def bce(y_hat, y):
    return -(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).mean().item()

# %% bce | mistake: the mean over dim 0 only, shape (1,) | fails: test_bce | says: 0-d tensor | student: m05-d
def bce(y_hat, y):
    return -torch.mean(y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat), dim=0)

# %% bce | alternative: torch.where picks the log of the right probability | student: a05-1
def bce(y_hat, y):
    per_sample = torch.where(y > 0.5, -torch.log(y_hat), -torch.log(1 - y_hat))
    return per_sample.mean()

# %% bce | alternative: log1p and the sum divided by the number of elements | student: a05-2
def bce(y_hat, y):
    total = -(y * torch.log(y_hat) + (1.0 - y) * torch.log1p(-y_hat)).sum()
    return total / y.numel()

# %% logistic_model | mistake: the output squeezed to shape (N,) | fails: test_logistic_model | says: no squeeze | student: m05-a
class LogisticModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x)).squeeze(1)

# %% logistic_model | mistake: nn.Sigmoid called like a function | fails: test_logistic_model | says: nn.Sigmoid is a module class | student: m05-b
class LogisticModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return nn.Sigmoid(self.linear(x))

# %% logistic_model | mistake: ReLU at the output instead of the sigmoid | fails: test_logistic_model | says: ReLU at the output | student: m05-c
class LogisticModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return torch.relu(self.linear(x))

# %% logistic_model | mistake: the sigmoid applied to the input, before the layer | fails: test_logistic_model | says: before the layer | student: m05-d
class LogisticModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(torch.sigmoid(x))

# %% logistic_model | alternative: an nn.Sigmoid module created in __init__ | student: a05-1
class LogisticModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return self.sigmoid(self.linear(x))

# %% logistic_model | alternative: an nn.Sequential that shares self.linear, with the hand-written sigmoid | student: a05-2
class LogisticModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)
        self.net = nn.Sequential(self.linear)

    def forward(self, x):
        return sigmoid(self.net(x))

# %% train_logistic | mistake: the lr argument is ignored | fails: test_train_logistic | says: ignores its lr | student: m05-a
def train_logistic(model, x, y, epochs=1000, lr=0.5, plot=None):
    device = next(model.parameters()).device
    x, y = x.to(device), y.to(device)
    criterion = nn.BCELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=losses[-1])
    return losses

# %% train_logistic | mistake: BCEWithLogitsLoss on a model that already ends with a sigmoid | fails: test_train_logistic | says: BCEWithLogitsLoss | student: m05-b
def train_logistic(model, x, y, epochs=1000, lr=0.5, plot=None):
    device = next(model.parameters()).device
    x, y = x.to(device), y.to(device)
    criterion = nn.BCEWithLogitsLoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=losses[-1])
    return losses

# %% train_logistic | mistake: the loss is recorded after the update | fails: test_train_logistic | says: before optimizer.step() | student: m05-c
def train_logistic(model, x, y, epochs=1000, lr=0.5, plot=None):
    device = next(model.parameters()).device
    x, y = x.to(device), y.to(device)
    criterion = nn.BCELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
        with torch.no_grad():
            losses.append(criterion(model(x), y).item())
        if plot is not None:
            plot.add(epoch, loss=losses[-1])
    return losses

# %% train_logistic | mistake: plot.add gets the loss tensor | fails: test_train_logistic | says: plot.add | student: m05-d
def train_logistic(model, x, y, epochs=1000, lr=0.5, plot=None):
    device = next(model.parameters()).device
    x, y = x.to(device), y.to(device)
    criterion = nn.BCELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=loss)
    return losses

# %% train_logistic | alternative: functional BCE, zero_grad first, a plain range | student: a05-1
def train_logistic(model, x, y, epochs=1000, lr=0.5, plot=None):
    import torch.nn.functional as F
    dev = next(model.parameters()).device
    xs, ys = x.to(dev), y.to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    out = []
    for epoch in range(epochs):
        opt.zero_grad()
        loss = F.binary_cross_entropy(model(xs), ys)
        loss.backward()
        opt.step()
        out.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=out[-1])
    return out

# %% train_logistic | alternative: the hand-written bce of exercise 2 and a progress bar | student: a05-2
def train_logistic(model, x, y, epochs=1000, lr=0.5, plot=None):
    device = next(model.parameters()).device
    x = x.to(device)
    y = y.to(device)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    history = []
    for epoch in course.progress(range(epochs), desc="train", leave=False):
        y_pred = model(x)
        loss = bce(y_pred, y)
        optimizer.zero_grad(set_to_none=False)
        loss.backward()
        optimizer.step()
        history.append(float(loss.detach()))
        if plot is not None:
            plot.add(epoch, loss=history[-1])
    return history

# %% decision_boundary | mistake: b / w, the sign lost | fails: test_decision_boundary | says: You returned b / w | student: m05-a
def decision_boundary(model):
    return model.linear.bias.item() / model.linear.weight.item()

# %% decision_boundary | mistake: returns a tensor, not a Python float | fails: test_decision_boundary | says: must return a Python float | student: m05-b
def decision_boundary(model):
    return -model.linear.bias / model.linear.weight

# %% decision_boundary | mistake: the linear part thresholded at 0.5, x w + b = 0.5 | fails: test_decision_boundary | says: You solved x w + b = 0.5 | student: m05-c
def decision_boundary(model):
    w = model.linear.weight.item()
    b = model.linear.bias.item()
    return (0.5 - b) / w

# %% decision_boundary | mistake: reads the notebook's trained model, not the argument | fails: test_decision_boundary | says: not of the model passed as the argument | student: m05-d
def decision_boundary(m):
    w = model.linear.weight.item()
    b = model.linear.bias.item()
    return -b / w

# %% decision_boundary | alternative: numpy float32 from the detached parameters | student: a05-1
def decision_boundary(model):
    w = model.linear.weight.detach().cpu().numpy()[0, 0]
    b = model.linear.bias.detach().cpu().numpy()[0]
    return -b / w

# %% decision_boundary | alternative: tensors divided, then .item() | student: a05-2
def decision_boundary(model):
    with torch.no_grad():
        x_star = -(model.linear.bias / model.linear.weight.flatten())
    return x_star.item()

# %% bce_grad_z | mistake: y - sigmoid(z), the sign flipped | fails: test_bce_grad_z | says: sign is flipped | student: m05-a
def bce_grad_z(z, y):
    return (y - torch.sigmoid(z)) / z.numel()

# %% bce_grad_z | mistake: the 1/N of the mean is missing | fails: test_bce_grad_z | says: the mean is missing | student: m05-b
def bce_grad_z(z, y):
    return torch.sigmoid(z) - y

# %% bce_grad_z | mistake: stops at d BCE / d y_hat, the chain-rule factor sigmoid'(z) forgotten | fails: test_bce_grad_z | says: chain-rule factor | student: m05-c
def bce_grad_z(z, y):
    y_hat = torch.sigmoid(z)
    return (-(y / y_hat) + (1 - y) / (1 - y_hat)) / len(z)

# %% bce_grad_z | mistake: the chain-rule product left unsimplified: inf * 0 = nan once the sigmoid rounds to 1 | fails: test_bce_grad_z | says: Simplify the product | student: m05-d
def bce_grad_z(z, y):
    y_hat = torch.sigmoid(z)
    dloss_dyhat = -(y / y_hat) + (1 - y) / (1 - y_hat)
    dyhat_dz = y_hat * (1 - y_hat)
    return dloss_dyhat * dyhat_dz / z.numel()

# %% bce_grad_z | alternative: the hand-written sigmoid, divided by the batch size z.shape[0] | student: a05-1
def bce_grad_z(z, y):
    p = 1.0 / (1.0 + torch.exp(-z))
    return (p - y) / z.shape[0]

# %% bce_grad_z | alternative: torch.where on the label, sigmoid(z) - 1 or sigmoid(z), method chaining | student: a05-2
def bce_grad_z(z, y):
    p = z.sigmoid()
    g = torch.where(y > 0.5, p - 1.0, p)
    return g.div(y.numel())
