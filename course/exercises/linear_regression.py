"""Lecture 04's visible checks (source/04_linear_regression):
``from course.exercises import linear_regression as q``.

The expected values are numbers for the inputs written here (no reference implementation: a
student's answer may import this module); the general references (a plain gradient-descent loop,
numpy's lstsq) live in the hidden part of the test cells, which pass the right value to the
diagnoses that need it (``least_squares_on``, ``check_start``)."""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

import course
from course import checks as ck

DTYPE_CAUSES = (("dtype", "torch.tensor([[x]]) of an int x is an integer tensor, and nn.Linear needs floats: "
                          "use torch.tensor([[float(x)]]) (or dtype=torch.float32)"),)
CLOSURE_CAUSES = (("closure", "LBFGS evaluates the loss several times per step: call optimizer.step(closure) with a "
                              "closure that zeroes the gradients, computes the loss, calls backward() and returns the loss"),
                  ("empty parameter list", "LinearModel() has no parameters: create its nn.Linear(1, 1) in __init__"))


def line(w: float, b: float) -> nn.Linear:
    """An nn.Linear(1, 1) with weight w and bias b, on the course's device (a model the tests hand to train)."""
    m = nn.Linear(1, 1)
    with torch.no_grad():
        m.weight.fill_(w)
        m.bias.fill_(b)
    return m.to(course.device())


# --------------------------------------------------------------------------- Exercise 1: LinearModel
def check_linear_model(LinearModel) -> None:
    model = ck.call_with(LinearModel, what="LinearModel()")
    assert isinstance(model, nn.Module), "LinearModel must be a subclass of nn.Module: class LinearModel(nn.Module)"
    n_params = sum(p.numel() for p in model.parameters())
    if n_params == 0:
        raise AssertionError("LinearModel() has no parameters: create the layer in __init__ (self.linear = nn.Linear(1, 1)), "
                             "not in forward (a layer made in forward is a new, untrained one at every call)")
    if n_params == 1:
        raise AssertionError("LinearModel has 1 parameter, expected 2 (a weight and a bias): keep the bias of nn.Linear(1, 1) "
                             "(no bias=False): y = x w + b")
    ck.true(n_params == 2, f"LinearModel must have exactly 2 parameters (one weight, one bias), it has {n_params}: "
            "create one nn.Linear(1, 1) in __init__")
    out = ck.call_with(model, torch.tensor([[1.0], [2.0], [3.0], [4.0]]), what="model(x) for x of shape (4, 1)")
    ck.shape(out, (4, 1), what="model(x) for x of shape (4, 1): wrong shape",
             hint="Return the output of nn.Linear as it is (no squeeze/flatten/view(-1)): it must be (N, 1)")
    w_param = [p for p in model.parameters() if p.dim() == 2][0]
    b_param = [p for p in model.parameters() if p.dim() == 1][0]
    with torch.no_grad():
        w_param.fill_(3.0)
        b_param.fill_(-1.0)
        got = ck.call_with(model, torch.tensor([[-1.0], [1.0], [2.0]]), what="model(x)")
    want = np.array([[-4.0], [2.0], [5.0]])                 # 3 x - 1 at x = -1, 1, 2
    g = ck.array(got, "model(x)")
    hint = ""
    if g.shape == want.shape and np.allclose(g, [[0.0], [2.0], [5.0]], atol=1e-5):
        hint = ("The negative prediction became 0: an activation (ReLU) on the output. Linear regression returns "
                "the linear layer's output as it is, negative values included")
    elif g.shape == want.shape and np.allclose(g, [[0.017986209962091559], [0.88079707797788231], [0.99330714907571527]],
                                               atol=1e-5):
        hint = ("A sigmoid on the output: that is lecture 05's classifier. Linear regression returns the linear "
                "layer's output as it is")
    ck.close(got, want, what="with w = 3, b = -1, model([[-1], [1], [2]]) must be 3x - 1", hint=hint)
    print("LinearModel looks right.")


