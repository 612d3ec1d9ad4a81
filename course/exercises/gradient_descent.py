"""Lecture 02's visible checks (source/02_gradient_descent):
``from course.exercises import gradient_descent as q``.

The visible inputs and the expected values for them, as numbers; the messages that name the usual
mistakes. A check on other inputs (the hidden part of a test cell) brings the right values, and the
values the usual mistakes give, as arguments (``q.gradient_on``, ``q.gd_on``, ...).
"""
from __future__ import annotations

import numpy as np

from course import checks as ck

LISTS_HINT = "convert the sequences first (np.asarray(xs, dtype=float)): a Python list times a float raises an error"
_XS, _YS = (1.0, 2.0, 3.0), (2.0, 4.0, 6.0)   # lecture 01's data (y = 2x), as the notebook defines xs, ys


def _data():
    return np.array(_XS), np.array(_YS)


# --------------------------------------------------------------------------- Exercise 1: gradient
def _gradient_slip(got: float, want: float, n: int, no_x: float | None = None) -> str:
    if np.isclose(got, want / 2):
        return "You forgot the factor 2 from the derivative of the square: d/dw (xw - y)^2 = 2 (xw - y) x."
    if np.isclose(got, -want):
        return "The sign is flipped: use (x*w - y), not (y - x*w); with the wrong sign the descent goes uphill."
    if np.isclose(got, want * n):
        return "You summed over the samples: divide by N (the cost is a mean)."
    if no_x is not None and np.isclose(got, no_x):
        return "The chain rule gives a factor x: d/dw (xw - y)^2 = 2 (xw - y) * x, for each sample."
    return ""


def gradient_on(gradient, w, x, y, want: float, what: str, no_x: float | None = None) -> float:
    """``gradient(w, x, y)`` must be the Python float ``want`` (``no_x``: what dropping the inner
    derivative x gives on these data, when the caller knows it)."""
    got = ck.number(ck.call(gradient, w, x, y, what=what, hint=LISTS_HINT), what=what,
                    hint="gradient must return a Python float: float(np.mean(...))")
    hint = _gradient_slip(got, want, len(x), no_x) or (
        "use the arguments w, xs, ys (not the notebook's global data): the mean over the samples of 2 * x * (x * w - y)")
    ck.close(got, want, what=what, hint=hint)
    return got


def check_gradient(gradient) -> None:
    got = ck.number(ck.call(gradient, 1.0, [1.0, 2.0, 3.0], [2.0, 4.0, 6.0],
                            what="gradient(1.0, [1, 2, 3], [2, 4, 6]) (lists)", hint=LISTS_HINT),
                    what="gradient(1.0, [1, 2, 3], [2, 4, 6])", hint="gradient must return a Python float: float(np.mean(...))")
    hint = (_gradient_slip(got, -28 / 3, 3, no_x=-4.0)
            or "The gradient is the mean over the samples of 2 * x * (x * w - y).")
    ck.close(got, -28 / 3, what="gradient(1.0, [1, 2, 3], [2, 4, 6])", hint=hint)
    x, y = _data()
    ck.close(ck.number(ck.call(gradient, 2.0, x, y, what="gradient(2.0, xs, ys)")), 0.0,
             what="gradient(2.0, xs, ys): at the minimum w = 2 the gradient")
    print("gradient looks right.")


# --------------------------------------------------------------------------- Exercises 2 and 3: the runs
def _run(fn, args, what: str, name: str, length: int, shape_hint: str):
    out = ck.call(fn, *args, what=what)
    ck.true(isinstance(out, tuple) and len(out) == 2, f"{what} must return a tuple (w, {name}), got a {type(out).__name__}")
    w_got, values = out
    ck.true(isinstance(values, np.ndarray),
            f"{what}: {name} must be a numpy array, got a {type(values).__name__} (np.array({name}))")
    ck.shape(values, (length,), what=f"{what}: {name}", hint=shape_hint)
    return w_got, ck.array(values, what=f"{what}: {name}")


def _matches(got, slip) -> bool:
    return slip is not None and bool(np.allclose(got, np.asarray(slip, dtype=float), rtol=1e-4))


