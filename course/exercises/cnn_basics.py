"""Lecture 09's visible checks (source/09_cnn_basics):
``from course.exercises import cnn_basics as q``.

The expected values are numbers for the inputs written here (no reference implementation: a
student's answer may import this module): the convolutions of small integer images, the sizes,
the byte counts of the lecture's CNN, a fingerprint of the image gradient ascent must reach. The
general references (``F.conv2d``, a forward pass with hooks, gradient ascent by autograd) live in the
hidden part of the test cells, which pass the right values to the diagnoses here (``conv_on``,
``size_on``, ``check_memory``, ``ascent_on``).

The small networks the tests hand to the student's code (``ClassicCNN``, ``ProbeCNN``, ``Shared``)
are public classes here, so that they exist, the same, in the student's kernel and in the judge: on
the judge they cross by spec (their ``_wire_init``; docs/grading.md, "Models and tensors across the
judge"). What only the student's process can see (which modules ran, with gradients or not, in which
mode; hooks left on a model) comes from ``ck.module_calls`` and ``ck.hook_counts`` (kernel-observed).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import course
from course import checks as ck


# --------------------------------------------------------------------------- the tests' networks (cross by spec)
class ClassicCNN(nn.Module):
    """The lecture's network, locked (so a test does not depend on the student's Net)."""

    _wire_init = ()

    def __init__(self):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(1, 10, 5), nn.Conv2d(10, 20, 5)
        self.pool, self.fc = nn.MaxPool2d(2), nn.Linear(320, 10)

    def forward(self, x):
        x = F.relu(self.pool(self.conv1(x)))
        x = F.relu(self.pool(self.conv2(x)))
        return self.fc(x.view(x.size(0), -1))


class ProbeCNN(nn.Module):
    """A small locked network: Conv2d(1, 4, 5, stride=3), tanh, Linear(256, 10)."""

    _wire_init = ()

    def __init__(self):
        super().__init__()
        self.conv, self.fc = nn.Conv2d(1, 4, 5, stride=3), nn.Linear(4 * 8 * 8, 10)

    def forward(self, x):
        return self.fc(torch.tanh(self.conv(x)).flatten(1))


class Shared(nn.Module):
    """A model that calls one module twice (``act``), on (B, 2, 5, 5) inputs."""

    _wire_init = ()

    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.ReLU())
        self.act = nn.ReLU()
        self.head = nn.Linear(3 * 5 * 5, 2)

    def forward(self, x):
        x = self.act(self.body(x))
        x = self.act(x * 2)
        return self.head(x.flatten(1))


def seeded(make, seed: int):
    """``make()`` with torch's global generator seeded, the caller's random state left as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return make()


_TRANSFORM = None


def test_images(n: int = 6):
    """The first ``n`` MNIST test images, normalised as in the lecture: (image (1, 28, 28), label) pairs."""
    global _TRANSFORM
    from torchvision import transforms

    if _TRANSFORM is None:
        _TRANSFORM = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    data = course.datasets.mnist(train=False, transform=_TRANSFORM)
    return [data[i] for i in range(n)]


# --------------------------------------------------------------------------- Exercise 1: conv2d_by_hand
CONV_HINT = ("loop over the output positions i, j (range(H_out)), take the patch under the kernel at row i * stride, "
             "column j * stride, and sum patch * weight[o]")


