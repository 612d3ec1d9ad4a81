# Mistake catalogue of 07 Dataset and DataLoader (issue 11): plausible beginner mistakes and correct
# alternatives, graded through the real grader.  Format: sample_class/catalogue/README.md.
# Students m1..m5 each make one independent mistake per exercise; a1, a2 write correct code differently.

# %% iterations_per_epoch | mistake: ignores drop_last (always rounds up) | fails: test_iterations_per_epoch | says: drop_last was not honoured | student: m1
import math


def iterations_per_epoch(n_samples, batch_size, drop_last=False):
    return math.ceil(n_samples / batch_size)

# %% iterations_per_epoch | mistake: off by one (adds a batch even when B divides N) | fails: test_iterations_per_epoch | says: off by one | student: m2
def iterations_per_epoch(n_samples, batch_size, drop_last=False):
    if drop_last:
        return n_samples // batch_size
    return n_samples // batch_size + 1

# %% iterations_per_epoch | mistake: np.ceil returns a float | fails: test_iterations_per_epoch | says: return an int | student: m3
def iterations_per_epoch(n_samples, batch_size, drop_last=False):
    if drop_last:
        return np.floor(n_samples / batch_size)
    return np.ceil(n_samples / batch_size)

# %% iterations_per_epoch | mistake: rounds to the nearest integer instead of up | fails: test_iterations_per_epoch | says: round up | student: m4
def iterations_per_epoch(n_samples, batch_size, drop_last=False):
    if drop_last:
        return n_samples // batch_size
    return round(n_samples / batch_size)

# %% diabetes_dataset | mistake: flattens the labels to shape () | fails: test_diabetes_dataset | says: label of shape () | student: m1
class DiabetesDataset(Dataset):
    def __init__(self, X, y):
        self.x = torch.tensor(X, dtype=torch.float32)
        self.y = torch.tensor(y, dtype=torch.float32).flatten()

    def __getitem__(self, index):
        return self.x[index], self.y[index]

    def __len__(self):
        return len(self.x)

# %% diabetes_dataset | mistake: keeps numpy's dtype (float64 stays float64) | fails: test_diabetes_dataset | says: must be float32 | student: m2
class DiabetesDataset(Dataset):
    def __init__(self, X, y):
        self.x = torch.from_numpy(X)
        self.y = torch.from_numpy(y)

    def __getitem__(self, index):
        return self.x[index], self.y[index]

    def __len__(self):
        return self.x.shape[0]

# %% diabetes_dataset | mistake: hard-codes the length 759 | fails: test_diabetes_dataset | says: do not hard-code 759 | student: m3
class DiabetesDataset(Dataset):
    def __init__(self, X, y):
        self.x = torch.tensor(X, dtype=torch.float32)
        self.y = torch.tensor(y, dtype=torch.float32)

    def __getitem__(self, index):
        return self.x[index], self.y[index]

    def __len__(self):
        return 759

# %% make_loader | mistake: ignores num_workers | fails: test_make_loader | says: pass the argument num_workers | student: m1
def make_loader(dataset, batch_size, num_workers=0):
    return DataLoader(dataset, batch_size=batch_size, shuffle=True)

# %% make_loader | mistake: hard-codes batch_size=32 | fails: test_make_loader | says: pass the argument batch_size | student: m2
def make_loader(dataset, batch_size, num_workers=0):
    return DataLoader(dataset, batch_size=32, shuffle=True, num_workers=num_workers)

# %% make_loader | mistake: shuffles the data once instead of every epoch | fails: test_make_loader | says: new order every epoch | student: m3
from torch.utils.data import Subset


def make_loader(dataset, batch_size, num_workers=0):
    order = torch.randperm(len(dataset)).tolist()
    return DataLoader(Subset(dataset, order), batch_size=batch_size, num_workers=num_workers)

# %% make_loader | mistake: drops the incomplete last batch | fails: test_make_loader | says: no drop_last | student: m4
def make_loader(dataset, batch_size, num_workers=0):
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=num_workers, drop_last=True)

