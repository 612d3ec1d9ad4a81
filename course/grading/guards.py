"""In-kernel integrity checks around every autograded test cell (imported inside the sandbox).

The protocol with the grader (course/grading/executor.py), every answer a JSON string:

* ``install()`` (before the notebook's first cell) -> ``{"installed": true, "token": T}``, T a fresh
  random token, kept in a closure (not a module attribute);
* ``after_locked()`` (right after each locked, non-test code cell ran: the setup cell)
  -> ``{"token": T, "problems": [...], "pinned": [names]}``;
* ``check()`` (right before and right after each test cell) -> ``{"token": T, "problems": [...]}``.

An answer without T, or that is not JSON, means the object the grader called is not this module's
own function (the module, the function, ``__import__`` or the namespace was replaced): the grader
treats it as tampering.  ``problems`` is empty when nothing was tampered with; each problem is
a short sentence, e.g. ``"torch.allclose was replaced"``.

What :func:`install` records, before any student code runs:

* the functions, classes and modules of ``builtins``, ``torch`` (+ ``nn``, ``nn.functional``,
  ``optim``, ``utils.data``, ``testing``), ``numpy`` (+ ``testing``), ``math``, ``random``, ``os``,
  ``time``, ``unittest``, the ``course`` package (every value of ``course.checks``), their
  ``sys.modules`` entries; the ``__code__``, ``__defaults__`` and ``__kwdefaults__`` of every
  Python function among them (and numpy's ``_implementation``); the methods of ``torch.Tensor``
  and ``nn.Module``;
* the IPython machinery that runs a cell and reports it: the shell's methods and attributes
  (``run_cell``, ``showtraceback``, ``compile`` with its ``ast_parse``/``cache``,
  ``input_transformer_manager`` with its ``line_transforms``/``cleanup_transforms``/
  ``token_transformers``, AST and input transformers, event callbacks, custom exception
  handlers, display hook and publisher), the kernel's (``do_execute``, ``send_response``, its
  ``session`` and the session's ``send``/``serialize``/``sign``, the iopub socket) and the
  classes of all of these; ``sys`` trace/profile/display/except hooks, ``sys.stdout``/``stderr``,
  ``sys.modules`` itself and this module's own entry in it;
* the user namespace's ``__builtins__`` and IPython's own names in it.

:func:`after_locked` pins the names the setup cell bound (``np``, ``torch``, ``nn``, ``course``,
``DEVICE`` ...) by identity, after checking that each imported one is the real module (a cell
added before the setup cell may have planted a fake in ``sys.modules``).  Such a finding is
reported by every later ``check()`` too.

:func:`check` finds what was replaced, added over or deleted since, puts the original back and
names it; also a global that shadows a builtin, and an event callback whose code was not loaded
from the installed packages (its ``__module__`` may lie, its code's file cannot).  The guard's own
answer is written by its own JSON writer bound at import (``json.dumps`` may be replaced).

This is defence in depth inside a process the student controls; the static policy
(:mod:`course.grading.policy`) keeps the tools for most of these attacks out of student cells in
the first place.  docs/grading.md says what neither can stop.
"""
from __future__ import annotations

import builtins as _builtins_mod
import copyreg as _copyreg
import os as _os
import sys as _sys
import types as _types

# everything the guard itself uses is bound now, before any student code runs
_b = dict(vars(_builtins_mod))
_len, _isinstance, _getattr, _setattr, _hasattr, _type, _id = (
    _b["len"], _b["isinstance"], _b["getattr"], _b["setattr"], _b["hasattr"], _b["type"], _b["id"])
_sorted, _set, _list, _dict, _str, _tuple, _vars, _callable = (
    _b["sorted"], _b["set"], _b["list"], _b["dict"], _b["str"], _b["tuple"], _b["vars"], _b["callable"])
_ord, _hex, _Exception, _object, _any, _bool, _int = (
    _b["ord"], _b["hex"], _b["Exception"], _b["object"], _b["any"], _b["bool"], _b["int"])