def _finish(got, want, w_got, want_w, what: str, name: str, hint: str, at=slice(None)) -> None:
    ck.close(got[at], want, what=f"{what}: {name}", hint=hint)
    ck.close(ck.number(w_got, what=f"{what}: the final w"), want_w, what=f"{what}: the final w", hint=hint)


def _gd_hint(c, lr, w0, after=None, lr_001=None, w0_1=None) -> str:
    if after is not None and len(c) > 1 and _matches(c, after):
        return "you recorded the cost AFTER the update: record it at the current w, BEFORE updating"
    if lr != 0.01 and _matches(c, lr_001):
        return f"the costs follow lr = 0.01, not the lr = {lr} passed in: use the argument lr"
    if w0 != 1.0 and _matches(c, w0_1):
        return f"the run starts at w = 1.0, not at the w0 = {w0} passed in: use the argument w0"
    return "check the update w = w - lr * gradient(w, xs, ys), using the arguments w0, lr and epochs"


def gd_on(batch_gd, args, want, what: str, after=None, lr_001=None, w0_1=None) -> None:
    """``batch_gd(*args)`` must give ``want = (w, costs)``; ``after``, ``lr_001``, ``w0_1``: the costs
    of the usual slips on these inputs (recorded after the update, lr = 0.01, a start at 1.0)."""
    x, y, w0, lr, epochs = args
    w_got, c = _run(batch_gd, args, what, "costs", epochs, "record one cost per epoch (epochs entries)")
    _finish(c, want[1], w_got, want[0], what, "costs per epoch", _gd_hint(c, lr, w0, after, lr_001, w0_1))


# batch_gd(xs, ys, 1.0, 0.01, 100): the costs of the first 11 epochs, the last cost, the final w
_GD_COSTS = (4.666666666666667, 3.8362074074074086, 3.1535329869958857, 2.592344272332262, 2.1310222071581117,
             1.7517949663820642, 1.440053319920117, 1.1837878313441108, 0.9731262101573632, 0.7999529948031382,
             0.6575969151946154)
_GD_LAST, _GD_W = 1.752432687141379e-08, 1.9999444396553017


def check_batch_gd(batch_gd) -> None:
    x, y = _data()
    what = "batch_gd(xs, ys, w0=1.0, lr=0.01, epochs=100)"
    w_got, c = _run(batch_gd, (x, y, 1.0, 0.01, 100), what, "costs", 100, "record one cost per epoch (epochs entries)")
    hint = _gd_hint(c[:10], 0.01, 1.0, after=_GD_COSTS[1:11])
    _finish(c, _GD_COSTS[:10], w_got, _GD_W, what, "the costs of the first 10 epochs", hint, at=slice(0, 10))
    ck.close(c[-1], _GD_LAST, what=f"{what}: the last cost", hint=hint)
    print(f"batch_gd looks right: w = {ck.number(w_got):.5f}")


def _sgd_hint(l, want, n, lr, w0, full=None, after=None, lr_001=None, w0_1=None) -> str:
    hint = "update w after EACH sample with that sample's gradient 2*x*(x*w - y), recording its loss before the update"
    want = np.asarray(want, dtype=float)
    if _matches(l, full):
        return "each step used the gradient over ALL samples: SGD uses the gradient of the current sample alone"
    if _matches(l, after):
        return "you recorded the loss AFTER the update: record it at the current w, before updating"
    if lr != 0.01 and _matches(l, lr_001):
        return f"the losses follow lr = 0.01, not the lr = {lr} passed in: use the argument lr"
    if w0 != 1.0 and _matches(l, w0_1):
        return f"the run starts at w = 1.0, not at the w0 = {w0} passed in: use the argument w0"
    if np.allclose(np.sort(l[:n]), np.sort(want[:n]), rtol=1e-4) or not np.allclose(l[0], want[0], rtol=1e-4):
        return "visit the samples in their given order (no shuffling), " + hint
    return hint


