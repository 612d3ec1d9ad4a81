# Mistake catalogue of 06 multiple-dimension input (issue 11): plausible mistakes and correct alternatives.
# Format: see sample_class/catalogue/README.md.

# %% batch_linear | mistake: W not transposed, X @ W | fails: test_batch_linear | says: multiply X by its transpose | student: m06-a
def batch_linear(X, W, b):
    return X @ W + b

# %% batch_linear | mistake: W @ X.T, the batch dimension moved to the end | fails: test_batch_linear | says: batch dimension must stay first | student: m06-b
def batch_linear(X, W, b):
    return W @ X.T + b

# %% batch_linear | mistake: the bias is forgotten | fails: test_batch_linear | says: without the bias | student: m06-c
def batch_linear(X, W, b):
    return torch.matmul(X, W.T)

# %% batch_linear | mistake: W transposed in place with t_() | fails: test_batch_linear | says: W was modified | student: m06-d
def batch_linear(X, W, b):
    return X @ W.t_() + b

# %% batch_linear | alternative: a loop over the rows, stacked | student: a06-1
def batch_linear(X, W, b):
    rows = []
    for x in X:
        rows.append(W @ x + b)
    return torch.stack(rows)

# %% batch_linear | alternative: einsum | student: a06-2
def batch_linear(X, W, b):
    return torch.einsum("ni,oi->no", X, W) + b

# %% batch_linear | alternative: torch.addmm | student: a06-3
def batch_linear(X, W, b):
    return torch.addmm(b, X, W.t())

# %% multi_logistic | mistake: nn.Linear(759, 1), the number of samples as the input size | fails: test_multi_logistic | says: not the number of samples | student: m06-a
class MultiLogistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(759, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))

# %% multi_logistic | mistake: the output squeezed to (N,) | fails: test_multi_logistic | says: no squeeze | student: m06-b
class MultiLogistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(8, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x)).squeeze()

# %% multi_logistic | mistake: no sigmoid at the output | fails: test_multi_logistic | says: keep the sigmoid | student: m06-c
class MultiLogistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(8, 1)

    def forward(self, x):
        return self.linear(x)

# %% multi_logistic | mistake: the layer without its bias | fails: test_multi_logistic | says: keep the bias | student: m06-d
class MultiLogistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(8, 1, bias=False)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))

# %% multi_logistic | alternative: an nn.Sigmoid module | student: a06-1
class MultiLogistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(in_features=8, out_features=1)
        self.out = nn.Sigmoid()

    def forward(self, x):
        return self.out(self.linear(x))

# %% multi_logistic | alternative: the formula with the layer's weight and bias | student: a06-2
class MultiLogistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(8, 1)

    def forward(self, x):
        z = x @ self.linear.weight.T + self.linear.bias
        return 1 / (1 + torch.exp(-z))

# %% diabetes_net | mistake: the activation argument is ignored (always the sigmoid) | fails: test_diabetes_net | says: argument is ignored | student: m06-a
class DiabetesNet(nn.Module):
    def __init__(self, activation="sigmoid"):
        super().__init__()
        self.linear1 = nn.Linear(8, 6)
        self.linear2 = nn.Linear(6, 4)
        self.linear3 = nn.Linear(4, 1)

    def forward(self, x):
        x = torch.sigmoid(self.linear1(x))
        x = torch.sigmoid(self.linear2(x))
        return torch.sigmoid(self.linear3(x))

# %% diabetes_net | mistake: the activation only after the first layer | fails: test_diabetes_net | says: after the second layer is missing | student: m06-b
class DiabetesNet(nn.Module):
    def __init__(self, activation="sigmoid"):
        super().__init__()
        self.linear1 = nn.Linear(8, 6)
        self.linear2 = nn.Linear(6, 4)
        self.linear3 = nn.Linear(4, 1)
        self.act = torch.relu if activation == "relu" else torch.sigmoid

    def forward(self, x):
        x = self.act(self.linear1(x))
        x = self.linear2(x)
        return torch.sigmoid(self.linear3(x))

# %% diabetes_net | mistake: nn.Linear(out, in), the sizes swapped | fails: test_diabetes_net | says: takes the input size first | student: m06-c
class DiabetesNet(nn.Module):
    def __init__(self, activation="sigmoid"):
        super().__init__()
        self.linear1 = nn.Linear(6, 8)
        self.linear2 = nn.Linear(4, 6)
        self.linear3 = nn.Linear(1, 4)
        self.act = torch.relu if activation == "relu" else torch.sigmoid

    def forward(self, x):
        x = self.act(self.linear1(x))
        x = self.act(self.linear2(x))
        return torch.sigmoid(self.linear3(x))