_import, _delattr = _b["__import__"], _b["delattr"]
_sys_modules = _sys.modules
_gettrace, _getprofile, _settrace, _setprofile = _sys.gettrace, _sys.getprofile, _sys.settrace, _sys.setprofile
_ModuleType, _FunctionType, _MethodType = _types.ModuleType, _types.FunctionType, _types.MethodType
_isfile, _realpath = _os.path.isfile, _os.path.realpath
_SELF_NAME = __name__
_slotnames = _copyreg._slotnames

_MISSING = _object()

MODULES = ("builtins", "torch", "torch.testing", "torch.nn", "torch.nn.functional", "torch.optim",
           "torch.utils.data", "numpy", "numpy.testing", "math", "random", "os", "time", "unittest", "json",
           "json.encoder", "course",
           "course.checks")
# modules whose every value is pinned (not only functions, classes and modules)
ALL_VALUES = ("course.checks",)
# imported by the lectures but not at install (slow to import): checked to be genuine when they appear
WATCHED_LATER = ("pandas", "matplotlib", "matplotlib.pyplot", "torchvision", "torchvision.transforms", "tempfile")
CLASSES = (("torch", "Tensor"), ("torch.nn", "Module"), ("torch._C", "TensorBase"), ("numpy", "ndarray"),
           ("course.checks", "ProbeModel"), ("course.checks", "PlotRecorder"), ("course.checks", "_Tag"))
SHELL_ATTRS = ("showtraceback", "_showtraceback", "showsyntaxerror", "run_cell", "run_cell_async",
               "run_code", "run_ast_nodes", "transform_cell", "transform_ast", "user_expressions",
               "ex", "ev", "CustomTB", "InteractiveTB", "SyntaxTB", "displayhook", "display_pub",
               "compile", "excepthook", "set_custom_exc", "should_run_async", "input_transformer_manager",
               "events", "kernel", "user_ns", "user_global_ns", "run_line_magic", "run_cell_magic", "system",
               "getoutput", "history_manager", "builtin_trap", "display_trap", "ast_transformers",
               "input_transformers_post", "input_transformers_cleanup", "_run_cell", "run_cell_async",
               "_tee", "get_exception_only", "_get_exc_info")
KERNEL_ATTRS = ("do_execute", "execute_request", "send_response", "dispatch_shell", "process_one",
                "_publish_execute_input", "_publish_status", "session", "iopub_socket", "iopub_thread",
                "shell_stream", "control_stream", "finish_metadata", "init_metadata", "shell")
SESSION_ATTRS = ("send", "serialize", "sign", "pack", "unpack", "msg", "msg_header", "send_raw", "auth",
                 "deserialize", "feed_identities")
COMPILER_ATTRS = ("ast_parse", "cache", "reset_compiler_flags", "get_code_name", "format_code_name",
                  "extra_flags", "__call__")
TRANSFORMER_ATTRS = ("cleanup_transforms", "line_transforms", "token_transformers", "transform_cell",
                     "do_one_token_transform", "do_token_transforms", "check_complete")
EVENTS_ATTRS = ("callbacks", "trigger", "register", "unregister")
SOCKET_ATTRS = ("send", "send_multipart")
SHELL_LISTS = ("ast_transformers", "input_transformers_post", "input_transformers_cleanup")
TRANSFORMER_LISTS = ("cleanup_transforms", "line_transforms", "token_transformers")
IGNORED_BUILTINS = {"_", "__", "___"}
# IPython's own names in the user namespace; a student's global of a builtin's name is fine only for these
IPYTHON_NAMES = ("In", "Out", "get_ipython", "exit", "quit", "open", "_ih", "_oh", "_dh", "__builtin__",
                 "__builtins__", "__name__", "__doc__", "__package__", "__loader__", "__spec__", "display")
