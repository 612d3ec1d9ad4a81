# Mistake catalogue of 02 gradient descent (issue 11): plausible beginner mistakes and correct alternatives.
# Format: see sample_class/catalogue/README.md.

# %% gradient | mistake: writes the error as (y - x*w): the sign is flipped | fails: test_gradient, test_batch_gd | says: sign is flipped | says_zh: 符号反了 | student: m-sign-full-zero-isnan
def gradient(w, xs, ys):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    return float(np.mean(2 * xs * (ys - xs * w)))

# %% gradient | mistake: sums over the samples instead of averaging | fails: test_gradient, test_batch_gd | says: summed over the samples | says_zh: 你对样本求和了 | student: m-sum-after-inplace-last
def gradient(w, xs, ys):
    total = 0.0
    for x, y in zip(xs, ys):
        total += 2 * x * (x * w - y)
    return float(total)

# %% gradient | mistake: computes on the lists directly (a list times a float raises) | fails: test_gradient | says: np.asarray | says_zh: 先转换序列 | student: m-lists-shuffle-beta-steps
def gradient(w, xs, ys):
    return float(np.mean(2 * xs * (xs * w - ys)))

# %% gradient | mistake: drops the inner derivative x of the chain rule | fails: test_gradient, test_batch_gd | says: factor x | says_zh: 因子 x | student: m-nox-epoch-list-ge
def gradient(w, xs, ys):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    return float(np.mean(2 * (xs * w - ys)))

# %% batch_gd | mistake: records the cost after the update instead of before | fails: test_batch_gd | says: AFTER the update | says_zh: 更新之后
def batch_gd(xs, ys, w0, lr, epochs):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    w, costs = w0, []
    for _ in range(epochs):
        w = w - lr * gradient(w, xs, ys)
        costs.append(np.mean((xs * w - ys) ** 2))
    return float(w), np.array(costs)

# %% batch_gd | mistake: a hard-coded learning rate of 0.01 (the argument lr is ignored) | fails: test_batch_gd | says: use the argument lr | says_zh: 要使用参数 lr
def batch_gd(xs, ys, w0, lr, epochs):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    w, costs = w0, []
    for _ in range(epochs):
        costs.append(np.mean((xs * w - ys) ** 2))
        w = w - 0.01 * gradient(w, xs, ys)
    return float(w), np.array(costs)

# %% batch_gd | mistake: always starts at w = 1.0 (the argument w0 is ignored) | fails: test_batch_gd | says: use the argument w0 | says_zh: 要使用参数 w0
def batch_gd(xs, ys, w0, lr, epochs):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    w = 1.0
    costs = np.zeros(epochs)
    for e in range(epochs):
        costs[e] = np.mean((xs * w - ys) ** 2)
        w -= lr * gradient(w, xs, ys)
    return w, costs

# %% batch_gd | mistake: returns the costs as a Python list | fails: test_batch_gd | says: must be a numpy array | says_zh: 必须是 numpy 数组
def batch_gd(xs, ys, w0, lr, epochs):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    w, costs = float(w0), []
    for _ in range(epochs):
        costs.append(float(np.mean((xs * w - ys) ** 2)))
        w = w - lr * gradient(w, xs, ys)
    return w, costs

# %% sgd | mistake: each step uses the gradient over all samples (batch GD inside the loop) | fails: test_sgd | says: ALL samples | says_zh: 全部样本上的梯度 | student: m-sign-full-zero-isnan
def sgd(xs, ys, w0, lr, epochs):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    w, losses = float(w0), []
    for _ in range(epochs):
        for x, y in zip(xs, ys):
            losses.append((x * w - y) ** 2)
            w = w - lr * np.mean(2 * xs * (xs * w - ys))
    return float(w), np.array(losses)

# %% sgd | mistake: records each sample's loss after its update | fails: test_sgd | says: AFTER the update | says_zh: 更新之后 | student: m-sum-after-inplace-last
def sgd(xs, ys, w0, lr, epochs):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    w, losses = float(w0), []
    for _ in range(epochs):
        for x, y in zip(xs, ys):
            w = w - lr * 2 * x * (x * w - y)
            losses.append((x * w - y) ** 2)
    return float(w), np.array(losses)

# %% sgd | mistake: shuffles the samples each epoch although the text asks for the given order | fails: test_sgd | says: given order | says_zh: 按给定的顺序 | student: m-lists-shuffle-beta-steps
def sgd(xs, ys, w0, lr, epochs):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    w, losses = float(w0), []
    for _ in range(epochs):
        for n in np.random.permutation(len(xs)):
            losses.append((xs[n] * w - ys[n]) ** 2)
            w = w - lr * 2 * xs[n] * (xs[n] * w - ys[n])
    return float(w), np.array(losses)

