# Mistake catalogue of 08 softmax classifier (issue 11): plausible beginner mistakes and correct alternatives,
# graded through the real grader.  Format: sample_class/catalogue/README.md.
# Students m1..m5 each make one mistake per exercise (where the exercises do not depend on each other);
# a1, a2 write correct code differently.

# %% softmax | mistake: no maximum subtracted: exp overflows | fails: test_softmax | says: subtract the maximum | student: m1
def softmax(z):
    e = np.exp(np.asarray(z, dtype=float))
    return e / e.sum(axis=-1, keepdims=True)

# %% softmax | mistake: subtracts the maximum of the whole batch, not of each row | fails: test_softmax | says: each ROW's own maximum | student: m2
def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)

# %% softmax | mistake: no keepdims: the row sums do not broadcast | fails: test_softmax | says: keepdims=True | student: m3
def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1)

# %% softmax | mistake: subtracts the maximum in place, editing the caller's array | fails: test_softmax | says: was modified by the call | student: m4
def softmax(z):
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)

# %% softmax | mistake: normalises the columns (axis=0) | fails: test_softmax | says: the columns | student: m5
def softmax(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)

# %% cross_entropy | mistake: sums the samples' losses instead of averaging | fails: test_cross_entropy | says: their MEAN | student: m1
def cross_entropy(z, target):
    z = np.asarray(z, dtype=float)
    m = z.max(axis=1, keepdims=True)
    log_sum = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return float(np.sum(log_sum - z[np.arange(len(z)), target]))

# %% cross_entropy | mistake: log of a softmax without log-sum-exp: log(0) for large logits | fails: test_cross_entropy | says: log-sum-exp | student: m2
def cross_entropy(z, target):
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(z)), target])))

# %% cross_entropy | mistake: z[:, target] picks every target for every row | fails: test_cross_entropy | says: pick one entry per row | student: m3
def cross_entropy(z, target):
    z = np.asarray(z, dtype=float)
    m = z.max(axis=1, keepdims=True)
    log_sum = m + np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return float(np.mean(log_sum - z[:, target]))

# %% cross_entropy | mistake: subtracts the maximum in place, editing the caller's logits | fails: test_cross_entropy | says: was modified by the call | student: m4
def cross_entropy(z, target):
    z -= z.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(z).sum(axis=1))
    return float(np.mean(log_sum - z[np.arange(len(z)), target]))

# %% cross_entropy | mistake: the sign is wrong (log-likelihood, not its negative) | fails: test_cross_entropy | says: the sign is wrong | student: m5
def cross_entropy(z, target):
    z = np.asarray(z, dtype=float)
    m = z.max(axis=1, keepdims=True)
    log_sum = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return float(np.mean(z[np.arange(len(z)), target] - log_sum))

# %% net | mistake: a ReLU after the last layer | fails: test_net, test_mnist_accuracy | says: after the last layer | student: m1
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(784, 512)
        self.l2 = nn.Linear(512, 256)
        self.l3 = nn.Linear(256, 128)
        self.l4 = nn.Linear(128, 64)
        self.l5 = nn.Linear(64, 10)

    def forward(self, x):
        x = x.view(-1, 784)
        x = F.relu(self.l1(x))
        x = F.relu(self.l2(x))
        x = F.relu(self.l3(x))
        x = F.relu(self.l4(x))
        return F.relu(self.l5(x))

# %% net | mistake: softmax at the end of forward (double softmax with CrossEntropyLoss) | fails: test_net, test_mnist_accuracy | says: do not apply softmax | student: m2
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(784, 512)
        self.l2 = nn.Linear(512, 256)
        self.l3 = nn.Linear(256, 128)
        self.l4 = nn.Linear(128, 64)
        self.l5 = nn.Linear(64, 10)

    def forward(self, x):
        x = x.view(-1, 784)
        x = F.relu(self.l1(x))
        x = F.relu(self.l2(x))
        x = F.relu(self.l3(x))
        x = F.relu(self.l4(x))
        return F.softmax(self.l5(x), dim=1)

