"""Lecture 01's visible checks (source/01_linear_model): ``from course.exercises import linear_model as q``."""
from __future__ import annotations

import numpy as np

from course import checks as ck
from course.i18n import t

MSE_HINT = t("convert the sequences first (np.asarray(xs, dtype=float)): a Python list times a float raises an error",
             "先转换序列 (np.asarray(xs, dtype=float))：Python 列表乘以 float 会报错")
WB_HINT = t("if an index is out of range: find the row and column of the smallest cost with "
            "i, j = np.unravel_index(np.argmin(cost), cost.shape)",
            "如果下标越界：用 i, j = np.unravel_index(np.argmin(cost), cost.shape) 找到最小代价所在的行和列")


def check_forward(forward) -> None:
    got = ck.array(ck.call(forward, 2.0, 3.0, what="forward(2.0, 3.0)",
                           hint=t("forward must work for a single number (a float): return x * w",
                                  "forward 必须能处理单个数 (float)：返回 x * w")), what="forward(2.0, 3.0)")
    ck.close(got, 6.0, what="forward(2.0, 3.0)",
             hint=t("You added x and w: the model multiplies, y_hat = x * w.", "你把 x 和 w 相加了：模型是相乘，y_hat = x * w。")
             if np.allclose(got, 5.0) else t("The model is y_hat = x * w.", "模型是 y_hat = x * w。"))
    x_in = np.array([1.0, 2.0, 3.0])
    got = ck.call(forward, x_in, 2.0, what="forward(np.array([1., 2., 3.]), 2.0)",
                  hint=t("forward must work element by element on a numpy array: x * w "
                         "(no float(...), no loop that returns one number)",
                         "forward 必须对 numpy 数组逐元素计算：x * w（不要 float(...)，不要写只返回一个数的循环）"))
    ck.shape(got, (3,), what=t("forward of an array of 3 inputs", "3 个输入组成的数组的 forward"),
             hint=t("return one prediction per input, x * w, without summing or averaging them",
                    "每个输入返回一个预测值 x * w，不要求和或求平均"))
    ck.close(got, [2.0, 4.0, 6.0], what="forward([1, 2, 3], 2.0)")
    ck.true(bool(np.array_equal(x_in, [1.0, 2.0, 3.0])),
            t("forward's input array x was modified by the call: return x * w, a new array "
              "(x *= w changes the caller's data)",
              "调用修改了 forward 的输入数组 x：返回一个新数组 x * w（x *= w 会改动调用者的数据）"))
    print(t("forward looks right.", "forward 看起来是对的。"))


def _mse_hint(got: float) -> str:
    """The usual slips of the mean squared error of w = 1 on x = [1, 2, 3], y = [2, 4, 6]."""
    unsquared = t("You did not square each error: with (y_hat - y) alone (or its absolute value) the errors are not squared.",
                  "你没有把每个误差平方：只用 (y_hat - y)（或它的绝对值），误差没有被平方。")
    for value, why in ((14.0, t("You summed the squared errors: divide by the number of samples N (mean, not sum).",
                                "你把平方误差求和了：要除以样本数 N（求平均，不是求和）。")),
                       (7.0, t("You divided by N - 1: the mean divides by the number of samples N.",
                               "你除以了 N - 1：平均值要除以样本数 N。")),
                       (2.0, unsquared), (-2.0, unsquared),
                       (4.0, t("You squared the mean error: square each error first, then take the mean, "
                               "np.mean((y_hat - y) ** 2).",
                               "你把平均误差平方了：先把每个误差平方，再求平均，np.mean((y_hat - y) ** 2)。")),
                       (float(np.sqrt(14 / 3)), t("You took the square root (RMSE): the mean squared error has no "
                                                  "square root.", "你开了平方根 (RMSE)：均方误差不开平方根。"))):
        if np.isclose(got, value):
            return why
    return t("mse is the MEAN of the squared errors (y_hat - y)^2.", "mse 是平方误差 (y_hat - y)^2 的平均值。")