# %% slow_dataset | mistake: sleeps once in __init__, not in every __getitem__ | fails: test_slow_dataset | says: in every call | student: m1
class SlowDataset(Dataset):
    def __init__(self, n, delay):
        self.n = n
        time.sleep(delay)

    def __getitem__(self, index):
        return torch.full((1, 8, 8), float(index)), torch.tensor(index % 10)

    def __len__(self):
        return self.n

# %% slow_dataset | mistake: label is the index, not index % 10 | fails: test_slow_dataset | says: modulo 10 | student: m2
class SlowDataset(Dataset):
    def __init__(self, n, delay):
        self.n, self.delay = n, delay

    def __getitem__(self, index):
        time.sleep(self.delay)
        return torch.full((1, 8, 8), float(index)), torch.tensor(index, dtype=torch.long)

    def __len__(self):
        return self.n

# %% slow_dataset | mistake: torch.full with an int fill value gives an int64 image | fails: test_slow_dataset | says: int fill value | student: m3
class SlowDataset(Dataset):
    def __init__(self, n, delay):
        self.n, self.delay = n, delay

    def __getitem__(self, index):
        time.sleep(self.delay)
        return torch.full((1, 8, 8), index), torch.tensor(index % 10)

    def __len__(self):
        return self.n

# %% slow_dataset | mistake: sleeps a fixed 0.1 s instead of `delay` | fails: test_slow_dataset | says: not a fixed time | student: m4
class SlowDataset(Dataset):
    def __init__(self, n, delay):
        self.n = n

    def __getitem__(self, index):
        time.sleep(0.1)
        return torch.full((1, 8, 8), float(index)), torch.tensor(index % 10)

    def __len__(self):
        return self.n

# %% fill_missing | mistake: fills ages with the mean, not the median | fails: test_fill_missing | says: not the mean | student: m1
def fill_missing(df, train=None):
    if train is None:
        train = df
    out = df.copy()
    out["Age"] = out["Age"].fillna(train["Age"].mean())
    out["Embarked"] = out["Embarked"].fillna(train["Embarked"].mode()[0])
    out["Fare"] = out["Fare"].fillna(train["Fare"].median())
    return out

# %% fill_missing | mistake: edits the caller's DataFrame (no copy) | fails: test_fill_missing | says: work on a copy | student: m2
def fill_missing(df, train=None):
    if train is None:
        train = df
    df["Age"] = df["Age"].fillna(train["Age"].median())
    df["Embarked"] = df["Embarked"].fillna(train["Embarked"].mode()[0])
    df["Fare"] = df["Fare"].fillna(train["Fare"].median())
    return df

# %% fill_missing | mistake: hard-codes the train table's median age 28 | fails: test_fill_missing | says: not a fixed number | student: m3
def fill_missing(df, train=None):
    if train is None:
        train = df
    out = df.copy()
    out["Age"] = out["Age"].fillna(28.0)
    out["Embarked"] = out["Embarked"].fillna(train["Embarked"].mode()[0])
    out["Fare"] = out["Fare"].fillna(train["Fare"].median())
    return out

# %% fill_missing | mistake: forgets the missing Fare of the test table | fails: test_fill_missing | says: missing Fare | student: m4
def fill_missing(df, train=None):
    if train is None:
        train = df
    out = df.copy()
    out["Age"] = out["Age"].fillna(train["Age"].median())
    out["Embarked"] = out["Embarked"].fillna(train["Embarked"].mode()[0])
    return out

# %% fill_missing | mistake: uses the test table's own median (leakage) | fails: test_fill_missing | says: leakage | student: m5
def fill_missing(df, train=None):
    # ignores `train`: every table is filled with its own statistics
    out = df.copy()
    out["Age"] = out["Age"].fillna(out["Age"].median())
    out["Embarked"] = out["Embarked"].fillna(out["Embarked"].mode()[0])
    out["Fare"] = out["Fare"].fillna(out["Fare"].median())
    return out

