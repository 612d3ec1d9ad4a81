"""The kernel's half of the judge protocol: call what the judge names, answer with plain data.

The grader evaluates ``serve(request)`` in the student's kernel (a user expression, never a
cell) for each request of the judge (:mod:`course.grading.judge`).  The request names a
student's global or a handle of an earlier answer, and carries the inputs as plain data
(:mod:`course.grading.wire`); the answer is the result as plain data, or a handle for an object
that is not data (a function, a model, a generator), plus what was observed during the call
(the torch functions run, the arguments after the call).

Nothing here is trusted: student code can replace this module in its own kernel.  All it can
gain is to send other plain data, which is no more than its own functions could return; the
judge never sends hidden test code, expected values or reference code.
"""
from __future__ import annotations

import json
import sys

from . import wire

_HANDLES: dict[int, object] = {}
_NEXT = [1]
MAX_MESSAGE = 2000


def _user_ns() -> dict:
    return sys.modules["__main__"].__dict__


def _handle(obj) -> dict:
    for key, known in _HANDLES.items():
        if known is obj:
            number = key
            break
    else:
        number = _NEXT[0]
        _NEXT[0] += 1
        _HANDLES[number] = obj
    kind = type(obj)
    return {"$ref": number, "type": f"{kind.__module__}.{kind.__qualname__}",
            "mro": [f"{k.__module__}.{k.__qualname__}" for k in kind.__mro__][:24], "callable": callable(obj),
            "name": str(getattr(obj, "__name__", ""))[:200] if callable(obj) else ""}


class _Handles:
    """``encode``'s refs in the kernel: an object becomes a handle; ``link`` gives a parameter's handle
    (its tensor record carries it, so the judge can send back what a test wrote into it)."""

    def __call__(self, obj) -> dict:
        return _handle(obj)

    def link(self, tensor) -> int:
        return _handle(tensor)["$ref"]


_REFS = _Handles()


def _spec_or_handle(built_ids):
    """After a call: an object the judge sent by spec goes back by spec, anything else as a handle."""
    def refs(obj):
        if id(obj) in built_ids and wire.crosses_by_spec(obj):
            return wire.object_spec(obj, _REFS)
        return _handle(obj)

    refs.link = _REFS.link
    return refs


def _resolve(record: dict):
    return _HANDLES[record["$ref"]]


def _target(spec):
    if isinstance(spec, dict) and "$ref" in spec:
        return _resolve(spec)
    return _user_ns()[spec["name"]]


def _sync_sizes(value, budget=[0]) -> bool:
    """Whether the arguments are small enough to be sent back after the call (1 MB in all)."""
    import numpy as np

    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, np.ndarray):
            total += item.nbytes
        elif "torch" in sys.modules and isinstance(item, sys.modules["torch"].Tensor):
            total += item.numel() * item.element_size()
        if total > 2**20:
            return False
    return True