# %% diabetes_net | mistake: ReLU inside whatever the argument says | fails: test_diabetes_net | says: honour the activation argument | student: m06-d
class DiabetesNet(nn.Module):
    def __init__(self, activation="sigmoid"):
        super().__init__()
        self.linear1 = nn.Linear(8, 6)
        self.linear2 = nn.Linear(6, 4)
        self.linear3 = nn.Linear(4, 1)
        self.activation = activation

    def forward(self, x):
        x = torch.relu(self.linear1(x))
        x = torch.relu(self.linear2(x))
        return torch.sigmoid(self.linear3(x))

# %% diabetes_net | alternative: one nn.Sequential with activation modules | student: a06-1
class DiabetesNet(nn.Module):
    def __init__(self, activation="sigmoid"):
        super().__init__()
        act = nn.ReLU if activation == "relu" else nn.Sigmoid
        self.net = nn.Sequential(
            nn.Linear(8, 6), act(),
            nn.Linear(6, 4), act(),
            nn.Linear(4, 1), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.net(x)

# %% diabetes_net | alternative: functional activations picked from a dict, a loop over the hidden layers | student: a06-2
class DiabetesNet(nn.Module):
    def __init__(self, activation="sigmoid"):
        super().__init__()
        import torch.nn.functional as F
        self.hidden = nn.ModuleList([nn.Linear(8, 6), nn.Linear(6, 4)])
        self.out = nn.Linear(4, 1)
        self.f = {"relu": F.relu, "sigmoid": torch.sigmoid}[activation]

    def forward(self, x):
        for layer in self.hidden:
            x = self.f(layer(x))
        return torch.sigmoid(self.out(x))

# %% split_data | mistake: int() truncates the number of test rows | fails: test_split_data | says: int() truncates | student: m06-a
def split_data(X, y, test_fraction=0.25, seed=0):
    n = len(X)
    n_test = int(n * test_fraction)
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return X[perm[n_test:]], X[perm[:n_test]], y[perm[n_test:]], y[perm[:n_test]]

# %% split_data | mistake: the seed argument is ignored (always 0) | fails: test_split_data | says: the seed argument is ignored | student: m06-b
def split_data(X, y, test_fraction=0.25, seed=0):
    n = len(X)
    n_test = round(n * test_fraction)
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(0))
    return X[perm[n_test:]], X[perm[:n_test]], y[perm[n_test:]], y[perm[:n_test]]

# %% split_data | mistake: reseeds the global generator instead of using its own | fails: test_split_data | says: global random state | student: m06-c
def split_data(X, y, test_fraction=0.25, seed=0):
    n = len(X)
    n_test = round(n * test_fraction)
    torch.manual_seed(seed)
    perm = torch.randperm(n)
    return X[perm[n_test:]], X[perm[:n_test]], y[perm[n_test:]], y[perm[:n_test]]

# %% split_data | mistake: returns (X_train, y_train, X_test, y_test) | fails: test_split_data | says: the order is | student: m06-d
def split_data(X, y, test_fraction=0.25, seed=0):
    n = len(X)
    n_test = round(n * test_fraction)
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return X[perm[n_test:]], y[perm[n_test:]], X[perm[:n_test]], y[perm[:n_test]]

# %% split_data | mistake: the training part keeps the test rows (leakage) | fails: test_split_data | says: never be trained on | student: m06-e
def split_data(X, y, test_fraction=0.25, seed=0):
    n = len(X)
    n_test = round(n * test_fraction)
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return X[perm], X[perm[:n_test]], y[perm], y[perm[:n_test]]

# %% split_data | alternative: each part's indices sorted (rows in their original order) | student: a06-1
def split_data(X, y, test_fraction=0.25, seed=0):
    g = torch.Generator()
    g.manual_seed(seed)
    perm = torch.randperm(X.shape[0], generator=g)
    n_test = round(X.shape[0] * test_fraction)
    test_idx = perm[:n_test].sort().values
    train_idx = perm[n_test:].sort().values
    return X[train_idx], X[test_idx], y[train_idx], y[test_idx]

# %% split_data | alternative: a boolean mask and index_select | student: a06-2
def split_data(X, y, test_fraction=0.25, seed=0):
    n = len(X)
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    is_test = torch.zeros(n, dtype=torch.bool)
    is_test[perm[: round(n * test_fraction)]] = True
    train_idx = torch.nonzero(~is_test).flatten()
    return X.index_select(0, train_idx), X[is_test], y.index_select(0, train_idx), y[is_test]

