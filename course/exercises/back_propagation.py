"""Lecture 03's visible checks (source/03_back_propagation):
``from course.exercises import back_propagation as q``.

The visible inputs and the expected values for them, as numbers (computed once, by autograd and
by exact gradient descent in float64); the messages that name the usual mistakes. A check on other
inputs (the hidden part of a test cell) brings the right values, and the values the usual mistakes
give, as arguments (``q.hand_on``, ``q.dx_on``, ``q.trajectory_on``, ...).
"""
from __future__ import annotations

import numpy as np
import torch

from course import checks as ck


# --------------------------------------------------------------------------- Exercise 1: grads_by_hand
def three_floats(out, what: str, hint: str = "return Python floats, e.g. float(2 * r * x ** 2)") -> list[float]:
    ck.true(isinstance(out, (tuple, list)) and len(out) == 3,
            f"{what} must return a tuple of three numbers (dL/dw1, dL/dw2, dL/db), got a {type(out).__name__}"
            + (f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""))
    return [ck.number(v, what=f"{what}[{k}]", hint=hint) for k, v in enumerate(out)]


HAND_HINT = "With r = w1*x**2 + w2*x + b - y: (2*r*x**2, 2*r*x, 2*r)."


def check_grads_by_hand(grads_by_hand) -> None:
    what = "grads_by_hand(x=2, y=1, w1=1, w2=1, b=1)"           # y_hat = 4 + 2 + 1 = 7, r = 6
    got = three_floats(ck.call(grads_by_hand, 2.0, 1.0, 1.0, 1.0, 1.0, what=what), what)
    hint = HAND_HINT
    if np.allclose(got, [24.0, 24.0, 12.0]):
        hint = "dL/dw1 must carry the factor x^2 (the input of w1 is x squared), not x."
    elif np.allclose(got, [24.0, 12.0, 6.0]):
        hint = "You forgot the factor 2 from the derivative of the square."
    elif np.allclose(got, [-48.0, -24.0, -12.0]):
        hint = "The sign is flipped: r = y_hat - y, not y - y_hat."
    elif np.allclose(got, [40.0, 20.0, 10.0]):
        hint = "r must include the bias b: r = w1*x**2 + w2*x + b - y."
    ck.close(got, [48.0, 24.0, 12.0], what="grads_by_hand(x=2, y=1, w1=w2=b=1)", hint=hint)
    print("grads_by_hand looks right.")


def hand_on(grads_by_hand, args, want, what: str, dw1_with_2x: float | None = None) -> None:
    """``grads_by_hand(*args)`` must be ``want``; ``dw1_with_2x``: the dL/dw1 that multiplying by 2x
    (instead of x**2) gives on these inputs."""
    got = three_floats(ck.call(grads_by_hand, *args, what=what), what)
    hint = "With r = w1*x**2 + w2*x + b - y: (2*r*x**2, 2*r*x, 2*r), using every argument."
    if dw1_with_2x is not None and np.isclose(got[0], dw1_with_2x) and not np.isclose(want[0], got[0]):
        hint = ("dL/dw1 is 2*r*x**2 (the input of w1 is x**2); 2*x is the derivative of x**2 with respect to x, "
                "which is not asked (it only agrees with x**2 at x = 2).")
    ck.close(got, want, what=what, hint=hint)


# --------------------------------------------------------------------------- Exercise 2: grads_by_autograd
AUTOGRAD_HINT = ("if a .grad is None: create each of w1, w2, b with requires_grad=True and call loss.backward() "
                 "before reading .grad")
FRESH_HINT = ("use every argument, L = (w1*x**2 + w2*x + b - y)**2, and create fresh tensors in every call "
              "(the .grad of tensors kept from an earlier call accumulates)")


