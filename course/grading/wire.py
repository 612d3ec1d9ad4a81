"""Plain data between the student's kernel and the judge (docs/grading.md, "The judge").

What crosses is JSON of a closed set of shapes, nothing that runs code when it is read:

* ``None``, ``bool``, ``int``, ``float`` (non-finite values as ``{"$f": "nan"}``), ``str``;
* lists, tuples (``{"$tuple": [...]}``) and dicts with string keys (``{"$dict": [[k, v], ...]}``);
* numpy arrays and scalars of a plain dtype: ``{"$nd": {"dtype", "shape", "b64"}}`` /
  ``{"$np": {"dtype", "b64"}}``;
* torch tensors: ``{"$t": {"dtype", "shape", "b64", "requires_grad", "grad_fn", "is_leaf", "device",
  "grad"}}`` (``grad`` another tensor record or None), ``torch.device`` and ``torch.dtype`` by name;
* anything else stays in the kernel and crosses as a handle: ``{"$ref": N, "type": "...", "mro":
  [...], "callable": bool}``.

:func:`encode` runs in the kernel (student code may have replaced anything there: whatever it
sends is still only such data); :func:`decode` runs in the judge and rebuilds pristine objects
with the judge's own numpy and torch, refusing anything too deep, too large or of another shape.
"""
from __future__ import annotations

import base64
import math

MAX_DEPTH = 24
MAX_ITEMS = 100_000
MAX_BYTES = 64 * 1024 * 1024
_DTYPES = {"float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"}


class WireError(ValueError):
    """Data from the other side that is not one of the shapes above."""


# --------------------------------------------------------------------------- encoding (either side)
def encode(value, refs=None, depth: int = 0):
    """``value`` as plain data; objects that are not data go into ``refs`` (a callable that
    stores the object and returns its handle record), or raise :class:`WireError` without it."""
    import numpy as np

    if depth > MAX_DEPTH:
        raise WireError("nested too deeply")
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and not isinstance(value, np.generic):
        return int(value)
    if isinstance(value, np.generic) and value.dtype.name in _DTYPES:  # before float: np.float64 is one
        return {"$np": {"dtype": value.dtype.name, "b64": _b64(np.asarray(value).tobytes())}}
    if isinstance(value, float):
        value = float(value)
        return value if math.isfinite(value) else {"$f": repr(value)}
    if isinstance(value, np.ndarray) and value.dtype.name in _DTYPES:
        arr = np.ascontiguousarray(value)
        return {"$nd": {"dtype": arr.dtype.name, "shape": list(arr.shape), "b64": _b64(arr.tobytes())}}
    if isinstance(value, np.generic) and value.dtype.name in _DTYPES:
        return {"$np": {"dtype": value.dtype.name, "b64": _b64(np.asarray(value).tobytes())}}
    torch = _torch()
    if torch is not None:
        if isinstance(value, torch.Tensor):
            return {"$t": _tensor_record(value, torch)}
        if isinstance(value, torch.device):
            return {"$device": str(value)}
        if isinstance(value, torch.dtype):
            return {"$dtype": str(value).replace("torch.", "")}
    if isinstance(value, (list, tuple)) and len(value) <= MAX_ITEMS:
        items = [encode(v, refs, depth + 1) for v in value]
        return items if isinstance(value, list) else {"$tuple": items}
    if isinstance(value, dict) and len(value) <= MAX_ITEMS and all(type(k) is str for k in value):
        return {"$dict": [[k, encode(v, refs, depth + 1)] for k, v in value.items()]}
    if refs is None:
        raise WireError(f"a {kind.__name__} is not plain data")
    return refs(value)


def _tensor_record(t, torch, with_grad: bool = True):
    dense = t.detach()
    if dense.is_sparse or dense.layout != torch.strided or dense.is_complex():
        raise WireError("only dense real tensors cross")
    name = str(dense.dtype).replace("torch.", "")
    cpu = dense.to("cpu")
    if name == "bfloat16":
        cpu, name = cpu.float(), "float32"
    if name not in _DTYPES:
        raise WireError(f"tensor of dtype {name}")
    data = cpu.contiguous().numpy().tobytes()
    grad = getattr(t, "grad", None) if t.is_leaf else None
    return {"dtype": name, "shape": list(dense.shape), "b64": _b64(data), "requires_grad": bool(t.requires_grad),
            "grad_fn": type(t.grad_fn).__name__ if t.grad_fn is not None else None, "is_leaf": bool(t.is_leaf),
            "device": str(t.device), "parameter": isinstance(t, torch.nn.Parameter),
            "grad": _tensor_record(grad, torch, False) if with_grad and isinstance(grad, torch.Tensor) else None}


