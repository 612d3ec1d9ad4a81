# Typical beginner mistakes in 05 logistic regression, as the sample student "carol" makes them.
# Format: see course/grading/sample_class.py.

# %% bce | fails: test_bce | says: sign error
def bce(y_hat, y):
    # the log-likelihood without its minus sign: a negative "loss"
    return (y * torch.log(y_hat) + (1 - y) * torch.log(1 - y_hat)).mean()

# %% logistic_model | fails: test_logistic_model | says: forgot the sigmoid
class LogisticModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        # the linear output is returned as it is: no sigmoid, so no probability
        return self.linear(x)

# %% train_logistic | fails: test_train_logistic | says: using MSE for classification
def train_logistic(model, x, y, epochs=1000, lr=0.5, plot=None):
    # copied from lecture 04 and kept MSELoss
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
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=losses[-1])
    return losses
