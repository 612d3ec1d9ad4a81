"""Short, fair checks for the lectures' test cells (no solution lives here).

Every check

* reduces what the student's code returned to an exact base type first (``float``/``int``, a
  ``numpy.ndarray`` of a plain dtype, a plain ``torch.Tensor``), so an object whose ``==`` or
  ``__array_function__`` always agrees cannot pass (see docs/grading.md);
* fails with an ``AssertionError`` whose message says what was checked, what was expected,
  what was got, and the likely cause (the ``hint``);
* accepts every correct spelling: ``np.float64`` and ``np.float32`` are numbers, a float32
  tensor is compared with a tolerance that suits float32.

    from course import checks as ck
    out = ck.call(train, model, x, y, epochs=2, what="train(model, x, y, epochs=2)")
    ck.close(out[0], 10.5, what="the first loss", hint="MSELoss averages over the batch")

The references used here are bound when the module is imported (before any student code runs)
and the grader's guards verify this module before every test.
"""
from __future__ import annotations

import builtins as _builtins
import math as _math

import numpy as _np
import torch as _torch

from .i18n import t as _t

_float, _int, _bool, _type, _isinstance, _len, _repr = (
    _builtins.float, _builtins.int, _builtins.bool, _builtins.type, _builtins.isinstance, _builtins.len, _builtins.repr)
_list, _tuple, _str, _dict = _builtins.list, _builtins.tuple, _builtins.str, _builtins.dict
_NUMPY_SCALARS = (_np.float64, _np.float32, _np.float16, _np.int64, _np.int32, _np.int16, _np.int8,
                  _np.uint8, _np.bool_)
_PLAIN_TENSORS = (_torch.Tensor, _torch.nn.Parameter)
_BASE_DTYPES = ("f", "i", "u", "b")

# what a beginner's exception usually means: (text in the message, likely cause, the same in Chinese);
# the language is picked when a message is written (course.i18n: the release's language)
_IN_FEATURES = ("a layer's in_features does not match the size of its input", "某一层的 in_features 与它的输入大小不一致")
_DTYPES = ("dtypes do not match: use float32 inputs (torch.float) and int64 class labels (torch.long)",
           "dtype 不一致：输入用 float32 (torch.float)，类别标签用 int64 (torch.long)")
_SIGNATURE = ("the function's signature must be the one in the docstring", "函数的参数必须与文档字符串中写的一致")
_RANGE = ("an index or a class label is out of range (class labels run from 0 to C-1)",
          "下标或类别标签越界（类别标签的取值是 0 到 C-1）")
_CAUSES = (
    ("NotImplementedError", "the exercise is not answered yet (replace `raise NotImplementedError()`)",
     "这道练习还没有作答（把 `raise NotImplementedError()` 换成你的代码）"),
    ("mat1 and mat2 shapes cannot be multiplied", *_IN_FEATURES),
    ("size mismatch", *_IN_FEATURES),
    ("does not require grad and does not have a grad_fn",
     "the loss was cut from the graph before backward() (.item(), .data, .detach() or torch.no_grad())",
     "在 backward() 之前损失已经脱离了计算图（.item()、.data、.detach() 或 torch.no_grad()）"),
    ("backward through the graph a second time", "a graph of an earlier step is reused: compute the loss anew in each step",
     "重复使用了前一步的计算图：每一步都要重新计算损失"),
    ("Expected all tensors to be on the same device",
     "the model and the data are on different devices: move both to course.device()",
     "模型和数据不在同一个设备上：把两者都移到 course.device()"),
    ("expected scalar type", *_DTYPES),
    ("Found dtype", *_DTYPES),
    ("must match the size of tensor", "two tensors' shapes do not line up: check each shape, the batch dimension first",
     "两个张量的形状对不上：逐个检查形状，先看批量 (batch) 维"),
    ("Expected input batch_size", "the outputs and the targets have different batch sizes", "输出和目标的批量大小不同"),
    ("positional argument", *_SIGNATURE),
    ("unexpected keyword argument", *_SIGNATURE),
    ("out of range", *_RANGE),
    ("out of bounds", *_RANGE),
    ("division by zero", "a division by zero: an empty input or a count of 0", "除以零：输入为空，或计数为 0"),
    ("is not defined", "a name is used before it is defined: run the cells above first",
     "某个名字在定义之前就被使用了：先运行上面的单元格"),
    ("view size is not compatible", "use .reshape() (or .contiguous().view()) instead of .view() on this tensor",
     "对这个张量用 .reshape()（或 .contiguous().view()）代替 .view()"),
    ("a leaf Variable that requires grad is being used in an in-place operation",
     "update parameters inside `with torch.no_grad():` (or with .data)",
     "在 `with torch.no_grad():` 里（或用 .data）更新参数"),
)


