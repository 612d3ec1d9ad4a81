"""Lecture 02's visible checks (source/02_gradient_descent):
``from course.exercises import gradient_descent as q``.

The visible inputs and the expected values for them, as numbers; the messages that name the usual
mistakes. A check on other inputs (the hidden part of a test cell) brings the right values, and the
values the usual mistakes give, as arguments (``q.gradient_on``, ``q.gd_on``, ...).
"""
from __future__ import annotations

import numpy as np

from course import checks as ck
from course.i18n import t

LISTS_HINT = t("convert the sequences first (np.asarray(xs, dtype=float)): a Python list times a float raises an error",
               "先转换序列 (np.asarray(xs, dtype=float))：Python 列表乘以 float 会报错")
FLOAT_HINT = t("gradient must return a Python float: float(np.mean(...))",
               "gradient 必须返回 Python float：float(np.mean(...))")
PER_EPOCH = t("record one cost per epoch (epochs entries)", "每轮记录一个代价（共 epochs 个）")
_XS, _YS = (1.0, 2.0, 3.0), (2.0, 4.0, 6.0)   # lecture 01's data (y = 2x), as the notebook defines xs, ys


def _data():
    return np.array(_XS), np.array(_YS)


# --------------------------------------------------------------------------- Exercise 1: gradient
def _gradient_slip(got: float, want: float, n: int, no_x: float | None = None) -> str:
    if np.isclose(got, want / 2):
        return t("You forgot the factor 2 from the derivative of the square: d/dw (xw - y)^2 = 2 (xw - y) x.",
                 "你漏掉了平方求导得到的因子 2：d/dw (xw - y)^2 = 2 (xw - y) x。")
    if np.isclose(got, -want):
        return t("The sign is flipped: use (x*w - y), not (y - x*w); with the wrong sign the descent goes uphill.",
                 "符号反了：要用 (x*w - y)，而不是 (y - x*w)；符号错了，梯度下降就会往上坡走。")
    if np.isclose(got, want * n):
        return t("You summed over the samples: divide by N (the cost is a mean).",
                 "你对样本求和了：要除以 N（代价是平均值）。")
    if no_x is not None and np.isclose(got, no_x):
        return t("The chain rule gives a factor x: d/dw (xw - y)^2 = 2 (xw - y) * x, for each sample.",
                 "链式法则会带来一个因子 x：对每个样本，d/dw (xw - y)^2 = 2 (xw - y) * x。")
    return ""


def gradient_on(gradient, w, x, y, want: float, what: str, no_x: float | None = None) -> float:
    """``gradient(w, x, y)`` must be the Python float ``want`` (``no_x``: what dropping the inner
    derivative x gives on these data, when the caller knows it)."""
    got = ck.number(ck.call(gradient, w, x, y, what=what, hint=LISTS_HINT), what=what,
                    hint=FLOAT_HINT)
    hint = _gradient_slip(got, want, len(x), no_x) or t(
        "use the arguments w, xs, ys (not the notebook's global data): the mean over the samples of 2 * x * (x * w - y)",
        "使用参数 w、xs、ys（不要用 notebook 里的全局数据）：对样本求 2 * x * (x * w - y) 的平均值")
    ck.close(got, want, what=what, hint=hint)
    return got


def check_gradient(gradient) -> None:
    got = ck.number(ck.call(gradient, 1.0, [1.0, 2.0, 3.0], [2.0, 4.0, 6.0],
                            what=t("gradient(1.0, [1, 2, 3], [2, 4, 6]) (lists)", "gradient(1.0, [1, 2, 3], [2, 4, 6])（列表）"),
                            hint=LISTS_HINT),
                    what="gradient(1.0, [1, 2, 3], [2, 4, 6])", hint=FLOAT_HINT)
    hint = (_gradient_slip(got, -28 / 3, 3, no_x=-4.0)
            or t("The gradient is the mean over the samples of 2 * x * (x * w - y).",
                 "梯度是 2 * x * (x * w - y) 在样本上的平均值。"))
    ck.close(got, -28 / 3, what="gradient(1.0, [1, 2, 3], [2, 4, 6])", hint=hint)
    x, y = _data()
    ck.close(ck.number(ck.call(gradient, 2.0, x, y, what="gradient(2.0, xs, ys)")), 0.0,
             what=t("gradient(2.0, xs, ys): at the minimum w = 2 the gradient", "gradient(2.0, xs, ys)：最小点 w = 2 处的梯度"))
    print(t("gradient looks right.", "gradient 看起来是对的。"))


