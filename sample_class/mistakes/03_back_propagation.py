# Typical beginner mistakes in 03 back propagation, as the sample student "carol" makes them.
# Format: see course/grading/sample_class.py.

# %% grads_by_hand | fails: test_grads_by_hand | says: must carry the factor x^2
def grads_by_hand(x, y, w1, w2, b):
    # the chain rule stops one step short: the input of w1 is x**2, not x
    r = w1 * x ** 2 + w2 * x + b - y
    return float(2 * r * x), float(2 * r * x), float(2 * r)

# %% gd_step | fails: test_gd_step | says: grads must be zeroed
def gd_step(params, lr):
    # updates correctly but never zeroes the gradients: the next backward() adds to them
    for p in params:
        p.data -= lr * p.grad.data

# %% train_quadratic | fails: test_train_quadratic | says: w.data -= lr * w.grad.data
def train_quadratic(xs, ys, lr, epochs):
    # updates w instead of w.data: w becomes a new non-leaf tensor whose .grad is None at the next step
    x = torch.tensor(list(xs), dtype=torch.float32)
    y = torch.tensor(list(ys), dtype=torch.float32)
    w1 = torch.tensor(1.0, requires_grad=True)
    w2 = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(1.0, requires_grad=True)
    for _ in range(epochs):
        loss = ((w1 * x ** 2 + w2 * x + b - y) ** 2).mean()
        loss.backward()
        w1 = w1 - lr * w1.grad
        w2 = w2 - lr * w2.grad
        b = b - lr * b.grad
    return w1.item(), w2.item(), b.item()

# %% train_epoch | fails: test_train_epoch | says: use loss.item()
def train_epoch(params, xs, ys, lr):
    # adds up the loss tensors: the result is a tensor with grad_fn that keeps every step's graph alive
    w1, w2, b = params
    running = 0
    for x, y in zip(xs, ys):
        loss = (w1 * x ** 2 + w2 * x + b - y) ** 2
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad.zero_()
        running = running + loss
    return running / len(xs)

# %% vjp_cube | fails: test_vjp_cube | says: the weight tensor v was ignored
def vjp_cube(x, v):
    # makes the output a scalar with sum() so that backward() works -- and loses the weights
    x = x.detach().clone().requires_grad_()
    (x ** 3).sum().backward()
    return x.grad
