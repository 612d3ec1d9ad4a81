# Typical beginner mistakes in 02 gradient descent, as the sample student "carol" makes them.
# Format: see course/grading/sample_class.py.

# %% gradient | fails: test_gradient, test_batch_gd | says: forgot the factor 2
def gradient(w, xs, ys):
    # differentiates (x*w - y)^2 as (x*w - y) * x: the factor 2 of the square is lost
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    return float(np.mean(xs * (xs * w - ys)))

# %% ema | fails: test_ema | says: swapped beta and (1 - beta)
def ema(values, beta):
    # weights the new value by beta and the old average by (1 - beta)
    out = []
    for v in values:
        out.append(v if not out else (1 - beta) * out[-1] + beta * v)
    return np.array(out)

# %% diverges | fails: test_diverges | says: comparison with nan is False
def diverges(costs):
    # "the cost went up" -- but nan > anything is False, so a run that ended in nan passes as fine
    return bool(costs[-1] > costs[0])
