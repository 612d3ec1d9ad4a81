# Mistake catalogue of 01 linear model (issue 11): plausible beginner mistakes and correct alternatives.
# Format: see sample_class/catalogue/README.md.

# %% forward | mistake: multiplies the input array in place (x *= w), changing the caller's data | fails: test_forward, test_mse, test_search_w | says: was modified by the call | says_zh: 调用修改了
def forward(x, w):
    x *= w
    return x

# %% forward | mistake: converts the prediction to a float, so arrays are refused | fails: test_forward, test_mse, test_search_w | says: element by element | says_zh: 逐元素 | student: m-float-indices
def forward(x, w):
    return float(x * w)

# %% forward | mistake: a list comprehension: works on a 1-D array only, not on a single number | fails: test_forward | says: single number | says_zh: 单个数 | student: m-listcomp-argmax
def forward(x, w):
    return np.array([xi * w for xi in x])

# %% forward | mistake: sums the predictions into one number | fails: test_forward, test_mse, test_search_w | says: without summing | says_zh: 不要求和 | student: m-sum-divisor
def forward(x, w):
    return np.sum(x * w)

# %% mse | mistake: squares the mean error instead of averaging the squared errors | fails: test_mse, test_search_w | says: squared the mean error | says_zh: 你把平均误差平方了 | student: m-meansq-nobias
def mse(w, xs, ys):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    return float(np.mean(forward(xs, w) - ys) ** 2)

# %% mse | mistake: divides by N - 1 as for a sample variance | fails: test_mse, test_search_w | says: divided by N - 1 | says_zh: 你除以了 N - 1
def mse(w, xs, ys):
    total = 0.0
    for x, y in zip(xs, ys):
        total += (forward(x, w) - y) ** 2
    return float(total / (len(xs) - 1))

# %% mse | mistake: works on the lists directly (a list times a float raises) | fails: test_mse | says: np.asarray | says_zh: np.asarray
def mse(w, xs, ys):
    return float(np.mean((forward(xs, w) - ys) ** 2))

# %% mse | mistake: uses the notebook's global data instead of the arguments | fails: test_mse, test_search_w | says: not the notebook's global data | says_zh: 不要用 notebook 里的全局数据
def mse(w, x_data, y_data):
    return float(np.mean((forward(xs, w) - ys) ** 2))

# %% mse | mistake: takes the square root (RMSE instead of MSE) | fails: test_mse, test_search_w | says: square root | says_zh: 平方根
def mse(w, xs, ys):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    return float(np.sqrt(np.mean((forward(xs, w) - ys) ** 2)))

# %% search_w | mistake: returns the index of the smallest cost instead of the weight | fails: test_search_w | says: not the index | says_zh: 而不是下标
def search_w(xs, ys, w_grid):
    costs = np.array([mse(w, xs, ys) for w in w_grid])
    return int(np.argmin(costs)), costs

# %% search_w | mistake: vectorised, but averages over the grid axis instead of the samples | fails: test_search_w | says: average over the samples' axis | says_zh: 沿样本的轴求平均
def search_w(xs, ys, w_grid):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    errors = np.outer(w_grid, xs) - ys          # shape (G, N)
    costs = np.mean(errors ** 2, axis=0)
    return float(w_grid[np.argmin(costs)]), costs

# %% search_w | mistake: uses the notebook's global data xs, ys instead of the arguments | fails: test_search_w | says: not the notebook's global data | says_zh: 不要用 notebook 里的全局数据
def search_w(x_data, y_data, w_grid):
    costs = np.array([mse(w, xs, ys) for w in w_grid])
    return float(w_grid[np.argmin(costs)]), costs

# %% search_w | mistake: returns the costs as a Python list | fails: test_search_w | says: must be a numpy array | says_zh: 必须是 numpy 数组
def search_w(xs, ys, w_grid):
    costs = [mse(w, xs, ys) for w in w_grid]
    return float(w_grid[costs.index(min(costs))]), costs

# %% search_wb | mistake: returns the indices of the smallest cost instead of the weight and bias | fails: test_search_wb | says: returned the indices | says_zh: 你返回的是下标 (i, j) | student: m-float-indices
def search_wb(xs, ys, w_grid, b_grid):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    cost = np.empty((len(w_grid), len(b_grid)))
    for i, w in enumerate(w_grid):
        for j, b in enumerate(b_grid):
            cost[i, j] = np.mean((xs * w + b - ys) ** 2)
    i, j = np.unravel_index(np.argmin(cost), cost.shape)
    return int(i), int(j), cost