# %% accuracy | mistake: no torch.no_grad() | fails: test_accuracy, test_train_and_evaluate | says: torch.no_grad() | student: m06-a
def accuracy(model, X, y):
    device = next(model.parameters()).device
    pred = (model(X.to(device)) > 0.5).float()
    return (pred == y.to(device)).float().mean().item()

# %% accuracy | mistake: predictions squeezed to (N,) against labels (N, 1) | fails: test_accuracy, test_train_and_evaluate | says: broadcast | student: m06-b
def accuracy(model, X, y):
    device = next(model.parameters()).device
    with torch.no_grad():
        pred = (model(X.to(device)) > 0.5).float().squeeze()
        return (pred == y.to(device)).float().mean().item()

# %% accuracy | mistake: the count of correct rows, not the share | fails: test_accuracy, test_train_and_evaluate | says: the count of correct rows | student: m06-c
def accuracy(model, X, y):
    device = next(model.parameters()).device
    with torch.no_grad():
        pred = (model(X.to(device)) > 0.5).float()
        return (pred == y.to(device)).sum().item()

# %% accuracy | mistake: returns the 0-d tensor | fails: test_accuracy, test_train_and_evaluate | says: must return a Python float | student: m06-d
def accuracy(model, X, y):
    device = next(model.parameters()).device
    with torch.no_grad():
        pred = (model(X.to(device)) > 0.5).float()
        return (pred == y.to(device)).float().mean()

# %% accuracy | alternative: numpy on the CPU, np.float64 result | student: a06-1
def accuracy(model, X, y):
    device = next(model.parameters()).device
    with torch.no_grad():
        probs = model(X.to(device)).cpu().numpy()
    return np.mean((probs > 0.5).astype(np.float32) == y.cpu().numpy())

# %% accuracy | alternative: eval mode, inference_mode, round, sum / len | student: a06-2
def accuracy(model, X, y):
    model.eval()
    device = next(model.parameters()).device
    with torch.inference_mode():
        pred = torch.round(model(X.to(device)))
        correct = (pred == y.to(device)).sum().item()
    return correct / len(y)

# %% train_and_evaluate | mistake: the lr argument is ignored | fails: test_train_and_evaluate | says: ignores its lr | student: m06-e
def train_and_evaluate(model, X_train, y_train, X_test, y_test, epochs, lr=0.01, plot=None):
    device = next(model.parameters()).device
    X_train, y_train = X_train.to(device), y_train.to(device)
    criterion = nn.BCELoss()
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(X_train), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=losses[-1])
    return losses, accuracy(model, X_test, y_test)

# %% train_and_evaluate | mistake: plain SGD instead of Adam | fails: test_train_and_evaluate | says: Adam | student: m06-f
def train_and_evaluate(model, X_train, y_train, X_test, y_test, epochs, lr=0.01, plot=None):
    device = next(model.parameters()).device
    X_train, y_train = X_train.to(device), y_train.to(device)
    criterion = nn.BCELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(X_train), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=losses[-1])
    return losses, accuracy(model, X_test, y_test)

# %% train_and_evaluate | mistake: no optimizer.zero_grad() | fails: test_train_and_evaluate | says: zero_grad | student: m06-g
def train_and_evaluate(model, X_train, y_train, X_test, y_test, epochs, lr=0.01, plot=None):
    device = next(model.parameters()).device
    X_train, y_train = X_train.to(device), y_train.to(device)
    criterion = nn.BCELoss()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(X_train), y_train)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=losses[-1])
    return losses, accuracy(model, X_test, y_test)

# %% train_and_evaluate | mistake: trains on the training and the test rows together | fails: test_train_and_evaluate | says: never be trained on | student: m06-h
def train_and_evaluate(model, X_train, y_train, X_test, y_test, epochs, lr=0.01, plot=None):
    device = next(model.parameters()).device
    X_all_rows = torch.cat([X_train, X_test]).to(device)
    y_all_rows = torch.cat([y_train, y_test]).to(device)
    criterion = nn.BCELoss()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(X_all_rows), y_all_rows)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=losses[-1])
    return losses, accuracy(model, X_test, y_test)

# %% train_and_evaluate | mistake: the test accuracy is measured before training | fails: test_train_and_evaluate | says: before training | student: m06-i
def train_and_evaluate(model, X_train, y_train, X_test, y_test, epochs, lr=0.01, plot=None):
    test_accuracy = accuracy(model, X_test, y_test)
    device = next(model.parameters()).device
    X_train, y_train = X_train.to(device), y_train.to(device)
    criterion = nn.BCELoss()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(X_train), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=losses[-1])
    return losses, test_accuracy

