"""In-kernel integrity checks around every autograded test cell (imported inside the sandbox).

Before any student code runs, :func:`install` records *which objects* the tests rely on:
the builtins, the functions of ``torch``, ``torch.testing``, ``numpy``, ``numpy.testing``,
``math``, ``random`` and the ``course`` package, the methods of ``torch.Tensor`` and
``torch.nn.Module``, the ``sys``/``threading`` trace and display hooks, and the IPython
machinery that runs a cell and reports its errors (``showtraceback``, ``run_cell``, AST and
input transformers, event callbacks, custom exception handlers, ``sys.modules`` entries).

Right before and right after each test cell the grader calls :func:`check`: every object that
was replaced, added over or deleted is put back, and the names are returned; the grader then
gives that test 0 points with a message saying what was tampered with.  A student's code can
still be wrong in any honest way; it cannot make ``torch.allclose`` say yes.

This is defence in depth inside a process the student controls: see docs/grading.md for what
it cannot stop.
"""
from __future__ import annotations

import json
import sys

_MISSING = object()
_state: dict = {}

MODULES = ("builtins", "torch", "torch.testing", "torch.nn", "torch.nn.functional", "numpy",
           "numpy.testing", "math", "random", "unittest", "course")
CLASSES = (("torch", "Tensor"), ("torch.nn", "Module"), ("torch._C", "TensorBase"))
SHELL_ATTRS = ("showtraceback", "_showtraceback", "showsyntaxerror", "run_cell", "run_cell_async",
               "run_code", "run_ast_nodes", "transform_cell", "transform_ast", "user_expressions",
               "ex", "ev", "CustomTB", "InteractiveTB", "SyntaxTB", "displayhook", "display_pub",
               "compile", "excepthook", "set_custom_exc", "should_run_async")
SHELL_LISTS = ("ast_transformers", "input_transformers_post", "input_transformers_cleanup")
KERNEL_ATTRS = ("do_execute", "execute_request", "send_response", "dispatch_shell", "process_one",
                "_publish_execute_input", "_publish_status")
IGNORED_BUILTINS = {"_", "__", "___"}


def _modules():
    names = list(MODULES) + sorted(n for n in sys.modules if n.startswith("course.")
                                   and not n.startswith("course.grading"))
    return [(n, sys.modules[n]) for n in names if n in sys.modules]


def _shell_and_kernel():
    try:
        from IPython import get_ipython
    except ImportError:
        return None, None
    shell = get_ipython()
    return shell, getattr(shell, "kernel", None)


def _snapshot() -> dict:
    snap: dict = {"modules": {}, "sys_modules": {}, "classes": {}, "inst": {}, "lists": {},
                  "events": {}, "hooks": {}}
    for name, mod in _modules():
        snap["sys_modules"][name] = mod
        # functions, classes and modules only: plain values (a seed, a device choice) may change
        snap["modules"][name] = (mod, {k: v for k, v in vars(mod).items()
                                       if callable(v) or isinstance(v, type(sys))})
    for modname, clsname in CLASSES:
        mod = sys.modules.get(modname)
        cls = getattr(mod, clsname, None) if mod else None
        if isinstance(cls, type):
            snap["classes"][f"{modname}.{clsname}"] = (cls, dict(vars(cls)))
    shell, kernel = _shell_and_kernel()
    for label, obj, attrs in (("shell", shell, SHELL_ATTRS), ("kernel", kernel, KERNEL_ATTRS)):
        if obj is None:
            continue
        for cls in type(obj).__mro__:
            if cls is not object:
                snap["classes"][f"{label}:{cls.__module__}.{cls.__qualname__}"] = (cls, dict(vars(cls)))
        snap["inst"][label] = (obj, {a: obj.__dict__.get(a, _MISSING) for a in attrs})
    if shell is not None:
        snap["lists"] = {a: (getattr(shell, a), list(getattr(shell, a))) for a in SHELL_LISTS if hasattr(shell, a)}
        snap["events"] = {k: list(v) for k, v in shell.events.callbacks.items()}
        snap["custom_exceptions"] = shell.custom_exceptions
    import threading

    snap["hooks"] = {"sys.excepthook": sys.excepthook, "sys.displayhook": sys.displayhook,
                     "sys.stdout": sys.stdout, "sys.stderr": sys.stderr,
                     "threading._trace_hook": getattr(threading, "_trace_hook", None),
                     "threading._profile_hook": getattr(threading, "_profile_hook", None)}
    return snap


