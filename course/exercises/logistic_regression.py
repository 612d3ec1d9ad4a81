"""Lecture 05's visible checks (source/05_logistic_regression):
``from course.exercises import logistic_regression as q``.

The expected values are numbers for the inputs written here (no reference implementation: a
student's answer may import this module); the general references (gradient descent with
autograd in float64, autograd's gradient of the fused loss) live in the hidden part of the test
cells, which pass the right values to the diagnoses that need them (``check_steps``,
``grad_z_on``)."""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

import course
from course import checks as ck

TORCH_OPS = (("only one element tensors", "math.exp works on one number only: use torch.exp, which works element by "
                                          "element on a tensor"),
             ("must be real number", "math.exp works on one number only: use torch.exp, which works element by element "
                                     "on a tensor"),
             ("numpy()", "build sigmoid from torch operations (torch.exp): a detour through numpy leaves the autograd graph"),
             ("does not require grad", "the result is cut from the autograd graph: build sigmoid from torch operations "
                                       "(torch.exp)"))
MODULE_CAUSES = (("Sigmoid.__init__", "nn.Sigmoid is a module class: create it once (self.sigmoid = nn.Sigmoid() in "
                                      "__init__) and call that, or call torch.sigmoid(...) directly"),)
HOURS = [0.50, 0.75, 1.00, 1.25, 1.50, 1.75, 1.75, 2.00, 2.25, 2.50,
         2.75, 3.00, 3.25, 3.50, 4.00, 4.25, 4.50, 4.75, 5.00, 5.50]
PASSED = [0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1]


def students():
    """The lecture's twenty students as tensors (20, 1): hours studied, passed (0./1.)."""
    return torch.tensor(HOURS).unsqueeze(1), torch.tensor(PASSED, dtype=torch.float32).unsqueeze(1)


def fresh(w: float, b: float) -> nn.Sequential:
    """sigmoid(nn.Linear(1, 1)) with weight w and bias b, on the course's device (a model the tests hand over)."""
    m = nn.Sequential(nn.Linear(1, 1), nn.Sigmoid())
    with torch.no_grad():
        m[0].weight.fill_(w)
        m[0].bias.fill_(b)
    return m.to(course.device())


# --------------------------------------------------------------------------- Exercise 1: sigmoid
def check_sigmoid(sigmoid) -> None:
    zt = torch.tensor([[-2.0], [1.0], [3.0]])
    z_before = zt.clone()
    got = ck.call_with(sigmoid, zt, what="sigmoid(z) for z of shape (3, 1)", causes=TORCH_OPS)
    ck.unchanged(z_before, zt, "z")
    ck.tensor(got, "sigmoid(z)", "return a tensor built with torch operations (torch.exp), not math/numpy or .item()")
    ck.shape(got, (3, 1), what="sigmoid(z) must keep the shape of z, (3, 1)")
    want = np.array([[0.11920292202211755], [0.7310585786300049], [0.9525741268224334]])
    g = ck.array(got, "sigmoid(z)")
    hint = ""
    if np.allclose(g, 1 - want, atol=1e-5):
        hint = "You computed 1 / (1 + exp(z)): the sign in the exponent is minus."
    elif np.allclose(g, [[8.38905609893065], [1.3678794411714423], [1.0497870683678638]], atol=1e-4):
        hint = ("1 / 1 + torch.exp(-z) is (1 / 1) + exp(-z): division comes before addition. "
                "Put the denominator in parentheses: 1 / (1 + torch.exp(-z))")
    assert np.allclose(g, want, rtol=1e-4, atol=1e-6), \
        (f"sigmoid([-2, 1, 3]): expected {want.flatten().tolist()}, got {g.flatten().tolist()}. "
         + (hint or "sigmoid(z) = 1 / (1 + exp(-z))"))
    ck.close(ck.call_with(sigmoid, torch.tensor([0.0]), what="sigmoid(torch.tensor([0.0]))", causes=TORCH_OPS), [0.5],
             what="sigmoid(0)", hint="sigmoid(z) = 1 / (1 + exp(-z))")
    print("sigmoid looks right.")