def _sgd_run(sgd, args, what):
    x, y, w0, lr, epochs = args
    n = len(x)
    out = ck.call(sgd, *args, what=what)
    ck.true(isinstance(out, tuple) and len(out) == 2, f"{what} must return a tuple (w, losses), got a {type(out).__name__}")
    w_got, losses = out
    ck.true(isinstance(losses, np.ndarray),
            f"{what}: losses must be a numpy array, got a {type(losses).__name__} (np.array(losses))")
    ck.shape(losses, (epochs * n,), what=f"{what}: losses (one per step, epochs * N)",
             hint=("record the loss of every sample, not once per epoch" if tuple(losses.shape) == (epochs,)
                   else "one entry per step: epochs * N"))
    return w_got, ck.array(losses, what=f"{what}: losses")


def sgd_on(sgd, args, want, what: str, full=None, after=None, lr_001=None, w0_1=None) -> None:
    """``sgd(*args)`` must give ``want = (w, losses)``; ``full``, ``after``, ``lr_001``, ``w0_1``: the
    losses of the usual slips on these inputs (the gradient of all samples, the loss recorded after
    the update, lr = 0.01, a start at 1.0)."""
    x, y, w0, lr, epochs = args
    w_got, l = _sgd_run(sgd, args, what)
    hint = _sgd_hint(l, want[1], len(x), lr, w0, full, after, lr_001, w0_1)
    _finish(l, want[1], w_got, want[0], what, "losses per step", hint)


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
    _finish(l, _SGD_LOSSES, w_got, _SGD_W, what, "the losses of the first 9 steps", hint, at=slice(0, 9))
    ck.close(l[-1], _SGD_LAST, what=f"{what}: the last loss", hint=hint)
    print(f"sgd looks right: w = {ck.number(w_got):.5f}")


# --------------------------------------------------------------------------- Exercise 4: ema
EMA_HINT = "s[0] = values[0], then s[t] = beta * s[t-1] + (1 - beta) * values[t]"


def check_ema(ema) -> None:
    got = ck.call(ema, [0.0, 10.0, 10.0], 0.9, what="ema([0, 10, 10], 0.9)")
    ck.true(isinstance(got, np.ndarray), f"ema must return a numpy array, got a {type(got).__name__}")
    ck.shape(got, (3,), what="ema of 3 values", hint="one smoothed value per input")
    g = ck.array(got, what="ema([0, 10, 10], 0.9)")
    hint = EMA_HINT
    if np.allclose(g, [0.0, 9.0, 9.9]):
        hint = "You swapped beta and (1 - beta): beta weights the OLD average, (1 - beta) the new value."
    ck.close(g, [0.0, 1.0, 1.9], what="ema([0, 10, 10], 0.9)", hint=hint)
    g = ck.array(ck.call(ema, [5.0, 5.0, 5.0, 5.0], 0.7, what="ema([5, 5, 5, 5], 0.7)"), what="ema([5, 5, 5, 5], 0.7)")
    ck.close(g, [5.0] * 4, what="ema of a constant sequence (it is that constant)",
             hint=("start with s[0] = values[0], not with 0 (an average started at 0 is biased towards 0)"
                   if np.isclose(g[0], 1.5) else EMA_HINT))
    print("ema looks right.")


def ema_on(ema, values, beta, want, what: str, beta_09=None):
    """``ema(values, beta)`` must be ``want``; ``beta_09``: the average with beta = 0.9 (an ignored
    argument). Returns what ema returned, as an array."""
    got = ck.array(ck.call(ema, values, beta, what=what), what=what)
    hint = "the result follows beta = 0.9: use the argument beta" if _matches(got, beta_09) and beta != 0.9 else EMA_HINT
    if beta == 0.0:
        hint = "use the argument beta"
    ck.close(got, want, what=what, hint=hint)
    return got


# --------------------------------------------------------------------------- Exercise 5: diverges
def verdict(diverges, costs, label: str) -> bool:
    """What ``diverges(costs)`` says, as a bool (a bool or np.bool_ is required)."""
    got = ck.call(diverges, costs, what=f"diverges({label})")
    ck.true(type(got) in (bool, np.bool_), f"diverges({label}) must return a bool (True/False), got a {type(got).__name__}")
    return bool(got)


