"""Lecture 10's visible checks (source/10_cnn_advanced):
``from course.exercises import cnn_advanced as q``.

The expected values are numbers for the inputs written here (no reference implementation: a
student's answer may import this module): multiplication counts, parameter counts, output shapes,
which branch fills which channels. What the text states as a property is checked as one: a
residual block whose convolutions are zero returns ``relu(x)``. The general references (the count
for any sizes, the parameters of any block, the accuracy recomputed on other test images) live in
the hidden part of the test cells, which pass the right values to the diagnoses here
(``count_on``, ``block_on``, ``residual_on``, ``transfer_on``).

The networks the tests hand to the student's ``transfer`` (``SmallCNN``, ``FeaturesAndHead``) are
public classes here, so that they exist, the same, in the student's kernel and in the judge: on the
judge they cross by spec (their ``_wire_init``; docs/grading.md, "Models and tensors across the
judge"). What only the student's process can see (which modules ran on which inputs) comes from
``ck.module_calls`` (kernel-observed); gradients through the student's blocks from ``ck.backward``,
which runs the backward pass where the student's model is.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

import course
from course import checks as ck


def seeded(make, seed: int):
    """``make()`` with torch's global generator seeded, the caller's random state left as it was."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return make()


def randn(*shape, seed: int, requires_grad: bool = False):
    """Random inputs from a generator of their own (the student's code never shifts them)."""
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(seed))
    return x.requires_grad_(True) if requires_grad else x


def count_params(model) -> int:
    return int(sum(p.numel() for p in model.parameters()))


# --------------------------------------------------------------------------- Exercise 1: conv_multiplications
def _count(fn, args) -> int:
    what = f"conv_multiplications{tuple(args)}"
    got = ck.call(fn, *args, what=what)
    if not (type(got) is int or isinstance(got, np.integer)) or type(got) is bool:
        if isinstance(got, (float, np.floating)):
            raise AssertionError(f"{what} returned the float {got!r}: return a Python int (a count of "
                                 "multiplications is a whole number: use ** 2 or k * k, not math.pow or /)")
        ck.number(got, what=what)
        raise AssertionError(f"{what} must return a Python int, got {type(got).__name__}")
    return int(got)


def count_on(fn, args, want: int) -> int:
    """``fn(*args)`` must be the int ``want``; a miss names the factor that is missing or doubled."""
    c_in, c_out, k, h, w = args
    got = _count(fn, args)
    if got == want:
        return got
    hint = ""
    if got * c_in == want and c_in != 1:
        hint = (" You left out the input channels: one kernel covers all C_in channels, so each output value costs "
                "C_in * k * k.")
    elif got * k == want and k != 1:
        hint = " The kernel has k * k weights per channel: square the kernel size."
    elif got * w == want * h and h != w:
        hint = " Use out_height * out_width: the output has H_out * W_out positions (you used the height twice)."
    elif got * c_out == want and c_out != 1:
        hint = " Each output channel has its own kernel: multiply by out_channels too."
    raise AssertionError(f"conv_multiplications{tuple(args)} = {got}, expected {want}: count the multiplications "
                         f"of every output value times the number of output values.{hint}")


def check_conv_multiplications(conv_multiplications) -> None:
    count_on(conv_multiplications, (192, 32, 5, 28, 28), 120_422_400)      # the lecture's example
    one = count_on(conv_multiplications, (192, 16, 1, 28, 28), 2_408_448)
    five = count_on(conv_multiplications, (16, 32, 5, 28, 28), 10_035_200)
    ck.true(one + five == 12_443_648, "1x1 (192 -> 16) then 5x5 (16 -> 32) on 28x28 costs 12,443,648 multiplications, "
                                      f"got {one + five}")
    print("conv_multiplications looks right.")