def autograd_floats(grads_by_autograd, args, what: str) -> list[float]:
    """What ``grads_by_autograd(*args)`` returns, as three floats; it must have run autograd."""
    with ck.torch_calls() as calls:
        out = ck.call(grads_by_autograd, *args, what=what, hint=AUTOGRAD_HINT)
    ck.true(bool(calls.names & {"backward", "grad"}),
            f"{what} must compute the gradients by autograd: call loss.backward() (or torch.autograd.grad), "
            "not the hand-derived formulas")
    ck.true(isinstance(out, (tuple, list)) and len(out) == 3,
            f"{what} must return a tuple of three numbers (dL/dw1, dL/dw2, dL/db), got a {type(out).__name__}")
    return [ck.number(v, what=f"{what}[{k}]", hint="return Python floats: w1.grad.item(), not the tensor w1.grad")
            for k, v in enumerate(out)]


def check_grads_by_autograd(grads_by_autograd) -> None:
    got = autograd_floats(grads_by_autograd, (2.0, 1.0, 1.0, 1.0, 1.0), "grads_by_autograd(x=2, y=1, w1=w2=b=1)")
    hint = ("Create each parameter with requires_grad=True, compute the squared error (w1*x**2 + w2*x + b - y)**2, "
            "call loss.backward(), read .grad")
    if np.allclose(got, [4.0, 2.0, 1.0]):
        hint = "The loss must be SQUARED: (y_hat - y) ** 2, not y_hat - y."
    ck.close(got, [48.0, 24.0, 12.0], what="grads_by_autograd(x=2, y=1, w1=w2=b=1)", hint=hint)
    print("grads_by_autograd looks right.")


# --------------------------------------------------------------------------- Exercise 3: grad_input (derived)
# The usual wrong derivations of dL/dx, each named without writing the right one (docs/authoring.md,
# round three). A check brings the value each gives on its inputs (``slips``: name -> value).
DX_SLIPS = (
    ("sign", "the sign is flipped: r = y_hat - y, not y - y_hat"),
    ("half", "half the expected value: the factor 2 from the derivative of the square (dL/dr = 2r) is missing"),
    ("double", "twice the expected value: count the factors 2 again, the square contributes one and the node "
               "x**2 has its own local derivative; none of them twice"),
    ("only_square", "only the path through x**2: x also reaches y_hat through w2 * x; the chain rule adds "
                    "the contributions of both paths"),
    ("only_linear", "only the path through w2 * x: x also reaches y_hat through x**2 (then w1 * x**2); the chain "
                    "rule adds the contributions of both paths"),
    ("multiplied", "you multiplied the two paths: multiply the local derivatives ALONG a path, then ADD the "
                   "contributions of the two paths"),
    ("local_x", "the local derivative of the node x**2 is 2x, not x"),
    ("value_square", "on the path through x**2, multiply by the node's local derivative, not by its value x**2"),
    ("no_w1", "the path through x**2 also passes the node w1 * x**2: multiply by its local derivative w1"),
    ("no_bias", "r must include the bias b: r = w1*x**2 + w2*x + b - y"),
    ("dw1", "that is dL/dw1 (Exercise 1): the gradient asked is with respect to the input x"),
    ("dw2", "that is dL/dw2 (Exercise 1): the gradient asked is with respect to the input x"),
    ("db", "that is dL/db (Exercise 1): the gradient asked is with respect to the input x"),
)
DX_DERIVE = ("start from dL/dy_hat = 2r with r = w1*x**2 + w2*x + b - y; multiply the local derivatives along each "
             "path from y_hat to x and add the two paths")


def dx_slip(got: float, want: float, slips: dict) -> str:
    for name, why in DX_SLIPS:
        value = slips.get(name)
        if value is not None and not np.isclose(value, want) and np.isclose(got, value, rtol=1e-6, atol=1e-9):
            return why
    return DX_DERIVE


