"""The judge: a pristine process that runs the tests and never runs student code.

    python -m course.grading.judge        (started by the grader, in its own sandbox)

The grader (:mod:`course.grading.executor`) sends it, one JSON line each, the lecture's locked
cells (the setup: imports, ``course.start``) and each test cell whole, hidden part included; the
student's kernel never receives a test cell.  The judge runs a test cell in its own namespace.
A name the cell uses that the judge did not bind (``forward``, ``mse``, a student's ``xs``) is
asked of the kernel when it is first used: plain data comes back as a copy rebuilt with the
judge's own numpy and torch; a function or an object comes back as a :class:`Remote` handle, and
calling it sends the arguments (plain data) to the kernel, which calls the student's function
there and answers with the result (plain data again).  So the expected values, the reference
computations and the messages that name mistakes stay here, and whatever the student's code
does to numpy, torch, IPython or its own namespace happens in another process.

Protocol (stdin -> judge, judge -> the saved stdout; the judge's own stdout/stderr are the test's output):

    {"op": "locked", "source": ...}            -> {"op": "done", "stdout": ..., "error": null | {ename, evalue}}
    {"op": "test", "source": ..., "id": ...}   -> {"op": "kernel", "request": {...}}*  then {"op": "done", ...}
    {"op": "reply", "response": {...}}         (the kernel's answer to the judge's last request)

What only the kernel can see (which torch functions a call ran, a tensor's ``grad_fn`` and
``is_leaf`` there, an argument changed in place) comes back with each answer and is *kernel-observed*:
the tests use it, docs/grading.md lists it, and the policy and guards still protect it.

Models and tensors (docs/grading.md, "Models and tensors across the judge"): a model the test
builds from standard ``torch.nn`` classes (or a ``ck.ProbeModel``/``ck.PlotRecorder``) crosses by
spec and is rebuilt in the kernel for each call, what the call did to it (training) comes back into
the test's own object; a model the student's code made stays there behind a :class:`Remote`
whose ``isinstance`` answers from the class names the kernel reports and whose parameters come
as copies linked to the kernel's (a test's ``p.fill_(...)`` under ``torch.no_grad()`` is sent back
before the next request); each call runs with the test's grad mode.
"""
from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import sys

from . import wire

# Lectures whose tests run in the judge; the others still run their test cells in the kernel
# (with the policy and guards) until they are migrated, lecture by lecture (docs/grading.md).
JUDGED = frozenset({"01_linear_model", "02_gradient_descent", "03_back_propagation", "04_linear_regression",
                    "05_logistic_regression", "06_multiple_dimension_input", "09_cnn_basics",
                    "10_cnn_advanced"})
MAX_OUTPUT = 256 * 1024


def judged(lecture: str | None) -> bool:
    """COURSE_JUDGE=0: every test in the kernel (the baseline of before, for benchmarks);
    COURSE_JUDGE=06_multiple_dimension_input,...: those lectures on the judge too (to try one that is
    being migrated before it joins JUDGED)."""
    setting = os.environ.get("COURSE_JUDGE", "").strip()
    if setting == "0":
        return False
    extra = {name.strip() for name in setting.split(",") if name.strip() not in ("", "1")}
    return lecture in JUDGED or lecture in extra


class RemoteError(Exception):
    """An exception the student's code raised in the kernel (its type name and message, as text)."""


_EXCEPTIONS = {name: cls for name, cls in vars(builtins).items()
               if isinstance(cls, type) and issubclass(cls, Exception)}
_MADE: dict[str, type] = {}


def _exception(record: dict) -> Exception:
    name = str(record.get("type", "Error"))[:100]
    message = str(record.get("message", ""))[:2000]
    cls = _EXCEPTIONS.get(name)
    if cls is None:
        if not name.isidentifier():
            name = "Error"
        cls = _MADE.setdefault(name, type(name, (RemoteError,), {"__module__": "student"}))
    try:
        return cls(message)
    except Exception:
        return RemoteError(f"{name}: {message}")