# --------------------------------------------------------------------------- Exercise 2: InceptionA
GROUPS = [("1x1", 0, 16), ("5x5", 16, 40), ("3x3", 40, 64), ("pool", 64, 88)]
PICTURE_ORDER = [("pool", 0, 24), ("1x1", 24, 40), ("5x5", 40, 64), ("3x3", 64, 88)]   # another reading: pool first


def run_block(block, x, label):
    """``block(x)`` as a plain tensor; the usual RuntimeErrors of a block become messages naming the mistake."""
    try:
        out = block(x)
    except (AssertionError, NotImplementedError):
        raise
    except RuntimeError as err:
        text = str(err).splitlines()[0] if str(err).strip() else ""
        if "Sizes of tensors must match except in dimension 1" in text:
            raise AssertionError(
                f"{label}: the branches have different heights/widths ({text}): padding is missing. "
                "Keep the spatial size in every branch: padding=2 for the 5x5 conv, padding=1 for the 3x3 convs, "
                "stride=1 and padding=1 for the average pooling") from None
        if "Sizes of tensors must match except in dimension" in text:
            raise AssertionError(
                f"{label}: torch.cat failed ({text}): concatenate the branches on the channel dimension, "
                "dim=1 of (B, C, H, W)") from None
        if "channels" in text:
            raise AssertionError(
                f"{label} raised RuntimeError: {text}. A convolution gets another number of channels than it was built "
                "for: the first layer of every branch takes in_channels (the constructor's argument, do not hard-code "
                "it); a conv after another one takes that one's output channels (16 or 24)") from None
        raise AssertionError(f"{label} raised RuntimeError: {text}. Look at the size of every branch: "
                             "each must give (B, its channels, H, W)") from None
    except Exception as err:
        raise AssertionError(f"{label} raised {type(err).__name__}: {err}") from None
    return ck.tensor(out, what=f"{label}'s output")


def new_block(InceptionA, c_in):
    return ck.call(InceptionA, c_in, what=f"InceptionA({c_in})")


def branch_layout(block, c_in, groups=GROUPS):
    """What each group of output channels looks like: (the kernel sizes of the convolutions whose weights
    get a gradient from that group, the receptive field in pixels of one input pixel)."""
    convs = [m for m in block.modules() if isinstance(m, nn.Conv2d)]
    x = randn(2, c_in, 9, 9, seed=11)
    delta = torch.zeros(1, c_in, 9, 9)
    delta[0, :, 4, 4] = 1.0
    with torch.no_grad():
        shape = tuple(block(x).shape)
        moved = (block(delta) - block(torch.zeros(1, c_in, 9, 9))).abs()
    layout = []
    for _, lo, hi in groups:
        mask = torch.zeros(shape)
        mask[:, lo:hi] = 1.0
        block.zero_grad()
        ck.backward(block, x, grad_output=mask)       # d (out[:, lo:hi].sum()) / d weights, where the block runs
        kernels = set()
        for m in convs:
            g = m.weight.grad
            if g is not None and float(g.abs().sum()) > 0:
                kernels.add(int(m.kernel_size[0]))
        field = int((moved[0, lo:hi].sum(dim=0) > 1e-7).sum())
        layout.append((sorted(kernels), field))
    block.zero_grad()
    return layout


def describe(kernels, field):
    if 5 in kernels and 3 not in kernels:
        return "the 5x5 branch"
    if 3 in kernels and 5 not in kernels:
        return "the 3x3 branch"
    if kernels == [1] and field == 1:
        return "the 1x1 branch"
    if kernels == [1] and field == 9:
        return "the pool branch"
    return f"a mix of branches (kernel sizes {kernels})"