# --------------------------------------------------------------------------- Exercise 2: train
def check_train(train) -> None:
    xt = torch.tensor([[1.0], [2.0], [3.0]])
    yt = torch.tensor([[2.0], [4.0], [6.0]])
    x_before, y_before = xt.clone(), yt.clone()
    m = line(0.5, 0.0)
    losses = ck.call_with(train, m, xt, yt, epochs=2, lr=0.05, what="train(model, x, y, epochs=2, lr=0.05)")
    ck.unchanged(x_before, xt, "x")
    ck.unchanged(y_before, yt, "y")
    ck.true(type(losses) is list and len(losses) == 2,
            f"train(..., epochs=2) must return a list of 2 losses, got a {type(losses).__name__}"
            + (f" of length {len(losses)}" if type(losses) in (list, tuple) else ""))
    firsts = [ck.number(v, "each recorded loss", "record loss.item(), not the tensor (a tensor keeps its whole graph alive)")
              for v in losses]
    w, b = m.weight.item(), m.bias.item()
    loss0, loss1 = 10.5, 2.116666666666666           # the MSE at (0.5, 0) and after one SGD step
    w1, b1 = 1.2, 0.3                                 # (w, b) after one step
    w2, b2 = 1.5133333333333334, 0.43                 # (w, b) after two steps
    if math.isclose(firsts[0], 3 * loss0, rel_tol=1e-4):
        raise AssertionError(f"the first loss is {firsts[0]:.4g}, 3 times the mean squared error {loss0:.4g}: you summed the "
                             "squared errors (reduction='sum'). Use nn.MSELoss() (the mean)")
    if math.isclose(firsts[0], loss1, rel_tol=1e-4):
        raise AssertionError(f"the first loss is {firsts[0]:.4g}, the loss after the first update, expected {loss0:.4g}: "
                             "record the loss before the step (the loss of this epoch's forward pass), not one computed "
                             "after optimizer.step()")
    ck.close(firsts[0], loss0, what="the first loss from w = 0.5, b = 0 (the MSE before any update)",
             hint="use nn.MSELoss() (the mean) and record loss.item() of each epoch's forward pass")
    if math.isclose(w, 0.5, abs_tol=1e-6) and math.isclose(b, 0.0, abs_tol=1e-6):
        raise AssertionError("the parameters did not move: optimizer.step() found no gradient. The order is zero_grad -> "
                             "backward -> step: step() must come after backward() (which fills the gradients), and "
                             "zero_grad() not between them")
    if math.isclose(w, w1, abs_tol=1e-4) and math.isclose(b, b1, abs_tol=1e-4):
        raise AssertionError(f"after 2 epochs the parameters made only one update ({w:.4f}, {b:.4f}): optimizer.step() comes "
                             "before loss.backward(), so each step uses the previous epoch's gradient. Call step() after "
                             "backward()")
    if math.isclose(w, 2.2133, abs_tol=1e-3) and math.isclose(b, 0.73, abs_tol=1e-3):
        raise AssertionError("after 2 steps w, b = (2.213, 0.730) instead of (1.513, 0.430): you forgot "
                             "optimizer.zero_grad(), so the gradients of all steps add up")
    ck.close([w, b], [w2, b2], what="(w, b) after 2 SGD steps (lr 0.05, MSELoss mean) from w = 0.5, b = 0",
             hint="Check the order forward -> loss -> zero_grad -> backward -> step, and use nn.MSELoss() (mean) with "
                  "optim.SGD(lr=lr)")
    ck.close(firsts[1], loss1, what="the second recorded loss", hint="record the loss of each epoch, before its update")
    torch.manual_seed(0)
    m = nn.Linear(1, 1).to(course.device())
    losses = ck.call_with(train, m, xt, yt, epochs=1000, lr=0.05, what="train(model, x, y, epochs=1000, lr=0.05)")
    w, b = m.weight.item(), m.bias.item()
    assert abs(w - 2.0) < 0.01 and abs(b) < 0.02, \
        f"after 1000 epochs on y = 2x expected w = 2, b = 0, got w = {w:.4f}, b = {b:.4f}"
    ck.true(ck.number(losses[-1], "the last loss") < 1e-4, f"the final loss should be near 0, got {ck.number(losses[-1]):.3g}")
    print(f"train looks right: w = {w:.4f}, b = {b:.4f}")


# --------------------------------------------------------------------------- Exercise 3: predict
def check_predict(predict) -> None:
    m = ck.ProbeModel(weight=2.0, bias=0.0)     # nn.Linear(1, 1) that records each call: (input shape, grad mode)
    got = ck.call_with(predict, m, 4.0, what="predict(model, 4.0)", causes=DTYPE_CAUSES)
    value = ck.number(got, "predict(model, 4.0) must return a Python float", "use .item() on the model's output")
    assert len(m.calls) == 1, f"predict must call the model once, it called it {len(m.calls)} times"
    shape, grad_on = m.calls[0]
    ck.true(shape == (1, 1), f"the model got an input of shape {shape}: a model always takes a batch, even a batch of one. "
            "Wrap x as torch.tensor([[x]]), shape (1, 1)")
    ck.true(grad_on is False, "predict ran the model with gradient recording on: wrap the call in `with torch.no_grad():` "
            "(no graph is needed to predict)")
    ck.close(value, 8.0, what="with w = 2, b = 0, predict(model, 4.0)")
    got = ck.call_with(predict, m, 4, what="predict(model, 4) with an int", causes=DTYPE_CAUSES)
    ck.close(ck.number(got, "predict(model, 4) must return a Python float", "use .item()"), 8.0,
             what="predict(model, 4) with an int 4")
    print("predict looks right.")


