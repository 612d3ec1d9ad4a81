# Typical beginner mistakes in 08 softmax classifier, as the sample student "carol" makes them.
# Format: see course/grading/sample_class.py.

# %% softmax | fails: test_softmax | says: normalise each row
def softmax(z):
    # divides by the sum of the whole matrix: a batch's rows no longer sum to 1
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max())
    return e / e.sum()

# %% net | fails: test_net, test_mnist_accuracy | says: flatten the images
class Net(nn.Module):
    # forgets to flatten: nn.Linear(784, ...) gets (B, 1, 28, 28) and multiplies over the last axis (28)
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(784, 512)
        self.l2 = nn.Linear(512, 256)
        self.l3 = nn.Linear(256, 128)
        self.l4 = nn.Linear(128, 64)
        self.l5 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.l1(x))
        x = F.relu(self.l2(x))
        x = F.relu(self.l3(x))
        x = F.relu(self.l4(x))
        return self.l5(x)

# %% train_epoch | fails: test_train_epoch, test_mnist_accuracy, test_otto | says: not one-hot vectors
def train_epoch(model, loader, optimizer, criterion):
    # one-hot encodes the labels before CrossEntropyLoss, which wants class indices
    dev = course.device()
    total, count = 0.0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(dev), labels.to(dev)
        loss = criterion(model(inputs), F.one_hot(labels))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
        count += len(labels)
    return total / count

# %% evaluate | fails: test_evaluate | says: torch.no_grad()
def evaluate(model, loader):
    # no torch.no_grad(): every forward pass builds a graph that is never used
    dev = course.device()
    correct, total = 0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(dev), labels.to(dev)
        correct += (model(inputs).argmax(dim=1) == labels).sum().item()
        total += len(labels)
    return correct / total

# %% train_otto | fails: test_otto | says: double softmax
def train_otto(X, y, epochs):
    # ends the model with a softmax and then uses CrossEntropyLoss: a double softmax
    dev = course.device()
    model = nn.Sequential(nn.Linear(X.shape[1], 256), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2),
                          nn.Linear(128, 9), nn.Softmax(dim=1)).to(dev)
    data = TensorDataset(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y, dtype=torch.long))
    loader = DataLoader(data, batch_size=128, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = nn.CrossEntropyLoss()
    model.train()
    for epoch in range(epochs):
        for inputs, labels in loader:
            inputs, labels = inputs.to(dev), labels.to(dev)
            loss = criterion(model(inputs), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model

def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(torch.as_tensor(X, dtype=torch.float32).to(course.device())), dim=1).cpu().numpy()