# --------------------------------------------------------------------------- Exercise 2: bce
def check_bce(bce) -> None:
    yh = torch.tensor([[0.9], [0.2], [0.6]])
    yt = torch.tensor([[1.0], [0.0], [1.0]])
    yh_before, yt_before = yh.clone(), yt.clone()
    got = ck.call_with(bce, yh, yt, what="bce(y_hat, y)")
    ck.unchanged(yh_before, yh, "y_hat")
    ck.unchanged(yt_before, yt, "y")
    ck.tensor(got, "bce must return a 0-d tensor", "return the tensor itself (no .item(), no float()): backward() needs it")
    assert got.dim() == 0, (f"bce must return a 0-d tensor (one number), got shape {tuple(got.shape)}: take the mean over "
                            "all elements, .mean() without dim")
    want = 0.2797765635793423                       # -(log 0.9 + log 0.8 + log 0.6) / 3
    g = got.item()
    if math.isclose(g, -want, rel_tol=1e-4):
        raise AssertionError(f"bce = {g:.4f} is negative: a sign error. BCE = -mean(y log y_hat + (1 - y) log(1 - y_hat)) "
                             "is positive")
    if math.isclose(g, 3 * want, rel_tol=1e-4) or math.isclose(g, -3 * want, rel_tol=1e-4):
        raise AssertionError(f"bce = {g:.4f} is 3 times too large: the mean is missing (you summed over the 3 samples; "
                             "divide by N)")
    if math.isclose(g, 0.205395379807939, rel_tol=1e-4):  # the label-0 term left out
        raise AssertionError(f"bce = {g:.4f}, expected {want:.4f}: the label-0 sample counts for nothing. The term "
                             "(1 - y) * log(1 - y_hat) is missing: a label-0 sample contributes log(1 - y_hat)")
    ck.close(g, want, what="bce([0.9, 0.2, 0.6], [1, 0, 1])",
             hint="A label-0 sample contributes log(1 - y_hat), a label-1 sample log(y_hat); take minus the mean")
    print(f"bce looks right: by hand {g:.6f}, nn.BCELoss gives {want:.6f}")


# --------------------------------------------------------------------------- Exercise 3: LogisticModel
def check_logistic_model(LogisticModel) -> None:
    model = ck.call_with(LogisticModel, what="LogisticModel()")
    assert isinstance(model, nn.Module) and isinstance(getattr(model, "linear", None), nn.Linear), (
        "LogisticModel must be an nn.Module with its layer in self.linear = nn.Linear(1, 1)")
    with torch.no_grad():
        model.linear.weight.fill_(2.0)
        model.linear.bias.fill_(-5.0)
        got = ck.call_with(model, torch.tensor([[2.5], [3.0], [0.0], [10.0]]), what="model(x) for x of shape (4, 1)",
                           causes=MODULE_CAUSES)
    ck.shape(got, (4, 1), what="the output for x of shape (4, 1)", hint="return (N, 1): no squeeze/flatten/view(-1)")
    z = np.array([[0.0], [1.0], [-5.0], [15.0]])                 # 2 x - 5
    want = np.array([[0.5], [0.7310585786300049], [0.0066928509242848554], [0.999999694097773]])
    g = ck.array(got, "model(x)")
    if np.allclose(g, [[-3.151716360042487], [-3.0948517463551335], [-4.0], [-3.000090795737405]], atol=1e-5):
        raise AssertionError("the sigmoid is applied to the input, before the layer: the output must be "
                             "torch.sigmoid(self.linear(x))")
    if not bool(((g > 0) & (g < 1)).all()):
        if np.allclose(g, np.maximum(z, 0), atol=1e-5):
            raise AssertionError(f"outputs {g.flatten().tolist()} are not probabilities: ReLU at the output. A probability "
                                 "needs the sigmoid: forward must return torch.sigmoid(self.linear(x))")
        raise AssertionError(f"outputs {g.flatten().tolist()} are not probabilities: you forgot the sigmoid at the output "
                             "(forward must return torch.sigmoid(self.linear(x)))")
    ck.close(got, want, what="with w = 2, b = -5, sigmoid(2x - 5)", hint="forward must return torch.sigmoid(self.linear(x))")
    print("LogisticModel looks right.")