# %% net | mistake: flattens the whole batch into one vector (batch dimension lost) | fails: test_net, test_mnist_accuracy | says: keeping the batch dimension | student: m3
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(784, 512)
        self.l2 = nn.Linear(512, 256)
        self.l3 = nn.Linear(256, 128)
        self.l4 = nn.Linear(128, 64)
        self.l5 = nn.Linear(64, 10)

    def forward(self, x):
        x = x.flatten()
        x = F.relu(self.l1(x))
        x = F.relu(self.l2(x))
        x = F.relu(self.l3(x))
        x = F.relu(self.l4(x))
        return self.l5(x)

# %% net | mistake: leaves out the 128 -> 64 layer | fails: test_net | says: 784-512-256-128-64-10 | student: m4
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(784, 512)
        self.l2 = nn.Linear(512, 256)
        self.l3 = nn.Linear(256, 128)
        self.l4 = nn.Linear(128, 10)

    def forward(self, x):
        x = x.view(-1, 784)
        x = F.relu(self.l1(x))
        x = F.relu(self.l2(x))
        x = F.relu(self.l3(x))
        return self.l4(x)

# %% net | mistake: sigmoid between the layers instead of ReLU | fails: test_net, test_mnist_accuracy | says: put a ReLU between the layers | student: m5
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(784, 512)
        self.l2 = nn.Linear(512, 256)
        self.l3 = nn.Linear(256, 128)
        self.l4 = nn.Linear(128, 64)
        self.l5 = nn.Linear(64, 10)

    def forward(self, x):
        x = x.view(-1, 784)
        x = torch.sigmoid(self.l1(x))
        x = torch.sigmoid(self.l2(x))
        x = torch.sigmoid(self.l3(x))
        x = torch.sigmoid(self.l4(x))
        return self.l5(x)

# %% train_epoch | mistake: never zeroes the gradients | fails: test_train_epoch | says: zero_grad | student: m1
def train_epoch(model, loader, optimizer, criterion):
    dev = course.device()
    model.train()
    total, count = 0.0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(dev), labels.to(dev)
        loss = criterion(model(inputs), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        count += len(labels)
    return total / count

# %% train_epoch | mistake: the mean of the batch means (the small last batch counts as much as a full one) | fails: test_train_epoch | says: weight each batch's mean loss by its size | student: m2
def train_epoch(model, loader, optimizer, criterion):
    dev = course.device()
    model.train()
    batch_losses = []
    for inputs, labels in loader:
        inputs, labels = inputs.to(dev), labels.to(dev)
        loss = criterion(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        batch_losses.append(loss.item())
    return sum(batch_losses) / len(batch_losses)

# %% train_epoch | mistake: sums the loss tensors and calls .item() once at the end (graphs kept alive) | fails: test_train_epoch | says: kept the loss tensors alive | student: m3
def train_epoch(model, loader, optimizer, criterion):
    dev = course.device()
    model.train()
    total, count = 0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(dev), labels.to(dev)
        loss = criterion(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss * len(labels)
        count += len(labels)
    return total.item() / count

# %% train_epoch | mistake: never switches back to training mode (model.train()) | fails: test_train_epoch | says: call model.train() | student: m4
def train_epoch(model, loader, optimizer, criterion):
    dev = course.device()
    total, count = 0.0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(dev), labels.to(dev)
        loss = criterion(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        count += len(labels)
    return total / count

# %% train_epoch | mistake: ignores the criterion argument and makes its own | fails: test_train_epoch | says: never called the criterion passed as argument | student: m5
def train_epoch(model, loader, optimizer, criterion):
    dev = course.device()
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    total, count = 0.0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(dev), labels.to(dev)
        loss = loss_fn(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        count += len(labels)
    return total / count

# %% evaluate | mistake: no model.eval() (dropout stays on) | fails: test_evaluate | says: call model.eval() | student: m1
def evaluate(model, loader):
    dev = course.device()
    correct, total = 0, 0
    with torch.no_grad():
        for inputs, labels in loader:
            inputs, labels = inputs.to(dev), labels.to(dev)
            correct += (model(inputs).argmax(dim=1) == labels).sum().item()
            total += len(labels)
    return correct / total

# %% evaluate | mistake: divides by the number of batches | fails: test_evaluate | says: number of SAMPLES | student: m2
def evaluate(model, loader):
    dev = course.device()
    model.eval()
    correct = 0
    with torch.no_grad():
        for inputs, labels in loader:
            inputs, labels = inputs.to(dev), labels.to(dev)
            correct += (model(inputs).argmax(dim=1) == labels).sum().item()
    return correct / len(loader)

# %% evaluate | mistake: the mean of the batches' accuracies | fails: test_evaluate | says: not of batches | student: m3
def evaluate(model, loader):
    dev = course.device()
    model.eval()
    accs = []
    with torch.no_grad():
        for inputs, labels in loader:
            inputs, labels = inputs.to(dev), labels.to(dev)
            accs.append((model(inputs).argmax(dim=1) == labels).float().mean().item())
    return float(np.mean(accs))

# %% evaluate | mistake: takes the largest logit's value from torch.max instead of its index | fails: test_evaluate | says: logits.argmax(dim=1) | student: m4
def evaluate(model, loader):
    dev = course.device()
    model.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for inputs, labels in loader:
            inputs, labels = inputs.to(dev), labels.to(dev)
            predicted, _ = torch.max(model(inputs), dim=1)
            correct += (predicted == labels).sum().item()
            total += labels.size(0)
    return correct / total

# %% multiclass_log_loss | mistake: no clipping: log(0) = -inf | fails: test_multiclass_log_loss | says: clip the probabilities | student: m1
def multiclass_log_loss(y_true, proba, eps=1e-15):
    p = np.asarray(proba, dtype=float)
    p = p / p.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(p)), y_true])))