def _call(request: dict) -> dict:
    fn = _target(request["target"])
    built: list = []       # the models and helpers the judge sent by spec, rebuilt here
    args = wire.decode(request.get("args", []), _resolve, built=built)
    kwargs = wire.decode(request.get("kwargs", {"$dict": []}), _resolve, built=built)
    probes = set(request.get("probes", []))
    observed: dict = {}
    import contextlib

    failed = None
    result = None
    with contextlib.ExitStack() as stack:
        if "torch" in sys.modules and "grad" in request:   # the judge's grad mode (a test's torch.no_grad())
            stack.enter_context(sys.modules["torch"].set_grad_enabled(bool(request["grad"])))
        if "torch" in sys.modules and probes & {"torch_calls", "graph", "modules"}:
            from .. import checks

            if "torch_calls" in probes:
                calls = stack.enter_context(checks.torch_calls())
            if "graph" in probes:
                watch = stack.enter_context(checks.graph_watch())
            if "modules" in probes:   # ck.module_calls(): every nn.Module call of the student's code
                modules = stack.enter_context(checks._ModuleCalls())   # recorded here, whatever checks._JUDGE says
        try:
            result = fn(*args, **kwargs)
            then = request.get("then")
            if then in ("backward", "sum_backward"):   # ck.backward: the gradient flows through the student's graph here
                (result.sum() if then == "sum_backward" else result).backward()
                result = None
            elif then == "grad_backward":   # ck.backward(..., grad_output=g): result.backward(g)
                weights = wire.decode(request.get("grad_output"))
                if not isinstance(weights, sys.modules["torch"].Tensor):
                    raise TypeError("grad_output must be a tensor")
                result.backward(weights.to(result.device, result.dtype))
                result = None
        except BaseException as exc:   # the arguments still go back: what the call did to them before it failed
            failed = _raise_record(exc)
    if "torch" in sys.modules and "torch_calls" in probes:
        observed["torch_calls"] = sorted(calls.names)[:500]
    if "torch" in sys.modules and "graph" in probes:
        observed["graph"] = {"biggest": int(watch.biggest), "backward": int(watch.backward)}
    if "torch" in sys.modules and "modules" in probes:
        observed["modules"] = list(modules.calls)
    answer = {"raise": failed} if failed is not None else {"ok": wire.encode(result, _REFS)}
    if _sync_sizes(args):
        try:
            observed["args_after"] = wire.encode(list(args), _spec_or_handle({id(o) for o in built}))
        except wire.WireError:
            pass
        if kwargs:
            try:
                observed["kwargs_after"] = wire.encode(dict(kwargs), _spec_or_handle({id(o) for o in built}))
            except wire.WireError:
                pass
    answer["observed"] = observed
    return answer


def _answer(request: dict) -> dict:
    op = request.get("op")
    if op == "lookup":
        ns = _user_ns()
        if request["name"] not in ns:
            return {"missing": True}
        return {"ok": wire.encode(ns[request["name"]], _REFS)}
    if op == "call":
        return _call(request)
    if op == "seed":   # ck.manual_seed: the kernel's global generator, where the student's code draws
        import torch

        torch.manual_seed(int(request["seed"]))
        return {"ok": None}
    if op == "rand":   # ck.global_rand: numbers from the kernel's global generator
        import torch

        return {"ok": wire.encode(torch.rand(max(0, min(int(request["n"]), 10_000))))}
    target = _target(request["target"])
    if op == "getattr":
        return {"ok": wire.encode(getattr(target, request["name"]), _REFS)}
    if op == "getitem":
        return {"ok": wire.encode(target[wire.decode(request["key"], _resolve)], _REFS)}
    if op == "next":
        return {"ok": wire.encode(next(target), _REFS)}
    if op == "assign":   # a test wrote into a parameter the kernel had sent (under torch.no_grad())
        import torch

        value = wire.decode(request["value"])
        if not isinstance(target, torch.Tensor) or not isinstance(value, torch.Tensor) or value.shape != target.shape:
            raise ValueError("only a tensor of the same shape can be written back")
        with torch.no_grad():
            target.copy_(value.to(target.device, target.dtype))
        return {"ok": None}
    if op == "len":
        return {"ok": len(target)}
    if op == "list":
        import itertools

        return {"ok": wire.encode(list(itertools.islice(iter(target), int(request.get("limit", 10000)))), _REFS)}
    if op == "repr":
        return {"ok": repr(target)[:MAX_MESSAGE]}
    raise ValueError(f"unknown request {op!r}")


def _raise_record(exc: BaseException) -> dict:
    kind = type(exc)
    try:
        message = str(exc)[:MAX_MESSAGE]
    except BaseException:
        message = ""
    return {"type": kind.__name__[:100], "message": message, "mro": [k.__name__ for k in kind.__mro__][:24]}


def serve(request: str) -> str:
    """One request of the judge (JSON text) -> its answer (JSON text); never raises."""
    try:
        answer = _answer(json.loads(request))
    except BaseException as exc:  # the student's code raised (or was interrupted): the judge decides
        answer = {"raise": _raise_record(exc)}
    try:
        return json.dumps(answer)
    except BaseException as exc:
        return json.dumps({"raise": {"type": "WireError", "message": f"the answer could not be sent: {exc}"[:MAX_MESSAGE],
                                     "mro": ["WireError", "Exception"]}})