class Channel:
    """Requests to the kernel, through the grader (the judge's stdout is the test's output)."""

    def __init__(self, out, inp):
        self.out, self.inp = out, inp
        self.recorders: list[tuple] = []   # (probe, merge) of the active ck.torch_calls()/graph_watch()

    def send(self, message: dict) -> None:
        self.out.write(json.dumps(message) + "\n")
        self.out.flush()

    def request(self, request: dict) -> dict:
        self.flush_links()
        return self._request(request)

    def _request(self, request: dict) -> dict:
        self.send({"op": "kernel", "request": request})
        line = self.inp.readline()
        if not line:
            raise SystemExit(0)  # the grader went away
        message = json.loads(line)
        if message.get("op") != "reply" or not isinstance(message.get("response"), dict):
            raise RuntimeError("the grader sent something other than the kernel's reply")
        return message["response"]

    def value(self, response: dict):
        if "raise" in response:
            raise _exception(response["raise"] if isinstance(response["raise"], dict) else {})
        if "ok" not in response:
            raise wire.WireError("the kernel's answer holds no value")
        return wire.decode(response["ok"], self.remote)

    def remote(self, record: dict) -> "Remote":
        return Remote(self, record)

    def flush_links(self) -> None:
        """Send the kernel the parameters a test changed in place (``w.fill_(3.0)`` on a copy of a
        student's model's parameter): each linked copy that no longer equals what was received."""
        if not wire.LINKS:
            return
        import torch

        for k, (mine, ref, seen) in enumerate(list(wire.LINKS)):
            now = mine.detach()
            if now.shape == seen.shape and now.dtype == seen.dtype and torch.equal(now.cpu(), seen.cpu()):
                continue
            response = self._request({"op": "assign", "target": {"$ref": ref}, "value": wire.encode(now)})
            wire.LINKS[k] = (mine, ref, now.clone())
            if "raise" in response:
                self.value(response)

    def is_remote(self, obj) -> bool:
        return isinstance(obj, Remote)

    def hooks_after(self, obj):
        """The hooks on each module of a test's model after the student's call, as the kernel reported
        them (``ck.hook_counts``; kernel-observed), or None if the model has not crossed."""
        seen = wire.HOOKS.get(id(obj))
        return list(seen[1]) if seen is not None and seen[0] is obj else None

    def call(self, target: "Remote", args, kwargs, then: str | None = None, grad_output=None):
        """Call the student's ``target`` in the kernel with the test's arguments (plain data, or models
        by spec) under the test's grad mode; copy back what the call changed in them."""
        import torch

        request = {"op": "call", "target": {"$ref": object.__getattribute__(target, "_record")["$ref"]},
                   "args": wire.encode(list(args), _send_ref), "kwargs": wire.encode(dict(kwargs), _send_ref),
                   "probes": sorted({probe for probe, _ in self.recorders}), "grad": bool(torch.is_grad_enabled())}
        if then:
            request["then"] = then
        if grad_output is not None:   # ck.backward(..., grad_output=): the weights of the result's backward
            request["grad_output"] = wire.encode(grad_output)
        response = self.request(request)
        observed = response.get("observed") if isinstance(response.get("observed"), dict) else {}
        for probe, merge in list(self.recorders):
            if probe in observed:
                try:
                    merge(observed[probe])
                except (TypeError, ValueError):
                    pass
        for key, sent in (("args_after", list(args)), ("kwargs_after", dict(kwargs))):
            if key not in observed:
                continue
            try:
                after = wire.decode(observed[key], self.remote)
            except wire.WireError:
                continue
            if isinstance(sent, list) and isinstance(after, list) and len(after) == len(sent):
                for before, now in zip(sent, after):
                    _sync(before, now)
            elif isinstance(sent, dict) and isinstance(after, dict):
                for name, now in after.items():
                    if name in sent:
                        _sync(sent[name], now)
        return self.value(response)   # the student's exception, if it raised, after the arguments came back


CHANNEL: Channel | None = None