# %% multiclass_log_loss | mistake: clips but does not renormalise the rows | fails: test_multiclass_log_loss | says: renormalise each row | student: m2
def multiclass_log_loss(y_true, proba, eps=1e-15):
    p = np.clip(proba, eps, 1 - eps)
    return float(-np.mean(np.log(p[np.arange(len(p)), y_true])))

# %% multiclass_log_loss | mistake: a fixed 1e-15 instead of the argument eps | fails: test_multiclass_log_loss | says: with the argument eps | student: m3
def multiclass_log_loss(y_true, proba, eps=1e-15):
    p = np.clip(proba, 1e-15, 1 - 1e-15)
    p = p / p.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(p)), y_true])))

# %% multiclass_log_loss | mistake: clips in place, editing the caller's probabilities | fails: test_multiclass_log_loss | says: was modified by the call | student: m4
def multiclass_log_loss(y_true, proba, eps=1e-15):
    np.clip(proba, eps, 1 - eps, out=proba)
    p = proba / proba.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(p)), y_true])))

# %% multiclass_log_loss | mistake: log10 instead of the natural log | fails: test_multiclass_log_loss | says: natural log | student: m5
def multiclass_log_loss(y_true, proba, eps=1e-15):
    p = np.clip(np.asarray(proba, dtype=float), eps, 1 - eps)
    p = p / p.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log10(p[np.arange(len(p)), y_true])))

# %% train_otto | mistake: predict_proba without model.eval() (dropout on while predicting) | fails: test_otto | says: call model.eval() | student: m1
def train_otto(X, y, epochs):
    dev = course.device()
    model = nn.Sequential(nn.Linear(X.shape[1], 256), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(128, 9)).to(dev)
    data = TensorDataset(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.long))
    loader = DataLoader(data, batch_size=128, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        train_epoch(model, loader, optimizer, criterion)
    return model


def predict_proba(model, X):
    with torch.no_grad():
        logits = model(torch.as_tensor(X, dtype=torch.float32).to(course.device()))
        return torch.softmax(logits, dim=1).cpu().numpy()

# %% train_otto | mistake: predict_proba with gradients on (.detach() instead of torch.no_grad()) | fails: test_otto | says: under torch.no_grad() | student: m2
def train_otto(X, y, epochs):
    dev = course.device()
    model = nn.Sequential(nn.Linear(X.shape[1], 256), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(128, 9)).to(dev)
    data = TensorDataset(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.long))
    loader = DataLoader(data, batch_size=128, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        train_epoch(model, loader, optimizer, criterion)
    return model


def predict_proba(model, X):
    model.eval()
    logits = model(torch.as_tensor(X, dtype=torch.float32).to(course.device()))
    return torch.softmax(logits, dim=1).detach().cpu().numpy()

# %% train_otto | mistake: hard-codes 4 epochs, ignoring the argument | fails: test_otto | says: honour the argument epochs | student: m3
def train_otto(X, y, epochs):
    dev = course.device()
    model = nn.Sequential(nn.Linear(X.shape[1], 256), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(128, 9)).to(dev)
    data = TensorDataset(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.long))
    loader = DataLoader(data, batch_size=128, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(4):
        train_epoch(model, loader, optimizer, criterion)
    return model


def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(torch.as_tensor(X, dtype=torch.float32).to(course.device())), dim=1).cpu().numpy()