def _cause(exc: BaseException) -> str:
    text = f"{_type(exc).__name__}: {exc}"
    for needle, cause, zh in _CAUSES:
        if needle in text:
            return _t(cause, zh)
    return _t("read the error above the message and the function's docstring", "请阅读消息上方的错误信息和函数的文档字符串")


def _raised(label: str, exc: BaseException, cause: str) -> AssertionError:
    first = _str(exc).strip().splitlines()[0][:300] if _str(exc).strip() else ""
    name = _type(exc).__name__
    return AssertionError(_t(f"{label} raised {name}: {first}. Likely cause: {cause}",
                             f"{label} 抛出了 {name}: {first}。可能的原因：{cause}"))


def call(fn, *args, what: str = "", hint: str = "", **kwargs):
    """``fn(*args, **kwargs)``; an exception inside the student's code becomes a message that
    names the call and the likely cause."""
    label = what or f"{getattr(fn, '__name__', 'the function')}(...)"
    try:
        return fn(*args, **kwargs)
    except AssertionError:
        raise
    except Exception as exc:
        raise _raised(label, exc, hint or _cause(exc)) from None


def _fail(what: str, expected: str, got: str, hint: str) -> None:
    what = what or _t("the value", "结果")
    raise AssertionError(_t(f"{what}: expected {expected}, got {got}" + (f". {hint}" if hint else ""),
                            f"{what}：应为 {expected}，得到的是 {got}" + (f"。{hint}" if hint else "")))


def _a(kind: str) -> str:
    return _t(f"a {kind}", f"一个 {kind}")


def _show(value, limit: int = 200) -> str:
    try:
        text = _repr(value.tolist() if _isinstance(value, (_np.ndarray, _torch.Tensor)) else value)
    except Exception:
        text = f"a {_type(value).__name__}"
    return text if _len(text) <= limit else text[:limit] + "..."


def number(value, what: str = "", hint: str = "") -> float:
    """``value`` as a plain Python float: a Python or numpy number (not a tensor, not a subclass
    of its own).  Use it where the exercise asks for a number."""
    kind = _type(value)
    if kind in (_float, _int) or kind in _NUMPY_SCALARS:
        return _float(value)
    if kind is _bool:
        _fail(what, _t("a number", "一个数"), _a("bool"), hint)
    if kind in _PLAIN_TENSORS:
        _fail(what, _t("a Python number", "一个 Python 数"), _t(f"a tensor of shape {_tuple(value.shape)}",
                                                              f"一个形状为 {_tuple(value.shape)} 的张量"),
              hint or _t("return loss.item() (or float(...)) rather than the tensor", "返回 loss.item()（或 float(...)），而不是张量"))
    _fail(what, _t("a Python number", "一个 Python 数"), _a(kind.__name__), hint)


def array(value, what: str = "", hint: str = "") -> _np.ndarray:
    """``value`` as a plain float64 numpy array: an ndarray of a plain dtype, a plain tensor, a
    (nested) list/tuple of numbers, or a number."""
    kind = _type(value)
    if kind is _np.ndarray:
        if value.dtype.kind not in _BASE_DTYPES:
            _fail(what, _t("numbers", "数值"), _t(f"an array of dtype {value.dtype}", f"一个 dtype 为 {value.dtype} 的数组"), hint)
        return _np.array(value, dtype=_np.float64, copy=True)
    if kind in _PLAIN_TENSORS:
        return _np.array(value.detach().cpu().double().numpy(), dtype=_np.float64, copy=True)
    if kind in (_list, _tuple):
        return _np.array([array(v, what, hint) for v in value], dtype=_np.float64) if value else _np.zeros(0)
    return _np.array(number(value, what, hint), dtype=_np.float64)


