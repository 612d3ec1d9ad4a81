# Typical beginner mistakes in 06 multiple-dimension input, as the sample student "carol" makes them.
# Format: see course/grading/sample_class.py.

# %% multi_logistic | fails: test_multi_logistic | says: wrong input dimension
class MultiLogistic(nn.Module):
    def __init__(self):
        super().__init__()
        # kept lecture 05's layer: one input feature instead of eight
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))

# %% diabetes_net | fails: test_diabetes_net | says: ReLU at the output
class DiabetesNet(nn.Module):
    def __init__(self, activation="sigmoid"):
        super().__init__()
        self.linear1 = nn.Linear(8, 6)
        self.linear2 = nn.Linear(6, 4)
        self.linear3 = nn.Linear(4, 1)
        self.act = torch.relu if activation == "relu" else torch.sigmoid

    def forward(self, x):
        # "ReLU is the best activation", so it goes everywhere, the output included
        x = self.act(self.linear1(x))
        x = self.act(self.linear2(x))
        return torch.relu(self.linear3(x))

# %% train_and_evaluate | fails: test_train_and_evaluate | says: evaluating on the training rows
def train_and_evaluate(model, X_train, y_train, X_test, y_test, epochs, lr=0.01, plot=None):
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
    # measures the accuracy on the rows it was trained on
    return losses, accuracy(model, X_train, y_train)