# %% train_otto | mistake: no dropout layers | fails: test_otto | says: put nn.Dropout(0.2) | student: m4
def train_otto(X, y, epochs):
    dev = course.device()
    model = nn.Sequential(nn.Linear(X.shape[1], 256), nn.ReLU(),
                          nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 9)).to(dev)
    data = TensorDataset(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.long))
    loader = DataLoader(data, batch_size=128, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        train_epoch(model, loader, optimizer, criterion)
    return model


def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(torch.as_tensor(X, dtype=torch.float32).to(course.device())), dim=1).cpu().numpy()

# %% train_otto | mistake: predict_proba returns a tensor, not a numpy array | fails: test_otto | says: must return a numpy array | student: m5
def train_otto(X, y, epochs):
    dev = course.device()
    model = nn.Sequential(nn.Linear(X.shape[1], 256), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(128, 9)).to(dev)
    data = TensorDataset(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.long))
    loader = DataLoader(data, batch_size=128, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        train_epoch(model, loader, optimizer, criterion)
    return model


def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(torch.as_tensor(X, dtype=torch.float32).to(course.device())), dim=1)

# %% softmax | alternative: a loop over the rows | student: a1
def softmax(z):
    z = np.array(z, dtype=float)
    if z.ndim == 1:
        shifted = np.exp(z - np.max(z))
        return shifted / np.sum(shifted)
    out = np.empty_like(z)
    for i in range(z.shape[0]):
        shifted = np.exp(z[i] - np.max(z[i]))
        out[i] = shifted / np.sum(shifted)
    return out

# %% softmax | alternative: torch.softmax in float64, back to numpy | student: a2
def softmax(z):
    return torch.softmax(torch.as_tensor(np.asarray(z), dtype=torch.float64), dim=-1).numpy()

# %% cross_entropy | alternative: a loop over the samples with math | student: a1
def cross_entropy(z, target):
    total = 0.0
    for row, t in zip(np.asarray(z, dtype=float), np.asarray(target)):
        m = max(row)
        lse = m + math.log(sum(math.exp(v - m) for v in row))
        total += lse - row[int(t)]
    return total / len(target)

# %% cross_entropy | alternative: np.logaddexp.reduce and np.take_along_axis | student: a2
def cross_entropy(z, target):
    z = np.asarray(z, dtype=np.float64)
    lse = np.logaddexp.reduce(z, axis=1)
    picked = np.take_along_axis(z, np.asarray(target).reshape(-1, 1), axis=1)[:, 0]
    return np.mean(lse - picked)

# %% net | alternative: nn.Sequential with nn.Flatten and nn.ReLU | student: a1
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Flatten(),
            nn.Linear(784, 512), nn.ReLU(),
            nn.Linear(512, 256), nn.ReLU(),
            nn.Linear(256, 128), nn.ReLU(),
            nn.Linear(128, 64), nn.ReLU(),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        return self.layers(x)

# %% net | alternative: layers created from the output backwards, x.view(x.size(0), -1) | student: a2
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.out = nn.Linear(64, 10)
        self.fc4 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(256, 128)
        self.fc2 = nn.Linear(512, 256)
        self.fc1 = nn.Linear(784, 512)
        self.act = nn.ReLU()

    def forward(self, x):
        x = x.reshape(x.size(0), -1)
        for layer in (self.fc1, self.fc2, self.fc3, self.fc4):
            x = self.act(layer(x))
        return self.out(x)

# %% train_epoch | alternative: model.zero_grad(), detached running sum, len(loader.dataset) | student: a1
def train_epoch(model, loader, optimizer, criterion):
    device = course.device()
    model.train()
    running = torch.zeros(())
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        model.zero_grad()
        out = model(x)
        loss = criterion(out, y)
        loss.backward()
        optimizer.step()
        running += loss.detach().cpu() * x.size(0)
    return float(running) / len(loader.dataset)

