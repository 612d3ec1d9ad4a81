# Typical beginner mistakes in 04 linear regression, as the sample student "carol" makes them.
# Format: see course/grading/sample_class.py.

# %% linear_model | fails: test_linear_model, test_compare_optimizers | says: wrong shape
class LinearModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)

    def forward(self, x):
        # squeezes the batch of predictions (N, 1) into (N,): MSELoss then broadcasts against (N, 1)
        return self.linear(x).squeeze()

# %% train | fails: test_train | says: forgot optimizer.zero_grad()
def train(model, x, y, epochs=1000, lr=0.05, plot=None):
    # no optimizer.zero_grad(): backward() keeps adding to .grad
    device = next(model.parameters()).device
    x, y = x.to(device), y.to(device)
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=losses[-1])
    return losses

# %% predict | fails: test_predict | says: must return a Python float
def predict(model, x):
    # returns the (1, 1) output tensor instead of a number
    return model(torch.tensor([[float(x)]]))

# %% compare_optimizers | fails: test_compare_optimizers | says: step() before loss.backward()
def compare_optimizers(x, y, epochs, seed=0):
    # LBFGS gets its closure, but the other optimizers step before backward: they use zeroed gradients
    criterion = nn.MSELoss()
    results = {}
    for name, make in OPTIMIZERS.items():
        torch.manual_seed(seed)
        model = LinearModel()
        optimizer = make(model.parameters())
        losses = []
        for _ in range(epochs):
            if name == "LBFGS":
                def closure():
                    optimizer.zero_grad()
                    loss = criterion(model(x), y)
                    loss.backward()
                    return loss
                losses.append(optimizer.step(closure).item())
            else:
                loss = criterion(model(x), y)
                optimizer.zero_grad()
                optimizer.step()
                loss.backward()
                losses.append(loss.item())
        results[name] = losses
    return results
