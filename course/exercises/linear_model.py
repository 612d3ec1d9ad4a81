"""Lecture 01's visible checks (source/01_linear_model): ``from course.exercises import linear_model as q``."""
from __future__ import annotations

import numpy as np

from course import checks as ck

MSE_HINT = "convert the sequences first (np.asarray(xs, dtype=float)): a Python list times a float raises an error"
WB_HINT = ("if an index is out of range: find the row and column of the smallest cost with "
           "i, j = np.unravel_index(np.argmin(cost), cost.shape)")


def check_forward(forward) -> None:
    got = ck.array(ck.call(forward, 2.0, 3.0, what="forward(2.0, 3.0)",
                           hint="forward must work for a single number (a float): return x * w"), what="forward(2.0, 3.0)")
    ck.close(got, 6.0, what="forward(2.0, 3.0)",
             hint="You added x and w: the model multiplies, y_hat = x * w." if np.allclose(got, 5.0)
             else "The model is y_hat = x * w.")
    x_in = np.array([1.0, 2.0, 3.0])
    got = ck.call(forward, x_in, 2.0, what="forward(np.array([1., 2., 3.]), 2.0)",
                  hint="forward must work element by element on a numpy array: x * w "
                       "(no float(...), no loop that returns one number)")
    ck.shape(got, (3,), what="forward of an array of 3 inputs",
             hint="return one prediction per input, x * w, without summing or averaging them")
    ck.close(got, [2.0, 4.0, 6.0], what="forward([1, 2, 3], 2.0)")
    ck.true(bool(np.array_equal(x_in, [1.0, 2.0, 3.0])),
            "forward's input array x was modified by the call: return x * w, a new array "
            "(x *= w changes the caller's data)")
    print("forward looks right.")


def _mse_hint(got: float) -> str:
    """The usual slips of the mean squared error of w = 1 on x = [1, 2, 3], y = [2, 4, 6]."""
    for value, why in ((14.0, "You summed the squared errors: divide by the number of samples N (mean, not sum)."),
                       (7.0, "You divided by N - 1: the mean divides by the number of samples N."),
                       (2.0, "You did not square each error: with (y_hat - y) alone (or its absolute value) the "
                             "errors are not squared."),
                       (-2.0, "You did not square each error: with (y_hat - y) alone (or its absolute value) the "
                              "errors are not squared."),
                       (4.0, "You squared the mean error: square each error first, then take the mean, "
                             "np.mean((y_hat - y) ** 2)."),
                       (float(np.sqrt(14 / 3)), "You took the square root (RMSE): the mean squared error has no "
                                                "square root.")):
        if np.isclose(got, value):
            return why
    return "mse is the MEAN of the squared errors (y_hat - y)^2."


def check_mse(mse, xs, ys) -> None:
    got = ck.number(ck.call(mse, 1.0, [1.0, 2.0, 3.0], [2.0, 4.0, 6.0], what="mse(1.0, [1, 2, 3], [2, 4, 6]) (lists)",
                            hint=MSE_HINT),
                    what="mse(1.0, [1, 2, 3], [2, 4, 6])", hint="mse must return a Python float: float(np.mean(...))")
    ck.close(got, 14 / 3, what="mse(1.0, [1, 2, 3], [2, 4, 6])", rtol=1e-4, atol=1e-6, hint=_mse_hint(got))
    ck.close(ck.number(ck.call(mse, 2.0, xs, ys, what="mse(2.0, xs, ys)")), 0.0,
             what="mse(2.0, xs, ys): at w = 2 the model fits the data exactly")
    print("mse looks right.")