# %% sgd | mistake: records one (mean) loss per epoch instead of one per step | fails: test_sgd | says: not once per epoch | says_zh: 而不是每轮只记录一次 | student: m-nox-epoch-list-ge
def sgd(xs, ys, w0, lr, epochs):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    w, losses = float(w0), []
    for _ in range(epochs):
        epoch_losses = []
        for x, y in zip(xs, ys):
            epoch_losses.append((x * w - y) ** 2)
            w = w - lr * 2 * x * (x * w - y)
        losses.append(np.mean(epoch_losses))
    return float(w), np.array(losses)

# %% ema | mistake: starts the average at 0 instead of the first value | fails: test_ema | says: not with 0 | says_zh: 而不是从 0 开始 | student: m-sign-full-zero-isnan
def ema(values, beta):
    s, out = 0.0, []
    for v in values:
        s = beta * s + (1 - beta) * v
        out.append(s)
    return np.array(out)

# %% ema | mistake: overwrites the caller's array in place | fails: test_ema | says: was modified by the call | says_zh: 调用修改了 | student: m-sum-after-inplace-last
def ema(values, beta):
    values = np.asarray(values, dtype=float)
    for t in range(1, len(values)):
        values[t] = beta * values[t - 1] + (1 - beta) * values[t]
    return values

# %% ema | mistake: a hard-coded beta of 0.9 (the argument is ignored) | fails: test_ema | says: use the argument beta | says_zh: 要使用参数 beta | student: m-lists-shuffle-beta-steps
def ema(values, beta):
    out = np.zeros(len(values))
    out[0] = values[0]
    for t in range(1, len(values)):
        out[t] = 0.9 * out[t - 1] + 0.1 * values[t]
    return out

# %% ema | mistake: returns a Python list | fails: test_ema | says: must return a numpy array | says_zh: 必须返回 numpy 数组 | student: m-nox-epoch-list-ge
def ema(values, beta):
    out = [values[0]]
    for v in values[1:]:
        out.append(beta * out[-1] + (1 - beta) * v)
    return out

# %% diverges | mistake: checks np.isnan only, so inf and -inf are missed | fails: test_diverges | says: np.isnan misses inf | says_zh: np.isnan 查不出 inf | student: m-sign-full-zero-isnan
def diverges(costs):
    costs = np.asarray(costs, dtype=float)
    return bool(np.isnan(costs).any() or costs[-1] > costs[0])

# %% diverges | mistake: checks only the last cost for nan | fails: test_diverges | says: not only the last one | says_zh: 而不只是最后一个 | student: m-sum-after-inplace-last
def diverges(costs):
    last = costs[-1]
    return bool(np.isnan(last) or np.isinf(last) or last > costs[0])

# %% diverges | mistake: calls any rise from one step to the next a divergence | fails: test_diverges | says: not each step with the one before | says_zh: 而不是把每一步和前一步相比 | student: m-lists-shuffle-beta-steps
def diverges(costs):
    costs = np.asarray(costs, dtype=float)
    if not np.all(np.isfinite(costs)):
        return True
    return bool(np.any(np.diff(costs) > 0))

# %% diverges | mistake: uses >= so a run that ends where it started counts as diverged | fails: test_diverges | says: LARGER | says_zh: 只有最后一个代价更大 | student: m-nox-epoch-list-ge
def diverges(costs):
    costs = np.asarray(costs, dtype=float)
    return bool(not np.isfinite(costs).all() or costs[-1] >= costs[0])

# %% gradient | alternative: a loop over the samples | student: a-loops
def gradient(w, xs, ys):
    total = 0.0
    for x, y in zip(xs, ys):
        total += 2 * x * (x * w - y)
    return total / len(xs)