def check_diverges(diverges) -> None:
    ck.true(verdict(diverges, [1.0, 2.0, 4.0, 8.0], "[1, 2, 4, 8]") is True,
            "a cost that grows from 1 to 8 is a diverging run: expected True, got False")
    ck.true(verdict(diverges, [5.0, 1.0, 0.5, 0.1], "[5, 1, 0.5, 0.1]") is False,
            "a cost that falls from 5 to 0.1 converges: expected False, got True")
    ck.true(verdict(diverges, [5.0, 1e30, float("inf")], "[5, 1e30, inf]") is True,
            "a run that reached inf diverged: expected True, got False")
    ck.true(verdict(diverges, [5.0, 1e300, float("nan")], "[5, 1e300, nan]") is True,
            "a run whose last cost is nan diverged: expected True, got False. Every comparison with nan is False: "
            "check np.isfinite, not only costs[-1] > costs[0]")
    print("diverges looks right.")


# --------------------------------------------------------------------------- Exercise 6: gradient_wb (derived)
# The messages name a wrong derivation without writing the right one (docs/authoring.md, round three).
WB_DERIVE = ("derive both on paper again: the outer derivative of the square times the inner derivative of "
             "(x w + b - y) with respect to that one parameter, averaged over the samples")


def wb_on(gradient_wb, w, b, x, y, want, what: str, dw_without_b: float | None = None) -> None:
    """``gradient_wb(w, b, x, y)`` must be the pair ``want = (dw, db)``; ``dw_without_b``: the right
    dw for b = 0 (what ignoring the bias gives), when the caller knows it."""
    out = ck.call(gradient_wb, w, b, x, y, what=f"{what} (xs, ys may be lists: convert them with np.asarray first)")
    ck.true(isinstance(out, (tuple, list)) and len(out) == 2, f"{what} must return a pair (dw, db), got a {type(out).__name__}")
    dw = ck.number(out[0], f"{what}: dw", "return Python floats: float(np.mean(...))")
    db = ck.number(out[1], f"{what}: db", "return Python floats: float(np.mean(...))")
    rw, rb = (float(v) for v in want)
    n = len(x)
    hint = WB_DERIVE
    if np.allclose([dw, db], [rw / 2, rb / 2]):
        hint = "both are half the expected value: the factor 2 from the derivative of the square is missing"
    elif np.allclose([dw, db], [-rw, -rb]):
        hint = "the sign is flipped: the error is (x w + b - y), not (y - x w - b); with the wrong sign descent goes uphill"
    elif np.allclose([dw, db], [rw * n, rb * n]):
        hint = "you summed over the samples: divide by N (the cost is a mean)"
    elif np.allclose([dw, db], [rb, rw]):
        hint = "dw and db are swapped: return (dw, db) in this order"
    elif np.isclose(dw, rw) and np.isclose(db, rw):
        hint = ("db carries the factor x, as dw does: differentiate (x w + b - y) with respect to b alone, w held "
                "constant, and look at the inner derivative again")
    elif np.isclose(db, rb) and np.isclose(dw, rb):
        hint = "dw looks like db: an inner derivative is missing from dw (differentiate (x w + b - y) with respect to w)"
    elif dw_without_b is not None and np.isclose(dw, dw_without_b):
        hint = "dw ignores the bias: the error inside is (x w + b - y), with the b passed in"
    ck.close([dw, db], [rw, rb], what=f"{what}: (dw, db)", hint=hint)


def check_gradient_wb(gradient_wb) -> None:
    wb_on(gradient_wb, 1.0, 0.5, [1.0, 2.0, 3.0], [2.0, 4.0, 6.0], (-22 / 3, -3.0),
          "gradient_wb(1.0, 0.5, [1, 2, 3], [2, 4, 6])", dw_without_b=-28 / 3)
    x, y = _data()
    wb_on(gradient_wb, 2.0, 0.0, x, y, (0.0, 0.0), "gradient_wb(2.0, 0.0, xs, ys) (the exact fit: both gradients are 0)")
    print("gradient_wb looks right.")