# --------------------------------------------------------------------------- Exercise 4: train_logistic
def check_steps(m, ls, what: str, w0: float, b0: float, lr: float, steps: int, want, want_losses,
                as_mse, as_logits, as_lr05=None) -> list:
    """After ``steps`` epochs from (w0, b0) the model ``m`` (sigmoid(nn.Linear)) must hold ``want`` and the
    losses ``ls`` be ``want_losses``; ``as_mse``, ``as_logits``, ``as_lr05`` are where MSELoss, BCEWithLogitsLoss
    on the probabilities, and lr = 0.5 would have taken (w, b): a match names the mistake."""
    ck.true(type(ls) is list and len(ls) == steps, f"{what} must return a list of {steps} losses, got a {type(ls).__name__}"
            + (f" of length {len(ls)}" if type(ls) in (list, tuple) else ""))
    ls = [ck.number(v, "each recorded loss", "record loss.item(), a Python float") for v in ls]
    got = [m[0].weight.item(), m[0].bias.item()]
    if np.allclose(got, as_mse, atol=1e-4):
        raise AssertionError("the weights moved as MSELoss moves them: using MSE for classification. Use nn.BCELoss(): "
                             "with a sigmoid output, MSE gives a non-convex loss with tiny gradients when the model is "
                             "confidently wrong")
    if np.allclose(got, as_logits, atol=1e-4):
        raise AssertionError("the weights moved as BCEWithLogitsLoss moves them: that loss applies its own sigmoid, and the "
                             "model already ends with one (a sigmoid twice). With a model that outputs probabilities use "
                             "nn.BCELoss()")
    if as_lr05 is not None and lr != 0.5 and np.allclose(got, as_lr05, atol=1e-4):
        raise AssertionError(f"with lr={lr} the weights moved as with lr=0.5: train_logistic ignores its lr argument. "
                             "Create the optimizer with optim.SGD(model.parameters(), lr=lr)")
    if steps > 1 and math.isclose(ls[0], want_losses[1], rel_tol=1e-4):
        raise AssertionError(f"the first loss is {ls[0]:.4f}, the loss after the first update (expected "
                             f"{want_losses[0]:.4f}): record the loss of each epoch's forward pass, before optimizer.step()")
    ck.close(ls[0], want_losses[0], what=f"the first loss from w = {w0}, b = {b0} (the mean BCE before any update)",
             hint="use nn.BCELoss() (the mean) and record the loss before the update")
    ck.close(got, list(want), what=f"(w, b) after {steps} SGD steps (lr {lr}, BCELoss) from w = {w0}, b = {b0}",
             hint="Check forward -> loss -> zero_grad -> backward -> step with optim.SGD(model.parameters(), lr=lr)")
    ck.close(ls, list(want_losses), what=f"the {steps} recorded losses", hint="record each epoch's loss before its update")
    return ls


def check_train_logistic(train_logistic) -> None:
    x3 = torch.tensor([[1.0], [2.0], [3.0]])
    y3 = torch.tensor([[0.0], [0.0], [1.0]])
    x_before = x3.clone()
    m = fresh(0.5, 0.0)
    ls = ck.call_with(train_logistic, m, x3, y3, epochs=2, lr=0.5, what="train_logistic(model, x, y, epochs=2, lr=0.5)")
    ck.unchanged(x_before, x3, "x")
    check_steps(m, ls, "train_logistic(..., epochs=2)", 0.5, 0.0, 0.5, 2,
                want=[0.15210514470256675, -0.31445678118644704], want_losses=[0.8295839832270273, 0.6761020483047515],
                as_mse=[0.28627880073159007, -0.16734007181322325], as_logits=[0.406824800916006, -0.0803729665718169])
    x_data, y_data = students()
    m = fresh(0.0, 0.0)
    ls = ck.call_with(train_logistic, m, x_data, y_data, epochs=1000, lr=0.5,
                      what="train_logistic(model, x_data, y_data, epochs=1000, lr=0.5)")
    w, b = m[0].weight.item(), m[0].bias.item()
    assert abs(w - 1.5046) < 0.01 and abs(b + 4.0777) < 0.03, \
        f"on the 20 students expected w = 1.505, b = -4.078 (the maximum-likelihood fit), got ({w:.4f}, {b:.4f})"
    ck.close(ls[-1], 0.4015, what="the final BCE", atol=1e-3)
    print(f"train_logistic looks right: w = {w:.4f}, b = {b:.4f}")


# --------------------------------------------------------------------------- Exercise 5: decision_boundary
def boundary_of(decision_boundary, w: float, b: float) -> float:
    got = ck.call_with(decision_boundary, ck.ProbeModel(weight=w, bias=b, sigmoid=True),
                       what=f"decision_boundary(model) with w = {w}, b = {b}")
    return ck.number(got, f"decision_boundary(model) with w = {w}, b = {b} must return a Python float",
                     "read w and b with .item() (a tensor is not a Python float)")


def check_decision_boundary(decision_boundary, trained=None) -> None:
    """``trained``: the notebook's trained ``model`` if there is one (a boundary read from it is named)."""
    got = boundary_of(decision_boundary, 2.0, -5.0)
    hint = ""
    if math.isclose(got, -2.5, rel_tol=1e-5):
        hint = "You returned b / w: the boundary solves x w + b = 0, so x = -b / w."
    elif math.isclose(abs(got), 0.4, rel_tol=1e-5):
        hint = "You returned w / b or -w / b: it is -b / w."
    elif math.isclose(got, 2.75, rel_tol=1e-5):
        hint = ("You solved x w + b = 0.5: the probability sigma(x w + b) is 0.5 where the linear part x w + b is 0, "
                "so x = -b / w")
    elif isinstance(getattr(trained, "linear", None), nn.Linear):
        if math.isclose(got, -trained.linear.bias.item() / trained.linear.weight.item(), rel_tol=1e-5):
            hint = ("You returned the boundary of the notebook's trained `model`, not of the model passed as the "
                    "argument: read w and b from the function's own parameter")
    assert math.isclose(got, 2.5, rel_tol=1e-5), f"with w = 2, b = -5 the boundary is 2.5 hours, got {got}. {hint or 'x* = -b / w'}"
    print("decision_boundary looks right.")