# %% encode_features | mistake: pd.get_dummies makes port columns only for the ports present | fails: test_encode_features | says: fixed columns | student: m1
def encode_features(df):
    out = pd.DataFrame({
        "Pclass": df["Pclass"] / 3.0,
        "Sex": (df["Sex"] == "female").astype(float),
        "Age": df["Age"] / 80.0,
        "SibSp": df["SibSp"] / 8.0,
        "Parch": df["Parch"] / 6.0,
        "Fare": np.log1p(df["Fare"]) / 6.0,
    })
    out = pd.concat([out, pd.get_dummies(df["Embarked"], dtype=float)], axis=1)
    return out.to_numpy(dtype=np.float32)

# %% encode_features | mistake: encodes Sex with category codes that depend on the table | fails: test_encode_features | says: fixed 0/1 column | student: m2
def encode_features(df):
    cols = [
        df["Pclass"] / 3.0,
        df["Sex"].astype("category").cat.codes.astype(float),
        df["Age"] / 80.0,
        df["SibSp"] / 8.0,
        df["Parch"] / 6.0,
        np.log1p(df["Fare"]) / 6.0,
    ] + [(df["Embarked"] == port).astype(float) for port in ("C", "Q", "S")]
    return np.stack([np.asarray(c, dtype=np.float32) for c in cols], axis=1)

# %% encode_features | mistake: leaves Fare unscaled (up to 512) | fails: test_encode_features | says: scale the columns | student: m3
def encode_features(df):
    cols = [
        df["Pclass"] / 3.0,
        (df["Sex"] == "female").astype(float),
        df["Age"] / 80.0,
        df["SibSp"] / 8.0,
        df["Parch"] / 6.0,
        df["Fare"],
    ] + [(df["Embarked"] == port).astype(float) for port in ("C", "Q", "S")]
    return np.stack([np.asarray(c, dtype=np.float32) for c in cols], axis=1)

# %% encode_features | mistake: returns float64 (no dtype given) | fails: test_encode_features | says: float32 numpy array | student: m4
def encode_features(df):
    cols = [
        df["Pclass"] / 3.0,
        (df["Sex"] == "female").astype(float),
        df["Age"] / 80.0,
        df["SibSp"] / 8.0,
        df["Parch"] / 6.0,
        np.log1p(df["Fare"]) / 6.0,
    ] + [(df["Embarked"] == port).astype(float) for port in ("C", "Q", "S")]
    return np.stack([np.asarray(c) for c in cols], axis=1)