# %% batch_gd | alternative: preallocated numpy array and an in-place update of a local w | student: a-loops
def batch_gd(xs, ys, w0, lr, epochs):
    w = w0
    costs = np.zeros(epochs)
    for e in range(epochs):
        costs[e] = sum((x * w - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
        w -= lr * gradient(w, xs, ys)
    return w, costs

# %% sgd | alternative: index loop, the gradient computed first | student: a-loops
def sgd(xs, ys, w0, lr, epochs):
    w = w0
    losses = np.zeros(epochs * len(xs))
    k = 0
    for epoch in range(epochs):
        for n in range(len(xs)):
            err = xs[n] * w - ys[n]
            losses[k] = err ** 2
            w = w - lr * 2 * xs[n] * err
            k += 1
    return w, losses

# %% ema | alternative: pandas' ewm with adjust=False | student: a-loops
def ema(values, beta):
    import pandas as pd
    return pd.Series(np.asarray(values, dtype=float)).ewm(alpha=1 - beta, adjust=False).mean().to_numpy()

# %% diverges | alternative: a loop with math.isfinite, returning np.bool_ for the comparison | student: a-loops
def diverges(costs):
    import math
    for c in costs:
        if not math.isfinite(c):
            return True
    return np.float64(costs[-1]) > np.float64(costs[0])

# %% gradient | alternative: np.dot, computed in float32 | student: a-vectorised
def gradient(w, xs, ys):
    x = np.asarray(xs, dtype=np.float32)
    y = np.asarray(ys, dtype=np.float32)
    return float(2 * np.dot(x, x * w - y) / len(x))

# %% batch_gd | alternative: torch tensors in float32 (no autograd) | student: a-vectorised
def batch_gd(xs, ys, w0, lr, epochs):
    x = torch.tensor(np.asarray(xs), dtype=torch.float32)
    y = torch.tensor(np.asarray(ys), dtype=torch.float32)
    w = torch.tensor(float(w0))
    costs = []
    for _ in range(epochs):
        costs.append(((x * w - y) ** 2).mean().item())
        w = w - lr * (2 * x * (x * w - y)).mean()
    return w.item(), np.array(costs)

# %% sgd | alternative: samples paired with np.stack and a list of losses | student: a-vectorised
def sgd(xs, ys, w0, lr, epochs):
    pairs = np.stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)], axis=1)
    w, losses = w0, []
    for _ in range(epochs):
        for x, y in pairs:
            losses.append(float((x * w - y) ** 2))
            w -= lr * 2.0 * x * (x * w - y)
    return float(w), np.asarray(losses)

# %% ema | alternative: the recursion unrolled into closed-form weights | student: a-vectorised
def ema(values, beta):
    v = np.asarray(values, dtype=float)
    out = np.empty(len(v))
    s = v[0]
    out[0] = s
    for t in range(1, len(v)):
        s = s + (1 - beta) * (v[t] - s)
        out[t] = s
    return out

# %% diverges | alternative: np.isfinite().all(), without a cast to bool | student: a-vectorised
def diverges(costs):
    c = np.asarray(costs, dtype=float)
    if not np.isfinite(c).all():
        return True
    return c[-1] > c[0]

# %% gradient_wb | mistake: writes the error as (y - x*w - b): both signs flipped | fails: test_gradient_wb | says: sign is flipped | says_zh: 符号反了 | student: m-sign-full-zero-isnan
def gradient_wb(w, b, xs, ys):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    err = ys - (xs * w + b)
    return float(np.mean(2 * err * xs)), float(np.mean(2 * err))

# %% gradient_wb | mistake: sums over the samples instead of averaging | fails: test_gradient_wb | says: summed over the samples | says_zh: 你对样本求和了 | student: m-sum-after-inplace-last
def gradient_wb(w, b, xs, ys):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    err = xs * w + b - ys
    return float(np.sum(2 * err * xs)), float(np.sum(2 * err))

# %% gradient_wb | mistake: copies the factor x into db (the inner derivative with respect to b is 1) | fails: test_gradient_wb | says: inner derivative | says_zh: 内层导数 | student: m-nox-epoch-list-ge
def gradient_wb(w, b, xs, ys):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    err = xs * w + b - ys
    dw = np.mean(2 * err * xs)
    db = np.mean(2 * err * xs)
    return float(dw), float(db)

# %% gradient_wb | mistake: drops the factor 2 of the square's derivative | fails: test_gradient_wb | says: factor 2 | says_zh: 因子 2 | student: m-lists-shuffle-beta-steps
def gradient_wb(w, b, xs, ys):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    err = xs * w + b - ys
    return float(np.mean(err * xs)), float(np.mean(err))

# %% gradient_wb | alternative: a loop over the samples, accumulating both sums | student: a-loops
def gradient_wb(w, b, xs, ys):
    dw, db = 0.0, 0.0
    for x, y in zip(xs, ys):
        err = x * w + b - y
        dw += 2 * err * x
        db += 2 * err
    return dw / len(xs), db / len(xs)

# %% gradient_wb | alternative: np.dot, returned as a list, in float32 | student: a-vectorised
def gradient_wb(w, b, xs, ys):
    x = np.asarray(xs, dtype=np.float32)
    err = x * np.float32(w) + np.float32(b) - np.asarray(ys, dtype=np.float32)
    n = len(x)
    return [float(2 * np.dot(err, x) / n), float(2 * err.sum() / n)]
