# Typical beginner mistakes in 01 linear model, as the sample student "carol" makes them.
# Format: see course/grading/sample_class.py.

# %% mse | fails: test_mse, test_search_w | says: divide by the number of samples N
def mse(w, xs, ys):
    # sums the squared errors but forgets to divide by N
    total = 0.0
    for x, y in zip(xs, ys):
        total += (forward(x, w) - y) ** 2
    return float(total)

# %% search_wb | fails: test_search_wb | says: you swapped them
def search_wb(xs, ys, w_grid, b_grid):
    # rows and columns swapped: cost[j, i] instead of cost[i, j]
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    cost = np.empty((len(b_grid), len(w_grid)))
    for j, b in enumerate(b_grid):
        for i, w in enumerate(w_grid):
            cost[j, i] = np.mean((xs * w + b - ys) ** 2)
    j, i = np.unravel_index(np.argmin(cost), cost.shape)
    return float(w_grid[i]), float(b_grid[j]), cost