# %% search_wb | mistake: splits argmin's flat index by the wrong length (len(w_grid)) | fails: test_search_wb | says: np.unravel_index | says_zh: np.unravel_index | student: m-sum-divisor
def search_wb(xs, ys, w_grid, b_grid):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    cost = np.empty((len(w_grid), len(b_grid)))
    for i, w in enumerate(w_grid):
        for j, b in enumerate(b_grid):
            cost[i, j] = np.mean((xs * w + b - ys) ** 2)
    k = np.argmin(cost)
    return float(w_grid[k // len(w_grid)]), float(b_grid[k % len(w_grid)]), cost

# %% search_wb | mistake: forgets the bias in the model (cost of x * w only) | fails: test_search_wb | says: the model is x * w + b | says_zh: 模型是 x * w + b | student: m-meansq-nobias
def search_wb(xs, ys, w_grid, b_grid):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    cost = np.empty((len(w_grid), len(b_grid)))
    for i, w in enumerate(w_grid):
        for j, b in enumerate(b_grid):
            cost[i, j] = np.mean((forward(xs, w) - ys) ** 2)
    i, j = np.unravel_index(np.argmin(cost), cost.shape)
    return float(w_grid[i]), float(b_grid[j]), cost

# %% search_wb | mistake: takes the largest cost (np.argmax) | fails: test_search_wb | says: np.argmin | says_zh: np.argmin | student: m-listcomp-argmax
def search_wb(xs, ys, w_grid, b_grid):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    cost = np.empty((len(w_grid), len(b_grid)))
    for i, w in enumerate(w_grid):
        for j, b in enumerate(b_grid):
            cost[i, j] = np.mean((xs * w + b - ys) ** 2)
    i, j = np.unravel_index(np.argmax(cost), cost.shape)
    return float(w_grid[i]), float(b_grid[j]), cost

# %% forward | alternative: np.multiply | student: a-numpy-style
def forward(x, w):
    return np.multiply(x, w)

# %% mse | alternative: a loop over the samples, returning np.float64 via np.mean | student: a-numpy-style
def mse(w, xs, ys):
    squared = []
    for x, y in zip(xs, ys):
        squared.append((forward(x, w) - y) ** 2)
    return np.mean(squared)

# %% search_w | alternative: vectorised with broadcasting, best weight as np.float64 | student: a-numpy-style
def search_w(xs, ys, w_grid):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    w_col = np.asarray(w_grid, dtype=float)[:, None]
    costs = ((w_col * xs[None, :] - ys[None, :]) ** 2).mean(axis=1)
    return w_grid[np.argmin(costs)], costs

# %% search_wb | alternative: vectorised with np.meshgrid(indexing="ij") | student: a-numpy-style
def search_wb(xs, ys, w_grid, b_grid):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    W, B = np.meshgrid(w_grid, b_grid, indexing="ij")
    pred = W[:, :, None] * xs + B[:, :, None]
    cost = ((pred - ys) ** 2).mean(axis=2)
    i, j = np.unravel_index(cost.argmin(), cost.shape)
    return w_grid[i], b_grid[j], cost

# %% forward | alternative: converts to an array first (also fine for a single number) | student: a-loops
def forward(x, w):
    return np.asarray(x, dtype=float) * w

# %% mse | alternative: sum of squares divided by len, with a float32 array | student: a-loops
def mse(w, xs, ys):
    xs = np.array(xs, dtype=np.float32)
    ys = np.array(ys, dtype=np.float32)
    err = forward(xs, w) - ys
    return float(np.dot(err, err) / len(xs))

# %% search_w | alternative: a loop that keeps the best weight so far | student: a-loops
def search_w(xs, ys, w_grid):
    costs = np.zeros(len(w_grid))
    best_w, best_cost = None, float("inf")
    for i in range(len(w_grid)):
        costs[i] = mse(w_grid[i], xs, ys)
        if costs[i] < best_cost:
            best_w, best_cost = float(w_grid[i]), costs[i]
    return best_w, costs

# %% search_wb | alternative: nested loops that track the minimum, rows filled with a list | student: a-loops
def search_wb(xs, ys, w_grid, b_grid):
    rows = []
    best = (float("inf"), None, None)
    for w in w_grid:
        row = []
        for b in b_grid:
            c = sum((x * w + b - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
            row.append(c)
            if c < best[0]:
                best = (c, float(w), float(b))
        rows.append(row)
    return best[1], best[2], np.array(rows)

# %% best_w_formula | mistake: sum(y) / sum(x), right only for data exactly on a line | fails: test_best_w_formula | says: right only for data exactly on a line through 0 | says_zh: 只对恰好落在过原点直线上的数据成立 | student: m-sum-divisor
def best_w_formula(xs, ys):
    return float(np.sum(ys) / np.sum(xs))

# %% best_w_formula | mistake: averages the ratios y / x | fails: test_best_w_formula | says: averaged the ratios | says_zh: 你对比值 y / x 求了平均 | student: m-listcomp-argmax
def best_w_formula(xs, ys):
    return float(np.mean([y / x for x, y in zip(xs, ys)]))

# %% best_w_formula | mistake: inverts the fraction, sum(x**2) / sum(x*y) | fails: test_best_w_formula | says: inverted the fraction | says_zh: 你把分数颠倒了 | student: m-float-indices
def best_w_formula(xs, ys):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    return float(np.sum(xs ** 2) / np.sum(xs * ys))

# %% best_w_formula | mistake: a fine grid search instead of the formula (close, not exact) | fails: test_best_w_formula | says: looks like a search on a grid | says_zh: 看起来像是在网格上搜索 | student: m-meansq-nobias
def best_w_formula(xs, ys):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    grid = np.arange(-10.0, 10.0, 0.01)
    costs = [np.mean((xs * w - ys) ** 2) for w in grid]
    return float(grid[int(np.argmin(costs))])

# %% best_w_formula | alternative: two running sums in a loop over plain Python numbers | student: a-loops
def best_w_formula(xs, ys):
    top, bottom = 0.0, 0.0
    for x, y in zip(xs, ys):
        top += x * y
        bottom += x * x
    return top / bottom

# %% best_w_formula | alternative: np.dot in float32, returning a numpy float32 | student: a-numpy-style
def best_w_formula(xs, ys):
    x = np.asarray(xs, dtype=np.float32)
    y = np.asarray(ys, dtype=np.float32)
    return np.dot(x, y) / np.dot(x, x)
