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
    args = wire.decode(request.get("args", []), _resolve)
    kwargs = wire.decode(request.get("kwargs", {"$dict": []}), _resolve)
    probes = set(request.get("probes", []))
    observed: dict = {}
    import contextlib

    with contextlib.ExitStack() as stack:
        if "torch" in sys.modules and probes & {"torch_calls", "graph"}:
            from .. import checks

            if "torch_calls" in probes:
                calls = stack.enter_context(checks.torch_calls())
            if "graph" in probes:
                watch = stack.enter_context(checks.graph_watch())
        result = fn(*args, **kwargs)
    if "torch" in sys.modules and "torch_calls" in probes:
        observed["torch_calls"] = sorted(calls.names)[:500]
    if "torch" in sys.modules and "graph" in probes:
        observed["graph"] = {"biggest": int(watch.biggest), "backward": int(watch.backward)}
    answer = {"ok": wire.encode(result, _handle)}
    if _sync_sizes(args):
        try:
            observed["args_after"] = wire.encode(list(args), _handle)
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
        return {"ok": wire.encode(ns[request["name"]], _handle)}
    if op == "call":
        return _call(request)
    target = _target(request["target"])
    if op == "getattr":
        return {"ok": wire.encode(getattr(target, request["name"]), _handle)}
    if op == "getitem":
        return {"ok": wire.encode(target[wire.decode(request["key"], _resolve)], _handle)}
    if op == "len":
        return {"ok": len(target)}
    if op == "list":
        import itertools

        return {"ok": wire.encode(list(itertools.islice(iter(target), int(request.get("limit", 10000)))), _handle)}
    if op == "repr":
        return {"ok": repr(target)[:MAX_MESSAGE]}
    raise ValueError(f"unknown request {op!r}")


def serve(request: str) -> str:
    """One request of the judge (JSON text) -> its answer (JSON text); never raises."""
    try:
        answer = _answer(json.loads(request))
    except BaseException as exc:  # the student's code raised (or was interrupted): the judge decides
        kind = type(exc)
        try:
            message = str(exc)[:MAX_MESSAGE]
        except BaseException:
            message = ""
        answer = {"raise": {"type": kind.__name__[:100], "message": message,
                            "mro": [k.__name__ for k in kind.__mro__][:24]}}
    try:
        return json.dumps(answer)
    except BaseException as exc:
        return json.dumps({"raise": {"type": "WireError", "message": f"the answer could not be sent: {exc}"[:MAX_MESSAGE],
                                     "mro": ["WireError", "Exception"]}})
