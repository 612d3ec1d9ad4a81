# Mistake catalogue of 04 linear regression (issue 11): plausible mistakes and correct alternatives.
# Format: see sample_class/catalogue/README.md.

# %% linear_model | mistake: the layer is created in forward, not in __init__ | fails: test_linear_model, test_compare_optimizers | says: not in forward | student: m04-a
class LinearModel(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        self.linear = nn.Linear(1, 1)
        return self.linear(x)

# %% linear_model | mistake: nn.Linear without its bias | fails: test_linear_model, test_compare_optimizers | says: keep the bias | student: m04-b
class LinearModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1, bias=False)

    def forward(self, x):
        return self.linear(x)

# %% linear_model | mistake: ReLU on the output ("ReLU is the best activation") | fails: test_linear_model | says: ReLU | student: m04-c
class LinearModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return torch.relu(self.linear(x))

# %% linear_model | mistake: the output is detached from the graph | fails: test_linear_model, test_compare_optimizers | says: autograd graph | student: m04-d
class LinearModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return self.linear(x).detach()

# %% linear_model | alternative: the layer inside an nn.Sequential | student: a04-1
class LinearModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(1, 1))

    def forward(self, x):
        return self.net(x)

# %% linear_model | alternative: x @ W^T + b written out with the layer's parameters | student: a04-2
class LinearModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(in_features=1, out_features=1)

    def forward(self, x):
        return x @ self.fc.weight.T + self.fc.bias

# %% train | mistake: MSELoss(reduction="sum") of the original lecture | fails: test_train | says: reduction='sum' | student: m04-a
def train(model, x, y, epochs=1000, lr=0.05, plot=None):
    device = next(model.parameters()).device
    x, y = x.to(device), y.to(device)
    criterion = nn.MSELoss(reduction="sum")
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

# %% train | mistake: the learning rate is hard-coded, the lr argument ignored | fails: test_train | says: ignores its lr | student: m04-b
def train(model, x, y, epochs=1000, lr=0.05, plot=None):
    device = next(model.parameters()).device
    x, y = x.to(device), y.to(device)
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.05)
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

# %% train | mistake: optimizer.step() before loss.backward() | fails: test_train | says: step() must come after backward() | student: m04-c
def train(model, x, y, epochs=1000, lr=0.05, plot=None):
    device = next(model.parameters()).device
    x, y = x.to(device), y.to(device)
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        optimizer.step()
        loss.backward()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=losses[-1])
    return losses

# %% train | mistake: the loss tensors are kept and turned into floats only at the end | fails: test_train | says: still alive | student: m04-d
def train(model, x, y, epochs=1000, lr=0.05, plot=None):
    device = next(model.parameters()).device
    x, y = x.to(device), y.to(device)
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss)
        if plot is not None:
            plot.add(epoch, loss=loss.item())
    return [l.item() for l in losses]

# %% train | mistake: the loss is recorded after the update (a second forward pass) | fails: test_train | says: after optimizer.step() | student: m04-e
def train(model, x, y, epochs=1000, lr=0.05, plot=None):
    device = next(model.parameters()).device
    x, y = x.to(device), y.to(device)
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        criterion(model(x), y).backward()
        optimizer.step()
        losses.append(criterion(model(x), y).item())
        if plot is not None:
            plot.add(epoch, loss=losses[-1])
    return losses

# %% train | alternative: MSE by hand, zero_grad first, float(loss.detach()) | student: a04-1
def train(model, x, y, epochs=1000, lr=0.05, plot=None):
    device = next(model.parameters()).device
    x = x.to(device)
    y = y.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        optimizer.step()
        value = float(loss.detach())
        losses.append(value)
        if plot is not None:
            plot.add(epoch, loss=value)
    return losses

# %% train | alternative: functional MSE with a progress bar and set_to_none | student: a04-2
def train(model, x, y, epochs=1000, lr=0.05, plot=None):
    import torch.nn.functional as F
    dev = next(model.parameters()).device
    xs, ys = x.to(dev), y.to(dev)
    opt = optim.SGD(params=model.parameters(), lr=lr)
    history = []
    for epoch in course.progress(range(epochs), desc="train", leave=False):
        pred = model(xs)
        loss = F.mse_loss(pred, ys)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        history += [loss.item()]
        if plot is not None:
            plot.add(epoch, loss=history[-1])
    return history

# %% predict | mistake: no torch.no_grad() | fails: test_predict | says: torch.no_grad() | student: m04-a
def predict(model, x):
    device = next(model.parameters()).device
    return model(torch.tensor([[float(x)]], device=device)).item()