def conv_on(fn, x, w, b, stride, padding, want, variants=None, what=None):
    """``fn(x, w, b, stride=, padding=)`` must equal ``want``; ``variants`` maps the usual wrong answers
    ("flipped", "no_stride", "no_bias", "first_channel") to what they give for these inputs."""
    variants = variants or {}
    what = what or f"conv2d_by_hand(x {tuple(x.shape)}, weight {tuple(w.shape)}, stride={stride}, padding={padding})"
    x_keep, w_keep = x.clone(), w.clone()
    got = ck.call(fn, x, w, b, stride=stride, padding=padding, what=what, hint=CONV_HINT)
    ck.tensor(got, f"the result of {what}", hint="return a torch tensor (C_out, H_out, W_out)")
    ck.unchanged(x_keep, x, "the input x")
    ck.unchanged(w_keep, w, "the weight")
    want = torch.from_numpy(ck.array(want, "the expected value"))
    c_out, c_in, kh, kw = w.shape
    if tuple(got.shape) != tuple(want.shape):
        raise AssertionError(
            f"{what}: expected shape {tuple(want.shape)}, got {tuple(got.shape)}. H_out = (H + 2*padding - kh) // stride + 1: "
            "pad first (F.pad(x, (p, p, p, p)) pads both sides of W and H), then step the window by `stride`, and count "
            "the first position too (+ 1)")
    g = got.detach().double().cpu()

    def like(key):
        v = variants.get(key)
        return v is not None and bool(np.allclose(g.numpy(), ck.array(v, key), atol=1e-4))

    hint = "multiply the kernel with the patch under it, element by element, and sum"
    if like("flipped"):
        hint = "you flipped the kernel: deep-learning convolution multiplies the kernel with the patch as it is"
    elif stride > 1 and like("no_stride"):
        hint = "the window must move by `stride`: start each patch at i * stride (and j * stride)"
    elif b is not None and like("no_bias"):
        hint = "the bias is missing: add bias[o] to every value of output channel o"
    elif c_in > 1 and like("first_channel"):
        hint = "only the first input channel was used: each output value sums the products over ALL input channels"
    elif c_in > 1:
        hint = ("each output value sums the products over ALL input channels (one kernel has C_in slices), then adds the "
                "bias of its output channel")
    ck.close(g, want, f"conv2d_by_hand for x {tuple(x.shape)}, weight {tuple(w.shape)}, stride {stride}, padding {padding}",
             hint=hint, atol=1e-4)
    return got


def _ints(n, mul, mod, shift, shape):
    return ((torch.arange(n) * mul) % mod - shift).float().view(*shape)


SOBEL = [[[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]]]
# the image (3, 5, 5) and the weight (2, 3, 3, 3) of the visible checks: small integers
X35 = (75, 7, 11, 5, (3, 5, 5))
W23 = (54, 5, 7, 3, (2, 3, 3, 3))
BIAS = [0.5, -1.0]
# what F.conv2d gives for the image X35 and the weight W23 with the bias, stride 1, no padding (and the usual
# wrong answers: the kernel flipped, the bias left out, only the first input channel)
WANT_B = [[[89.5, -2.5, 4.5], [-7.5, -11.5, -15.5], [-60.5, 89.5, -2.5]],
          [[-17.0, -13.0, -9.0], [3.0, -4.0, 88.0], [89.0, -17.0, -13.0]]]
VARIANTS_B = {'first_channel': [[[57.5, -26.5, 21.5], [22.5, -6.5, -24.5], [-23.5, 57.5, -26.5]],
                                [[-16.0, 0.0, -6.0], [-2.0, -30.0, 52.0], [56.0, -16.0, 0.0]]],
              'flipped': [[[-15.5, -19.5, -12.5], [-24.5, -28.5, 33.5], [32.5, -15.5, -19.5]],
                          [[32.0, -30.0, -26.0], [-14.0, -21.0, -17.0], [28.0, 32.0, -30.0]]],
              'no_bias': [[[89.0, -3.0, 4.0], [-8.0, -12.0, -16.0], [-61.0, 89.0, -3.0]],
                          [[-16.0, -12.0, -8.0], [4.0, -3.0, 89.0], [90.0, -16.0, -12.0]]]}
# the same without bias, stride 2, padding 1 (wrong: flipped, the window moved by 1, the first channel only)
WANT_C = [[[-15.0, -22.0, -36.0], [-32.0, -12.0, 89.0], [8.0, -7.0, -13.0]],
          [[7.0, 57.0, 20.0], [-10.0, -3.0, -55.0], [-23.0, 4.0, 45.0]]]