def check_mse(mse, xs, ys) -> None:
    got = ck.number(ck.call(mse, 1.0, [1.0, 2.0, 3.0], [2.0, 4.0, 6.0], what="mse(1.0, [1, 2, 3], [2, 4, 6]) (lists)",
                            hint=MSE_HINT),
                    what="mse(1.0, [1, 2, 3], [2, 4, 6])",
                    hint=t("mse must return a Python float: float(np.mean(...))", "mse 必须返回 Python float：float(np.mean(...))"))
    ck.close(got, 14 / 3, what="mse(1.0, [1, 2, 3], [2, 4, 6])", rtol=1e-4, atol=1e-6, hint=_mse_hint(got))
    ck.close(ck.number(ck.call(mse, 2.0, xs, ys, what="mse(2.0, xs, ys)")), 0.0,
             what=t("mse(2.0, xs, ys): at w = 2 the model fits the data exactly", "mse(2.0, xs, ys)：w = 2 时模型完全拟合数据"))
    print(t("mse looks right.", "mse 看起来是对的。"))


def check_search_w(search_w, xs, ys) -> None:
    w_grid = np.arange(0.0, 4.1, 0.1)
    out = ck.call(search_w, xs, ys, w_grid, what="search_w(xs, ys, w_grid)")
    ck.true(isinstance(out, tuple) and len(out) == 2,
            t(f"search_w must return a tuple (best_w, costs), got a {type(out).__name__}",
              f"search_w 必须返回元组 (best_w, costs)，得到的是 {type(out).__name__}"))
    best_w, costs = out
    ck.true(isinstance(costs, np.ndarray), t(f"costs must be a numpy array, got a {type(costs).__name__}: "
                                             "return np.array(costs)",
                                             f"costs 必须是 numpy 数组，得到的是 {type(costs).__name__}：返回 np.array(costs)"))
    ck.shape(costs, w_grid.shape, what=t("costs (one cost per grid value)", "costs（每个网格值一个代价）"),
             hint=t("costs[i] is the mean cost of w_grid[i] (if you vectorised: average over the samples' axis, "
                    "not the grid's)", "costs[i] 是 w_grid[i] 的平均代价（如果你做了向量化：沿样本的轴求平均，不是沿网格的轴）"))
    ck.close(costs[0], 56 / 3, what=t("costs[0], the MSE at w_grid[0] = 0.0", "costs[0]，即 w_grid[0] = 0.0 处的均方误差"),
             hint=t("costs[i] is the mean squared error of w_grid[i] on all samples", "costs[i] 是 w_grid[i] 在全部样本上的均方误差"))
    bw = ck.number(best_w, what="best_w", hint=t("best_w is a number: the grid value w_grid[i] with the smallest cost",
                                                 "best_w 是一个数：代价最小的网格值 w_grid[i]"))
    hint = t("Return the grid value with the smallest cost: w_grid[np.argmin(costs)].",
             "返回代价最小的网格值：w_grid[np.argmin(costs)]。")
    if np.isclose(bw, 20):
        hint = t("You returned the index of the smallest cost: return the weight w_grid[index], not the index.",
                 "你返回的是最小代价的下标：要返回权重 w_grid[index]，而不是下标。")
    elif np.isclose(bw, 0.0) and np.isclose(float(np.min(costs)), 0.0):
        hint = t("You returned the smallest cost itself: return the weight w_grid[np.argmin(costs)], not the cost.",
                 "你返回的是最小代价本身：要返回权重 w_grid[np.argmin(costs)]，而不是代价。")
    elif np.isclose(bw, 0.0) or np.isclose(bw, 4.0):
        hint = t("That is the weight with the LARGEST cost: use np.argmin, not np.argmax.",
                 "这是代价最大的权重：用 np.argmin，不是 np.argmax。")
    ck.close(bw, 2.0, what=t("best_w on the course data", "课程数据上的 best_w"), hint=hint)
    print(t("search_w looks right.", "search_w 看起来是对的。"))