# %% train_titanic | mistake: never zeroes the gradients | fails: test_train_titanic | says: zero_grad | student: m1
def train_titanic(X, y, epochs):
    dev = course.device()
    loader = DataLoader(TensorDataset(torch.tensor(X), torch.tensor(y)), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(X.shape[1], 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(),
                          nn.Linear(8, 1), nn.Sigmoid()).to(dev)
    criterion = nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for inputs, labels in loader:
            inputs, labels = inputs.to(dev), labels.to(dev)
            loss = criterion(model(inputs), labels)
            loss.backward()
            optimizer.step()
            total += loss.item()
        losses.append(total / len(loader))
    return model, losses

# %% train_titanic | mistake: returns the summed batch losses, not their mean | fails: test_train_titanic | says: MEAN loss | student: m2
def train_titanic(X, y, epochs):
    dev = course.device()
    loader = DataLoader(TensorDataset(torch.tensor(X), torch.tensor(y)), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(X.shape[1], 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(),
                          nn.Linear(8, 1), nn.Sigmoid()).to(dev)
    criterion = nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for inputs, labels in loader:
            inputs, labels = inputs.to(dev), labels.to(dev)
            loss = criterion(model(inputs), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
        losses.append(total)
    return model, losses

# %% train_titanic | mistake: keeps the loss tensors (graph alive) instead of .item() | fails: test_train_titanic | says: not tensors | student: m3
def train_titanic(X, y, epochs):
    dev = course.device()
    loader = DataLoader(TensorDataset(torch.tensor(X), torch.tensor(y)), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(X.shape[1], 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(),
                          nn.Linear(8, 1), nn.Sigmoid()).to(dev)
    criterion = nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for epoch in range(epochs):
        total = 0
        for inputs, labels in loader:
            inputs, labels = inputs.to(dev), labels.to(dev)
            loss = criterion(model(inputs), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total = total + loss
        losses.append(total / len(loader))
    return model, losses

# %% train_titanic | mistake: no sigmoid at the output (BCEWithLogitsLoss), the model returns logits | fails: test_train_titanic | says: sigmoid at the output | student: m4
def train_titanic(X, y, epochs):
    dev = course.device()
    loader = DataLoader(TensorDataset(torch.tensor(X), torch.tensor(y)), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(X.shape[1], 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(),
                          nn.Linear(8, 1)).to(dev)
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for inputs, labels in loader:
            inputs, labels = inputs.to(dev), labels.to(dev)
            loss = criterion(model(inputs), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
        losses.append(total / len(loader))
    return model, losses

# %% train_titanic | mistake: hard-codes 40 epochs | fails: test_train_titanic | says: the argument epochs | student: m5
def train_titanic(X, y, epochs):
    dev = course.device()
    loader = DataLoader(TensorDataset(torch.tensor(X), torch.tensor(y)), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(X.shape[1], 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(),
                          nn.Linear(8, 1), nn.Sigmoid()).to(dev)
    criterion = nn.BCELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    losses = []
    for epoch in range(40):
        total = 0.0
        for inputs, labels in loader:
            inputs, labels = inputs.to(dev), labels.to(dev)
            loss = criterion(model(inputs), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(inputs)
        losses.append(total / len(X))
    return model, losses

# %% write_submission | mistake: writes Survived as booleans | fails: test_write_submission | says: astype(int) | student: m1
def write_submission(model, X_test, passenger_ids, path):
    with torch.no_grad():
        p = model(torch.as_tensor(X_test).to(course.device())).cpu().numpy().reshape(-1)
    sub = pd.DataFrame({"PassengerId": passenger_ids, "Survived": p > 0.5})
    sub.to_csv(path, index=False)
    return sub

# %% write_submission | mistake: writes to a fixed file name, not to `path` | fails: test_write_submission | says: no file at `path` | student: m2
def write_submission(model, X_test, passenger_ids, path):
    with torch.no_grad():
        p = model(torch.as_tensor(X_test).to(course.device())).cpu().numpy().reshape(-1)
    sub = pd.DataFrame({"PassengerId": passenger_ids, "Survived": (p > 0.5).astype(int)})
    sub.to_csv("submission.csv", index=False)
    return sub

# %% write_submission | mistake: predicts with gradients on and calls .numpy() | fails: test_write_submission | says: torch.no_grad() | student: m3
def write_submission(model, X_test, passenger_ids, path):
    p = model(torch.as_tensor(X_test).to(course.device())).cpu().numpy().reshape(-1)
    sub = pd.DataFrame({"PassengerId": passenger_ids, "Survived": (p > 0.5).astype(int)})
    sub.to_csv(path, index=False)
    return sub

# %% write_submission | mistake: forgets to return the DataFrame | fails: test_write_submission | says: return the DataFrame | student: m4
def write_submission(model, X_test, passenger_ids, path):
    with torch.no_grad():
        p = model(torch.as_tensor(X_test).to(course.device())).cpu().numpy().reshape(-1)
    sub = pd.DataFrame({"PassengerId": passenger_ids, "Survived": (p > 0.5).astype(int)})
    sub.to_csv(path, index=False)

# %% write_submission | mistake: takes the ids from the test table instead of the argument | fails: test_write_submission | says: passenger_ids | student: m5
def write_submission(model, X_test, passenger_ids, path):
    ids = course.datasets.titanic("test")["PassengerId"]
    with torch.no_grad():
        p = model(torch.as_tensor(X_test).to(course.device())).cpu().numpy().reshape(-1)
    sub = pd.DataFrame({"PassengerId": ids.to_numpy(), "Survived": (p > 0.5).astype(int)})
    sub.to_csv(path, index=False)
    return sub

# %% iterations_per_epoch | alternative: math.ceil / math.floor | student: a1
import math


def iterations_per_epoch(n_samples, batch_size, drop_last=False):
    if drop_last:
        return math.floor(n_samples / batch_size)
    return math.ceil(n_samples / batch_size)

# %% iterations_per_epoch | alternative: count the batches with a loop | student: a2
def iterations_per_epoch(n_samples, batch_size, drop_last=False):
    count = 0
    start = 0
    while start < n_samples:
        if drop_last and start + batch_size > n_samples:
            break
        count += 1
        start += batch_size
    return count

# %% diabetes_dataset | alternative: keeps numpy arrays, converts in __getitem__ | student: a1
class DiabetesDataset(Dataset):
    def __init__(self, X, y):
        self.X = np.asarray(X)
        self.y = np.asarray(y).reshape(-1, 1)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, index):
        features = torch.tensor(self.X[index], dtype=torch.float32)
        label = torch.tensor(self.y[index], dtype=torch.float32)
        return features, label

# %% diabetes_dataset | alternative: torch.from_numpy of float32 copies, length stored | student: a2
class DiabetesDataset(Dataset):
    def __init__(self, X, y):
        self.len = X.shape[0]
        self.x_data = torch.from_numpy(np.asarray(X, dtype=np.float32))
        self.y_data = torch.from_numpy(np.asarray(y, dtype=np.float32)).view(-1, 1)

    def __getitem__(self, index):
        return self.x_data[index], self.y_data[index]

    def __len__(self):
        return self.len

# %% make_loader | alternative: a RandomSampler instead of shuffle=True | student: a1
def make_loader(dataset, batch_size, num_workers=0):
    return DataLoader(dataset, batch_size=batch_size, sampler=RandomSampler(dataset), num_workers=num_workers)

# %% make_loader | alternative: positional arguments, a batch sampler | student: a2
from torch.utils.data import BatchSampler


def make_loader(dataset, batch_size, num_workers=0):
    batches = BatchSampler(RandomSampler(dataset), batch_size, drop_last=False)
    return DataLoader(dataset, batch_sampler=batches, num_workers=num_workers)

# %% slow_dataset | alternative: ones times the index, label with torch.as_tensor | student: a1
class SlowDataset(Dataset):
    def __init__(self, n, delay):
        self.n = n
        self.delay = delay

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        time.sleep(self.delay)
        image = torch.ones(1, 8, 8) * i
        label = torch.as_tensor(i % 10, dtype=torch.long)
        return image, label

# %% slow_dataset | alternative: torch.full with an explicit dtype, label from a Python int | student: a2
class SlowDataset(Dataset):
    def __init__(self, n, delay):
        self.size, self.wait = n, delay

    def __getitem__(self, index):
        time.sleep(self.wait)
        return torch.full((1, 8, 8), index, dtype=torch.float32), torch.tensor(int(index) % 10)

    def __len__(self):
        return self.size

# %% fill_missing | alternative: DataFrame.fillna with a dict of the training statistics (returns a new table) | student: a1
def fill_missing(df, train=None):
    stats = df if train is None else train
    return df.fillna({"Age": stats["Age"].median(), "Embarked": stats["Embarked"].mode()[0],
                      "Fare": stats["Fare"].median()})

# %% fill_missing | alternative: .loc on the holes of a copy, np.nanmedian, value_counts().idxmax() | student: a2
def fill_missing(df, train=None):
    if train is None:
        train = df
    age = np.nanmedian(train["Age"].to_numpy(dtype=float))
    fare = np.nanmedian(train["Fare"].to_numpy(dtype=float))
    port = train["Embarked"].value_counts().idxmax()
    out = df.copy()
    out.loc[out["Age"].isna(), "Age"] = age
    out.loc[out["Embarked"].isna(), "Embarked"] = port
    out.loc[out["Fare"].isna(), "Fare"] = fare
    return out

# %% encode_features | alternative: a DataFrame of named columns in another order, Sex mapped | student: a1
def encode_features(df):
    table = pd.DataFrame({
        "female": df["Sex"].map({"male": 0.0, "female": 1.0}),
        "port_C": (df["Embarked"] == "C").astype(float),
        "port_Q": (df["Embarked"] == "Q").astype(float),
        "port_S": (df["Embarked"] == "S").astype(float),
        "class": (df["Pclass"] - 2.0),
        "age": (df["Age"] - 30.0) / 15.0,
        "family": (df["SibSp"] + df["Parch"]) / 5.0,
        "fare": np.log(df["Fare"] + 1.0) / 5.0,
    })
    return table.to_numpy(dtype=np.float32)

# %% encode_features | alternative: a loop over the rows | student: a2
def encode_features(df):
    rows = []
    for _, r in df.iterrows():
        rows.append([r["Pclass"] / 3, 1.0 if r["Sex"] == "female" else 0.0, r["Age"] / 80, r["SibSp"] / 8, r["Parch"] / 6,
                     math.log1p(r["Fare"]) / 6] + [1.0 if r["Embarked"] == p else 0.0 for p in "CQS"])
    return np.array(rows, dtype=np.float32).reshape(len(df), 9)

# %% train_titanic | alternative: a Module class created in another order, torch.relu, model.zero_grad, mean of batch means | student: a1
class TitanicNet(nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.out = nn.Linear(8, 1)
        self.hidden2 = nn.Linear(16, 8)
        self.hidden1 = nn.Linear(n_features, 16)

    def forward(self, x):
        x = torch.relu(self.hidden1(x))
        x = torch.relu(self.hidden2(x))
        return torch.sigmoid(self.out(x))


def train_titanic(X, y, epochs):
    device = course.device()
    dataset = TensorDataset(torch.from_numpy(X).float(), torch.from_numpy(y).float().view(-1, 1))
    loader = DataLoader(dataset, batch_size=32, shuffle=True)
    model = TitanicNet(X.shape[1]).to(device)
    loss_fn = nn.BCELoss()
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    plot = course.LivePlot("Titanic", xlabel="epoch", ylabel="loss")
    history = []
    for epoch in course.progress(range(epochs)):
        batch_losses = []
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            model.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            batch_losses.append(loss.item())
        history.append(float(np.mean(batch_losses)))
        plot.add(epoch, loss=history[-1])
    plot.done()
    return model, history

# %% train_titanic | alternative: nn.Sequential, sums per-sample losses, np.float64 losses | student: a2
def train_titanic(X, y, epochs):
    dev = course.device()
    model = nn.Sequential(
        nn.Linear(X.shape[1], 16),
        nn.ReLU(),
        nn.Linear(16, 8),
        nn.ReLU(),
        nn.Linear(8, 1),
        nn.Sigmoid(),
    ).to(dev)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    criterion = nn.BCELoss(reduction="sum")
    loader = DataLoader(TensorDataset(torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32)),
                        batch_size=32, shuffle=True)
    losses = []
    for epoch in range(epochs):
        summed = np.float64(0.0)
        for inputs, labels in loader:
            inputs, labels = inputs.to(dev), labels.to(dev)
            optimizer.zero_grad()
            loss = criterion(model(inputs), labels)
            (loss / len(inputs)).backward()
            optimizer.step()
            summed += loss.item()
        losses.append(summed / len(X))
    return model, losses

# %% write_submission | alternative: .detach() instead of no_grad, np.where | student: a1
def write_submission(model, X_test, passenger_ids, path):
    model.eval()
    probs = model(torch.from_numpy(X_test).float().to(course.device())).detach().cpu().numpy()[:, 0]
    result = pd.DataFrame()
    result["PassengerId"] = list(passenger_ids)
    result["Survived"] = np.where(probs > 0.5, 1, 0)
    result.to_csv(path, index=False)
    return result

# %% write_submission | alternative: the csv module, then the DataFrame | student: a2
import csv


def write_submission(model, X_test, passenger_ids, path):
    with torch.no_grad():
        p = model(torch.tensor(X_test, dtype=torch.float32, device=course.device())).squeeze(1).tolist()
    survived = [int(v > 0.5) for v in p]
    ids = [int(i) for i in passenger_ids]
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["PassengerId", "Survived"])
        writer.writerows(zip(ids, survived))
    return pd.DataFrame({"PassengerId": ids, "Survived": survived})