# --------------------------------------------------------------------------- Exercises 2 and 3: the runs
def _run(fn, args, what: str, name: str, length: int, shape_hint: str):
    out = ck.call(fn, *args, what=what)
    ck.true(isinstance(out, tuple) and len(out) == 2, t(f"{what} must return a tuple (w, {name}), got a {type(out).__name__}",
                                                        f"{what} 必须返回元组 (w, {name})，得到的是 {type(out).__name__}"))
    w_got, values = out
    ck.true(isinstance(values, np.ndarray),
            t(f"{what}: {name} must be a numpy array, got a {type(values).__name__} (np.array({name}))",
              f"{what}：{name} 必须是 numpy 数组，得到的是 {type(values).__name__}（np.array({name})）"))
    ck.shape(values, (length,), what=f"{what}: {name}", hint=shape_hint)
    return w_got, ck.array(values, what=f"{what}: {name}")


def _matches(got, slip) -> bool:
    return slip is not None and bool(np.allclose(got, np.asarray(slip, dtype=float), rtol=1e-4))


def _finish(got, want, w_got, want_w, what: str, name: str, hint: str, at=slice(None)) -> None:
    ck.close(got[at], want, what=f"{what}: {name}", hint=hint)
    final = t(f"{what}: the final w", f"{what}：最终的 w")
    ck.close(ck.number(w_got, what=final), want_w, what=final, hint=hint)


def _gd_hint(c, lr, w0, after=None, lr_001=None, w0_1=None) -> str:
    if after is not None and len(c) > 1 and _matches(c, after):
        return t("you recorded the cost AFTER the update: record it at the current w, BEFORE updating",
                 "你是在更新之后才记录代价的：要在当前的 w 处、更新之前记录")
    if lr != 0.01 and _matches(c, lr_001):
        return t(f"the costs follow lr = 0.01, not the lr = {lr} passed in: use the argument lr",
                 f"代价按 lr = 0.01 变化，而不是传入的 lr = {lr}：要使用参数 lr")
    if w0 != 1.0 and _matches(c, w0_1):
        return t(f"the run starts at w = 1.0, not at the w0 = {w0} passed in: use the argument w0",
                 f"训练从 w = 1.0 开始，而不是从传入的 w0 = {w0} 开始：要使用参数 w0")
    return t("check the update w = w - lr * gradient(w, xs, ys), using the arguments w0, lr and epochs",
             "检查更新 w = w - lr * gradient(w, xs, ys)，并使用参数 w0、lr 和 epochs")


def gd_on(batch_gd, args, want, what: str, after=None, lr_001=None, w0_1=None) -> None:
    """``batch_gd(*args)`` must give ``want = (w, costs)``; ``after``, ``lr_001``, ``w0_1``: the costs
    of the usual slips on these inputs (recorded after the update, lr = 0.01, a start at 1.0)."""
    x, y, w0, lr, epochs = args
    w_got, c = _run(batch_gd, args, what, "costs", epochs, PER_EPOCH)
    _finish(c, want[1], w_got, want[0], what, t("costs per epoch", "每轮的 costs"), _gd_hint(c, lr, w0, after, lr_001, w0_1))


# batch_gd(xs, ys, 1.0, 0.01, 100): the costs of the first 11 epochs, the last cost, the final w
_GD_COSTS = (4.666666666666667, 3.8362074074074086, 3.1535329869958857, 2.592344272332262, 2.1310222071581117,
             1.7517949663820642, 1.440053319920117, 1.1837878313441108, 0.9731262101573632, 0.7999529948031382,
             0.6575969151946154)