TRUSTED_CALLBACK_MODULES = ("IPython", "ipykernel", "matplotlib", "matplotlib_inline", "tqdm", "ipywidgets")


def _trusted(func) -> bool:
    module = getattr(func, "__module__", None) or ""
    return module.split(".")[0] in TRUSTED_CALLBACK_MODULES


def install() -> str:
    """Record the pristine state (the grader calls it before the notebook's first cell)."""
    for name in MODULES:
        try:
            __import__(name)
        except Exception:  # a module the course does not have is simply not watched
            pass
    try:  # the first optimizer step imports torch._dynamo, which wraps torch.manual_seed: do it first
        import torch._dynamo  # noqa: F401
    except Exception:
        pass
    _state["snap"] = _snapshot()
    return json.dumps({"installed": True})


def _restore_dict(label: str, target, saved: dict, current: dict, out: list, setter) -> None:
    for key, value in saved.items():
        now = current.get(key, _MISSING)
        if now is not value:
            if label == "builtins" and key in IGNORED_BUILTINS:
                continue
            out.append(f"{label}.{key} was {'deleted' if now is _MISSING else 'replaced'}")
            try:
                setter(target, key, value)
            except Exception:
                pass


def check(where: str = "") -> str:
    """The names of what was tampered with since :func:`install` (then put back), as JSON."""
    import threading

    snap = _state.get("snap")
    if snap is None:
        return json.dumps(["the grader's integrity record is gone"])
    out: list[str] = []
    if sys.gettrace() is not None:
        out.append("a trace function (sys.settrace) is set")
        sys.settrace(None)
    if sys.getprofile() is not None:
        out.append("a profile function (sys.setprofile) is set")
        sys.setprofile(None)
    for name, mod in snap["sys_modules"].items():
        if sys.modules.get(name) is not mod:
            out.append(f"sys.modules[{name!r}] was replaced")
            sys.modules[name] = mod
    for name, (mod, saved) in snap["modules"].items():
        _restore_dict(name, mod, saved, vars(mod), out, setattr)
    for name, (cls, saved) in snap["classes"].items():
        _restore_dict(name.split(":", 1)[-1], cls, saved, dict(vars(cls)), out, setattr)
        for key in set(vars(cls)) - set(saved):
            if name.startswith(("shell:", "kernel:")) or not key.startswith("_"):
                out.append(f"{name.split(':', 1)[-1]}.{key} was added")
                try:
                    delattr(cls, key)
                except Exception:
                    pass
    for label, (obj, saved) in snap["inst"].items():
        for attr, value in saved.items():
            now = obj.__dict__.get(attr, _MISSING)
            if now is not value:
                out.append(f"{label}.{attr} was replaced")
                if value is _MISSING:
                    obj.__dict__.pop(attr, None)
                else:
                    obj.__dict__[attr] = value
    for attr, (lst, saved) in snap.get("lists", {}).items():
        shell, _ = _shell_and_kernel()
        if getattr(shell, attr, None) is not lst or list(lst) != saved:
            out.append(f"IPython {attr} were changed")
            lst[:] = saved
            setattr(shell, attr, lst)
    shell, _ = _shell_and_kernel()
    if shell is not None:
        for event, saved in snap.get("events", {}).items():
            now = shell.events.callbacks.get(event, [])
            added = [f for f in now if f not in saved and not _trusted(f)]
            if added or any(f not in now for f in saved):
                out.append(f"an IPython {event!r} event callback was registered")
                now[:] = [f for f in now if f in saved or _trusted(f)] + [f for f in saved if f not in now]
        if shell.custom_exceptions != snap.get("custom_exceptions"):
            out.append("a custom exception handler (set_custom_exc) was installed")
            shell.custom_exceptions = snap.get("custom_exceptions")
    hooks = snap["hooks"]
    current = {"sys.excepthook": sys.excepthook, "sys.displayhook": sys.displayhook,
               "sys.stdout": sys.stdout, "sys.stderr": sys.stderr,
               "threading._trace_hook": getattr(threading, "_trace_hook", None),
               "threading._profile_hook": getattr(threading, "_profile_hook", None)}
    for key, value in hooks.items():
        if current[key] is not value:
            out.append(f"{key} was replaced")
            obj, attr = key.split(".", 1)
            setattr(sys if obj == "sys" else threading, attr, value)
    return json.dumps(sorted(set(out)))