VARIANTS_C = {'first_channel': [[[4.0, -17.0, -12.0], [-23.0, -7.0, 49.0], [10.0, 6.0, -18.0]],
                                [[7.0, 35.0, -9.0], [12.0, -29.0, -11.0], [-18.0, 7.0, 16.0]]],
              'flipped': [[[-24.0, 7.0, -23.0], [-17.0, -29.0, 31.0], [17.0, -17.0, 15.0]],
                          [[-2.0, 9.0, 19.0], [19.0, -20.0, 27.0], [0.0, -6.0, -4.0]]],
              'no_stride': [[[-15.0, 14.0, -22.0], [-55.0, 89.0, -3.0], [-32.0, -8.0, -12.0]],
                            [[7.0, -2.0, 57.0], [89.0, -16.0, -12.0], [-10.0, 4.0, -3.0]]]}


def check_conv2d_by_hand(conv2d_by_hand) -> None:
    x5 = torch.arange(1.0, 26.0).view(1, 5, 5)
    k3 = torch.tensor(SOBEL)
    conv_on(conv2d_by_hand, x5, k3, None, 1, 0, [[[-8.0] * 3] * 3], {"flipped": [[[8.0] * 3] * 3]})
    x, w = _ints(*X35), _ints(*W23)
    conv_on(conv2d_by_hand, x, w, torch.tensor(BIAS), 1, 0, WANT_B, VARIANTS_B)
    conv_on(conv2d_by_hand, x, w, None, 2, 1, WANT_C, VARIANTS_C)
    print("conv2d_by_hand matches F.conv2d.")