_GD_LAST, _GD_W = 1.752432687141379e-08, 1.9999444396553017


def check_batch_gd(batch_gd) -> None:
    x, y = _data()
    what = "batch_gd(xs, ys, w0=1.0, lr=0.01, epochs=100)"
    w_got, c = _run(batch_gd, (x, y, 1.0, 0.01, 100), what, "costs", 100, PER_EPOCH)
    hint = _gd_hint(c[:10], 0.01, 1.0, after=_GD_COSTS[1:11])
    _finish(c, _GD_COSTS[:10], w_got, _GD_W, what, t("the costs of the first 10 epochs", "前 10 轮的 costs"), hint,
            at=slice(0, 10))
    ck.close(c[-1], _GD_LAST, what=t(f"{what}: the last cost", f"{what}：最后一个代价"), hint=hint)
    print(t(f"batch_gd looks right: w = {ck.number(w_got):.5f}", f"batch_gd 看起来是对的：w = {ck.number(w_got):.5f}"))


def _sgd_hint(l, want, n, lr, w0, full=None, after=None, lr_001=None, w0_1=None) -> str:
    hint = t("update w after EACH sample with that sample's gradient 2*x*(x*w - y), recording its loss before the update",
             "每个样本之后都要用这个样本的梯度 2*x*(x*w - y) 更新 w，并在更新之前记录它的损失")
    want = np.asarray(want, dtype=float)
    if _matches(l, full):
        return t("each step used the gradient over ALL samples: SGD uses the gradient of the current sample alone",
                 "每一步用的都是全部样本上的梯度：SGD 只用当前这一个样本的梯度")
    if _matches(l, after):
        return t("you recorded the loss AFTER the update: record it at the current w, before updating",
                 "你是在更新之后才记录损失的：要在当前的 w 处、更新之前记录")
    if lr != 0.01 and _matches(l, lr_001):
        return t(f"the losses follow lr = 0.01, not the lr = {lr} passed in: use the argument lr",
                 f"损失按 lr = 0.01 变化，而不是传入的 lr = {lr}：要使用参数 lr")
    if w0 != 1.0 and _matches(l, w0_1):
        return t(f"the run starts at w = 1.0, not at the w0 = {w0} passed in: use the argument w0",
                 f"训练从 w = 1.0 开始，而不是从传入的 w0 = {w0} 开始：要使用参数 w0")
    if np.allclose(np.sort(l[:n]), np.sort(want[:n]), rtol=1e-4) or not np.allclose(l[0], want[0], rtol=1e-4):
        return t("visit the samples in their given order (no shuffling), ", "按给定的顺序访问样本（不要打乱），") + hint
    return hint


def _sgd_run(sgd, args, what):
    x, y, w0, lr, epochs = args
    n = len(x)
    out = ck.call(sgd, *args, what=what)
    ck.true(isinstance(out, tuple) and len(out) == 2, t(f"{what} must return a tuple (w, losses), got a {type(out).__name__}",
                                                        f"{what} 必须返回元组 (w, losses)，得到的是 {type(out).__name__}"))
    w_got, losses = out
    ck.true(isinstance(losses, np.ndarray),
            t(f"{what}: losses must be a numpy array, got a {type(losses).__name__} (np.array(losses))",
              f"{what}：losses 必须是 numpy 数组，得到的是 {type(losses).__name__}（np.array(losses)）"))
    ck.shape(losses, (epochs * n,), what=t(f"{what}: losses (one per step, epochs * N)", f"{what}：losses（每步一个，共 epochs * N 个）"),
             hint=(t("record the loss of every sample, not once per epoch", "要记录每个样本的损失，而不是每轮只记录一次")
                   if tuple(losses.shape) == (epochs,) else t("one entry per step: epochs * N", "每步一个：共 epochs * N 个")))
    return w_got, ck.array(losses, what=f"{what}: losses")