# %% predict | mistake: the batch dimension is lost, torch.tensor([x]) | fails: test_predict | says: batch of one | student: m04-b
def predict(model, x):
    device = next(model.parameters()).device
    with torch.no_grad():
        return model(torch.tensor([float(x)], device=device)).item()

# %% predict | mistake: an int x becomes an integer tensor | fails: test_predict | says: integer tensor | student: m04-c
def predict(model, x):
    device = next(model.parameters()).device
    with torch.no_grad():
        return model(torch.tensor([[x]], device=device)).item()

# %% predict | alternative: eval mode, inference_mode and float() | student: a04-1
def predict(model, x):
    model.eval()
    device = next(model.parameters()).device
    with torch.inference_mode():
        out = model(torch.full((1, 1), x, dtype=torch.float32, device=device))
    return float(out)

# %% predict | alternative: as_tensor and reshape, set_grad_enabled(False), squeeze().item() | student: a04-2
def predict(model, x):
    p = next(model.parameters())
    inp = torch.as_tensor(x, dtype=p.dtype).reshape(1, 1).to(p.device)
    with torch.set_grad_enabled(False):
        y = model(inp)
    return y.squeeze().item()

# %% compare_optimizers | mistake: torch.manual_seed once before the loop, not for each model | fails: test_compare_optimizers | says: inside the loop | student: m04-e
def compare_optimizers(x, y, epochs, seed=0):
    device = course.device()
    x, y = x.to(device), y.to(device)
    criterion = nn.MSELoss()
    results = {}
    torch.manual_seed(seed)
    for name, make in OPTIMIZERS.items():
        model = LinearModel().to(device)
        optimizer = make(model.parameters())

        def closure():
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            return loss

        results[name] = [optimizer.step(closure).item() for _ in range(epochs)]
    return results

# %% compare_optimizers | mistake: one model shared by all optimizers | fails: test_compare_optimizers | says: fresh LinearModel() | student: m04-c
def compare_optimizers(x, y, epochs, seed=0):
    device = course.device()
    x, y = x.to(device), y.to(device)
    criterion = nn.MSELoss()
    torch.manual_seed(seed)
    model = LinearModel().to(device)
    results = {}
    for name, make in OPTIMIZERS.items():
        optimizer = make(model.parameters())

        def closure():
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            return loss

        results[name] = [optimizer.step(closure).item() for _ in range(epochs)]
    return results

# %% compare_optimizers | mistake: the seed argument is ignored (always 0) | fails: test_compare_optimizers | says: seed argument is ignored | student: m04-g
def compare_optimizers(x, y, epochs, seed=0):
    device = course.device()
    x, y = x.to(device), y.to(device)
    criterion = nn.MSELoss()
    results = {}
    for name, make in OPTIMIZERS.items():
        torch.manual_seed(0)
        model = LinearModel().to(device)
        optimizer = make(model.parameters())

        def closure():
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            return loss

        results[name] = [optimizer.step(closure).item() for _ in range(epochs)]
    return results

# %% compare_optimizers | mistake: optimizer.step() without a closure, LBFGS included | fails: test_compare_optimizers | says: optimizer.step(closure) | student: m04-h
def compare_optimizers(x, y, epochs, seed=0):
    device = course.device()
    x, y = x.to(device), y.to(device)
    criterion = nn.MSELoss()
    results = {}
    for name, make in OPTIMIZERS.items():
        torch.manual_seed(seed)
        model = LinearModel().to(device)
        optimizer = make(model.parameters())
        losses = []
        for _ in range(epochs):
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        results[name] = losses
    return results

# %% compare_optimizers | mistake: the closure does not zero the gradients | fails: test_compare_optimizers | says: zero_grad | student: m04-i
def compare_optimizers(x, y, epochs, seed=0):
    device = course.device()
    x, y = x.to(device), y.to(device)
    criterion = nn.MSELoss()
    results = {}
    for name, make in OPTIMIZERS.items():
        torch.manual_seed(seed)
        model = LinearModel().to(device)
        optimizer = make(model.parameters())

        def closure():
            loss = criterion(model(x), y)
            loss.backward()
            return loss

        results[name] = [optimizer.step(closure).item() for _ in range(epochs)]
    return results