def tensor(value, what: str = "", hint: str = "") -> _torch.Tensor:
    """``value`` itself if it is a plain ``torch.Tensor`` (or ``nn.Parameter``); a subclass of the
    student's own, an ndarray or a list fails with a message."""
    if _type(value) not in _PLAIN_TENSORS:
        _fail(what, _a("torch.Tensor"), _a(_type(value).__name__), hint)
    return value


def shape(value, expected, what: str = "", hint: str = "") -> None:
    """``value`` (a tensor or ndarray) has shape ``expected`` (a tuple; None matches any size)."""
    if _type(value) not in _PLAIN_TENSORS and _type(value) is not _np.ndarray:
        _fail(what, _t(f"a tensor of shape {_tuple(expected)}", f"一个形状为 {_tuple(expected)} 的张量"),
              _a(_type(value).__name__), hint)
    got = _tuple(_int(n) for n in value.shape)
    want = _tuple(expected)
    if _len(got) != _len(want) or any(w is not None and g != w for g, w in zip(got, want)):
        _fail(what, _t(f"shape {want}", f"形状 {want}"), _t(f"shape {got}", f"形状 {got}"), hint)


def _tolerance(value, rtol: float | None, atol: float | None) -> tuple[float, float]:
    """float32 work carries ~1e-7 relative error per operation: a tolerance fit for float32 by default."""
    return (1e-4 if rtol is None else rtol), (1e-6 if atol is None else atol)


def close(got, expected, what: str = "", hint: str = "", rtol: float | None = None,
          atol: float | None = None) -> None:
    """``got`` equals ``expected`` within a tolerance; both reduced to plain float64 arrays first
    (numbers, lists, ndarrays and tensors all accepted); shapes must agree exactly."""
    a = array(got, what, hint)
    b = array(expected, _t("the expected value", "期望值"))
    rt, at = _tolerance(a, rtol, atol)
    if a.shape != b.shape:
        _fail(what, _t(f"shape {_tuple(b.shape)} ({_show(b)})", f"形状 {_tuple(b.shape)} ({_show(b)})"),
              _t(f"shape {_tuple(a.shape)} ({_show(a)})", f"形状 {_tuple(a.shape)} ({_show(a)})"), hint)
    if not _bool(_np.all(_np.isfinite(a))) and _bool(_np.all(_np.isfinite(b))):
        _fail(what, _show(b), _show(a) + _t(" (not finite: the computation diverged or divided by zero)",
                                            "（不是有限值：计算发散了，或除以了零）"), hint)
    if not _bool(_np.allclose(a, b, rtol=rt, atol=at)):
        _fail(what, _show(b), _show(a), hint)


def true(condition, message: str) -> None:
    """An assertion on a plain bool (a student object that claims to be true does not count)."""
    if _type(condition) is _np.bool_:
        condition = _bool(condition)
    if _type(condition) is _torch.Tensor and condition.numel() == 1:
        condition = _bool(condition.item())
    if condition is not True:
        raise AssertionError(message)


def unchanged(before, after, what: str = "") -> None:
    """``after`` still equals the copy ``before`` taken before the call (inputs must not be edited)."""
    what = what or _t("the input", "输入")
    a, b = array(after, what), array(before, what)
    if a.shape != b.shape or not _bool(_np.array_equal(a, b, equal_nan=True)):
        raise AssertionError(_t(f"{what} was modified by the call: work on a copy (e.g. x.clone() / "
                                "arr.copy()) or use out-of-place operations (x = x - ..., not x -= ...)",
                                f"调用修改了{what}：在副本上计算（例如 x.clone() / arr.copy()），"
                                "或用非原地运算（x = x - ...，而不是 x -= ...）"))