def sgd_on(sgd, args, want, what: str, full=None, after=None, lr_001=None, w0_1=None) -> None:
    """``sgd(*args)`` must give ``want = (w, losses)``; ``full``, ``after``, ``lr_001``, ``w0_1``: the
    losses of the usual slips on these inputs (the gradient of all samples, the loss recorded after
    the update, lr = 0.01, a start at 1.0)."""
    x, y, w0, lr, epochs = args
    w_got, l = _sgd_run(sgd, args, what)
    hint = _sgd_hint(l, want[1], len(x), lr, w0, full, after, lr_001, w0_1)
    _finish(l, want[1], w_got, want[0], what, t("losses per step", "每步的 losses"), hint)


# sgd(xs, ys, 1.0, 0.01, 100): the losses of the first 9 steps (3 epochs), and those of two slips
_SGD_LOSSES = (1.0, 3.8415999999999997, 7.315943039999998, 0.5465822333439999, 2.09975030761431, 3.9987644858206908,
               0.2987521378073149, 1.1476862126005813, 2.1856536232765476)
_SGD_FULL = (1.0, 3.2881777777777783, 6.081813617777779, 0.555502344071199, 1.8265904632783816, 3.3784617208796957,
             0.30858285426859655, 1.014675284009238, 1.8767434053034862)
_SGD_AFTER = (0.9603999999999999, 3.2515302399999997, 4.919240100095999, 0.5249375769035775, 1.7772286603647518,
              2.688769240265834, 0.28692155315014534, 0.9714016103451322, 1.4696334962911515)
_SGD_LAST, _SGD_W = 7.82747233205549e-26, 1.9999999999999236


def check_sgd(sgd) -> None:
    x, y = _data()
    what = "sgd(xs, ys, w0=1.0, lr=0.01, epochs=100)"
    w_got, l = _sgd_run(sgd, (x, y, 1.0, 0.01, 100), what)
    hint = _sgd_hint(l[:9], _SGD_LOSSES, 3, 0.01, 1.0, full=_SGD_FULL, after=_SGD_AFTER)
    _finish(l, _SGD_LOSSES, w_got, _SGD_W, what, t("the losses of the first 9 steps", "前 9 步的 losses"), hint, at=slice(0, 9))
    ck.close(l[-1], _SGD_LAST, what=t(f"{what}: the last loss", f"{what}：最后一个损失"), hint=hint)
    print(t(f"sgd looks right: w = {ck.number(w_got):.5f}", f"sgd 看起来是对的：w = {ck.number(w_got):.5f}"))


# --------------------------------------------------------------------------- Exercise 4: ema
EMA_HINT = t("s[0] = values[0], then s[t] = beta * s[t-1] + (1 - beta) * values[t]",
             "s[0] = values[0]，然后 s[t] = beta * s[t-1] + (1 - beta) * values[t]")


def check_ema(ema) -> None:
    got = ck.call(ema, [0.0, 10.0, 10.0], 0.9, what="ema([0, 10, 10], 0.9)")
    ck.true(isinstance(got, np.ndarray), t(f"ema must return a numpy array, got a {type(got).__name__}",
                                           f"ema 必须返回 numpy 数组，得到的是 {type(got).__name__}"))
    ck.shape(got, (3,), what=t("ema of 3 values", "3 个值的 ema"), hint=t("one smoothed value per input", "每个输入一个平滑后的值"))
    g = ck.array(got, what="ema([0, 10, 10], 0.9)")
    hint = EMA_HINT
    if np.allclose(g, [0.0, 9.0, 9.9]):
        hint = t("You swapped beta and (1 - beta): beta weights the OLD average, (1 - beta) the new value.",
                 "你把 beta 和 (1 - beta) 弄反了：beta 是旧平均值的权重，(1 - beta) 是新值的权重。")
    ck.close(g, [0.0, 1.0, 1.9], what="ema([0, 10, 10], 0.9)", hint=hint)
    g = ck.array(ck.call(ema, [5.0, 5.0, 5.0, 5.0], 0.7, what="ema([5, 5, 5, 5], 0.7)"), what="ema([5, 5, 5, 5], 0.7)")
    ck.close(g, [5.0] * 4, what=t("ema of a constant sequence (it is that constant)", "常数序列的 ema（就是这个常数本身）"),
             hint=(t("start with s[0] = values[0], not with 0 (an average started at 0 is biased towards 0)",
                     "从 s[0] = values[0] 开始，而不是从 0 开始（从 0 开始的平均值会偏向 0）")
                   if np.isclose(g[0], 1.5) else EMA_HINT))
    print(t("ema looks right.", "ema 看起来是对的。"))