# --------------------------------------------------------------------------- Exercise 4: compare_optimizers
def check_result(res, epochs: int, what: str, optimizers) -> dict:
    """``res`` is a dict with one list of ``epochs`` finite Python floats per optimizer; returns it as floats."""
    ck.true(type(res) is dict and set(res) == set(optimizers),
            f"{what} must return a dict with one entry per optimizer {sorted(optimizers)}, got "
            + (f"the keys {sorted(res)}" if type(res) is dict else f"a {type(res).__name__}"))
    out = {}
    for name, ls in res.items():
        ck.true(type(ls) is list and len(ls) == epochs, f"{name}: expected a list of {epochs} losses (one per step), got "
                + (f"{len(ls)}" if type(ls) in (list, tuple) else f"a {type(ls).__name__}"))
        out[name] = [ck.number(v, f"{name}: each loss", "record each step's loss as a Python float (loss.item())") for v in ls]
        ck.true(all(math.isfinite(v) for v in out[name]),
                f"{name}: the losses must be finite, got {[v for v in out[name] if not math.isfinite(v)][:1]}: training "
                "diverged. Does each step (the closure) call optimizer.zero_grad()? Without it the gradients of all "
                "steps add up")
    return out


def _first_loss(LinearModel, seed: int, x, y) -> float:
    """The loss of a fresh LinearModel() made right after the seed (where the student's code runs too)."""
    ck.manual_seed(seed)
    m0 = LinearModel()
    with torch.no_grad():
        return ((m0(x) - y) ** 2).mean().item()


def check_start(res: dict, seed: int, x, y, LinearModel) -> None:
    """Every optimizer started from the weights of a fresh LinearModel() made after torch.manual_seed(seed)."""
    l0 = _first_loss(LinearModel, seed, x, y)
    starts = {name: ls[0] for name, ls in res.items()}
    if all(math.isclose(v, l0, rel_tol=1e-4) for v in starts.values()):
        return
    if seed != 0 and all(math.isclose(v, _first_loss(LinearModel, 0, x, y), rel_tol=1e-4) for v in starts.values()):
        raise AssertionError(f"with seed={seed} every optimizer started from the weights of torch.manual_seed(0): "
                             "the seed argument is ignored. Call torch.manual_seed(seed)")
    raise AssertionError(f"the optimizers did not all start from the weights of a fresh LinearModel() made right after "
                         f"torch.manual_seed(seed) (first loss {l0:.4g}); first losses: "
                         + ", ".join(f"{n} {v:.4g}" for n, v in starts.items())
                         + ". Call torch.manual_seed(seed) and create a fresh LinearModel() inside the loop, for each "
                           "optimizer")


def check_compare_optimizers(compare_optimizers, LinearModel, optimizers) -> None:
    xt = torch.tensor([[1.0], [2.0], [3.0]])
    yt = torch.tensor([[2.0], [4.0], [6.0]])
    res = check_result(ck.call_with(compare_optimizers, xt, yt, epochs=30, what="compare_optimizers(x, y, epochs=30)",
                                    causes=CLOSURE_CAUSES), 30, "compare_optimizers", optimizers)
    check_start(res, 0, xt, yt, LinearModel)
    for name, ls in res.items():
        assert ls[-1] < ls[0], (f"{name}: the loss did not fall ({ls[0]:.3g} -> {ls[-1]:.3g}). Did you call optimizer.step() "
                                "before loss.backward()? step() must come after backward(), which fills the gradients it "
                                "uses.")
    ck.true(res["LBFGS"][-1] < 1e-4, f"LBFGS should fit these 3 points almost exactly within 30 steps (final loss "
            f"{res['LBFGS'][-1]:.3g}): call optimizer.step(closure) with a closure that zeroes grads, computes the loss, "
            "calls backward and returns the loss (and check that LinearModel returns shape (N, 1))")
    print("compare_optimizers looks right.")


# --------------------------------------------------------------------------- Exercise 5: least_squares (a derivation)
DERIVE = ("set both partial derivatives of the cost to zero: solve dcost/db = 0 for b first, put that b into "
          "dcost/dw = 0 and solve for w")