def _b64(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise WireError("more than 64 MB of data")
    return base64.b64encode(data).decode("ascii")


def _torch():
    import sys

    return sys.modules.get("torch")


# --------------------------------------------------------------------------- decoding (either side)
def decode(data, refs=None, depth: int = 0, budget: list | None = None):
    """Plain data back into objects built here; ``refs(record)`` turns a handle record into
    whatever this side uses for it (a proxy in the judge, the object itself in the kernel)."""
    budget = budget if budget is not None else [MAX_ITEMS * 4]
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        raise WireError("too much data, or nested too deeply")
    kind = type(data)
    if data is None or kind in (bool, int, str):
        return data
    if kind is float:
        return data
    if kind is list:
        return [decode(v, refs, depth + 1, budget) for v in data]
    if kind is not dict or len(data) < 1:
        raise WireError(f"unexpected {kind.__name__}")
    if "$ref" in data:
        if refs is None or type(data["$ref"]) is not int:
            raise WireError("a handle where plain data was expected")
        return refs(data)
    if len(data) != 1:
        raise WireError("unexpected record")
    [(tag, body)] = data.items()
    import numpy as np

    if tag == "$f" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "$tuple" and type(body) is list:
        return tuple(decode(v, refs, depth + 1, budget) for v in body)
    if tag == "$dict" and type(body) is list:
        out = {}
        for pair in body:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                raise WireError("bad dict entry")
            out[pair[0]] = decode(pair[1], refs, depth + 1, budget)
        return out
    if tag == "$nd":
        return _array(body, np)
    if tag == "$np":
        if type(body) is not dict or body.get("dtype") not in _DTYPES:
            raise WireError("bad numpy scalar")
        return np.frombuffer(_unb64(body.get("b64")), dtype=body["dtype"], count=1)[0]
    if tag == "$t":
        return _tensor(body, np)
    if tag == "$device" and type(body) is str:
        import torch

        return torch.device(body)
    if tag == "$dtype" and type(body) is str and (body in _DTYPES or body == "bfloat16"):
        import torch

        return getattr(torch, body)
    raise WireError(f"unknown record {tag!r}")


def _array(body, np):
    if type(body) is not dict or body.get("dtype") not in _DTYPES or type(body.get("shape")) is not list:
        raise WireError("bad array")
    shape = body["shape"]
    if len(shape) > 32 or not all(type(n) is int and 0 <= n for n in shape):
        raise WireError("bad shape")
    raw = _unb64(body.get("b64"))
    count = math.prod(shape)
    if count * np.dtype(body["dtype"]).itemsize != len(raw):
        raise WireError("array bytes do not match its shape")
    return np.frombuffer(raw, dtype=body["dtype"], count=count).reshape(shape).copy()


def _tensor(body, np):
    import torch

    if type(body) is not dict:
        raise WireError("bad tensor")
    arr = _array(body, np)
    t = torch.from_numpy(arr)
    grad = body.get("grad")
    if body.get("parameter"):
        t = torch.nn.Parameter(t, requires_grad=bool(body.get("requires_grad")))
    elif body.get("requires_grad"):
        t.requires_grad_(True)
        if body.get("grad_fn") is not None:  # the kernel's tensor was the output of an operation
            t = t.clone()
    if grad is not None and t.requires_grad and t.is_leaf:
        t.grad = _tensor(grad, np)
    # what only the kernel saw: the judge reads it (``ck.remote_info``), never trusts it for values
    info = {"grad_fn": body.get("grad_fn") if type(body.get("grad_fn")) is str else None,
            "is_leaf": bool(body.get("is_leaf", True)), "device": str(body.get("device", "cpu"))[:20],
            "requires_grad": bool(body.get("requires_grad"))}
    KERNEL_INFO[id(t)] = (t, info)
    if len(KERNEL_INFO) > 10_000:
        KERNEL_INFO.clear()
    return t


def _unb64(text) -> bytes:
    if type(text) is not str or len(text) > MAX_BYTES * 4 // 3 + 8:
        raise WireError("bad bytes")
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except Exception as exc:
        raise WireError("bad bytes") from exc


# tensors decoded in the judge -> what the kernel said of them (grad_fn, is_leaf, device)
KERNEL_INFO: dict[int, tuple] = {}


def kernel_info(t) -> dict:
    """What the kernel reported about a tensor it sent (``{}`` for a tensor made in the judge)."""
    entry = KERNEL_INFO.get(id(t))
    return dict(entry[1]) if entry and entry[0] is t else {}