# --------------------------------------------------------------------------- Exercise 2: conv_output_size
def size_on(fn, size, k, stride=None, padding=None, want=None) -> None:
    """``fn(size, k[, stride=][, padding=])`` must be the int ``want``; a miss names the usual mistake."""
    kw = {}
    if stride is not None:
        kw["stride"] = stride
    if padding is not None:
        kw["padding"] = padding
    s, p = stride or 1, padding or 0
    what = f"conv_output_size({size}, {k}" + "".join(f", {a}={v}" for a, v in kw.items()) + ")"
    got = ck.call(fn, size, k, what=what, **kw)
    if not (type(got) is int or isinstance(got, np.integer)) or type(got) is bool:
        raise AssertionError(f"{what}: expected the int {want}, got {type(got).__name__} {got!r}: return a Python int "
                             "(use // for the floor division)")
    got = int(got)
    if got == want:
        return
    hint = ""
    if got == want - 1:
        hint = " Off by one: add 1 (+ 1), the first position of the kernel counts too."
    elif p and got == (size + p - k) // s + 1:
        hint = " The padding counts twice (both sides): size + 2 * padding."
    elif s > 1 and got == size + 2 * p - k + 1:
        hint = " The argument stride was ignored: divide by the stride."
    elif s > 1 and got == -(-(size + 2 * p - k) // s) + 1:
        hint = " Divide by the stride and round DOWN (//), then + 1."
    raise AssertionError(f"{what}: expected {want}, got {got}.{hint}")


def check_conv_output_size(conv_output_size) -> None:
    size_on(conv_output_size, 28, 5, want=24)
    size_on(conv_output_size, 28, 5, padding=2, want=28)
    size_on(conv_output_size, 28, 3, stride=2, padding=1, want=14)
    size_on(conv_output_size, 24, 2, stride=2, want=12)
    print("conv_output_size looks right.")


# --------------------------------------------------------------------------- Exercise 3: Net
FLATTEN = ("After conv2 and the second pooling each image is 20 x 4 x 4 = 320 values (28 -> 24 -> 12 -> 8 -> 4), not "
           "20*5*5 = 500: flatten each image keeping the batch (x.view(x.size(0), -1) gives (B, 320)), use Linear(320, 10), "
           "and look at the size with print(x.shape) in forward")


def batch(n: int, seed: int):
    """``n`` random images (n, 1, 28, 28) from a generator of their own."""
    return torch.randn(n, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


def run_net(model, x, what: str, name: str = "Net()"):
    """``model(x)``; a failure names the flattened size (the usual mistake) or says to print the sizes."""
    try:
        return model(x)
    except (AssertionError, NotImplementedError):
        raise
    except Exception as err:
        if "mat1 and mat2" in str(err) or "shapes cannot be multiplied" in str(err):
            raise AssertionError(f"the linear layer does not fit the flattened input ({err}). " + FLATTEN) from None
        raise AssertionError(f"{name}({what}) raised {type(err).__name__}: {err}. Look at the size: print x.shape "
                             "after every layer in forward") from None


def check_net(Net) -> None:
    ck.manual_seed(0)
    net = ck.call(Net, what="Net()")
    out = run_net(net, batch(7, 0), "a batch (7, 1, 28, 28)")
    ck.shape(out, (7, 10), "the logits of a batch of 7 images",
             hint="flatten with x.view(x.size(0), -1) to keep the batch dimension")
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    shapes = sorted(tuple(c.weight.shape) for c in convs)
    ck.true(shapes == [(10, 1, 5, 5), (20, 10, 5, 5)],
            f"expected two convolutions, Conv2d(1, 10, 5) and Conv2d(10, 20, 5); found weights {shapes}")
    n_params = sum(p.numel() for p in net.parameters())
    ck.true(n_params == 8490, f"Net has {n_params} parameters, expected 8490 (260 + 5020 + 3210): conv1, conv2 and "
                              "Linear(320, 10), nothing else")
    print("Net has the right shapes.")


def logits_not_probabilities(out, who: str = "") -> None:
    """``out`` (B, 10) must be logits: rows of probabilities (>= 0, summing to 1) mean a softmax at the end."""
    o = out.detach().double().cpu()
    probs = bool(torch.allclose(o.sum(dim=1), torch.ones(o.shape[0], dtype=o.dtype), atol=1e-3)) and float(o.min()) >= 0
    ck.true(not probs, f"{who}return logits, not probabilities: no softmax at the end (CrossEntropyLoss applies it)")


def relu_after_pooling(seen) -> None:
    """From ``ck.module_calls`` of one forward pass of the classic network: the inputs of conv2 and of the
    Linear layer must be >= 0 (a ReLU after each pooling)."""
    for c in seen.calls:
        shape = c.get("input_shape") or []
        name = ("Linear(320, 10)" if c.get("type") == "Linear" else
                "conv2" if c.get("type") == "Conv2d" and len(shape) == 4 and shape[1] == 10 else None)
        low = c.get("input_min")
        if name and low is not None and low < 0:
            raise AssertionError(f"the input of {name} has negative values: apply ReLU after each pooling "
                                 "(conv -> pool -> ReLU, twice)")


# --------------------------------------------------------------------------- Exercise 4: the trained net
def check_net_accuracy(net, net_acc) -> None:
    target = course.pick(fast=0.94, full=0.975)
    acc = ck.number(net_acc, "net_acc")
    ck.true(acc >= target, f"test accuracy {acc:.4f} is below the target {target}: check the network's layers and that "
                           "the loss curve falls (learning rate, zero_grad every step)")
    device = next(net.parameters()).device
    ck.true(device.type == course.device().type,
            f"net's parameters are on {device}, expected {course.device()}: call net.to(course.device())")
    print(f"test accuracy {acc:.4f} >= {target}")


# --------------------------------------------------------------------------- Exercise 5: predict_one
BATCH_ONE = ("A torch model always takes a batch, even of one: add the batch dimension "
             "(image.unsqueeze(0) for (1, 28, 28); image.view(1, 1, 28, 28) works for both shapes)")


def predict_on(fn, model, image, want: int, what: str, as_max=None, hint: str = "") -> int:
    """``fn(model, image)`` must be the int ``want``, computed without gradients, the image unchanged;
    ``as_max`` is what the largest logit's value (rather than its index) would give."""
    keep = image.clone()
    with ck.module_calls() as seen:
        try:
            got = fn(model, image)
        except (AssertionError, NotImplementedError):
            raise
        except Exception as err:
            raise AssertionError(f"{what} failed: {type(err).__name__}: {err}\n" + BATCH_ONE) from None
    ck.true(type(got) is int or (isinstance(got, np.integer) and type(got) is not bool),
            f"{what}: return a Python int (e.g. logits.argmax(dim=1).item()), got {type(got).__name__}")
    ck.true(bool(seen.calls), f"{what} never called the model")
    ck.true(not any(c.get("grad") for c in seen.calls),
            f"{what} ran the model with gradients enabled: predict under torch.no_grad()")
    ck.unchanged(keep, image, "the image")
    got = int(got)
    if got != want:
        raise AssertionError(f"{what}: predicted {got}, the model's largest logit is class {want}"
                             + (": argmax gives the index of the largest logit, max gives its value"
                                if as_max is not None and got == as_max else hint))
    return got


def probe_classifier():
    return seeded(lambda: nn.Sequential(nn.Conv2d(1, 4, 5), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 24 * 24, 10)), 3)


# the probe's class for test image 0, and int() of its largest logit (a max taken for an argmax)
PREDICT_WANT = 9
PREDICT_MAX = 0


def check_predict_one(predict_one) -> None:
    probe = probe_classifier().to(course.device())
    img = test_images(1)[0][0]                                # (1, 28, 28), on the CPU
    for shape in [(1, 28, 28), (28, 28)]:
        predict_on(predict_one, probe, img.view(shape), PREDICT_WANT,
                   f"predict_one(model, an image of shape {shape})", as_max=PREDICT_MAX)
    print("predict_one works on (1, 28, 28) and (28, 28).")


# --------------------------------------------------------------------------- Exercise 6: DeeperNet
def check_deeper_net(DeeperNet):
    ck.manual_seed(0)
    deep = ck.call(DeeperNet, what="DeeperNet()")
    n_conv = sum(isinstance(m, nn.Conv2d) for m in deep.modules())
    n_lin = sum(isinstance(m, nn.Linear) for m in deep.modules())
    ck.true(n_conv == 3 and n_lin == 3, f"DeeperNet has {n_conv} Conv2d and {n_lin} Linear layers, expected 3 and 3")
    try:
        out = deep(batch(5, 0))
    except (AssertionError, NotImplementedError):
        raise
    except Exception as err:
        raise AssertionError(f"DeeperNet fails on a batch (5, 1, 28, 28): {type(err).__name__}: {err}. Look at the size: "
                             "print x.shape before the first Linear and use that number (per image, keeping the batch: "
                             "x.view(x.size(0), -1))") from None
    ck.shape(out, (5, 10), "the logits of DeeperNet for 5 images", hint="flatten per image: x.view(x.size(0), -1)")
    print("DeeperNet has the right shape.")


# --------------------------------------------------------------------------- Exercise 7: training_memory
def diagnose(key, got, facts, batch_size) -> str:
    """The likely mistake behind a wrong count, from ``facts`` (the right counts and those of the usual
    wrong answers for this model, computed by the test)."""
    want = facts[key]
    if got == facts["elements"][key]:
        return "counted elements, not bytes: multiply by element_size() (4 for float32, 8 for float64)"
    if facts["float64"] and got == 4 * facts["elements"][key]:
        return "used 4 bytes for float64: the parameters are float64, element_size() is 8; use p.element_size(), not 4"
    if key == "parameters" and got == facts["trained_params"]:
        return "parameters counts EVERY parameter, the frozen ones (requires_grad False) too"
    if key == "gradients" and got == facts["all_params"]:
        return ("counted frozen parameters' gradients: a parameter with requires_grad False gets no gradient; "
                "sum over the parameters with p.requires_grad only")
    if key == "activations":
        if batch_size > 1 and got * batch_size == want:
            return "forgot the batch size: run the forward pass on torch.zeros(batch_size, *input_shape), not on one input"
        if got in facts["containers"] and got != want:
            return ("counted containers' outputs twice (non-leaf modules): a container's output is the output of its "
                    "last leaf; hook only the leaf modules, those with len(list(m.children())) == 0")
        if got in facts["last"]:
            return "counted only the last layer: add up the output of EVERY leaf module of the forward pass"
        if got == facts["once"]:
            return ("a module called twice in forward (like Net's pool) counts twice: add up every call, do not keep "
                    "one size per module")
        if got == want + facts["input"]:
            return "counted the input batch too: only the outputs of the leaf modules count"
        return ("activations = sum of out.numel() * out.element_size() over the output of every call of a leaf module, "
                "in one forward pass of torch.zeros(batch_size, *input_shape)")
    return f"{key} = sum of p.numel() * p.element_size() over model.parameters()" + (
        " with p.requires_grad" if key == "gradients" else "")


def check_memory(fn, model, input_shape, batch_size, name, facts):
    """``fn(model, input_shape, batch_size)`` must return ``facts``' three counts and leave the model as it
    was: weights, grads, modes, and no hook left behind (``ck.hook_counts``)."""
    what = f"training_memory({name}, {tuple(input_shape)}, batch_size={batch_size})"
    keep = {k: v.detach().clone() for k, v in model.state_dict().items()}
    modes = [m.training for m in model.modules()]
    n_hooks = ck.hook_counts(model)
    got = ck.call(fn, model, tuple(input_shape), batch_size, what=what,
                  hint="hook the leaf modules with register_forward_hook, run one forward pass of "
                       "torch.zeros(batch_size, *input_shape) under torch.no_grad(), remove the hooks")
    ck.true(type(got) is dict, f"{what} returned a {type(got).__name__}: return a dict "
                               "{'parameters': ..., 'gradients': ..., 'activations': ...}")
    ck.true(sorted(got) == ["activations", "gradients", "parameters"],
            f"{what} returned the keys {sorted(got)}: expected exactly 'parameters', 'gradients', 'activations'")
    for key in ("parameters", "gradients", "activations"):
        value = got[key]
        ck.true((type(value) is int or isinstance(value, np.integer)) and type(value) is not bool,
                f"{what}[{key!r}] is a {type(value).__name__}: return integer byte counts (int(...), or .item() of a tensor)")
    for k, v in model.state_dict().items():
        ck.true(bool(torch.equal(keep[k], v)), f"{what} changed the model's {k}: count, do not train (no optimizer, no backward)")
    ck.true(all(p.grad is None for p in model.parameters()),
            f"{what} left a .grad on the parameters: do not call backward(), one forward pass under torch.no_grad() is enough")
    ck.true([m.training for m in model.modules()] == modes,
            f"{what} changed the model's mode (train/eval): leave it as it is, torch.no_grad() is all you need")
    ck.true(ck.hook_counts(model) == n_hooks,
            f"{what} left forward hooks on the model: keep the handles of register_forward_hook and call handle.remove()")
    for key in ("parameters", "gradients", "activations"):
        if int(got[key]) != facts[key]:
            raise AssertionError(f"{what}[{key!r}]: expected {facts[key]:,} bytes, got {int(got[key]):,}. "
                                 + diagnose(key, int(got[key]), facts, batch_size))
    return got


# the lecture's CNN at batch 64 (the table "The network, size by size": per image 10*24*24 + 10*12*12 +
# 20*8*8 + 20*4*4 + 10 values, times 64, times 4 bytes), and what the usual wrong counts give
CLASSIC_64 = {"parameters": 33960, "gradients": 33960, "activations": 2255360,
              "elements": {"parameters": 8490, "gradients": 8490, "activations": 563840},
              "all_params": 33960, "trained_params": 33960, "containers": {2257920, 2255360},
              "last": {2560}, "once": 1886720, "input": 200704, "float64": False}


def check_training_memory(training_memory):
    classic = seeded(ClassicCNN, 0)
    mem = check_memory(training_memory, classic, (1, 28, 28), 64, "the lecture's CNN", CLASSIC_64)
    print("training_memory of the lecture's CNN:", mem)


# --------------------------------------------------------------------------- Exercise 8: optimize_input
def fingerprint(image):
    """Six numbers that tell (1, 1, 28, 28) images apart: the sum, the sum of squares, and four fixed
    random projections."""
    x = ck.array(image, "the image").reshape(-1)
    if x.size != 784:
        return np.full(6, np.nan)
    proj = torch.randn(4, 784, generator=torch.Generator().manual_seed(2026), dtype=torch.float64).numpy()
    return np.concatenate([[x.sum(), (x * x).sum()], proj @ x])


def ascent_on(fn, model, target, steps, lr, want, variants, what, fingerprints=False):
    """``fn(model, target, steps, lr)`` must return ``want`` (the image, or with ``fingerprints=True`` its
    ``fingerprint``), detached, the model's weights untouched; ``variants`` maps "down" (descent),
    "accumulated" (x.grad never zeroed), "log_softmax" (the log-probability raised) to their results."""
    keep = {k: v.detach().clone() for k, v in model.state_dict().items()}
    got = ck.call(fn, model, target, steps, lr, what=what)
    ck.true(isinstance(got, torch.Tensor), f"{what} must return a tensor, got {type(got).__name__}")
    ck.shape(got, (1, 1, 28, 28), f"the image from {what}")
    ck.true(not got.requires_grad, f"{what}: return the image detached from the graph (x.detach())")
    for k, v in model.state_dict().items():
        ck.true(bool(torch.equal(keep[k], v)), f"{what} changed the model's {k}: optimise the input only, the weights stay fixed")
    g = fingerprint(got) if fingerprints else ck.array(got, f"the image from {what}")

    def like(key):
        v = variants.get(key)
        return v is not None and bool(np.allclose(g, ck.array(v, key), rtol=1e-4, atol=1e-5))

    hint = "start from zeros and step x up the gradient of model(x)[0, target] with respect to x, lr times, steps times"
    if like("down"):
        hint = ("the image went DOWN the gradient: the target's logit falls. Gradient ascent is x + lr * grad "
                "(or descend on minus the logit)")
    elif steps > 1 and like("accumulated"):
        hint = "x.grad accumulated over the steps: zero it in every step (x.grad.zero_(), or optimizer.zero_grad())"
    elif like("log_softmax"):
        hint = "you raised the log-probability (log_softmax / cross-entropy), not the raw logit model(x)[0, target]"
    ck.close(g, want, (f"the fingerprint (sum, sum of squares, 4 projections) of the image from {what}" if fingerprints
                       else f"the image from {what}"), hint=hint, rtol=1e-4, atol=1e-5)
    return got


# fingerprints of the image gradient ascent reaches for ProbeCNN seeded 0, target 3, 5 steps, lr 0.1 (and of the
# usual wrong images: descent, x.grad never zeroed, the log-probability raised)
ASCENT_WANT = [0.18072646631298994, 0.027898443547987366, 0.06667485370622803, -0.397046638434058, 0.10905940600794242,
               -0.3790419568933096]
ASCENT_VARIANTS = {'accumulated': [0.5426775098494545, 0.25106810316009837, 0.2000956446725274, -1.1912355379988369,
                                   0.327140232844947, -1.1372065604735329],
                   'down': [-0.17854230133434612, 0.027896694333227133, -0.06629818215489211, 0.3964297288390264,
                            -0.10910568301138215, 0.3784864838716046],
                   'log_softmax': [0.17568920722169423, 0.023263765291290688, -0.026516780474096023, -0.3109237796462763,
                                   0.07315568646242547, -0.3929535529459603]}


def check_optimize_input(optimize_input):
    probe = seeded(ProbeCNN, 0).to(course.device())
    img = ascent_on(optimize_input, probe, 3, 5, 0.1, ASCENT_WANT, ASCENT_VARIANTS,
                    "optimize_input(probe, target=3, steps=5, lr=0.1)", fingerprints=True)
    with torch.no_grad():
        img = img.detach().to(next(probe.parameters()))
        before, after = probe(torch.zeros_like(img))[0, 3].item(), probe(img)[0, 3].item()
    ck.true(after > before, f"the logit of class 3 must rise: {before:.3f} at the blank image, {after:.3f} after")
    print(f"optimize_input looks right: the logit of class 3 rose from {before:.3f} to {after:.3f}")