# builtins a student's global may shadow without harm to the tests (nothing the tests call)
SHADOW_OK = frozenset({"input", "copyright", "credits", "license", "help", "exit", "quit", "open", "display",
                       "get_ipython", "_", "__", "___"})


def _trusted_dirs() -> tuple:
    import sysconfig

    dirs = {sysconfig.get_paths().get(k) for k in ("purelib", "platlib", "stdlib", "platstdlib")}
    course = _sys_modules.get("course")
    if course is not None and _getattr(course, "__file__", None):
        dirs.add(_os.path.dirname(course.__file__))
    return _tuple(_realpath(d) + _os.sep for d in dirs if d)


def _ident(value):
    """What identifies an attribute's value: a bound method by its function and its object."""
    if _type(value) is _MethodType:
        return ("method", _id(value.__func__), _id(value.__self__))
    if _type(value) in (_list, _tuple):
        return ("seq", _type(value), _tuple(_ident(v) for v in value))
    return ("obj", _id(value))


def _code_of(func):
    """The code object behind a callable (bound method, partial, callable object), or None."""
    for _ in range(5):
        if _type(func) is _FunctionType:
            return func.__code__
        if _type(func) is _MethodType:
            func = func.__func__
            continue
        inner = _getattr(func, "func", None)  # functools.partial
        if inner is not None and inner is not func:
            func = inner
            continue
        call = _getattr(_type(func), "__call__", None)
        if _type(call) is _FunctionType:
            func = call
            continue
        return None
    return None


def _json(value) -> str:
    """A JSON writer of the guard's own (``json.dumps`` may have been replaced)."""
    kind = _type(value)
    if value is None:
        return "null"
    if kind is _bool:
        return "true" if value else "false"
    if kind is _int:
        return _str(value)
    if kind is _str:
        out = ['"']
        for ch in value:
            code = _ord(ch)
            if ch == '"' or ch == "\\":
                out.append("\\" + ch)
            elif code < 0x20 or code > 0x7E:
                out.append("\\u%04x" % code if code <= 0xFFFF else "\\ufffd")
            else:
                out.append(ch)
        out.append('"')
        return "".join(out)
    if kind in (_list, _tuple):
        return "[" + ", ".join(_json(v) for v in value) + "]"
    if kind is _dict:
        return "{" + ", ".join(_json(_str(k)) + ": " + _json(v) for k, v in value.items()) + "}"
    return _json(_str(value))


def _shell_and_kernel():
    ipython = _sys_modules.get("IPython")
    if ipython is None:
        return None, None
    try:
        from IPython.core.interactiveshell import InteractiveShell

        shell = InteractiveShell._instance if InteractiveShell.initialized() else None
    except _Exception:
        return None, None
    return shell, _getattr(shell, "kernel", None)


def _watch_objects(shell, kernel) -> list:
    """(label, object, attrs) of the IPython/ipykernel objects that run a cell and report it."""
    out = []
    if shell is not None:
        out.append(("shell", shell, SHELL_ATTRS))
        for label, attr, attrs in (("compile", "compile", COMPILER_ATTRS),
                                   ("input_transformer_manager", "input_transformer_manager", TRANSFORMER_ATTRS),
                                   ("events", "events", EVENTS_ATTRS),
                                   ("displayhook", "displayhook", ("__call__", "write_format_data",
                                                                   "finish_displayhook", "write_output_prompt")),
                                   ("display_pub", "display_pub", ("publish", "clear_output"))):
            obj = _getattr(shell, attr, None)
            if obj is not None:
                out.append((label, obj, attrs))
    if kernel is not None:
        out.append(("kernel", kernel, KERNEL_ATTRS))
        session = _getattr(kernel, "session", None)
        if session is not None:
            out.append(("kernel.session", session, SESSION_ATTRS))
        for attr in ("iopub_socket", "shell_stream", "control_stream"):
            sock = _getattr(kernel, attr, None)
            if sock is not None:
                out.append((f"kernel.{attr}", sock, SOCKET_ATTRS))
                inner = _getattr(sock, "socket", None)
                if inner is not None:
                    out.append((f"kernel.{attr}.socket", inner, SOCKET_ATTRS))
    return out