# %% train_epoch | alternative: zero_grad(set_to_none=True) first, a list of per-batch sums | student: a2
def train_epoch(model, loader, optimizer, criterion):
    model.train()
    sums, n = [], 0
    for batch in course.progress(loader, desc="train", leave=False):
        inputs = batch[0].to(course.device())
        labels = batch[1].to(course.device())
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(inputs), labels)
        loss.backward()
        optimizer.step()
        sums.append(loss.item() * labels.shape[0])
        n += labels.shape[0]
    return sum(sums) / n

# %% evaluate | alternative: torch.max(outputs.data, dim=1) as in the lectures | student: a1
def evaluate(model, loader):
    model.eval()
    correct = 0
    total = 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(course.device()), labels.to(course.device())
            outputs = model(images)
            _, predicted = torch.max(outputs.data, dim=1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    return correct / total

# %% evaluate | alternative: torch.inference_mode and a list of predictions | student: a2
def evaluate(model, loader):
    model.eval()
    hits = []
    with torch.inference_mode():
        for inputs, labels in loader:
            pred = model(inputs.to(course.device())).argmax(1).cpu()
            hits.append(pred.eq(labels.cpu()))
    return torch.cat(hits).float().mean().item()

# %% multiclass_log_loss | alternative: a loop over the rows | student: a1
def multiclass_log_loss(y_true, proba, eps=1e-15):
    total = 0.0
    for label, row in zip(y_true, proba):
        row = [min(max(float(v), eps), 1 - eps) for v in row]
        total -= math.log(row[int(label)] / sum(row))
    return total / len(y_true)

# %% multiclass_log_loss | alternative: a one-hot matrix, as in Kaggle's formula | student: a2
def multiclass_log_loss(y_true, proba, eps=1e-15):
    p = np.clip(np.array(proba, dtype=np.float64), eps, 1 - eps)
    p /= p.sum(axis=1)[:, None]
    onehot = np.eye(p.shape[1])[np.asarray(y_true)]
    return -np.sum(onehot * np.log(p)) / len(p)

# %% train_otto | alternative: a Module created in another order with F.dropout, predict_proba with F.softmax | student: a1
class OttoNet(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.head = nn.Linear(128, 9)
        self.fc2 = nn.Linear(256, 128)
        self.fc1 = nn.Linear(n_in, 256)

    def forward(self, x):
        x = F.dropout(F.relu(self.fc1(x)), p=0.2, training=self.training)
        x = F.dropout(F.relu(self.fc2(x)), p=0.2, training=self.training)
        return self.head(x)


def train_otto(X, y, epochs):
    model = OttoNet(X.shape[1]).to(course.device())
    loader = DataLoader(TensorDataset(torch.from_numpy(X).float(), torch.from_numpy(y).long()), batch_size=128, shuffle=True)
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss()
    for _ in course.progress(range(epochs), desc="otto"):
        train_epoch(model, loader, opt, loss_fn)
    return model


def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        out = F.softmax(model(torch.tensor(X, dtype=torch.float32, device=course.device())), dim=-1)
    return np.asarray(out.cpu())

# %% train_otto | alternative: its own training loop, predict_proba through the numpy softmax of exercise 1 | student: a2
def train_otto(X, y, epochs):
    dev = course.device()
    net = nn.Sequential(
        nn.Linear(93, 256), nn.ReLU(), nn.Dropout(p=0.2),
        nn.Linear(256, 128), nn.ReLU(), nn.Dropout(p=0.2),
        nn.Linear(128, 9),
    ).to(dev)
    data = DataLoader(TensorDataset(torch.tensor(X), torch.tensor(y, dtype=torch.long)), batch_size=128, shuffle=True)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        net.train()
        for xb, yb in data:
            xb, yb = xb.to(dev), yb.to(dev)
            optimizer.zero_grad()
            criterion(net(xb), yb).backward()
            optimizer.step()
    return net


def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        logits = model(torch.as_tensor(X).float().to(course.device())).cpu().numpy()
    return softmax(logits)