def dx_on(grad_input, args, want: float, what: str, slips: dict | None = None) -> None:
    """``grad_input(*args)`` must be ``want`` (autograd's value), derived by hand (no backward inside)."""
    with ck.torch_calls() as calls:
        got = ck.call(grad_input, *args, what=what)
    ck.true(not (calls.names & {"backward", "grad"}),
            f"{what} must be derived by hand (plain arithmetic): the test compares your formula with autograd, so "
            "calling backward() (or torch.autograd.grad) inside grad_input does not count")
    got = ck.number(got, what=what, hint="return a Python float, e.g. float(2 * r * ...)")
    ck.close(got, want, what=f"{what}, against autograd", rtol=1e-6, atol=1e-9, hint=dx_slip(got, want, slips or {}))


# autograd's dL/dx on the visible inputs, and what each wrong derivation gives there
_DX_VISIBLE = (
    ((3.0, 1.0, -1.0, 2.0, 1.0), "grad_input(x=3, y=1, w1=-1, w2=2, b=1)", 24.0,     # y_hat = -2, r = -3
     dict(sign=-24.0, half=12.0, double=48.0, only_square=36.0, only_linear=-12.0, multiplied=72.0, local_x=6.0,
          value_square=42.0, no_w1=-48.0, no_bias=32.0, dw1=-54.0, dw2=-18.0, db=-6.0)),
    ((1.0, 0.0, 1.0, 0.0, 0.0), "grad_input(x=1, y=0, w1=1, w2=0, b=0) (L = x**4)", 4.0,
     dict(sign=-4.0, half=2.0, double=8.0, only_square=4.0, only_linear=0.0, multiplied=0.0, local_x=2.0,
          value_square=2.0, no_w1=4.0, no_bias=4.0, dw1=2.0, dw2=2.0, db=2.0)),
)


def check_grad_input(grad_input) -> None:
    for args, what, want, slips in _DX_VISIBLE:
        dx_on(grad_input, args, want, what, slips)
    print("grad_input agrees with autograd.")


# --------------------------------------------------------------------------- Exercise 4: gd_step
def step_on(gd_step, params, grads, lr, want, what: str, uphill=None, lr_001=None) -> None:
    """``gd_step(params, lr)`` must leave each parameter at ``want[k]`` and zero every gradient;
    ``uphill``, ``lr_001``: where adding the step and a step of lr = 0.01 would leave them."""
    before = [p.detach().clone() for p in params]
    ret = ck.call(gd_step, params, lr, what=what,
                  hint="update in place on p.data, or inside `with torch.no_grad():` (p -= lr * p.grad outside it is refused)")
    ck.true(ret is None, f"{what} must return None (it changes the tensors in place), got a {type(ret).__name__}")
    for k, (p, p0, g) in enumerate(zip(params, before, grads)):
        ck.true(p.is_leaf and p.requires_grad and p.grad_fn is None,
                f"{what}: parameter {k} must stay a leaf tensor that requires grad: update it in place on p.data "
                "or inside torch.no_grad() (an update recorded in the graph makes it a non-leaf)")
        now = ck.array(p.detach())
        hint = "subtract lr * p.grad from each parameter in place (p.data -= lr * p.grad)"
        if np.allclose(now, ck.array(p0)):
            zeroed = p.grad is None or bool((p.grad == 0).all())
            hint = ("the parameter did not move: you zeroed the gradient BEFORE the update, so the step used a zero "
                    "gradient: update first, then zero" if zeroed and bool((g != 0).any()) else
                    "the parameter did not move: p = p - lr * p.grad only makes a new local tensor; update the "
                    "parameter in place (p.data -= lr * p.grad)")
        elif uphill is not None and np.allclose(now, ck.array(uphill[k])):
            hint = "you moved uphill: SUBTRACT lr * p.grad (gradient descent)"
        elif lr != 0.01 and lr_001 is not None and np.allclose(now, ck.array(lr_001[k])):
            hint = f"the step used lr = 0.01, not the lr = {lr} passed in: use the argument lr"
        ck.close(now, ck.array(want[k]), what=f"{what}: parameter {k} after the step", hint=hint)
        if p.grad is None or bool((p.grad == 0).all()):
            continue
        ck.true(False, f"{what}: after the step every p.grad must be zero, got {p.grad.tolist()} for parameter {k}: "
                "grads must be zeroed (p.grad.zero_()) for every parameter, otherwise the next backward() adds to "
                "them and the gradients accumulate")