def check_search_w(search_w, xs, ys) -> None:
    w_grid = np.arange(0.0, 4.1, 0.1)
    out = ck.call(search_w, xs, ys, w_grid, what="search_w(xs, ys, w_grid)")
    ck.true(isinstance(out, tuple) and len(out) == 2,
            f"search_w must return a tuple (best_w, costs), got a {type(out).__name__}")
    best_w, costs = out
    ck.true(isinstance(costs, np.ndarray), f"costs must be a numpy array, got a {type(costs).__name__}: "
                                           "return np.array(costs)")
    ck.shape(costs, w_grid.shape, what="costs (one cost per grid value)",
             hint="costs[i] is the mean cost of w_grid[i] (if you vectorised: average over the samples' axis, "
                  "not the grid's)")
    ck.close(costs[0], 56 / 3, what="costs[0], the MSE at w_grid[0] = 0.0",
             hint="costs[i] is the mean squared error of w_grid[i] on all samples")
    bw = ck.number(best_w, what="best_w", hint="best_w is a number: the grid value w_grid[i] with the smallest cost")
    hint = "Return the grid value with the smallest cost: w_grid[np.argmin(costs)]."
    if np.isclose(bw, 20):
        hint = "You returned the index of the smallest cost: return the weight w_grid[index], not the index."
    elif np.isclose(bw, 0.0) and np.isclose(float(np.min(costs)), 0.0):
        hint = "You returned the smallest cost itself: return the weight w_grid[np.argmin(costs)], not the cost."
    elif np.isclose(bw, 0.0) or np.isclose(bw, 4.0):
        hint = "That is the weight with the LARGEST cost: use np.argmin, not np.argmax."
    ck.close(bw, 2.0, what="best_w on the course data", hint=hint)
    print("search_w looks right.")