def best_w_slip(got: float, x, y, want: float) -> str:
    """What went wrong in a derivation of the best w of y_hat = x * w that gave ``got`` instead of
    ``want`` on data ``x``, ``y``: each usual wrong formula, named without stating the right one."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    sxy, sxx, n = np.sum(x * y), np.sum(x * x), len(x)
    cancels = t("the factor 1/N cancels: it scales the whole cost and does not move the minimum "
                "(mean or sum on both sides of the fraction, not on one)",
                "因子 1/N 会约掉：它只缩放整个代价，不移动最小点（分子分母同时用平均或同时用求和，不要只用在一边）")
    with np.errstate(divide="ignore", invalid="ignore"):   # some wrong formulas divide by a sum that is 0
        slips = [
            (-want, t("the sign is flipped: expand each square (x w - y)^2 and look at the sign of its middle term "
                      "before you set the slope to zero",
                      "符号反了：展开每个平方 (x w - y)^2，在令斜率为零之前看看中间项的符号")),
            (sxx / sxy, t("you inverted the fraction: solve the zero-slope equation for w again, which sum "
                          "multiplies w?", "你把分数颠倒了：重新从斜率为零的方程解出 w，乘在 w 上的是哪个求和？")),
            (sxy / np.sum(x), t("the denominator is a sum of x alone: each square contributes x_n^2 w^2, so the w^2 "
                                "term carries x squared",
                                "分母只是 x 的和：每个平方贡献 x_n^2 w^2，所以 w^2 项带的是 x 的平方")),
            (sxy / np.sum(y * y), t("the denominator uses y**2: the factor of w^2 comes from x, not from y",
                                    "分母用了 y**2：w^2 的系数来自 x，不是 y")),
            (np.sum(y) / np.sum(x), t("sum(y) / sum(x) is right only for data exactly on a line through 0: set the "
                                      "slope of the whole cost to zero instead",
                                      "sum(y) / sum(x) 只对恰好落在过原点直线上的数据成立：应令整个代价的斜率为零")),
            (np.mean(y / x) if np.all(x != 0) else np.nan,
             t("you averaged the ratios y / x: right only for data exactly on a line through 0; the minimum of the "
               "cost weighs the samples differently",
               "你对比值 y / x 求了平均：只对恰好落在过原点直线上的数据成立；代价的最小点对各样本的加权不同")),
            (np.mean(x * y) / np.mean(x) ** 2, t("you squared the mean of x: square each x first, then average",
                                                 "你把 x 的平均值平方了：先把每个 x 平方，再求平均")),
            (2 * want, t("twice the right value: a factor 2 appears in the slope twice and cancels",
                         "是正确值的两倍：因子 2 在斜率里出现两次，会约掉")),
            (want / 2, t("half the right value: a factor 2 appears in the slope twice and cancels",
                         "是正确值的一半：因子 2 在斜率里出现两次，会约掉")),
            (sxy / (n * sxx), cancels),
            (n * sxy / sxx, cancels),
            (np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2),
             t("that is the slope of a line WITH a bias (covariance over variance); this model y_hat = x * w has no "
               "bias", "这是带偏置的直线的斜率（协方差除以方差）；本模型 y_hat = x * w 没有偏置")),
        ]
        for value, why in slips:
            if np.isfinite(value) and not np.isclose(value, want) and np.isclose(got, value, rtol=1e-6, atol=1e-9):
                return why
    if abs(got - want) <= 0.06:
        return t("close, but not exact: that looks like a search on a grid; the derivation gives the exact minimum",
                 "接近但不精确：这看起来像是在网格上搜索；推导给出的是精确的最小点")
    return t("set the slope of the cost to zero and solve for w", "令代价的斜率为零，解出 w")


def best_w_on(best_w_formula, x, y, want: float, what: str) -> float:
    """``best_w_formula(x, y)`` must be the Python float ``want``; a wrong value is named by its slip."""
    got = ck.number(ck.call(best_w_formula, x, y,
                            what=what + t(" (xs, ys may be lists: convert them with np.asarray first)",
                                          "（xs, ys 可能是列表：先用 np.asarray 转换）")),
                    what=what, hint=t("return a Python float: float(...)", "返回 Python float：float(...)"))
    ck.close(got, want, what=what, rtol=1e-6, atol=1e-9, hint=best_w_slip(got, x, y, want))
    return got


def check_best_w_formula(best_w_formula) -> None:
    best_w_on(best_w_formula, [1.0, 2.0, 3.0], [2.0, 4.0, 6.0], 2.0,
              t("best_w_formula([1, 2, 3], [2, 4, 6]) (the course data)", "best_w_formula([1, 2, 3], [2, 4, 6])（课程数据）"))
    w_star = best_w_on(best_w_formula, [1.0, 2.0, 3.0], [2.0, 5.0, 5.0], 27 / 14,
                       t("best_w_formula([1, 2, 3], [2, 5, 5]) (no exact fit)",
                         "best_w_formula([1, 2, 3], [2, 5, 5])（不能完全拟合）"))
    fine = np.linspace(0.0, 4.0, 4001)  # the exhaustive search on a fine grid, for comparison
    grid_costs = [np.mean((np.array([1.0, 2.0, 3.0]) * w - np.array([2.0, 5.0, 5.0])) ** 2) for w in fine]
    found = fine[int(np.argmin(grid_costs))]
    print(t(f"best_w_formula looks right: w* = {w_star:.6f}; a search over 4001 values finds {found:.3f}",
            f"best_w_formula 看起来是对的：w* = {w_star:.6f}；在 4001 个值上搜索得到 {found:.3f}"))


def check_search_wb(search_wb) -> None:
    x2, y2 = np.array([1.0, 2.0, 3.0]), np.array([3.0, 5.0, 7.0])   # y = 2x + 1
    w_grid, b_grid = np.arange(0.0, 4.1, 0.1), np.arange(-2.0, 2.1, 0.25)
    out = ck.call(search_wb, x2, y2, w_grid, b_grid, what="search_wb(x2, y2, w_grid, b_grid)", hint=WB_HINT)
    ck.true(isinstance(out, tuple) and len(out) == 3,
            t("search_wb must return a tuple (best_w, best_b, cost)", "search_wb 必须返回元组 (best_w, best_b, cost)"))
    best_w, best_b, cost = out
    ck.true(isinstance(cost, np.ndarray), t(f"cost must be a numpy array, got a {type(cost).__name__}",
                                            f"cost 必须是 numpy 数组，得到的是 {type(cost).__name__}"))
    ck.shape(cost, (len(w_grid), len(b_grid)), what=t("cost (rows are weights, columns are biases)", "cost（行对应权重，列对应偏置）"),
             hint=(t("you swapped them: cost[i, j] belongs to w_grid[i] and b_grid[j]",
                     "你把行和列弄反了：cost[i, j] 对应 w_grid[i] 和 b_grid[j]")
                   if tuple(cost.shape) == (len(b_grid), len(w_grid))
                   else t("one row per weight, one column per bias", "每个权重一行，每个偏置一列")))
    model = t("cost[i, j] = mean((xs * w_grid[i] + b_grid[j] - ys) ** 2): the model is x * w + b",
              "cost[i, j] = mean((xs * w_grid[i] + b_grid[j] - ys) ** 2)：模型是 x * w + b")
    ck.close(cost[0, 0], 155 / 3, what=t("cost[0, 0], the MSE at w = w_grid[0], b = b_grid[0]",
                                         "cost[0, 0]，即 w = w_grid[0]、b = b_grid[0] 处的均方误差"), hint=model)
    ck.close(cost[25, 4], 3.5 / 3, what="cost[25, 4]", hint=model + t(", for every b", "，对每个 b 都如此"))
    bw, bb = ck.number(best_w, what="best_w"), ck.number(best_b, what="best_b")
    hint = t("Take w and b at the position of the smallest cost: i, j = np.unravel_index(np.argmin(cost), cost.shape).",
             "取最小代价所在位置的 w 和 b：i, j = np.unravel_index(np.argmin(cost), cost.shape)。")
    if np.isclose(bw, 20) and np.isclose(bb, 12):
        hint = t("You returned the indices (i, j): return the values w_grid[i] and b_grid[j].",
                 "你返回的是下标 (i, j)：要返回值 w_grid[i] 和 b_grid[j]。")
    elif np.isclose(bw, 0.0) and np.isclose(bb, -2.0):
        hint = t("That is the first grid point: the smallest cost is where np.argmin(cost) points (not a maximum, not cost[0, 0]).",
                 "这是第一个网格点：最小代价在 np.argmin(cost) 指向的位置（不是最大值，也不是 cost[0, 0]）。")
    ck.true(bool(np.isclose(bw, 2.0) and np.isclose(bb, 1.0)),
            t(f"best (w, b): expected (2.0, 1.0) for y = 2x + 1, got ({bw}, {bb}). {hint}",
              f"最好的 (w, b)：对 y = 2x + 1 应为 (2.0, 1.0)，得到的是 ({bw}, {bb})。{hint}"))
    print(t("search_wb looks right.", "search_wb 看起来是对的。"))