def _send_ref(obj):
    if isinstance(obj, Remote):
        return {"$ref": object.__getattribute__(obj, "_record")["$ref"]}
    if wire.crosses_by_spec(obj):   # a standard torch.nn model (or a ck probe): rebuilt in the kernel
        return wire.object_spec(obj)
    raise wire.WireError(f"a {type(obj).__name__} cannot be sent to the student's code (only plain data, "
                         "standard torch.nn modules and the course's probes cross)")


def _sync(before, after) -> None:
    """Make the judge's copy of an argument what the kernel's became (an in-place change there)."""
    import numpy as np
    import torch

    if wire.crosses_by_spec(before) and type(after) is type(before):
        wire.apply_state(before, after)
    elif isinstance(before, torch.Tensor) and isinstance(after, torch.Tensor):
        if before.dtype == after.dtype:
            if before.shape == after.shape:
                with torch.no_grad():
                    before.copy_(after.detach())
            else:   # the call changed the tensor's shape in place (W.t_(), x.unsqueeze_(0), resize_)
                try:
                    before.data = after.detach().clone()
                except RuntimeError:
                    return
            if before.is_leaf:
                if after.requires_grad != before.requires_grad and after.is_leaf:
                    before.requires_grad_(after.requires_grad)
                if before.requires_grad:
                    before.grad = after.grad if after.is_leaf else None
            info = wire.kernel_info(after)
            if info:
                wire.KERNEL_INFO[id(before)] = (before, info)
    elif isinstance(before, np.ndarray) and isinstance(after, np.ndarray):
        if before.shape == after.shape and before.flags.writeable:
            np.copyto(before, after.astype(before.dtype, copy=False))
    elif isinstance(before, list) and isinstance(after, list):
        for b, a in zip(before, after):
            _sync(b, a)
        if len(before) != len(after) or any(type(b) is not type(a) and not isinstance(b, (np.ndarray, torch.Tensor))
                                            for b, a in zip(before, after)):
            before[:] = after
    elif isinstance(before, dict) and isinstance(after, dict):
        for key in list(after):
            if key in before:
                _sync(before[key], after[key])
        if set(before) != set(after):
            before.clear()
            before.update(after)


class Remote:
    """A student's object that stays in the kernel: call it, read its attributes, iterate it."""

    __slots__ = ("_channel", "_record")

    def __init__(self, channel: Channel, record: dict):
        object.__setattr__(self, "_channel", channel)
        object.__setattr__(self, "_record", record)

    def _ask(self, request: dict):
        channel = object.__getattribute__(self, "_channel")
        request["target"] = {"$ref": object.__getattribute__(self, "_record")["$ref"]}
        return channel.value(channel.request(request))

    def __call__(self, *args, **kwargs):
        return object.__getattribute__(self, "_channel").call(self, args, kwargs)

    @property
    def __class__(self):
        """``isinstance(remote, nn.Module)``: the judge's own class named by the kernel's report of the
        object's MRO (standard torch.nn / torch.optim classes only); otherwise Remote itself."""
        for name in self.remote_type:
            cls = _local_class(name)
            if cls is not None:
                return cls
        return Remote

    def __next__(self):
        return self._ask({"op": "next"})

    def __getattr__(self, name: str):
        record = object.__getattribute__(self, "_record")
        if name == "__name__" and record.get("name"):
            return str(record["name"])
        if name.startswith("__"):
            raise AttributeError(name)
        return self._ask({"op": "getattr", "name": name})

    def __setattr__(self, name, value):
        raise AttributeError("the judge does not change the student's objects")

    def __getitem__(self, key):
        return self._ask({"op": "getitem", "key": wire.encode(key, _send_ref)})

    def __len__(self) -> int:
        n = self._ask({"op": "len"})
        if type(n) is not int or n < 0:
            raise TypeError("len() of the student's object is not a count")
        return n

    def __iter__(self):
        items = self._ask({"op": "list", "limit": 100_000})
        if not isinstance(items, list):
            raise TypeError("the student's object cannot be iterated")
        return iter(items)

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        record = object.__getattribute__(self, "_record")
        return f"<the student's {str(record.get('type', 'object'))[:80]}>"

    @property
    def remote_type(self) -> list[str]:
        """The class names of the student's object (its MRO, as the kernel reported them)."""
        return [str(n) for n in object.__getattribute__(self, "_record").get("mro", [])]