def ema_on(ema, values, beta, want, what: str, beta_09=None):
    """``ema(values, beta)`` must be ``want``; ``beta_09``: the average with beta = 0.9 (an ignored
    argument). Returns what ema returned, as an array."""
    got = ck.array(ck.call(ema, values, beta, what=what), what=what)
    hint = (t("the result follows beta = 0.9: use the argument beta", "结果是按 beta = 0.9 算的：要使用参数 beta")
            if _matches(got, beta_09) and beta != 0.9 else EMA_HINT)
    if beta == 0.0:
        hint = t("use the argument beta", "要使用参数 beta")
    ck.close(got, want, what=what, hint=hint)
    return got


# --------------------------------------------------------------------------- Exercise 5: diverges
def verdict(diverges, costs, label: str) -> bool:
    """What ``diverges(costs)`` says, as a bool (a bool or np.bool_ is required)."""
    got = ck.call(diverges, costs, what=f"diverges({label})")
    ck.true(type(got) in (bool, np.bool_), t(f"diverges({label}) must return a bool (True/False), got a {type(got).__name__}",
                                             f"diverges({label}) 必须返回 bool (True/False)，得到的是 {type(got).__name__}"))
    return bool(got)


def check_diverges(diverges) -> None:
    ck.true(verdict(diverges, [1.0, 2.0, 4.0, 8.0], "[1, 2, 4, 8]") is True,
            t("a cost that grows from 1 to 8 is a diverging run: expected True, got False",
              "代价从 1 增长到 8，这次训练发散了：应为 True，得到的是 False"))
    ck.true(verdict(diverges, [5.0, 1.0, 0.5, 0.1], "[5, 1, 0.5, 0.1]") is False,
            t("a cost that falls from 5 to 0.1 converges: expected False, got True",
              "代价从 5 降到 0.1，是收敛的：应为 False，得到的是 True"))
    ck.true(verdict(diverges, [5.0, 1e30, float("inf")], "[5, 1e30, inf]") is True,
            t("a run that reached inf diverged: expected True, got False",
              "代价到达了 inf，这次训练发散了：应为 True，得到的是 False"))
    ck.true(verdict(diverges, [5.0, 1e300, float("nan")], "[5, 1e300, nan]") is True,
            t("a run whose last cost is nan diverged: expected True, got False. Every comparison with nan is False: "
              "check np.isfinite, not only costs[-1] > costs[0]",
              "最后一个代价是 nan，这次训练发散了：应为 True，得到的是 False。与 nan 的任何比较都是 False："
              "要用 np.isfinite 检查，而不能只看 costs[-1] > costs[0]"))
    print(t("diverges looks right.", "diverges 看起来是对的。"))


# --------------------------------------------------------------------------- Exercise 6: gradient_wb (derived)
# The messages name a wrong derivation without writing the right one (docs/authoring.md, round three).
WB_DERIVE = t("derive both on paper again: the outer derivative of the square times the inner derivative of "
              "(x w + b - y) with respect to that one parameter, averaged over the samples",
              "在纸上把两个偏导数重新推导一遍：平方的外层导数乘以 (x w + b - y) 对这一个参数的内层导数，再对样本求平均")