def branch_order(block, c_in) -> None:
    """The four branches fill the channels in the order of the text: 1x1, 5x5, 3x3, pool."""
    found = [describe(*spec) for spec in branch_layout(block, c_in)]
    expected = [f"the {name} branch" for name, _, _ in GROUPS]
    if found == expected:
        return
    other = [describe(*spec) for spec in branch_layout(block, c_in, PICTURE_ORDER)]
    ck.true(other != [f"the {name} branch" for name, _, _ in PICTURE_ORDER],
            "the branches are concatenated in the order pool, 1x1, 5x5, 3x3: the test wants the order of the text and "
            "of the diagram, 1x1 (channels 0-15), 5x5 (16-39), 3x3 (40-63), pool (64-87): put the pool branch last in "
            "torch.cat")
    raise AssertionError(
        f"InceptionA({c_in}): the branches must be concatenated in the order 1x1 (channels 0-15), 5x5 (16-39), 3x3 "
        "(40-63), pool (64-87); found: " + ", ".join(f"channels {lo}-{hi - 1} = {f}" for (_, lo, hi), f in zip(GROUPS, found)))


def block_on(InceptionA, c_in, x, want_params: int, label: str):
    """A new ``InceptionA(c_in)`` on ``x`` (B, c_in, H, W): output (B, 88, H, W), ``want_params`` parameters."""
    block = new_block(InceptionA, c_in)
    b, _, h, w = x.shape
    out = run_block(block, x, label)
    ck.true(out.shape[0] == b, f"{label}: output shape {tuple(out.shape)}: the batch dimension changed, you concatenated "
                               "on the wrong dimension (use dim=1, the channels)")
    ck.true(tuple(out.shape) == (b, 88, h, w),
            f"{label} must give {(b, 88, h, w)}, got {tuple(out.shape)}: 16 + 24 + 24 + 24 = 88 channels concatenated "
            f"with dim=1, and the same {h}x{w} in every branch (padding)")
    n = count_params(block)
    ck.true(n == want_params, f"InceptionA({c_in}) has {n} parameters, expected {want_params}: check the branches "
                              "against the table (1x1 convs to 16 channels, 5x5 and 3x3 convs to 24, the pool branch's "
                              "1x1 conv to 24); every branch's first layer takes in_channels (the constructor's argument)")
    return block


def check_inception(InceptionA) -> None:
    ck.manual_seed(0)
    block = block_on(InceptionA, 10, randn(2, 10, 12, 12, seed=0), 19_104, "InceptionA(10) on (2, 10, 12, 12)")
    branch_order(block, 10)
    print("InceptionA has the right shapes and branch order.")


def pool_branch_is_average(block, c_in) -> None:
    """The pool branch (channels 64-87) is average pooling then a 1x1 conv: an affine map of x."""
    x1, x2 = randn(2, c_in, 6, 6, seed=5), randn(2, c_in, 6, 6, seed=6)
    with torch.no_grad():
        lhs = block(x1 + x2)[:, 64:] + block(torch.zeros_like(x1))[:, 64:]
        rhs = block(x1)[:, 64:] + block(x2)[:, 64:]
    ck.true(bool(torch.allclose(lhs, rhs, atol=1e-4)),
            "the pool branch (channels 64-87) is not F.avg_pool2d(x, 3, stride=1, padding=1) followed by "
            "Conv2d(in_channels, 24, 1): use average pooling (not max pooling) and no activation in the block, as in "
            "the table")


def batch_independent(model, x, label, atol=1e-5) -> None:
    with torch.no_grad():
        whole = model(x)
        one = model(x[1:2])
    ck.true(bool(torch.allclose(one, whole[1:2], atol=atol)),
            f"{label}: each image's output must not depend on the other images of the batch")


# --------------------------------------------------------------------------- Exercise 3: ResidualBlock
def run_res(block, x, label):
    try:
        out = block(x)
    except (AssertionError, NotImplementedError):
        raise
    except RuntimeError as err:
        raise AssertionError(f"{label} raised RuntimeError: {str(err).splitlines()[0]}. F(x) must have the shape of x: "
                             "two Conv2d(channels, channels, 3, padding=1), with the constructor's channels (not a fixed "
                             "number)") from None
    except Exception as err:
        raise AssertionError(f"{label} raised {type(err).__name__}: {err}") from None
    return ck.tensor(out, what=f"{label}'s output")


