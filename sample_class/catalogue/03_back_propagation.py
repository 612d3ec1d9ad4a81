# Mistake catalogue of 03 back propagation (issue 11): plausible beginner mistakes and correct alternatives.
# The six exercises are independent, so each mistake student carries one mistake per exercise.
# Format: see sample_class/catalogue/README.md.

# %% grads_by_hand | mistake: forgets the factor 2 from the derivative of the square | fails: test_grads_by_hand | says: factor 2 | student: m-set-1
def grads_by_hand(x, y, w1, w2, b):
    r = w1 * x ** 2 + w2 * x + b - y
    return float(r * x ** 2), float(r * x), float(r)

# %% grads_by_autograd | mistake: returns the .grad tensors instead of Python floats | fails: test_grads_by_autograd | says: .item() | student: m-set-1
def grads_by_autograd(x, y, w1, w2, b):
    w1 = torch.tensor(float(w1), requires_grad=True)
    w2 = torch.tensor(float(w2), requires_grad=True)
    b = torch.tensor(float(b), requires_grad=True)
    loss = (w1 * x ** 2 + w2 * x + b - y) ** 2
    loss.backward()
    return w1.grad, w2.grad, b.grad

# %% gd_step | mistake: zeroes the gradient before using it, so the update is zero | fails: test_gd_step | says: BEFORE the update | student: m-set-1
def gd_step(params, lr):
    for p in params:
        p.grad.zero_()
        p.data -= lr * p.grad.data