def check_gd_step(gd_step) -> None:
    a = torch.tensor(1.0, requires_grad=True)
    v = torch.tensor([2.0, -1.0], requires_grad=True)
    ((3.0 * a - 1.0) ** 2 + (v ** 2).sum()).backward()        # d/da = 12, d/dv = (4, -2)
    step_on(gd_step, [a, v], [torch.tensor(12.0), torch.tensor([4.0, -2.0])], 0.1, [-0.2, [1.6, -0.8]],
            "gd_step([a, v], lr=0.1)", uphill=[2.2, [2.4, -1.2]], lr_001=[0.88, [1.96, -0.98]])
    print("gd_step looks right.")


# --------------------------------------------------------------------------- Exercise 5: train_quadratic
TQ_HINT = ("Update the parameters in place: w.data -= lr * w.grad.data (or inside torch.no_grad()). "
           "`w = w - lr * w.grad` replaces w by a new non-leaf tensor whose .grad is None at the next step.")
FIT_HINT = ("Did you zero the gradients after each update? Also check: the loss is the MEAN over all samples, "
            "and the parameters start at 1.0.")

# the visible data: x = np.linspace(-1, 1, 21), y = 0.5 x^2 - x + 0.3 + noise (np.random.default_rng(0), sd 0.1)
YQ = (1.8125730221093395, 1.59178951367087, 1.4840422650443283, 1.2554900117153038, 1.026433062683889,
      0.9611595054909485, 0.9104000045130135, 0.7397080963129241, 0.44962647641930065, 0.2784578528953947,
      0.23767255374626478, 0.20913259793472427, -0.11250307746388358, 0.02312083360674541, -0.1445910947253066,
      -0.14822673547034518, -0.17442589828573105, -0.18663001563691553, -0.1388369463625867, -0.09074866305573225,
      -0.21285346629440344)
QUAD_GD_3 = (0.8224253943402196, 0.5867285175936805, 0.574232250025748)      # lr = 0.1, 3 epochs, exact descent
QUAD_FIT = (0.5960562536854338, -1.0232516607236464, 0.2467217497843)        # the least-squares fit
_QUAD_SLIPS_3 = dict(start_0=(0.11536424183333721, -0.20901044536928232, 0.21809995760619247),
                     not_zeroed=(0.6318822237960572, 0.16337434787426153, 0.1164696510802885),
                     summed=(-17.174762654121114, -1.3418409602278372, -43.76589999443415),
                     per_sample=(1.1137320245780766, -1.2357063435215951, 0.017403355634836193))


def quadratic_data():
    return np.linspace(-1.0, 1.0, 21), np.array(YQ)


def run_quadratic(train_quadratic, args, what: str) -> list[float]:
    out = ck.call(train_quadratic, *args, what=what, hint=TQ_HINT)
    ck.true(isinstance(out, (tuple, list)) and len(out) == 3,
            f"{what} must return a tuple of three numbers (w1, w2, b), got a {type(out).__name__}")
    return [ck.number(v, what=f"{what}[{k}]", hint="return Python floats: w1.item()") for k, v in enumerate(out)]