def zero_convs(block, bias=0.0):
    """Every convolution's weight 0 and bias ``bias``: then F(x) is a constant."""
    with torch.no_grad():
        for m in block.modules():
            if isinstance(m, nn.Conv2d):
                m.weight.zero_()
                b = m.bias
                if b is not None:
                    b.fill_(bias)
    return block


def minus_identity_convs(block):
    """Every convolution becomes -identity (centre tap -1 on its own channel, no bias): conv(x) = -x."""
    with torch.no_grad():
        for m in block.modules():
            if isinstance(m, nn.Conv2d):
                w = m.weight
                w.zero_()
                kh, kw = m.kernel_size
                for i in range(min(m.in_channels, m.out_channels)):
                    w[i, i, kh // 2, kw // 2] = -1.0
                b = m.bias
                if b is not None:
                    b.zero_()
    return block


def relu_places(block, x, label) -> None:
    """With both convolutions -identity the block must give relu(x): the two ReLUs where the text puts them."""
    with torch.no_grad():
        got = run_res(minus_identity_convs(block), x, label)
    want = F.relu(x)
    if torch.allclose(got, 2 * want, atol=1e-5) and not torch.allclose(want, 2 * want, atol=1e-5):
        raise AssertionError(f"{label} with both convolutions set to -identity returned 2 relu(x), expected relu(x): the "
                             "ReLU between the two convolutions is missing. F(x) = conv2(relu(conv1(x))), then relu(x + F(x))")
    if torch.allclose(got, x, atol=1e-5) and not torch.allclose(x, want, atol=1e-5):
        raise AssertionError(f"{label} with both convolutions set to -identity returned x, expected relu(x): the ReLU must "
                             "come after adding the shortcut, relu(x + F(x)), not relu(x) + F(x)")
    ck.true(bool(torch.allclose(got, want, atol=1e-5)),
            f"{label} with both convolutions set to -identity must return relu(x + conv2(relu(conv1(x)))) = relu(x), "
            f"differs by {(got - want).abs().max():.3g}: follow forward(x) = relu(x + conv2(relu(conv1(x)))) exactly")


def zero_block(block, x, label) -> None:
    """With every convolution zero, F(x) = 0 and the block returns relu(x)."""
    with torch.no_grad():
        out0 = run_res(zero_convs(block), x, label)
    want = F.relu(x)
    if torch.allclose(out0, torch.zeros_like(out0)) and not torch.allclose(want, torch.zeros_like(want)):
        raise AssertionError("with all convolution weights zero, F(x) = 0 and the block returned 0: you forgot the "
                             "shortcut. Return relu(x + F(x)), adding the input x back")
    if torch.allclose(out0, x) and not torch.allclose(x, want):
        raise AssertionError("with all convolution weights zero the block returned x itself, expected relu(x): "
                             "apply the ReLU after adding the shortcut, relu(x + F(x)); a ReLU on F(x) before adding "
                             "(x + relu(F(x))) is not the residual block of the lecture")
    ck.true(bool(torch.allclose(out0, want)),
            "with all convolution weights zero, F(x) = 0 and the block must return relu(x + 0) = relu(x)")


def residual_on(ResidualBlock, c, x, want_params: int, label: str):
    """A new ``ResidualBlock(c)`` on ``x``: input left alone, shape kept, ``want_params`` parameters, both
    convolutions used; then F(x) = 0 and F = -identity."""
    block = ck.call(ResidualBlock, c, what=f"ResidualBlock({c})")
    x_before = x.clone()
    out = run_res(block, x, label)
    ck.true(bool(torch.equal(x, x_before)),
            "ResidualBlock changed its input tensor x in place (x += F(x) or an in-place ReLU on x): the caller's x must "
            "stay as it was. Write out = x + F(x) (a new tensor), then relu(out)")
    ck.true(tuple(out.shape) == tuple(x.shape), f"{label} must keep the shape {tuple(x.shape)}, got {tuple(out.shape)}")
    n = count_params(block)
    ck.true(n == want_params, f"ResidualBlock({c}) has {n} parameters, expected {want_params}: two "
                              f"Conv2d({c}, {c}, 3, padding=1), with the constructor's channels")
    block.zero_grad()
    ck.backward(block, x)                            # the sum of the outputs, backward where the block runs
    unused = [m for m in block.modules() if isinstance(m, nn.Conv2d)
              and (m.weight.grad is None or float(m.weight.grad.abs().sum()) == 0)]
    ck.true(not unused, "a convolution of the block gets no gradient: forward must use both conv1 and conv2, "
                        "conv2(relu(conv1(x)))")
    zero_block(block, x, label)
    relu_places(block, x, label)
    return block


def check_residual(ResidualBlock) -> None:
    ck.manual_seed(0)
    residual_on(ResidualBlock, 16, randn(2, 16, 12, 12, seed=0), 4_640, "ResidualBlock(16) on (2, 16, 12, 12)")
    print("ResidualBlock computes relu(x + F(x)).")


def shifted_by(block, x, shift, want, label) -> None:
    """With zero weights and biases ``shift`` (F(x) = shift) the block must return ``want``."""
    with torch.no_grad():
        got = run_res(zero_convs(block, bias=shift), x, label)
    ck.true(bool(torch.allclose(got, want, atol=1e-6)),
            f"{label} with zero weights and biases {shift} (so F(x) = {shift}) must return relu(x + {shift}): add x "
            "to F(x), then the ReLU")


# --------------------------------------------------------------------------- Exercises 4 and 5: the two networks
def net_forward(net, x, label, block_name, flat):
    try:
        out = net(x)
    except (AssertionError, NotImplementedError):
        raise
    except RuntimeError as err:
        text = str(err).splitlines()[0] if str(err).strip() else ""
        if "Sizes of tensors must match" in text:
            raise AssertionError(f"{label} fails inside {block_name} ({text}): fix the block's exercise first") from None
        if "mat1 and mat2" in text:
            raise AssertionError(
                f"{label}: the flattened tensor does not fit the linear layer ({text}). Look at the size: flatten per "
                f"image to (B, {flat}) with x.view(x.size(0), -1) (never a fixed batch size) or torch.flatten(x, 1) "
                f"(torch.flatten(x) also flattens the batch), and use nn.Linear({flat}, 10)") from None
        if "is invalid for input of size" in text:
            raise AssertionError(f"{label} raised RuntimeError: {text}. Do not hard-code the batch size in view(): "
                                 "use x.view(x.size(0), -1)") from None
        raise AssertionError(f"{label} raised RuntimeError: {text}. Look at the size: follow the table, layer by layer "
                             f"(each {block_name} gets the channels of the conv before it and keeps H and W; flattened "
                             f"size {flat})") from None
    except Exception as err:
        raise AssertionError(f"{label} raised {type(err).__name__}: {err}") from None
    return ck.tensor(out, what=f"{label}'s output")


def block_inputs(seen, block_name):
    """From ``ck.module_calls`` of one forward pass: (input shape, input minimum) of each call of a block."""
    return [(tuple(c.get("input_shape") or ()), c.get("input_min")) for c in seen.calls if c.get("type") == block_name]


NETS = {  # name -> (block class, flattened size, the blocks' input shapes for a batch of B (channels, H, W), parameters)
    "InceptionNet": ("InceptionA", 1408, [(10, 12, 12), (20, 4, 4)], 97_298,
                     "Conv2d(1, 10, 5), InceptionA(10), Conv2d(88, 20, 5), InceptionA(20), Linear(1408, 10)"),
    "ResNet": ("ResidualBlock", 512, [(16, 12, 12), (32, 4, 4)], 41_514,
               "Conv2d(1, 16, 5), ResidualBlock(16), Conv2d(16, 32, 5), ResidualBlock(32), Linear(512, 10)"),
}


def net_on(net, name, x, label=None):
    """``net(x)`` for a batch of B images: logits (B, 10); the blocks called on the inputs of the table, after a ReLU."""
    block_name, flat, inputs, _, _ = NETS[name]
    b = x.shape[0]
    label = label or f"{name} on {tuple(x.shape)}"
    with ck.module_calls() as seen:
        out = net_forward(net, x, label, block_name, flat)
    ck.true(tuple(out.shape) == (b, 10), f"{name} must return logits ({b}, 10), got {tuple(out.shape)}")
    got = block_inputs(seen, block_name)
    n_blocks = len({c.get("module") for c in seen.calls if c.get("type") == block_name})
    ck.true(n_blocks == 2, f"{name} must use two {block_name} blocks, found {n_blocks}")
    want = [(b, *shape) for shape in inputs]
    ck.true([s for s, _ in got] == want,
            f"the {block_name} blocks got inputs of shapes {[s for s, _ in got]}, expected {want}: {block_name}"
            f"({inputs[0][0]}) after conv1 (5x5) -> pool -> ReLU, {block_name}({inputs[1][0]}) after conv2 (5x5) -> "
            "pool -> ReLU")
    ck.true(all(low is not None and low >= 0 for _, low in got),
            f"a {block_name} block got negative inputs: the ReLU after conv -> pool is missing "
            "(x = F.relu(self.pool(self.conv1(x))))")
    return out


def _check_net(Net, name):
    ck.manual_seed(0)
    net = ck.call(Net, what=f"{name}()")
    net_on(net, name, randn(4, 1, 28, 28, seed=0))
    _, _, _, want_n, layers = NETS[name]
    n = count_params(net)
    ck.true(n == want_n, f"{name} has {n} parameters, expected {want_n}: {layers} and nothing more")
    print(f"{name} has the right shapes.")
    return net


def check_inception_net(InceptionNet) -> None:
    _check_net(InceptionNet, "InceptionNet")


def check_resnet(ResNet) -> None:
    _check_net(ResNet, "ResNet")


def single_linear(net, name, shape) -> None:
    found = sorted(tuple(m.weight.shape) for m in net.modules() if isinstance(m, nn.Linear))
    ck.true(found == [tuple(shape)], f"{name} ends with a single Linear({shape[1]}, {shape[0]}), found {found}")


# --------------------------------------------------------------------------- Exercise 6: the trained networks
def check_accuracy(model, acc, name, var) -> None:
    target = course.pick(fast=0.95, full=0.98)
    acc = ck.number(acc, f"the test accuracy of {name}")
    hint = "check the block and the loss curve" if name == "InceptionNet" else \
        "check the block (relu(x + F(x))) and the loss curve"
    ck.true(acc >= target, f"{name} test accuracy {acc:.4f} is below the target {target}: {hint}")
    device = next(model.parameters()).device
    ck.true(device.type == course.device().type,
            f"{var} is on {device}, expected {course.device()}: call .to(course.device())")
    print(f"{name}: {acc:.4f} >= {target}")


def check_inception_accuracy(inception_net, incep_acc) -> None:
    check_accuracy(inception_net, incep_acc, "InceptionNet", "inception_net")


def check_resnet_accuracy(res_net, res_acc) -> None:
    check_accuracy(res_net, res_acc, "ResNet", "res_net")


_TRANSFORM = None


def test_images(n: int, seed: int):
    """``n`` MNIST test images chosen by ``seed``, normalised as in the lecture: (images (n, 1, 28, 28), labels)
    on the course's device."""
    global _TRANSFORM
    from torchvision import transforms

    if _TRANSFORM is None:
        _TRANSFORM = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    data = course.datasets.subset(course.datasets.mnist(train=False, transform=_TRANSFORM), n, seed=seed)
    xs = torch.stack([data[i][0] for i in range(len(data))]).to(course.device())
    ys = torch.tensor([data[i][1] for i in range(len(data))], device=course.device())
    return xs, ys


# --------------------------------------------------------------------------- Exercise 7: transfer
class SmallCNN(nn.Module):
    """The lecture's SmallCNN, locked (so a test does not depend on the lecture's cell): conv 5x5 (8) -> pool ->
    conv 5x5 (16) -> pool -> 256 features -> Linear head."""

    _wire_init = ("num_classes",)

    def __init__(self, num_classes=10):
        super().__init__()
        self.num_classes = int(num_classes)
        self.features = nn.Sequential(nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
        self.head = nn.Linear(16 * 4 * 4, self.num_classes)

    def forward(self, x):
        return self.head(self.features(x))


class FeaturesAndHead(nn.Module):
    """Another model with ``features`` (two Linear layers, 6 -> 5 features) and ``head`` (Linear(5, 2))."""

    _wire_init = ()

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(6, 7), nn.Tanh(), nn.Linear(7, 5), nn.ReLU())
        self.head = nn.Linear(5, 2)

    def forward(self, x):
        return self.head(self.features(x))


def transfer_on(fn, model, num_classes, what, x):
    """``fn(model, num_classes)`` must freeze ``model.features`` unchanged, give a new trainable head
    ``Linear(old in_features, num_classes)`` on the model's device, and return the model."""
    old_head = model.head
    old_head_w = old_head.weight.detach().clone()
    keep = {k: v.detach().clone() for k, v in model.features.state_dict().items()}
    n_in = old_head.in_features
    got = ck.call(fn, model, num_classes, what=what)
    ck.true(isinstance(got, nn.Module), f"{what} must return the model, got {type(got).__name__}")
    for k, v in got.features.state_dict().items():
        ck.true(k in keep and bool(torch.equal(keep[k], v)),
                f"{what} changed the features ({k}): keep the trained layers as they are, only freeze them")
    feats = list(got.features.parameters())
    still = [p for p in feats if p.requires_grad]
    ck.true(not still, f"{what}: {len(still)} of the features' {len(feats)} parameters still require gradients: freeze "
                       "every parameter of model.features (weights and biases), p.requires_grad = False")
    head = got.head
    ck.true(isinstance(head, nn.Linear), f"{what}: model.head must be an nn.Linear, got {type(head).__name__}")
    weight = head.weight.detach()
    ck.true(head is not old_head and not (weight.shape == old_head_w.shape and bool(torch.equal(weight, old_head_w))),
            f"{what}: model.head is still the old head (trained for the old task): replace it by a new nn.Linear")
    ck.true((head.in_features, head.out_features) == (n_in, num_classes),
            f"{what}: the new head must be nn.Linear({n_in}, {num_classes}) (the old head's in_features, num_classes "
            f"outputs), got nn.Linear({head.in_features}, {head.out_features})")
    head_params = list(head.parameters())
    ck.true(all(p.requires_grad for p in head_params),
            f"{what}: the new head is frozen too: it is the part that trains; freeze the features only, "
            "or freeze first and build the new head afterwards")
    ck.true(all(p.device == feats[0].device for p in head_params),
            f"{what}: the new head is on {head_params[0].device}, the features on {feats[0].device}: move it with .to(...)")
    out = ck.call(got, x, what=f"the transferred model on a batch of {len(x)}")
    ck.shape(out, (len(x), num_classes), "the transferred model's logits")
    ck.backward(got, x)                              # the sum of the logits, backward where the model is
    ck.true(all(p.grad is None for p in got.features.parameters()), f"{what}: a backward pass still reached the features")
    ck.true(all(p.grad is not None for p in got.head.parameters()), f"{what}: a backward pass must reach the new head")
    return got


def check_transfer(transfer) -> None:
    model = seeded(SmallCNN, 0).to(course.device())
    transfer_on(transfer, model, 10, "transfer(SmallCNN(), 10)", randn(4, 1, 28, 28, seed=0).to(course.device()))
    print("transfer looks right.")