# %% train_quadratic | mistake: starts the parameters at 0 instead of 1.0 | fails: test_train_quadratic | says: start at 1.0 | student: m-set-1
def train_quadratic(xs, ys, lr, epochs):
    x = torch.tensor(np.asarray(xs), dtype=torch.float32)
    y = torch.tensor(np.asarray(ys), dtype=torch.float32)
    w1 = torch.zeros((), requires_grad=True)
    w2 = torch.zeros((), requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    for _ in range(epochs):
        loss = ((w1 * x ** 2 + w2 * x + b - y) ** 2).mean()
        loss.backward()
        for p in (w1, w2, b):
            p.data -= lr * p.grad.data
            p.grad.zero_()
    return w1.item(), w2.item(), b.item()

# %% train_epoch | mistake: adds up the loss tensors and calls .item() once at the end (every graph kept alive) | fails: test_train_epoch | says: kept the graph of every step alive | student: m-set-1
def train_epoch(params, xs, ys, lr):
    w1, w2, b = params
    total = 0
    for x, y in zip(xs, ys):
        loss = (w1 * x ** 2 + w2 * x + b - y) ** 2
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad.zero_()
        total = total + loss
    return total.item() / len(xs)

# %% vjp_cube | mistake: sets requires_grad on the caller's x instead of a copy | fails: test_vjp_cube | says: must not change the caller's x | student: m-set-1
def vjp_cube(x, v):
    x.requires_grad_()
    y = x ** 3
    y.backward(gradient=v)
    return x.grad

# %% grads_by_hand | mistake: the error is written y - y_hat, so every sign is flipped | fails: test_grads_by_hand | says: sign is flipped | student: m-set-2
def grads_by_hand(x, y, w1, w2, b):
    r = y - (w1 * x ** 2 + w2 * x + b)
    return 2 * r * x ** 2, 2 * r * x, 2 * r

# %% grads_by_autograd | mistake: creates b without requires_grad, so b.grad is None | fails: test_grads_by_autograd | says: requires_grad=True | student: m-set-2
def grads_by_autograd(x, y, w1, w2, b):
    w1 = torch.tensor(float(w1), requires_grad=True)
    w2 = torch.tensor(float(w2), requires_grad=True)
    b = torch.tensor(float(b))
    loss = (w1 * x ** 2 + w2 * x + b - y) ** 2
    loss.backward()
    return w1.grad.item(), w2.grad.item(), b.grad.item()

# %% gd_step | mistake: adds the gradient (gradient ascent) | fails: test_gd_step | says: moved uphill | student: m-set-2
def gd_step(params, lr):
    with torch.no_grad():
        for p in params:
            p += lr * p.grad
            p.grad.zero_()

# %% train_quadratic | mistake: sums the squared errors instead of averaging them | fails: test_train_quadratic | says: MEAN over all samples | student: m-set-2
def train_quadratic(xs, ys, lr, epochs):
    x = torch.tensor(np.asarray(xs), dtype=torch.float32)
    y = torch.tensor(np.asarray(ys), dtype=torch.float32)
    w1, w2, b = [torch.tensor(1.0, requires_grad=True) for _ in range(3)]
    for _ in range(epochs):
        loss = ((w1 * x ** 2 + w2 * x + b - y) ** 2).sum()
        loss.backward()
        for p in (w1, w2, b):
            p.data -= lr * p.grad.data
            p.grad.zero_()
    return w1.item(), w2.item(), b.item()

# %% train_epoch | mistake: never zeroes the gradients, so they accumulate over the samples | fails: test_train_epoch | says: not zeroed | student: m-set-2
def train_epoch(params, xs, ys, lr):
    w1, w2, b = params
    running = 0.0
    for x, y in zip(xs, ys):
        loss = (w1 * x ** 2 + w2 * x + b - y) ** 2
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        running += loss.item()
    return running / len(xs)

# %% vjp_cube | mistake: returns the gradient as a numpy array | fails: test_vjp_cube | says: not a numpy array | student: m-set-2
def vjp_cube(x, v):
    x = x.detach().clone().requires_grad_()
    y = x ** 3
    y.backward(gradient=v)
    return x.grad.numpy()

# %% grads_by_hand | mistake: leaves the bias out of the residual | fails: test_grads_by_hand | says: include the bias | student: m-set-3
def grads_by_hand(x, y, w1, w2, b):
    r = w1 * x ** 2 + w2 * x - y
    return float(2 * r * x ** 2), float(2 * r * x), float(2 * r)

# %% grads_by_autograd | mistake: forgets to square the error (the loss is y_hat - y) | fails: test_grads_by_autograd | says: must be SQUARED | student: m-set-3
def grads_by_autograd(x, y, w1, w2, b):
    w1 = torch.tensor(float(w1), requires_grad=True)
    w2 = torch.tensor(float(w2), requires_grad=True)
    b = torch.tensor(float(b), requires_grad=True)
    loss = w1 * x ** 2 + w2 * x + b - y
    loss.backward()
    return w1.grad.item(), w2.grad.item(), b.grad.item()

# %% gd_step | mistake: a hard-coded learning rate of 0.01 (the argument lr is ignored) | fails: test_gd_step | says: use the argument lr | student: m-set-3
def gd_step(params, lr):
    for p in params:
        p.data -= 0.01 * p.grad.data
        p.grad.zero_()

# %% train_quadratic | mistake: never zeroes the gradients, so .grad accumulates over the epochs | fails: test_train_quadratic | says: not zeroed | student: m-set-3
def train_quadratic(xs, ys, lr, epochs):
    x = torch.tensor(np.asarray(xs), dtype=torch.float32)
    y = torch.tensor(np.asarray(ys), dtype=torch.float32)
    w1 = torch.tensor(1.0, requires_grad=True)
    w2 = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(1.0, requires_grad=True)
    for _ in range(epochs):
        loss = ((w1 * x ** 2 + w2 * x + b - y) ** 2).mean()
        loss.backward()
        w1.data -= lr * w1.grad.data
        w2.data -= lr * w2.grad.data
        b.data -= lr * b.grad.data
    return w1.item(), w2.item(), b.item()

# %% train_epoch | mistake: returns the sum of the losses instead of their mean | fails: test_train_epoch | says: sum of the losses | student: m-set-3
def train_epoch(params, xs, ys, lr):
    w1, w2, b = params
    running = 0.0
    for x, y in zip(xs, ys):
        loss = (w1 * x ** 2 + w2 * x + b - y) ** 2
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad.zero_()
        running += loss.item()
    return running

# %% vjp_cube | mistake: reads y.grad (a non-leaf, None) instead of x.grad | fails: test_vjp_cube | says: y.grad stays None | student: m-set-3
def vjp_cube(x, v):
    x = x.detach().clone().requires_grad_()
    y = x ** 3
    y.backward(gradient=v)
    return y.grad

# %% grads_by_hand | mistake: multiplies by 2x (the derivative of x**2) instead of x**2 for w1 | fails: test_grads_by_hand | says: derivative of x**2 | student: m-set-4
def grads_by_hand(x, y, w1, w2, b):
    r = w1 * x ** 2 + w2 * x + b - y
    return float(2 * r * 2 * x), float(2 * r * x), float(2 * r)

# %% grads_by_autograd | mistake: reuses parameter tensors created once, so .grad accumulates across calls | fails: test_grads_by_autograd | says: fresh tensors | student: m-set-4
W1 = torch.tensor(0.0, requires_grad=True)
W2 = torch.tensor(0.0, requires_grad=True)
B = torch.tensor(0.0, requires_grad=True)

def grads_by_autograd(x, y, w1, w2, b):
    W1.data.fill_(w1)
    W2.data.fill_(w2)
    B.data.fill_(b)
    loss = (W1 * x ** 2 + W2 * x + B - y) ** 2
    loss.backward()
    return W1.grad.item(), W2.grad.item(), B.grad.item()

# %% gd_step | mistake: zero_() sits after the loop, so only the last parameter's gradient is zeroed | fails: test_gd_step | says: for every parameter | student: m-set-4
def gd_step(params, lr):
    for p in params:
        p.data -= lr * p.grad.data
    p.grad.zero_()

# %% train_quadratic | mistake: updates after every sample (SGD) instead of once per epoch on the mean loss | fails: test_train_quadratic | says: ONE update per epoch | student: m-set-4
def train_quadratic(xs, ys, lr, epochs):
    w1, w2, b = [torch.tensor(1.0, requires_grad=True) for _ in range(3)]
    for _ in range(epochs):
        for x, y in zip(xs, ys):
            loss = (w1 * x ** 2 + w2 * x + b - y) ** 2
            loss.backward()
            for p in (w1, w2, b):
                p.data -= lr * p.grad.data
                p.grad.zero_()
    return w1.item(), w2.item(), b.item()

# %% train_epoch | mistake: logs the loss recomputed after the update | fails: test_train_epoch | says: BEFORE its update | student: m-set-4
def train_epoch(params, xs, ys, lr):
    w1, w2, b = params
    running = 0.0
    for x, y in zip(xs, ys):
        loss = (w1 * x ** 2 + w2 * x + b - y) ** 2
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad.zero_()
            running += ((w1 * x ** 2 + w2 * x + b - y) ** 2).item()
    return running / len(xs)

# %% vjp_cube | mistake: multiplies the caller's weights v in place by 3x^2 | fails: test_vjp_cube | says: the caller's v was modified | student: m-set-4
def vjp_cube(x, v):
    x = x.detach().clone().requires_grad_()
    y = x ** 3
    y.backward(gradient=torch.ones_like(y))
    v *= x.grad
    return v

# %% gd_step | mistake: p -= lr * p.grad outside torch.no_grad() (PyTorch refuses the in-place change of a leaf) | fails: test_gd_step | says: torch.no_grad()
def gd_step(params, lr):
    for p in params:
        p -= lr * p.grad
        p.grad.zero_()

# %% grads_by_hand | alternative: numpy scalars in a list, the residual through y_hat | student: a-explicit
def grads_by_hand(x, y, w1, w2, b):
    y_hat = np.float64(w1) * x * x + w2 * x + b
    dL_dyhat = 2.0 * (y_hat - y)
    return [dL_dyhat * x * x, dL_dyhat * x, dL_dyhat]

# %% grads_by_autograd | alternative: torch.autograd.grad on float64 tensors | student: a-explicit
def grads_by_autograd(x, y, w1, w2, b):
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (w1, w2, b)]
    a, c, d = params
    loss = (a * x ** 2 + c * x + d - y) ** 2
    grads = torch.autograd.grad(loss, params)
    return tuple(g.item() for g in grads)