# %% train_and_evaluate | alternative: functional BCE, zero_grad first, the accuracy computed inline | student: a06-1
def train_and_evaluate(model, X_train, y_train, X_test, y_test, epochs, lr=0.01, plot=None):
    import torch.nn.functional as F
    dev = next(model.parameters()).device
    Xtr, ytr = X_train.to(dev), y_train.to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        opt.zero_grad()
        loss = F.binary_cross_entropy(model(Xtr), ytr)
        loss.backward()
        opt.step()
        losses.append(loss.detach().item())
        if plot is not None:
            plot.add(epoch, loss=losses[-1])
    with torch.no_grad():
        pred = (model(X_test.to(dev)) > 0.5).float()
        acc = (pred == y_test.to(dev)).float().mean().item()
    return losses, acc

# %% train_and_evaluate | alternative: train()/eval() modes, a progress bar, a tuple result | student: a06-2
def train_and_evaluate(model, X_train, y_train, X_test, y_test, epochs, lr=0.01, plot=None):
    device = next(model.parameters()).device
    inputs, targets = X_train.to(device), y_train.to(device)
    criterion = nn.BCELoss()
    optimizer = optim.Adam(params=model.parameters(), lr=lr)
    history = []
    model.train()
    for epoch in course.progress(range(epochs), desc="train", leave=False):
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        history.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=history[-1])
    model.eval()
    test_acc = accuracy(model, X_test, y_test)
    return history, test_acc

# %% count_parameters | mistake: the weights only, the biases forgotten | fails: test_count_parameters | says: weights only | student: m06-a
def count_parameters(sizes):
    return sum(i * o for i, o in zip(sizes, sizes[1:]))

# %% count_parameters | mistake: one bias per input instead of per output | fails: test_count_parameters | says: one entry per OUTPUT | student: m06-b
def count_parameters(sizes):
    total = 0
    for j in range(len(sizes) - 1):
        total += sizes[j] * sizes[j + 1] + sizes[j]
    return total

# %% count_parameters | mistake: (in + 1) * (out + 1) per layer, off by one | fails: test_count_parameters | says: off by one | student: m06-c
def count_parameters(sizes):
    return sum((i + 1) * (o + 1) for i, o in zip(sizes, sizes[1:]))

# %% count_parameters | mistake: a loop over every index, sizes[j - 1] wraps round to a layer from the last width to the first | fails: test_count_parameters | says: back to the first | student: m06-d
def count_parameters(sizes):
    total = 0
    for j in range(len(sizes)):
        total += sizes[j - 1] * sizes[j] + sizes[j]
    return total

# %% count_parameters | mistake: the output layer added once more after the loop (counted twice) | fails: test_count_parameters | says: counted twice | student: m06-e
def count_parameters(sizes):
    total = 0
    for j in range(len(sizes) - 1):
        total += sizes[j] * sizes[j + 1] + sizes[j + 1]
    total += sizes[-2] * sizes[-1] + sizes[-1]
    return total

# %% count_parameters | mistake: one bias number per layer | fails: test_count_parameters | says: not one number per layer | student: m06-f
def count_parameters(sizes):
    return sum(i * o + 1 for i, o in zip(sizes, sizes[1:]))

# %% count_parameters | mistake: the count returned as a torch tensor | fails: test_count_parameters | says: must return a Python int | student: m06-g
def count_parameters(sizes):
    s = torch.tensor(list(sizes))
    return (s[:-1] * s[1:] + s[1:]).sum()

# %% count_parameters | alternative: an index loop, weights and biases counted apart | student: a06-1
def count_parameters(sizes):
    weights, biases = 0, 0
    for j in range(1, len(sizes)):
        weights += sizes[j - 1] * sizes[j]
        biases += sizes[j]
    return weights + biases

# %% count_parameters | alternative: numpy on the widths, np.int64 result | student: a06-2
def count_parameters(sizes):
    s = np.asarray(sizes, dtype=np.int64)
    return np.sum((s[:-1] + 1) * s[1:])

# %% count_parameters | alternative: tensors, then int(); recursion over the layers | student: a06-3
def count_parameters(sizes):
    sizes = list(sizes)
    if len(sizes) < 2:
        return 0
    first = torch.tensor(sizes[0] * sizes[1] + sizes[1])
    return int(first) + count_parameters(sizes[1:])