# --------------------------------------------------------------------------- Exercise 6: bce_grad_z (a derivation)
NO_AUTOGRAD = (("does not require grad", "the test calls bce_grad_z under torch.no_grad(): compute the gradient from your "
                                         "formula, without backward() or torch.autograd"),
               ("element 0 of tensors", "the test calls bce_grad_z under torch.no_grad(): compute the gradient from your "
                                        "formula, without backward() or torch.autograd"))
DERIVE = ("chain rule: multiply d BCE / d y_hat_n by d y_hat_n / d z_n, simplify the product by hand, and keep the 1/N "
          "of the mean")


def grad_z_slip(g, z, y, want) -> str:
    """What went wrong in a derivation of d BCE / d z that gave ``g`` instead of ``want`` (arrays) for the
    logits z and labels y (tensors): each usual wrong derivation, named without stating the right one."""
    want = np.asarray(want, dtype=np.float64)
    s = torch.sigmoid(z.double()).numpy()
    zz, n = z.double().numpy(), z.numel()
    if not np.all(np.isfinite(g)):
        return ("not finite: for large |z| sigmoid(z) rounds to exactly 0 or 1, and the unsimplified product "
                "(y / y_hat - (1 - y) / (1 - y_hat)) * sigmoid'(z) is inf * 0 = nan. Simplify the product by hand first: "
                "the two fractions and sigmoid'(z) = y_hat (1 - y_hat) cancel to a short expression that stays finite")

    def near(a):
        return a.shape == g.shape and bool(np.all(np.isfinite(a))) and bool(np.allclose(g, a, rtol=1e-3, atol=1e-6))

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        d = s * (1 - s)                                      # the sigmoid's own derivative
        if near(-want):
            return ("the sign is flipped: BCE has a minus in front of the logs, and the derivative of log(1 - y_hat) "
                    "brings a second one; check both")
        if n > 1 and (near(n * want) or near(-n * want)):
            return f"{n} times too large: the mean is missing, BCE is a mean over the N = {n} samples, so divide by N"
        if near(want * d) or near(n * want * d) or near(2 * want * d):
            return ("an extra factor sigmoid(z) (1 - sigmoid(z)) (or the MSE gradient): with BCE the chain-rule factor "
                    "sigmoid'(z) cancels against the denominators y_hat (1 - y_hat); simplify before you code")
        if near(want / d) or near(n * want / d):
            return ("that is d BCE / d y_hat, the derivative with respect to the probability: the chain-rule factor "
                    "d y_hat / d z = sigmoid(z) (1 - sigmoid(z)) is missing. Multiply by it and simplify")
        if near(want + (zz - s) / n) or near(n * want + zz - s):
            return "you used the logit z where the probability y_hat = sigmoid(z) belongs"
        if near(d / n) or near(d):
            return "that is the derivative of the sigmoid alone; multiply it by d BCE / d y_hat and simplify"
    return DERIVE


def grad_z_on(bce_grad_z, z, y, want, what: str) -> None:
    """``bce_grad_z(z, y)`` under torch.no_grad() must be ``want`` (the gradient of the mean BCE by autograd, for
    these z, y), with the shape of z, leaving z and y as they were; a wrong value is named by its slip."""
    z_before, y_before = z.clone(), y.clone()
    with torch.no_grad():
        got = ck.call_with(bce_grad_z, z, y, what=what, causes=NO_AUTOGRAD)
    ck.unchanged(z_before, z, "z")
    ck.unchanged(y_before, y, "y")
    ck.tensor(got, what, "return a tensor of the shape of z, built with torch operations")
    ck.shape(got, tuple(z.shape), what=f"{what}: the shape", hint="one gradient per logit, the shape of z")
    ck.close(got, want, what=f"{what} against autograd", hint=grad_z_slip(ck.array(got), z, y, want), atol=1e-6)


def check_bce_grad_z(bce_grad_z) -> None:
    zt = torch.tensor([[-2.0], [0.5], [3.0]])
    yt = torch.tensor([[0.0], [1.0], [1.0]])
    grad_z_on(bce_grad_z, zt, yt, [[0.03973430734070585], [-0.1258468895993818], [-0.015808624392522213]],
              "bce_grad_z(z = [-2, 0.5, 3], y = [0, 1, 1])")
    with torch.no_grad():
        print("bce_grad_z looks right:", ck.array(bce_grad_z(zt, yt)).flatten().tolist())