# %% gd_step | alternative: torch.no_grad() update, gradients set to None | student: a-explicit
def gd_step(params, lr):
    with torch.no_grad():
        for p in params:
            p.sub_(lr * p.grad)
            p.grad = None

# %% train_quadratic | alternative: float64 feature matrix, a parameter vector, your gd_step | student: a-explicit
def train_quadratic(xs, ys, lr, epochs):
    x = torch.tensor(np.asarray(xs, dtype=np.float64))
    y = torch.tensor(np.asarray(ys, dtype=np.float64))
    features = torch.stack([x ** 2, x, torch.ones_like(x)], dim=1)
    theta = torch.ones(3, dtype=torch.float64, requires_grad=True)
    for _ in range(epochs):
        loss = ((features @ theta - y) ** 2).mean()
        loss.backward()
        gd_step([theta], lr)
    return tuple(float(t) for t in theta.detach())

# %% train_epoch | alternative: a list of loss.item() values, averaged with np.mean | student: a-explicit
def train_epoch(params, xs, ys, lr):
    w1, w2, b = params
    losses = []
    for i in range(len(xs)):
        pred = w1 * xs[i] ** 2 + w2 * xs[i] + b
        loss = (pred - ys[i]) ** 2
        losses.append(loss.item())
        loss.backward()
        for p in params:
            p.data -= lr * p.grad.data
            p.grad.data.zero_()
    return np.mean(losses)