def trajectory_on(train_quadratic, args, want, what: str, start_0=None, not_zeroed=None, summed=None,
                  per_sample=None) -> None:
    """``train_quadratic(*args)`` must follow exact full-batch descent to ``want``; the other arguments:
    where the usual slips end on these inputs (a start at 0, gradients never zeroed, the summed loss,
    one update per sample)."""
    got = run_quadratic(train_quadratic, args, what)
    hint = ("follow the loop above: start at 1.0, mean loss over ALL samples, backward(), update with the lr passed in, "
            "zero the gradients, once per epoch")
    for slip, why in [(start_0, "the parameters must start at 1.0 (not 0)"),
                      (not_zeroed, "the gradients were not zeroed after each update: .grad accumulates the "
                                   "gradients of all past steps"),
                      (summed, "the loss is the MEAN over all samples, not the sum"),
                      (per_sample, "full-batch: ONE update per epoch on the mean loss over all samples, not one per "
                                   "sample")]:
        if args[3] > 0 and slip is not None and np.allclose(got, slip, rtol=1e-4, atol=1e-5):
            hint = why
    ck.close(got, want, what=f"{what}: (w1, w2, b), expected exact gradient descent", hint=hint)


def fit_on(train_quadratic, args, want, what: str) -> list[float]:
    """After many epochs ``train_quadratic(*args)`` must be within 0.05 of the least-squares fit ``want``."""
    got = run_quadratic(train_quadratic, args, what)
    ck.close(got, want, atol=0.05, what=f"{what}: (w1, w2, b) against the least-squares fit", hint=FIT_HINT)
    return got


def check_train_quadratic(train_quadratic) -> None:
    xq, yq = quadratic_data()
    trajectory_on(train_quadratic, (xq, yq, 0.1, 3), QUAD_GD_3, "train_quadratic(xq, yq, lr=0.1, epochs=3)",
                  **_QUAD_SLIPS_3)
    got = fit_on(train_quadratic, (xq, yq, 0.2, 500), QUAD_FIT, "train_quadratic(xq, yq, 0.2, 500)")
    print(f"train_quadratic looks right: {np.round(got, 3)}")


# --------------------------------------------------------------------------- Exercise 6: train_epoch
EPOCH_PARAMS = (-0.01927200000000029, 0.608776, 0.8371919999999999)   # train_epoch([1, 1, 1], [1, 2, 3], [2, 4, 6], 0.01)
EPOCH_LOSS = 9.167141386666671


def epoch_on(train_epoch, start, x, y, lr, want, what: str, not_zeroed=None, after=None) -> None:
    """``train_epoch`` from ``start`` on ``x``, ``y`` must leave the parameters at ``want[0]`` and
    return the mean loss ``want[1]``; ``not_zeroed``: the parameters when the gradients are never
    zeroed; ``after``: the mean of the losses recomputed after each update."""
    params = [torch.tensor(v, requires_grad=True) for v in start]
    with ck.graph_watch() as watch:
        got = ck.call(train_epoch, params, torch.tensor(x), torch.tensor(y), lr, what=what)
    ck.true(not torch.is_tensor(got) or got.grad_fn is None,
            f"{what} returned a tensor with grad_fn: you added up the loss tensors. Use loss.item() for the running loss "
            "(a tensor keeps every step's graph alive and memory grows)")
    ck.true(not watch.kept_alive(),
            f"{what}: the running loss kept the graph of every step alive (a graph of {watch.biggest}+ nodes reached a "
            "torch operation): you added loss tensors (running += loss) and converted once at the end. Use loss.item() "
            "for each step's loss, so that every step's graph is freed")
    got = ck.number(got, what=f"{what}: the mean loss",
                    hint="return a Python float: accumulate loss.item() (a tensor keeps every step's graph alive), use loss.item()")
    p_got = [ck.number(p.item()) for p in params]
    hint = "update after EACH sample, in place, and zero the gradients every step"
    if np.allclose(p_got, list(start)):
        hint = ("the parameters did not change: update them in place (p.data -= lr * p.grad, or p -= ... inside "
                "torch.no_grad()); p = p - lr * p.grad only makes a new local tensor")
    elif not_zeroed is not None and np.allclose(p_got, not_zeroed, rtol=1e-4, atol=1e-5):
        hint = "the gradients were not zeroed after each update: .grad accumulates the gradients of all past steps"
    ck.close(p_got, want[0], what=f"{what}: the parameters after the epoch", hint=hint)
    hint = "the MEAN of the per-sample losses, each taken before its update"
    if np.isclose(got, want[1] * len(x), rtol=1e-4):
        hint = "you returned the sum of the losses: divide by N (the mean)"
    elif after is not None and np.isclose(got, after, rtol=1e-4):
        hint = "each loss must be taken BEFORE its update (the loss that backward() used), not recomputed after it"
    ck.close(got, want[1], what=f"{what}: the mean loss of the epoch", hint=hint)
    for p in params:
        ck.true(p.is_leaf and p.requires_grad, f"{what}: the parameters must stay leaf tensors that require grad")