def _build():
    """The guard's functions, sharing a state that no module attribute leads to."""
    import secrets

    state: dict = {"token": None, "snap": None, "pins": {}, "sticky": [], "trusted": (), "code_ok": {},
                   "own": None}
    self_module = _sys_modules.get(_SELF_NAME)

    def modules():
        names = _list(MODULES) + _sorted(n for n in _sys_modules if n.startswith("course.")
                                         and not n.startswith("course.grading") and n not in MODULES)
        return [(n, _sys_modules[n]) for n in names if n in _sys_modules]

    def prime(cls) -> None:
        # pickle and copy (torch.save, copy.deepcopy of a tensor or a model) cache __slotnames__ on a class
        # the first time: fill that cache now, so that honest saving is not "an attribute was added"
        try:
            _slotnames(cls)
        except _Exception:
            pass

    def snapshot() -> dict:
        snap: dict = {"modules": {}, "sys_modules": {}, "classes": {}, "attrs": {}, "lists": {}, "events": {},
                      "hooks": {}, "code": {}, "user_ns": {}}
        for name, mod in modules():
            snap["sys_modules"][name] = mod
            every = name in ALL_VALUES
            saved = {k: v for k, v in _vars(mod).items()
                     if every or _callable(v) or _isinstance(v, _ModuleType)}
            snap["modules"][name] = (mod, saved)
            for key, value in saved.items():
                remember_code(snap, f"{name}.{key}", value)
        for modname, clsname in CLASSES:
            mod = _sys_modules.get(modname)
            cls = _getattr(mod, clsname, None) if mod else None
            if _isinstance(cls, _type):
                prime(cls)
                snap["classes"][f"{modname}.{clsname}"] = (cls, _dict(_vars(cls)))
                for key, value in _vars(cls).items():
                    remember_code(snap, f"{modname}.{clsname}.{key}", value)
        shell, kernel = _shell_and_kernel()
        for label, obj, attrs in _watch_objects(shell, kernel):
            for cls in _type(obj).__mro__:
                if cls is not _object:
                    prime(cls)
                    snap["classes"][f"{label}:{cls.__module__}.{cls.__qualname__}"] = (cls, _dict(_vars(cls)))
            inst = _getattr(obj, "__dict__", {})
            snap["attrs"][label] = (obj, {a: (inst.get(a, _MISSING), _ident(_getattr(obj, a, _MISSING)),
                                              _getattr(obj, a, _MISSING)) for a in attrs})
        if shell is not None:
            for a in SHELL_LISTS:
                if _hasattr(shell, a):
                    snap["lists"][f"IPython {a}"] = (shell, a, _getattr(shell, a), _list(_getattr(shell, a)))
            itm = _getattr(shell, "input_transformer_manager", None)
            for a in TRANSFORMER_LISTS:
                if itm is not None and _hasattr(itm, a):
                    snap["lists"][f"IPython input_transformer_manager.{a}"] = (itm, a, _getattr(itm, a),
                                                                               _list(_getattr(itm, a)))
            snap["events"] = {k: _list(v) for k, v in shell.events.callbacks.items()}
            snap["events_dict"] = shell.events.callbacks
            snap["custom_exceptions"] = shell.custom_exceptions
            snap["custom_handler"] = _getattr(shell, "CustomTB", None)
            ns = shell.user_ns
            snap["user_ns"] = {k: ns[k] for k in IPYTHON_NAMES if k in ns}
        snap["hooks"] = hooks()
        return snap

    def remember_code(snap, label, value) -> None:
        if _type(value) is _FunctionType:
            snap["code"][label] = (value, value.__code__, value.__defaults__, value.__kwdefaults__)
        impl = _getattr(value, "_implementation", None) if _type(value).__module__ == "numpy" else None
        if impl is not None and _type(impl) is _FunctionType:
            snap["code"][label + "._implementation"] = (impl, impl.__code__, impl.__defaults__, impl.__kwdefaults__)

    def hooks() -> dict:
        import threading

        return {"sys.excepthook": _sys.excepthook, "sys.displayhook": _sys.displayhook,
                "sys.stdout": _sys.stdout, "sys.stderr": _sys.stderr, "sys.breakpointhook": _sys.breakpointhook,
                "sys.unraisablehook": _sys.unraisablehook,
                "threading._trace_hook": _getattr(threading, "_trace_hook", None),
                "threading._profile_hook": _getattr(threading, "_profile_hook", None)}

    def trusted_code(func) -> bool:
        code = _code_of(func)
        if code is None:
            return False
        known = state["code_ok"].get(_id(code))
        if known is not None and known[0] is code:
            return known[1]
        path = _realpath(code.co_filename) if code.co_filename else ""
        ok = path.startswith(state["trusted"]) and _isfile(path)
        state["code_ok"][_id(code)] = (code, ok)
        return ok

    def genuine_module(mod) -> bool:
        """A module that was loaded from the installed packages (not a student's look-alike)."""
        if _type(mod) is not _ModuleType:
            return False
        name = _getattr(mod, "__name__", None)
        snap = state["snap"]
        if snap is not None and name in snap["sys_modules"]:
            return snap["sys_modules"][name] is mod
        spec = _getattr(mod, "__spec__", None)
        origin = _getattr(spec, "origin", None)
        if origin in ("built-in", "frozen"):
            return _sys_modules.get(name) is mod
        path = _realpath(origin) if _isinstance(origin, _str) else ""
        if not (path.startswith(state["trusted"]) and _isfile(path)):
            return False
        for value in _list(_vars(mod).values())[:5000]:  # its functions come from installed files too
            if _type(value) is _FunctionType and not trusted_code(value):
                return False
        return True

    def restore_dict(label, target, saved, current, out, setter) -> None:
        for key, value in saved.items():
            now = current.get(key, _MISSING)
            if now is not value:
                if label == "builtins" and key in IGNORED_BUILTINS:
                    continue
                out.append(f"{label}.{key} was {'deleted' if now is _MISSING else 'replaced'}")
                try:
                    setter(target, key, value)
                except _Exception:
                    pass

    def run_checks() -> list:
        import threading

        snap = state["snap"]
        if snap is None:
            return ["the grader's integrity record is gone"]
        out: list = []
        # builtins first: everything after may use them again
        builtins_saved = snap["modules"].get("builtins")
        if builtins_saved is not None:
            restore_dict("builtins", builtins_saved[0], builtins_saved[1], _vars(builtins_saved[0]), out, _setattr)
        if _sys.modules is not _sys_modules:
            out.append("sys.modules was replaced")
            _sys.modules = _sys_modules
        if _sys_modules.get(_SELF_NAME) is not self_module:
            out.append("the grader's guard module was replaced in sys.modules")
            _sys_modules[_SELF_NAME] = self_module
        own = state["own"] or {}
        for key, value in own.items():
            if _vars(self_module).get(key, _MISSING) is not value:
                out.append(f"the grader's guard was tampered with ({key})")
                _vars(self_module)[key] = value
        if _gettrace() is not None:
            out.append("a trace function (sys.settrace) is set")
            _settrace(None)
        if _getprofile() is not None:
            out.append("a profile function (sys.setprofile) is set")
            _setprofile(None)
        for name, mod in snap["sys_modules"].items():
            if _sys_modules.get(name) is not mod:
                out.append(f"sys.modules[{name!r}] was replaced")
                _sys_modules[name] = mod
        for name in WATCHED_LATER:
            mod = _sys_modules.get(name)
            if mod is not None and not genuine_module(mod):
                out.append(f"sys.modules[{name!r}] is not the installed module")
                _sys_modules.pop(name, None)
        for name, (mod, saved) in snap["modules"].items():
            if name != "builtins":
                restore_dict(name, mod, saved, _vars(mod), out, _setattr)
        for label, (func, code, defaults, kwdefaults) in snap["code"].items():
            for attr, value in (("__code__", code), ("__defaults__", defaults), ("__kwdefaults__", kwdefaults)):
                if _getattr(func, attr, _MISSING) is not value:
                    out.append(f"{label}.{attr} was replaced")
                    try:
                        _setattr(func, attr, value)
                    except _Exception:
                        pass
        for name, (cls, saved) in snap["classes"].items():
            label = name.split(":", 1)[-1]
            restore_dict(label, cls, saved, _dict(_vars(cls)), out, _setattr)
            for key in _set(_vars(cls)) - _set(saved):
                if name.startswith(tuple(f"{w[0]}:" for w in _WATCH_LABELS)) or not key.startswith("_") \
                        or key.startswith("__"):
                    out.append(f"{label}.{key} was added")
                    try:
                        _delattr(cls, key)
                    except _Exception:
                        pass
        for label, (obj, saved) in snap["attrs"].items():
            inst = _getattr(obj, "__dict__", {})
            for attr, (in_dict, ident, value) in saved.items():
                now_in_dict = inst.get(attr, _MISSING)
                now = _getattr(obj, attr, _MISSING)
                if now_in_dict is in_dict and _ident(now) == ident:
                    continue
                out.append(f"{label}.{attr} was replaced")
                try:
                    if in_dict is _MISSING:
                        inst.pop(attr, None)
                    else:
                        inst[attr] = in_dict
                    if _ident(_getattr(obj, attr, _MISSING)) != ident and value is not _MISSING:
                        _setattr(obj, attr, value)
                except _Exception:
                    pass
        for label, (owner, attr, lst, saved) in snap["lists"].items():
            now = _getattr(owner, attr, None)
            if now is not lst or _list(lst) != saved:
                out.append(f"{label} were changed")
                try:
                    lst[:] = saved
                    _setattr(owner, attr, lst)
                except _Exception:
                    pass
        shell, _ = _shell_and_kernel()
        if shell is not None:
            events = shell.events
            if events.callbacks is not snap.get("events_dict"):
                out.append("the IPython event callbacks were replaced")
                events.callbacks = snap["events_dict"]
            for event, saved in snap.get("events", {}).items():
                now = events.callbacks.get(event, [])
                added = [f for f in now if f not in saved and not trusted_code(f)]
                if added or _any(f not in now for f in saved):
                    out.append(f"an IPython {event!r} event callback was registered")
                    now[:] = [f for f in now if f in saved or trusted_code(f)] + [f for f in saved if f not in now]
            if shell.custom_exceptions != snap.get("custom_exceptions"):
                out.append("a custom exception handler (set_custom_exc) was installed")
                shell.custom_exceptions = snap.get("custom_exceptions")
            ns = shell.user_ns
            for key, value in snap.get("user_ns", {}).items():
                if ns.get(key, _MISSING) is not value:
                    out.append(f"the notebook's {key} was {'deleted' if key not in ns else 'replaced'}")
                    ns[key] = value
            for key, value in state["pins"].items():
                if ns.get(key, _MISSING) is not value:
                    out.append(f"the setup cell's name {key!r} was {'deleted' if key not in ns else 'rebound'}")
                    ns[key] = value
            builtin_names = _vars(builtins_saved[0]) if builtins_saved else {}
            for key in _list(ns):
                if key in builtin_names and key not in SHADOW_OK and key not in snap.get("user_ns", {}) \
                        and not key.startswith("_"):
                    out.append(f"a global named {key!r} shadows the builtin the tests use")
                    ns.pop(key, None)
        current = hooks()
        for key, value in snap["hooks"].items():
            if current[key] is not value:
                out.append(f"{key} was replaced")
                obj, attr = key.split(".", 1)
                _setattr(_sys if obj == "sys" else threading, attr, value)
        return _sorted(_set(out))

    def install() -> str:
        """Record the pristine state (the grader calls it before the notebook's first cell)."""
        for name in MODULES:
            try:
                _import(name)
            except _Exception:  # a module the course does not have is simply not watched
                pass
        try:  # the first optimizer step imports torch._dynamo, which wraps torch.manual_seed: do it first
            _import("torch._dynamo")
        except _Exception:
            pass
        try:  # the students' policy, imported now for the pins of after_locked
            _import("course.grading.policy")
        except _Exception:
            pass
        state["trusted"] = _trusted_dirs()
        # nothing is imported from the working folder: a file the student's code wrote there
        # (`seaborn.py`, a module the allow-list names but the course does not install) would run
        # code the static policy never saw
        try:
            here = _os.getcwd()
        except OSError:
            here = None
        _sys.path[:] = [p for p in _sys.path if p not in ("", ".", here)]
        state["own"] = _dict(_vars(self_module))
        state["snap"] = snapshot()
        state["token"] = secrets.token_hex(16)
        return _json({"installed": True, "token": state["token"]})

    def after_locked() -> str:
        """Pin the names the locked cell that just ran bound (the setup's ``np``, ``torch`` ...)."""
        problems = run_checks()
        state["sticky"] += problems  # tampering before the tests even start costs every test
        pinned = []
        shell, _ = _shell_and_kernel()
        if shell is not None and state["snap"] is not None:
            ns = shell.user_ns
            policy = _sys_modules.get("course.grading.policy")
            source = ""
            try:
                source = shell.history_manager.input_hist_raw[-1]
            except _Exception:
                pass
            names, origins = [], {}
            if policy is not None and source:
                protected = policy.protected_names([source])
                names, origins = _sorted(protected), _getattr(protected, "origins", {})
            for name in names:
                if name not in ns:
                    continue
                value = ns[name]
                origin = origins.get(name)
                if origin is not None:
                    problem = imported_problem(name, value, origin)
                    if problem:
                        problems.append(problem)
                        state["sticky"].append(problem)
                        continue
                state["pins"][name] = value
                pinned.append(name)
            if ns.get("__builtins__") is not _builtins_mod and "__builtins__" not in state["snap"]["user_ns"]:
                state["snap"]["user_ns"]["__builtins__"] = _builtins_mod
        return _json({"token": state["token"], "problems": _sorted(_set(problems + state["sticky"])),
                      "pinned": pinned})

    def imported_problem(name, value, origin) -> str | None:
        """Why ``value`` (bound by the setup's import of ``origin``) is not the real thing, or None."""
        module = _sys_modules.get(origin)
        if _isinstance(value, _ModuleType) or module is not None and module is value:
            if not genuine_module(value) or (_getattr(value, "__name__", None) != origin):
                return f"the setup cell's {name!r} is not the installed {origin} (a look-alike was planted)"
            return None
        parent, _, attr = origin.rpartition(".")
        owner = _sys_modules.get(parent)
        if owner is None or not genuine_module(owner) or _getattr(owner, attr, _MISSING) is not value:
            return f"the setup cell's {name!r} is not the installed {origin} (a look-alike was planted)"
        return None

    def check(where: str = "") -> str:
        """What was tampered with since :func:`install` (then put back), as ``{"token", "problems"}``."""
        problems = run_checks() + state["sticky"]
        return _json({"token": state["token"], "problems": _sorted(_set(problems))})

    return install, after_locked, check


_WATCH_LABELS = (("shell",), ("kernel",), ("compile",), ("input_transformer_manager",), ("events",),
                 ("displayhook",), ("display_pub",), ("kernel.session",), ("kernel.iopub_socket",),
                 ("kernel.shell_stream",), ("kernel.control_stream",), ("kernel.iopub_socket.socket",),
                 ("kernel.shell_stream.socket",), ("kernel.control_stream.socket",))

install, after_locked, check = _build()