# %% vjp_cube | alternative: torch.autograd.grad with grad_outputs | student: a-explicit
def vjp_cube(x, v):
    xc = x.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(xc ** 3, xc, grad_outputs=v)
    return g

# %% grads_by_hand | alternative: the chain rule written node by node | student: a-modules
def grads_by_hand(x, y, w1, w2, b):
    u = x ** 2
    y_hat = w1 * u + w2 * x + b
    r = y_hat - y
    dL_dr = 2 * r
    return (dL_dr * u, dL_dr * x, dL_dr * 1.0)

# %% grads_by_autograd | alternative: one parameter vector and a feature vector | student: a-modules
def grads_by_autograd(x, y, w1, w2, b):
    theta = torch.tensor([w1, w2, b], requires_grad=True)
    features = torch.tensor([x ** 2, x, 1.0])
    loss = (torch.dot(theta, features) - y) ** 2
    loss.backward()
    g = theta.grad.tolist()
    return g[0], g[1], g[2]

# %% gd_step | alternative: assigning a new value to p.data, then zeroing p.grad.data | student: a-modules
def gd_step(params, lr):
    for p in params:
        p.data = p.data - lr * p.grad.data
        p.grad.data.zero_()

# %% train_quadratic | alternative: float32 tensors from a list, update inside torch.no_grad() | student: a-modules
def train_quadratic(xs, ys, lr, epochs):
    x = torch.tensor([float(v) for v in xs])
    y = torch.tensor([float(v) for v in ys])
    w1 = torch.tensor(1.0, requires_grad=True)
    w2 = torch.tensor(1.0, requires_grad=True)
    b = torch.tensor(1.0, requires_grad=True)
    for epoch in range(epochs):
        y_hat = w1 * x * x + w2 * x + b
        loss = torch.mean((y_hat - y) ** 2)
        loss.backward()
        with torch.no_grad():
            w1 -= lr * w1.grad
            w2 -= lr * w2.grad
            b -= lr * b.grad
        w1.grad.zero_()
        w2.grad.zero_()
        b.grad.zero_()
    return float(w1.item()), float(w2.item()), float(b.item())