def check_train_epoch(train_epoch) -> None:
    epoch_on(train_epoch, (1.0, 1.0, 1.0), [1.0, 2.0, 3.0], [2.0, 4.0, 6.0], 0.01, (EPOCH_PARAMS, EPOCH_LOSS),
             "train_epoch([1, 1, 1], xs=[1, 2, 3], ys=[2, 4, 6], lr=0.01)",
             not_zeroed=(-0.24127200000000026, 0.4699759999999999, 0.7451920000000001), after=5.318270668394674)
    print("train_epoch looks right.")


# --------------------------------------------------------------------------- Exercise 7: vjp_cube
def vjp_on(vjp_cube, x_in, v_in, want, what: str, unweighted=None) -> None:
    """``vjp_cube(x_in, v_in)`` must be the tensor ``want``, by autograd, leaving x and v as they were;
    ``unweighted``: the gradient of y.sum() (the weights ignored)."""
    x_copy, v_copy = x_in.clone(), v_in.clone()
    with ck.torch_calls() as calls:
        got = ck.call(vjp_cube, x_in, v_in, what=what,
                      hint="y = x**3 is not a scalar: pass the weights, y.backward(gradient=v), on x.detach().clone().requires_grad_()")
    ck.true(bool(calls.names & {"backward", "grad"}),
            f"{what} must compute the gradient by autograd: y.backward(gradient=v) (or torch.autograd.grad), "
            "not the formula 3 * x**2 * v written by hand")
    ck.true(not x_in.requires_grad and x_in.grad is None,
            f"{what}: vjp_cube must not change the caller's x (it now requires grad or has a .grad): work on "
            "x.detach().clone().requires_grad_()")
    ck.unchanged(x_copy, x_in, what=f"{what}: the caller's x")
    ck.unchanged(v_copy, v_in, what=f"{what}: the caller's v")
    ck.tensor(got, what=f"{what}: the result",
              hint=("return x.grad itself (a tensor), not a numpy array or a list" if got is not None else
                    "the result is None: read the gradient of the LEAF x (x.grad), after y.backward(gradient=v); "
                    "y is not a leaf, so y.grad stays None"))
    ck.shape(got, tuple(x_in.shape), what=f"{what}: the result", hint="the gradient has x's shape")
    ck.close(got, want, what=f"{what} = 3 * x**2 * v",
             hint=("That is the gradient of y.sum(): the weight tensor v was ignored; use y.backward(gradient=v)."
                   if unweighted is not None and np.allclose(ck.array(got), ck.array(unweighted), rtol=1e-5, atol=1e-8)
                   else "use y.backward(gradient=v) and return x.grad"))


def check_vjp_cube(vjp_cube) -> None:
    vjp_on(vjp_cube, torch.tensor([1.0, 2.0, -1.0]), torch.tensor([1.0, 0.5, 2.0]), [3.0, 6.0, 6.0],
           "vjp_cube([1, 2, -1], v=[1, 0.5, 2])", unweighted=[3.0, 12.0, 3.0])
    print("vjp_cube looks right.")