def best_w_slip(got: float, x, y, want: float) -> str:
    """What went wrong in a derivation of the best w of y_hat = x * w that gave ``got`` instead of
    ``want`` on data ``x``, ``y``: each usual wrong formula, named without stating the right one."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    sxy, sxx, n = np.sum(x * y), np.sum(x * x), len(x)
    with np.errstate(divide="ignore", invalid="ignore"):   # some wrong formulas divide by a sum that is 0
        slips = [
            (-want, "the sign is flipped: expand each square (x w - y)^2 and look at the sign of its middle term "
                    "before you set the slope to zero"),
            (sxx / sxy, "you inverted the fraction: solve the zero-slope equation for w again, which sum "
                        "multiplies w?"),
            (sxy / np.sum(x), "the denominator is a sum of x alone: each square contributes x_n^2 w^2, so the w^2 "
                              "term carries x squared"),
            (sxy / np.sum(y * y), "the denominator uses y**2: the factor of w^2 comes from x, not from y"),
            (np.sum(y) / np.sum(x), "sum(y) / sum(x) is right only for data exactly on a line through 0: set the "
                                    "slope of the whole cost to zero instead"),
            (np.mean(y / x) if np.all(x != 0) else np.nan,
             "you averaged the ratios y / x: right only for data exactly on a line through 0; the minimum of the "
             "cost weighs the samples differently"),
            (np.mean(x * y) / np.mean(x) ** 2, "you squared the mean of x: square each x first, then average"),
            (2 * want, "twice the right value: a factor 2 appears in the slope twice and cancels"),
            (want / 2, "half the right value: a factor 2 appears in the slope twice and cancels"),
            (sxy / (n * sxx), "the factor 1/N cancels: it scales the whole cost and does not move the minimum "
                              "(mean or sum on both sides of the fraction, not on one)"),
            (n * sxy / sxx, "the factor 1/N cancels: it scales the whole cost and does not move the minimum "
                            "(mean or sum on both sides of the fraction, not on one)"),
            (np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2),
             "that is the slope of a line WITH a bias (covariance over variance); this model y_hat = x * w has no "
             "bias"),
        ]
        for value, why in slips:
            if np.isfinite(value) and not np.isclose(value, want) and np.isclose(got, value, rtol=1e-6, atol=1e-9):
                return why
    if abs(got - want) <= 0.06:
        return "close, but not exact: that looks like a search on a grid; the derivation gives the exact minimum"
    return "set the slope of the cost to zero and solve for w"


def best_w_on(best_w_formula, x, y, want: float, what: str) -> float:
    """``best_w_formula(x, y)`` must be the Python float ``want``; a wrong value is named by its slip."""
    got = ck.number(ck.call(best_w_formula, x, y,
                            what=f"{what} (xs, ys may be lists: convert them with np.asarray first)"),
                    what=what, hint="return a Python float: float(...)")
    ck.close(got, want, what=what, rtol=1e-6, atol=1e-9, hint=best_w_slip(got, x, y, want))
    return got


def check_best_w_formula(best_w_formula) -> None:
    best_w_on(best_w_formula, [1.0, 2.0, 3.0], [2.0, 4.0, 6.0], 2.0,
              "best_w_formula([1, 2, 3], [2, 4, 6]) (the course data)")
    w_star = best_w_on(best_w_formula, [1.0, 2.0, 3.0], [2.0, 5.0, 5.0], 27 / 14,
                       "best_w_formula([1, 2, 3], [2, 5, 5]) (no exact fit)")
    fine = np.linspace(0.0, 4.0, 4001)  # the exhaustive search on a fine grid, for comparison
    grid_costs = [np.mean((np.array([1.0, 2.0, 3.0]) * w - np.array([2.0, 5.0, 5.0])) ** 2) for w in fine]
    print(f"best_w_formula looks right: w* = {w_star:.6f}; a search over 4001 values finds "
          f"{fine[int(np.argmin(grid_costs))]:.3f}")


def check_search_wb(search_wb) -> None:
    x2, y2 = np.array([1.0, 2.0, 3.0]), np.array([3.0, 5.0, 7.0])   # y = 2x + 1
    w_grid, b_grid = np.arange(0.0, 4.1, 0.1), np.arange(-2.0, 2.1, 0.25)
    out = ck.call(search_wb, x2, y2, w_grid, b_grid, what="search_wb(x2, y2, w_grid, b_grid)", hint=WB_HINT)
    ck.true(isinstance(out, tuple) and len(out) == 3, "search_wb must return a tuple (best_w, best_b, cost)")
    best_w, best_b, cost = out
    ck.true(isinstance(cost, np.ndarray), f"cost must be a numpy array, got a {type(cost).__name__}")
    ck.shape(cost, (len(w_grid), len(b_grid)), what="cost (rows are weights, columns are biases)",
             hint=("you swapped them: cost[i, j] belongs to w_grid[i] and b_grid[j]"
                   if tuple(cost.shape) == (len(b_grid), len(w_grid)) else "one row per weight, one column per bias"))
    ck.close(cost[0, 0], 155 / 3, what="cost[0, 0], the MSE at w = w_grid[0], b = b_grid[0]",
             hint="cost[i, j] = mean((xs * w_grid[i] + b_grid[j] - ys) ** 2): the model is x * w + b")
    ck.close(cost[25, 4], 3.5 / 3, what="cost[25, 4]",
             hint="cost[i, j] = mean((xs * w_grid[i] + b_grid[j] - ys) ** 2): the model is x * w + b, for every b")
    bw, bb = ck.number(best_w, what="best_w"), ck.number(best_b, what="best_b")
    hint = "Take w and b at the position of the smallest cost: i, j = np.unravel_index(np.argmin(cost), cost.shape)."
    if np.isclose(bw, 20) and np.isclose(bb, 12):
        hint = "You returned the indices (i, j): return the values w_grid[i] and b_grid[j]."
    elif np.isclose(bw, 0.0) and np.isclose(bb, -2.0):
        hint = "That is the first grid point: the smallest cost is where np.argmin(cost) points (not a maximum, not cost[0, 0])."
    ck.true(bool(np.isclose(bw, 2.0) and np.isclose(bb, 1.0)),
            f"best (w, b): expected (2.0, 1.0) for y = 2x + 1, got ({bw}, {bb}). {hint}")
    print("search_wb looks right.")