# %% train_epoch | alternative: torch.nn.functional.mse_loss per sample, running total of .item() | student: a-modules
def train_epoch(params, xs, ys, lr):
    import torch.nn.functional as F
    w1, w2, b = params
    total, n = 0.0, 0
    for x, y in zip(xs, ys):
        loss = F.mse_loss(w1 * x ** 2 + w2 * x + b, y)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-lr)
        total += loss.item()
        n += 1
    return total / n

# %% vjp_cube | alternative: the weighted sum made explicit, (v * x**3).sum().backward() | student: a-modules
def vjp_cube(x, v):
    leaf = x.clone().detach().requires_grad_(True)
    (v * leaf ** 3).sum().backward()
    return leaf.grad

# %% grads_by_autograd | mistake: reuses the hand-derived formulas instead of autograd | fails: test_grads_by_autograd | says: must compute the gradients by autograd | student: m-by-hand
def grads_by_autograd(x, y, w1, w2, b):
    return grads_by_hand(x, y, w1, w2, b)

# %% vjp_cube | mistake: writes the formula 3 * x**2 * v by hand instead of a weighted backward | fails: test_vjp_cube | says: must compute the gradient by autograd | student: m-by-hand
def vjp_cube(x, v):
    return 3 * x ** 2 * v

# %% grad_input | mistake: follows only the path through x**2 (forgets that x also enters through w2 * x) | fails: test_grad_input | says: only the path through x**2 | student: m-set-1
def grad_input(x, y, w1, w2, b):
    r = w1 * x ** 2 + w2 * x + b - y
    return float(2 * r * 2 * w1 * x)

# %% grad_input | mistake: drops the factor 2 of the square's derivative | fails: test_grad_input | says: factor 2 from the derivative of the square | student: m-set-2
def grad_input(x, y, w1, w2, b):
    r = w1 * x ** 2 + w2 * x + b - y
    return float(r * (2 * w1 * x + w2))

# %% grad_input | mistake: takes x as the local derivative of the node x**2 (instead of 2x) | fails: test_grad_input | says: local derivative of the node x**2 is 2x | student: m-set-3
def grad_input(x, y, w1, w2, b):
    r = w1 * x ** 2 + w2 * x + b - y
    return float(2 * r * (w1 * x + w2))

# %% grad_input | mistake: multiplies the two paths' contributions instead of adding them | fails: test_grad_input | says: multiplied the two paths | student: m-set-4
def grad_input(x, y, w1, w2, b):
    r = w1 * x ** 2 + w2 * x + b - y
    path_square = 2 * w1 * x
    path_linear = w2
    return float(2 * r * path_square * path_linear)

# %% grad_input | mistake: lets autograd compute it instead of deriving the formula | fails: test_grad_input | says: must be derived by hand | student: m-by-hand
def grad_input(x, y, w1, w2, b):
    xt = torch.tensor(float(x), requires_grad=True)
    loss = (w1 * xt ** 2 + w2 * xt + b - y) ** 2
    loss.backward()
    return xt.grad.item()

# %% grad_input | alternative: the backward pass node by node, the two paths added | student: a-explicit
def grad_input(x, y, w1, w2, b):
    u = x ** 2
    y_hat = w1 * u + w2 * x + b
    dL_dyhat = 2 * (y_hat - y)
    via_square = dL_dyhat * w1 * 2 * x
    via_linear = dL_dyhat * w2
    return via_square + via_linear

# %% grad_input | alternative: numpy's poly1d and its derivative, a numpy float64 | student: a-modules
def grad_input(x, y, w1, w2, b):
    p = np.poly1d([w1, w2, b - y])
    return np.float64(2 * p(x) * p.deriv()(x))