def least_squares_slip(w: float, b: float, x, y, want) -> str:
    """What went wrong in a derivation of the least-squares line that gave (w, b) instead of ``want`` on the
    data x, y (tensors (N, 1)): each usual wrong derivation, named without stating the right one."""
    rw, rb = want
    xs, ys = x.double().flatten().numpy(), y.double().flatten().numpy()
    n, mx, my = len(xs), xs.mean(), ys.mean()
    sxx, syy = ((xs - mx) ** 2).sum(), ((ys - my) ** 2).sum()

    def near(a, c):
        return math.isfinite(c) and math.isclose(a, c, rel_tol=1e-4, abs_tol=1e-6)

    with np.errstate(divide="ignore", invalid="ignore"):
        if near(w, rb) and near(b, rw):
            return "w and b are swapped: return (w, b) in this order"
        if near(w, rw * (n - 1) / n) or near(w, rw * n / (n - 1)):
            return (f"w is off by the factor {n - 1}/{n} or {n}/{n - 1}: the numerator and the denominator are divided by "
                    "different counts (torch.var / np.cov divide by N - 1 by default, .mean() by N). Use sums, or the "
                    "same normaliser in both")
        if near(w, float((xs * ys).sum() / (xs * xs).sum())) and not near(w, rw):
            return ("w = sum(x y) / sum(x^2) is the slope of the best line through the origin (no bias). With the bias, "
                    "solve dcost/db = 0 for b first and put that b into dcost/dw = 0: the sums then use the centred "
                    "values x - mean x and y - mean y")
        if rw != 0 and near(w, 1 / rw) and not near(w, rw):
            return ("w is upside down: you inverted the fraction. Solve dcost/dw = 0 for w again: which sum multiplies w, "
                    "and which one is left on the other side?")
        if syy > 0 and near(w, float(rw * sxx / syy)) and not near(w, rw):
            return ("the denominator is a sum over the y values squared (centred): that would fit x from y. In "
                    "dcost/dw the sum that multiplies w comes from x")
        if near(w, rw) and near(b, 2 * my - rb) and not near(b, rb):
            return ("the sign of the w term in b is wrong: solve dcost/db = 0 for b again and watch the sign when the "
                    "term with w moves to the other side")
        if near(w, rw) and near(b, my) and not near(b, rb):
            return "b = mean y holds only when mean x = 0: the equation dcost/db = 0 has a term with w in it too"
    return DERIVE


def least_squares_on(least_squares, x, y, want, what: str) -> tuple[float, float]:
    """``least_squares(x, y)`` must return the pair of Python floats ``want`` and leave x and y as they were;
    a wrong value is named by its slip."""
    x_before, y_before = x.clone(), y.clone()
    out = ck.call_with(least_squares, x, y, what=what)
    ck.unchanged(x_before, x, "x")
    ck.unchanged(y_before, y, "y")
    ck.true(type(out) in (tuple, list) and len(out) == 2, f"{what} must return a pair (w, b), got a {type(out).__name__}")
    w = ck.number(out[0], f"{what}: w", "return Python floats: w.item() (or float(w)), not the tensor")
    b = ck.number(out[1], f"{what}: b", "return Python floats: b.item() (or float(b)), not the tensor")
    ck.close([w, b], [float(want[0]), float(want[1])], what=f"{what}: (w, b), the least-squares line",
             hint=least_squares_slip(w, b, x, y, want))
    return w, b


def noisy_points():
    """The 30 noisy points of the visible check (x in [-1, 3], y = -0.7 x + 2 + noise), seeded."""
    gen = torch.Generator().manual_seed(7)
    x = torch.rand(30, 1, generator=gen) * 4 - 1
    return x, -0.7 * x + 2.0 + 0.2 * torch.randn(30, 1, generator=gen)


def check_least_squares(least_squares) -> None:
    least_squares_on(least_squares, torch.tensor([[1.0], [2.0], [3.0], [4.0]]), torch.tensor([[2.0], [4.0], [3.0], [6.0]]),
                     (1.1, 1.0), "least_squares(x = [1, 2, 3, 4], y = [2, 4, 3, 6])")
    x, y = noisy_points()
    w, b = least_squares_on(least_squares, x, y, (-0.7501976288559247, 2.072079838735954),
                            "least_squares on 30 noisy points")
    print(f"least_squares looks right: w = {w:.4f}, b = {b:.4f} on the 30 noisy points, as torch.linalg.lstsq gives")