def isfinite(value) -> bool:
    return _math.isfinite(number(value))


_TorchFunctionMode = _torch.overrides.TorchFunctionMode


def torch_calls():
    """A context that records the names of the torch functions run inside it, in ``.names``:
    ``with ck.torch_calls() as calls: got = fn(x)`` then ``"backward" in calls.names`` tells a
    gradient computed by autograd from a formula written by hand. The recording class is made
    anew on every call, so no student code can have changed it beforehand."""
    names = _builtins.set()

    class _Record(_TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            names.add(_builtins.getattr(func, "__name__", ""))
            return func(*args, **(kwargs or {}))

    if _JUDGE is not None:  # in the judge: the student's code runs in the kernel, which reports its calls
        channel = _JUDGE

        _Local = _Record

        class _Judged(_Local):
            def __enter__(self):
                channel.recorders.append(("torch_calls", self._merge))
                return _Local.__enter__(self)

            def _merge(self, seen):
                names.update(_str(n)[:100] for n in _list(seen)[:500])

            def __exit__(self, *exc):
                channel.recorders[:] = [r for r in channel.recorders if r[1] != self._merge]
                return _Local.__exit__(self, *exc)

        _Record = _Judged
    record = _Record()
    record.names = names
    return record


class _GraphWatch(_TorchFunctionMode):
    """Records the largest autograd graph handed to any torch operation during a call."""

    def __init__(self, cap=300):
        _TorchFunctionMode.__init__(self)
        self.biggest, self.backward, self.cap = 0, 0, cap

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        for t in _list(args) + _list(kwargs.values()):
            if _isinstance(t, _torch.Tensor) and t.grad_fn is not None:
                seen, stack = _builtins.set(), [t.grad_fn]
                while stack and _len(seen) < self.cap:
                    node = stack.pop()
                    if node is not None and _builtins.id(node) not in seen:
                        seen.add(_builtins.id(node))
                        stack.extend(f for f, _ in node.next_functions)
                self.biggest = _builtins.max(self.biggest, _len(seen))
                if _builtins.getattr(func, "__name__", "") == "backward":  # the graph of one step's loss
                    self.backward = _builtins.max(self.backward, _len(seen))
        return func(*args, **kwargs)

    def merge(self, seen):
        if _type(seen) is _dict:
            self.biggest = _builtins.max(self.biggest, _int(seen.get("biggest", 0)))
            self.backward = _builtins.max(self.backward, _int(seen.get("backward", 0)))

    def kept_alive(self):
        """a graph much larger than one step's loss graph reached a torch operation (e.g. .item())"""
        return self.biggest > (2 * self.backward if self.backward else 80)


def graph_watch(cap: int = 300):
    """A context recording the largest autograd graph any torch operation saw inside it:
    ``with ck.graph_watch() as watch: fn(...)`` then ``watch.kept_alive()`` tells a loop that kept
    every step's graph alive (``running += loss``) from one that freed it (``loss.item()``)."""
    if _JUDGE is None:
        return _GraphWatch(cap)
    channel = _JUDGE

    class _Judged(_GraphWatch):  # in the judge: the kernel watches the student's call and reports
        def __enter__(self):
            channel.recorders.append(("graph", self.merge))
            return _GraphWatch.__enter__(self)

        def __exit__(self, *exc):
            channel.recorders[:] = [r for r in channel.recorders if r[1] != self.merge]
            return _GraphWatch.__exit__(self, *exc)

    return _Judged(cap)


_JUDGE = None  # set by course.grading.judge in the judge process (never in a student's kernel)


_next = _builtins.next


def call_with(fn, *args, what: str, causes=(), **kwargs):
    """``call`` with the lecture's own likely causes first: ``causes`` is a sequence of pairs
    ``(text in the error, likely cause)``; the first pair whose text appears in
    ``"ExceptionName: message"`` gives the cause, else the general causes of ``call`` do.

        out = ck.call_with(model, x, what="model(x)",
                           causes=[("mat1 and mat2", "nn.Linear(1, 1): one input feature")])

    The test cells of 04-06 use it (it was a private helper of their setup cells)."""
    try:
        return fn(*args, **kwargs)
    except AssertionError:
        raise
    except Exception as exc:
        text = f"{_type(exc).__name__}: {exc}"
        hint = _next((cause for needle, cause in causes if needle in text), "")
        raise _raised(what, exc, hint or _cause(exc)) from None


# --------------------------------------------------------------------------- models and helpers the tests hand to student code
# On the judge they cross by spec (course/grading/wire.py): rebuilt in the kernel for each call from
# their constructor arguments (``_wire_init``), parameters and records (``_wire_state``), and what
# the call recorded comes back into the test's own object.  In the kernel (COURSE_JUDGE=0) they are
# plain objects.  docs/grading.md, "Models and tensors across the judge".
class _Box:
    pass


class _Tag(_torch.autograd.Function):
    """Identity in the graph, holding a box alive exactly as long as the graph of that forward pass."""

    @staticmethod
    def forward(ctx, y, box):
        ctx.box = box
        return y.clone()

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class ProbeModel(_torch.nn.Module):
    """A small model for the tests that records how the student's code calls it.

    ``ProbeModel(in_features, out_features, sigmoid=False, weight=None, bias=None)`` is
    ``self.linear = nn.Linear(in, out)`` (its weight and bias filled with ``weight``/``bias`` when
    given), followed by a sigmoid if asked; ``ProbeModel(fixed=[p1, p2, ...])`` returns those
    values as a column whatever the input (with a parameter ``dummy`` so that it has one).

    Every call appends ``(input shape, whether gradients were recorded)`` to ``calls``; with
    ``count_graphs=True``, ``most`` is the largest number of earlier forward graphs still alive at
    a call (a training loop that keeps its loss tensors keeps all of them alive)."""

    _wire_init = ("in_features", "out_features", "sigmoid", "fixed", "count_graphs")
    _wire_state = ("calls", "most")

    def __init__(self, in_features=1, out_features=1, sigmoid=False, fixed=None, count_graphs=False,
                 weight=None, bias=None):
        _torch.nn.Module.__init__(self)
        self.in_features, self.out_features = _int(in_features), _int(out_features)
        self.sigmoid, self.count_graphs = _bool(sigmoid), _bool(count_graphs)
        self.fixed = None if fixed is None else [_float(v) for v in fixed]
        if self.fixed is None:
            self.linear = _torch.nn.Linear(self.in_features, self.out_features)
            with _torch.no_grad():
                if weight is not None:
                    self.linear.weight.fill_(weight)
                if bias is not None:
                    self.linear.bias.fill_(bias)
        else:
            self.dummy = _torch.nn.Parameter(_torch.zeros(1))
        self.calls, self.most, self._refs = [], 0, []

    def forward(self, x):
        self.calls.append((_tuple(_int(n) for n in x.shape), _bool(_torch.is_grad_enabled())))
        if self.fixed is not None:
            out = _torch.tensor(self.fixed).reshape(-1, 1) + 0 * self.dummy
        else:
            out = self.linear(x)
            if self.sigmoid:
                out = _torch.sigmoid(out)
        if self.count_graphs:
            import weakref as _weakref

            self.most = _builtins.max(self.most, _builtins.sum(r() is not None for r in self._refs))
            box = _Box()
            self._refs.append(_weakref.ref(box))
            out = _Tag.apply(out, box)
        return out

    @property
    def grad_mode(self):
        """Whether the last call recorded gradients (None before any call)."""
        return self.calls[-1][1] if self.calls else None

    @property
    def train_sizes(self):
        """The batch sizes of the calls that recorded gradients (the training steps)."""
        return [shape[0] for shape, grad in self.calls if grad]


class PlotRecorder:
    """Stands in for a live plot: ``add(step, **series)`` records ``series.get(key)`` in ``values``."""

    _wire_init = ("key",)
    _wire_state = ("values",)

    def __init__(self, key="loss"):
        self.key, self.values = _str(key), []

    def add(self, step, **series):
        self.values.append(series.get(self.key))


def backward(fn, *args, reduce: str = "sum", grad_output=None, **kwargs):
    """``fn(*args, **kwargs)`` then ``backward()`` on its result (``.sum()`` first unless
    ``reduce=None``), so that the gradients reach the arguments and the model's parameters. On the
    judge the student's function runs in the kernel: so does the backward pass, and the gradients come
    back with the arguments (``x.grad``) and the model (``model.parameters()``). Returns None.

    ``grad_output`` (a tensor of the result's shape) weights the result: ``out.backward(grad_output)``,
    the gradient of ``(out * grad_output).sum()``; a mask of ones on some output channels gives the
    gradient of those channels alone (lecture 10: which convolutions feed which branch)."""
    if grad_output is not None:
        grad_output = tensor(grad_output, "grad_output").detach()
    if _JUDGE is not None and _JUDGE.is_remote(fn):
        if grad_output is not None:
            _JUDGE.call(fn, args, kwargs, then="grad_backward", grad_output=grad_output)
        else:
            _JUDGE.call(fn, args, kwargs, then="sum_backward" if reduce == "sum" else "backward")
        return None
    out = fn(*args, **kwargs)
    if grad_output is not None:
        out.backward(grad_output.to(out.device, out.dtype))
    else:
        (out.sum() if reduce == "sum" else out).backward()
    return None


def manual_seed(seed: int) -> None:
    """``torch.manual_seed(seed)`` here and, on the judge, in the kernel, where the student's code draws
    its random numbers (a student's ``LinearModel()`` made after it gets the seeded weights)."""
    _torch.manual_seed(_int(seed))
    if _JUDGE is not None:
        _JUDGE.value(_JUDGE.request({"op": "seed", "seed": _int(seed)}))


def global_rand(n: int):
    """``torch.rand(n)`` from the global generator of the process that runs the student's code (the
    kernel, on the judge): tells whether the student's code reseeded or drew from it."""
    if _JUDGE is not None:
        return _JUDGE.value(_JUDGE.request({"op": "rand", "n": _int(n)}))
    return _torch.rand(_int(n))


# --------------------------------------------------------------------------- what a call did to modules (issue 20, lecture 09 on)
# A forward hook written in a test cell is a function of the test: it cannot cross to the kernel. These
# two record there what such a hook recorded, and come back with the answer as *kernel-observed* data.
_HOOK_DICTS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")


def _count_hooks(model) -> list:
    return [_builtins.sum(_len(_builtins.getattr(m, name, None) or ()) for name in _HOOK_DICTS) for m in model.modules()]


def hook_counts(model) -> list:
    """The number of hooks (forward, forward-pre, backward) on each module of ``model``, in the order of
    ``model.modules()``: compare before and after a call to tell a function that left its
    ``register_forward_hook`` handles behind. On the judge, for a model the test handed to the student's
    code, the counts the kernel reported after the last call (*kernel-observed*)."""
    if _JUDGE is not None:
        seen = _JUDGE.hooks_after(model)
        if seen is not None:
            return _list(seen)
    return _count_hooks(model)


def _tensor_stats(t):
    """(shape, minimum, bytes) of a tensor as plain JSON (no nan/inf), or (None, None, 0)."""
    if not _isinstance(t, _torch.Tensor):
        return None, None, 0
    dense = t.detach()
    low = None
    if dense.numel() and not dense.is_complex() and dense.device.type != "meta":
        low = _float(dense.min().item())
        low = None if low != low else _builtins.max(-1e308, _builtins.min(1e308, low))   # plain JSON: no nan/inf
    return [_int(n) for n in dense.shape], low, _int(dense.numel() * dense.element_size())


def _module_record(module, inputs, output, order: _dict, received=None) -> _dict:
    """``received``: the first input's (shape, minimum) as the module got it (a forward pre-hook), before its
    forward could change the input in place (``x += ...``); else read from ``inputs`` after the call."""
    stats = _tensor_stats
    if received is not None:
        in_shape, in_min = received
    else:
        first = inputs[0] if _isinstance(inputs, _tuple) and inputs else None
        in_shape, in_min, _ = stats(first)
    out = output[0] if _isinstance(output, (_tuple, _list)) and output else output
    out_shape, out_min, out_bytes = stats(out)
    key = _builtins.id(module)
    if key not in order:
        order[key] = (_len(order), module)   # the module kept alive: ids stay unique while we record
    return {"module": order[key][0], "type": _type(module).__name__[:80],
            "leaf": not _builtins.any(True for _ in module.children()),
            "input_shape": in_shape, "input_min": in_min, "output_shape": out_shape, "output_min": out_min,
            "output_bytes": out_bytes, "grad": _bool(_torch.is_grad_enabled()), "training": _bool(module.training)}


class _ModuleCalls:
    """Records every ``nn.Module`` call inside it (a global forward hook, removed on exit)."""

    cap = 5000

    def __init__(self):
        self.calls, self._order, self._handle, self._pre, self._received = [], {}, None, None, {}

    def __enter__(self):
        order, calls, cap, received = self._order, self.calls, self.cap, self._received

        def pre(module, inputs):   # the input as the module receives it (its forward may change it in place)
            if _len(calls) < cap:
                shape, low, _ = _tensor_stats(inputs[0] if _isinstance(inputs, _tuple) and inputs else None)
                received.setdefault(_builtins.id(module), []).append((shape, low))

        def hook(module, inputs, output):
            stack = received.get(_builtins.id(module))
            seen = stack.pop() if stack else None
            if _len(calls) < cap:
                calls.append(_module_record(module, inputs, output, order, seen))

        self._pre = _torch.nn.modules.module.register_module_forward_pre_hook(pre)
        self._handle = _torch.nn.modules.module.register_module_forward_hook(hook)
        return self

    def __exit__(self, *exc):
        for handle in (self._pre, self._handle):
            if handle is not None:
                handle.remove()
        self._pre = self._handle = None
        self._order.clear()
        self._received.clear()
        return False

    def merge(self, seen):
        """The kernel's records (on the judge): only the fields above, of their types."""
        for record in (_list(seen)[:self.cap] if _type(seen) is _list else ()):
            if _type(record) is not _dict:
                continue
            clean = {}
            for key, kinds in _RECORD_FIELDS:
                value = record.get(key)
                if key.endswith("_shape"):
                    value = ([_int(n) for n in value[:32]] if _type(value) is _list
                             and _builtins.all(_type(n) is _int for n in value) else None)
                elif _type(value) not in kinds:
                    value = None
                clean[key] = value[:80] if _type(value) is _str else value
            self.calls.append(clean)


_RECORD_FIELDS = (("module", (_int,)), ("type", (_str,)), ("leaf", (_bool,)), ("input_shape", ()), ("input_min", (_float, _int)),
                  ("output_shape", ()), ("output_min", (_float, _int)), ("output_bytes", (_int,)), ("grad", (_bool,)),
                  ("training", (_bool,)))


def module_calls():
    """A context recording every call of an ``nn.Module`` inside it, in ``.calls``: one dict per call
    with ``module`` (the module's number, in the order first called), ``type`` (its class name),
    ``leaf`` (no children), ``input_shape``/``input_min`` (the first input), ``output_shape``/
    ``output_min``/``output_bytes``, ``grad`` (gradients recorded) and ``training`` (the module's mode):

        with ck.module_calls() as seen:
            predict_one(model, image)
        ck.true(seen.calls and not any(c["grad"] for c in seen.calls), "predict under torch.no_grad()")

    It stands in for a forward hook written in a test: put only the student's calls inside. On the judge
    the student's code runs in the kernel, which records its calls the same way and reports them
    (*kernel-observed*); the judge's own module calls are not recorded."""
    if _JUDGE is None:
        return _ModuleCalls()
    channel = _JUDGE

    class _Judged(_ModuleCalls):
        def __enter__(self):
            channel.recorders.append(("modules", self.merge))
            return self

        def __exit__(self, *exc):
            channel.recorders[:] = [r for r in channel.recorders if r[1] != self.merge]
            return False

    return _Judged()
