# Typical beginner mistakes in 07 Dataset and DataLoader, as the sample student "carol" makes them.
# Format: see course/grading/sample_class.py.

# %% diabetes_dataset | fails: test_diabetes_dataset | says: returned the number of features
class DiabetesDataset(Dataset):
    # __len__ counts the columns (features) instead of the rows (samples)
    def __init__(self, X, y):
        self.x = torch.from_numpy(np.asarray(X, dtype=np.float32))
        self.y = torch.from_numpy(np.asarray(y, dtype=np.float32))
        self.len = self.x.shape[1]

    def __getitem__(self, index):
        return self.x[index], self.y[index]

    def __len__(self):
        return self.len

# %% make_loader | fails: test_make_loader | says: shuffle=True
def make_loader(dataset, batch_size, num_workers=0):
    # forgets to shuffle: every epoch sees the batches in the same order
    return DataLoader(dataset, batch_size=batch_size, num_workers=num_workers)

# %% slow_dataset | fails: test_slow_dataset | says: numpy arrays or Python ints are the wrong types
class SlowDataset(Dataset):
    # __getitem__ returns a numpy array and a Python int instead of tensors
    def __init__(self, n, delay):
        self.n, self.delay = n, delay

    def __getitem__(self, index):
        time.sleep(self.delay)
        return np.full((1, 8, 8), index), index % 10

    def __len__(self):
        return self.n

# %% fill_missing | fails: test_fill_missing, test_train_titanic | says: fill the missing ages
def fill_missing(df, train=None):
    # fills the port and the fare with the training statistics but forgets the 177 missing ages: NaN features, NaN loss
    if train is None:
        train = df
    out = df.copy()
    out["Embarked"] = out["Embarked"].fillna(train["Embarked"].mode()[0])
    out["Fare"] = out["Fare"].fillna(train["Fare"].median())
    return out

# %% encode_features | fails: test_encode_features | says: leaked the label
def encode_features(df):
    # drops the text columns but keeps Survived: the label leaks into the features
    out = df.drop(columns=["PassengerId", "Name", "Ticket", "Cabin"])
    out["Sex"] = (out["Sex"] == "female").astype(float)
    out["Age"] = out["Age"] / 80.0
    out["Fare"] = np.log1p(out["Fare"]) / 6.0
    out = pd.get_dummies(out, columns=["Embarked"], dtype=float)
    return out.to_numpy(dtype=np.float32)

# %% write_submission | fails: test_write_submission | says: index=False
def write_submission(model, X_test, passenger_ids, path):
    # to_csv without index=False writes an extra unnamed index column
    with torch.no_grad():
        p = model(torch.as_tensor(X_test).to(course.device())).cpu().numpy().reshape(-1)
    sub = pd.DataFrame({"PassengerId": passenger_ids, "Survived": (p > 0.5).astype(int)})
    sub.to_csv(path)
    return sub