def wb_on(gradient_wb, w, b, x, y, want, what: str, dw_without_b: float | None = None) -> None:
    """``gradient_wb(w, b, x, y)`` must be the pair ``want = (dw, db)``; ``dw_without_b``: the right
    dw for b = 0 (what ignoring the bias gives), when the caller knows it."""
    out = ck.call(gradient_wb, w, b, x, y, what=t(f"{what} (xs, ys may be lists: convert them with np.asarray first)",
                                                   f"{what}（xs、ys 可能是列表：先用 np.asarray 转换）"))
    ck.true(isinstance(out, (tuple, list)) and len(out) == 2, t(f"{what} must return a pair (dw, db), got a {type(out).__name__}",
                                                                f"{what} 必须返回一对值 (dw, db)，得到的是 {type(out).__name__}"))
    floats = t("return Python floats: float(np.mean(...))", "返回 Python float：float(np.mean(...))")
    dw = ck.number(out[0], f"{what}: dw", floats)
    db = ck.number(out[1], f"{what}: db", floats)
    rw, rb = (float(v) for v in want)
    n = len(x)
    hint = WB_DERIVE
    if np.allclose([dw, db], [rw / 2, rb / 2]):
        hint = t("both are half the expected value: the factor 2 from the derivative of the square is missing",
                 "两个都只有期望值的一半：漏掉了平方求导得到的因子 2")
    elif np.allclose([dw, db], [-rw, -rb]):
        hint = t("the sign is flipped: the error is (x w + b - y), not (y - x w - b); with the wrong sign descent goes uphill",
                 "符号反了：误差是 (x w + b - y)，而不是 (y - x w - b)；符号错了，梯度下降就会往上坡走")
    elif np.allclose([dw, db], [rw * n, rb * n]):
        hint = t("you summed over the samples: divide by N (the cost is a mean)", "你对样本求和了：要除以 N（代价是平均值）")
    elif np.allclose([dw, db], [rb, rw]):
        hint = t("dw and db are swapped: return (dw, db) in this order", "dw 和 db 弄反了：按 (dw, db) 的顺序返回")
    elif np.isclose(dw, rw) and np.isclose(db, rw):
        hint = t("db carries the factor x, as dw does: differentiate (x w + b - y) with respect to b alone, w held "
                 "constant, and look at the inner derivative again",
                 "db 和 dw 一样带着因子 x：只对 b 求 (x w + b - y) 的导数（把 w 当作常数），再看一看内层导数")
    elif np.isclose(db, rb) and np.isclose(dw, rb):
        hint = t("dw looks like db: an inner derivative is missing from dw (differentiate (x w + b - y) with respect to w)",
                 "dw 看起来和 db 一样：dw 缺了一个内层导数（对 w 求 (x w + b - y) 的导数）")
    elif dw_without_b is not None and np.isclose(dw, dw_without_b):
        hint = t("dw ignores the bias: the error inside is (x w + b - y), with the b passed in",
                 "dw 忽略了偏置：里面的误差是 (x w + b - y)，要用传入的 b")
    ck.close([dw, db], [rw, rb], what=f"{what}: (dw, db)", hint=hint)


def check_gradient_wb(gradient_wb) -> None:
    wb_on(gradient_wb, 1.0, 0.5, [1.0, 2.0, 3.0], [2.0, 4.0, 6.0], (-22 / 3, -3.0),
          "gradient_wb(1.0, 0.5, [1, 2, 3], [2, 4, 6])", dw_without_b=-28 / 3)
    x, y = _data()
    wb_on(gradient_wb, 2.0, 0.0, x, y, (0.0, 0.0), t("gradient_wb(2.0, 0.0, xs, ys) (the exact fit: both gradients are 0)",
                                                     "gradient_wb(2.0, 0.0, xs, ys)（完全拟合：两个梯度都是 0）"))
    print(t("gradient_wb looks right.", "gradient_wb 看起来是对的。"))