# %% compare_optimizers | alternative: the usual loop, a closure only for LBFGS | student: a04-1
def compare_optimizers(x, y, epochs, seed=0):
    device = course.device()
    x, y = x.to(device), y.to(device)
    criterion = nn.MSELoss()
    results = {}
    for name in OPTIMIZERS:
        torch.manual_seed(seed)
        model = LinearModel().to(device)
        optimizer = OPTIMIZERS[name](model.parameters())
        losses = []
        for step in range(epochs):
            if name == "LBFGS":
                def closure():
                    optimizer.zero_grad()
                    l = criterion(model(x), y)
                    l.backward()
                    return l
                losses.append(optimizer.step(closure).item())
            else:
                loss = criterion(model(x), y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
        results[name] = losses
    return results

# %% compare_optimizers | alternative: a helper per optimizer and a dict comprehension | student: a04-2
def compare_optimizers(x, y, epochs, seed=0):
    import torch.nn.functional as F
    dev = course.device()
    xd, yd = x.to(dev), y.to(dev)

    def run(make):
        torch.manual_seed(seed)
        model = LinearModel().to(dev)
        opt = make(model.parameters())

        def closure():
            opt.zero_grad()
            loss = F.mse_loss(model(xd), yd)
            loss.backward()
            return loss

        return [float(opt.step(closure).detach()) for _ in range(epochs)]

    return {name: run(make) for name, make in OPTIMIZERS.items()}

# %% least_squares | mistake: the sign of the w term in b, b = mean y + w mean x | fails: test_least_squares | says: sign of the w term | student: m04-d
def least_squares(x, y):
    xs, ys = x.flatten(), y.flatten()
    dx, dy = xs - xs.mean(), ys - ys.mean()
    w = (dx * dy).sum() / (dx * dx).sum()
    b = ys.mean() + w * xs.mean()
    return w.item(), b.item()

# %% least_squares | mistake: no centring, w = sum(x y) / sum(x^2) (the line through the origin) | fails: test_least_squares | says: through the origin | student: m04-e
def least_squares(x, y):
    xs, ys = x.flatten(), y.flatten()
    w = (xs * ys).sum() / (xs * xs).sum()
    b = ys.mean() - w * xs.mean()
    return w.item(), b.item()

# %% least_squares | mistake: the mean of the products over torch.var (which divides by N - 1) | fails: test_least_squares | says: different counts | student: m04-g
def least_squares(x, y):
    xs, ys = x.flatten(), y.flatten()
    cov = ((xs - xs.mean()) * (ys - ys.mean())).mean()
    w = cov / xs.var()
    b = ys.mean() - w * xs.mean()
    return float(w), float(b)

# %% least_squares | mistake: returns (b, w) instead of (w, b) | fails: test_least_squares | says: swapped | student: m04-h
def least_squares(x, y):
    xs, ys = x.flatten(), y.flatten()
    dx, dy = xs - xs.mean(), ys - ys.mean()
    w = (dx * dy).sum() / (dx * dx).sum()
    b = ys.mean() - w * xs.mean()
    return b.item(), w.item()

# %% least_squares | mistake: the ratio upside down, sum((x - mean x)^2) / sum of the products | fails: test_least_squares | says: upside down | student: m04-i
def least_squares(x, y):
    xs, ys = x.flatten(), y.flatten()
    dx, dy = xs - xs.mean(), ys - ys.mean()
    w = (dx * dx).sum() / (dx * dy).sum()
    b = ys.mean() - w * xs.mean()
    return w.item(), b.item()

# %% least_squares | mistake: returns the 0-d tensors, not Python floats | fails: test_least_squares | says: return Python floats | student: m04-b
def least_squares(x, y):
    dx, dy = x - x.mean(), y - y.mean()
    w = (dx * dy).sum() / (dx ** 2).sum()
    return w, y.mean() - w * x.mean()

# %% least_squares | alternative: the textbook sums formula (N sum xy - sum x sum y) / (N sum x^2 - (sum x)^2), plain Python | student: a04-1
def least_squares(x, y):
    xs = [float(v) for v in x.flatten().tolist()]
    ys = [float(v) for v in y.flatten().tolist()]
    n = len(xs)
    sx, sy = sum(xs), sum(ys)
    sxx = sum(a * a for a in xs)
    sxy = sum(a * c for a, c in zip(xs, ys))
    w = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    b = (sy - w * sx) / n
    return w, b

# %% least_squares | alternative: numpy, the normal equations [[sum x^2, sum x], [sum x, N]] solved with np.linalg.solve | student: a04-2
def least_squares(x, y):
    xs = x.detach().cpu().numpy().astype(np.float64).ravel()
    ys = y.detach().cpu().numpy().astype(np.float64).ravel()
    lhs = np.array([[np.dot(xs, xs), xs.sum()], [xs.sum(), len(xs)]])
    rhs = np.array([np.dot(xs, ys), ys.sum()])
    w, b = np.linalg.solve(lhs, rhs)
    return float(w), float(b)