def _local_class(qualified: str):
    """A standard torch class of the judge's own torch, by the name the kernel gave (or None)."""
    module, _, name = qualified.rpartition(".")
    if not (module.startswith("torch.nn.") or module.startswith("torch.optim.")) or not name.isidentifier():
        return None
    import torch

    found = getattr(sys.modules.get(module), name, None)
    if isinstance(found, type) and (issubclass(found, torch.nn.Module) or issubclass(found, torch.optim.Optimizer)):
        return found
    return None


class Namespace(dict):
    """The test's globals: names it did not bind are asked of the kernel when first used."""

    def __init__(self, channel: Channel):
        super().__init__()
        self.channel = channel
        self.remote = False
        self.fetched: set[str] = set()
        self.locked: dict = {}   # what the setup (locked cells) bound: every test cell starts from it
        self["__name__"] = "__judge__"
        self["__builtins__"] = builtins

    def __missing__(self, name: str):
        if not self.remote or name.startswith("__") or hasattr(builtins, name):
            raise KeyError(name)
        response = self.channel.request({"op": "lookup", "name": name})
        if response.get("missing"):
            raise KeyError(name)
        value = self.channel.value(response)
        self[name] = value
        self.fetched.add(name)
        return value

    def get(self, name, default=None):   # globals().get("model"): the student's name too
        try:
            return self[name]
        except KeyError:
            return default

    def forget_student(self) -> None:
        """Each test cell asks again: the student's cells in between may have changed the names. And
        each starts from the setup's names alone: what an earlier test cell bound (``model = ...``)
        must not hide the student's own name of the same spelling (in a kernel the student's later
        cell would have re-bound it)."""
        for name in self.fetched:
            self.pop(name, None)
        self.fetched.clear()
        for name in [n for n in self if n not in self.locked and not n.startswith("__")]:
            del self[name]
        self.update(self.locked)
        wire.LINKS.clear()

    def remember_locked(self) -> None:
        self.locked = {k: v for k, v in self.items() if not k.startswith("__")}


def run(source: str, ns: Namespace, remote: bool) -> dict:
    out = io.StringIO()
    error = None
    ns.remote = remote
    try:
        code = compile(source, "<test>", "exec")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            exec(code, ns)
    except SystemExit as exc:  # the grader went away (or a test said so): report, never die quietly
        error = {"ename": "SystemExit", "evalue": str(exc)}
    except BaseException as exc:
        error = {"ename": type(exc).__name__, "evalue": str(exc)[:4000]}
    finally:
        ns.remote = False
    text = out.getvalue()
    if len(text) > MAX_OUTPUT:
        text = text[:MAX_OUTPUT] + "\n[grader] output cut\n"
    return {"op": "done", "stdout": text, "error": error}


def main() -> int:
    global CHANNEL
    # the protocol keeps the real stdout; what the tests print is captured per cell
    proto = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    CHANNEL = channel = Channel(proto, sys.stdin)
    from .. import checks

    checks._JUDGE = channel  # ck.torch_calls() records the kernel's calls too
    ns = Namespace(channel)
    channel.send({"op": "ready", "pid": os.getpid()})
    for line in sys.stdin:
        if not line.strip():
            continue
        message = json.loads(line)
        if message.get("op") == "locked":
            ns.forget_student()
            done = run(str(message.get("source", "")), ns, remote=False)
            ns.remember_locked()
            channel.send(done)
        elif message.get("op") == "test":
            ns.forget_student()
            channel.send(run(str(message.get("source", "")), ns, remote=True))
        else:
            channel.send({"op": "done", "stdout": "", "error": {"ename": "JudgeError", "evalue": "unknown message"}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
