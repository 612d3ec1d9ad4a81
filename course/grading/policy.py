"""The static policy: what a student's cell may not contain, checked with ``ast`` before it runs.

The grader (``worker.py``) calls :func:`check_source` on every code cell the student wrote or
added (answer cells and extra cells, never the instructor's locked cells).  A cell that breaks a
rule is not run, and every test after it scores 0 with :meth:`Violation.message` in the feedback.
Students meet the same check while they work: ``course.start()`` warns about each line that breaks
a rule (course/context.py), so an honest student learns the rules long before submitting.

The rules (docs/grading.md, "The static policy"):

* **dunder access** in any form: a ``__name__`` name or attribute (``x.__class__``,
  ``__builtins__``), a string that names one (``getattr(x, "__dict__")``, a ``type()`` namespace),
  a keyword argument spelled like one.  Allowed: defining the methods of :data:`DUNDER_METHODS`,
  calling an ``__init__`` (``super().__init__(...)``), and ``if __name__ == "__main__":``;
* **special methods** other than those (``__eq__``, ``__float__``, ``__array_function__``,
  ``__torch_function__``, ``__getattr__`` ...): value objects that always agree;
* **forbidden names** (:data:`FORBIDDEN`): ``exec``, ``eval``, ``compile``, ``globals``, ``get_ipython``
  ... referenced at all (``f = exec`` counts as well as ``exec(...)``); ``getattr``/``hasattr``
  with a name computed at run time; ``type(name, bases, namespace)``;
* **imports** only from :func:`allowed_imports` (``c.Policy.allowed_imports`` in nbgrader_config.py);
  never ``course.grading``, no relative or ``*`` imports;
* **assignment** (``=``, ``+=``, ``del``, ``for``/``with`` targets) to an attribute (at any depth)
  or item of an imported module or of a class the cell imported (``torch.allclose = ...``,
  ``np.testing.x = ...``, ``nn.Module.forward = ...``);
* **rebinding a builtin** (``isinstance = ...``, ``def len``, ``for print in``, ``import x as abs``)
  or **a setup name** (what the locked cells bind: ``np``, ``torch``, ``DEVICE`` ...) at the top
  level of the cell; re-importing the same module under the same name is fine;
* **IPython magics and shell commands** other than ``%matplotlib``, ``%time``, ``%timeit`` (whose
  code is checked like any other line).

The cell is first turned into Python by IPython's own input transformer (the one the kernel uses),
so ``%magics``, ``!shell``, ``x?`` and the ``/f x`` / ``,f x`` auto-call escapes are seen as the calls
they become.  A syntax error is not a violation: the kernel reports it, and nothing runs.
"""
from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass
from pathlib import Path

DEFAULT_ALLOWED_IMPORTS = (
    "numpy", "torch", "torchvision", "pandas", "matplotlib", "math", "random", "time", "collections",
    "itertools", "functools", "csv", "os", "pathlib", "typing", "dataclasses", "string", "re", "statistics",
    "copy", "operator", "tqdm", "course", "IPython.display", "unicodedata", "json", "glob", "io", "gzip",
    "warnings", "tempfile", "__future__", "abc", "enum", "numbers", "heapq", "bisect", "textwrap", "datetime",
    "PIL", "sklearn", "scipy", "seaborn",
)
DENIED_IMPORTS = ("course.grading",)

DUNDER_METHODS = frozenset({"__init__", "__len__", "__getitem__", "__iter__", "__next__", "__repr__", "__str__",
                            "__contains__", "__enter__", "__exit__"})
FORBIDDEN = frozenset({"get_ipython", "exec", "eval", "compile", "globals", "locals", "vars", "setattr", "delattr",
                       "__import__", "breakpoint"})
# names of the kernel's builtins a student may not rebind (the interpreter's plus IPython's)
BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_")) | {"display", "get_ipython"}
ALLOWED_MAGICS = frozenset({"matplotlib", "time", "timeit"})
CODE_MAGICS = frozenset({"time", "timeit"})       # their argument is Python code: checked too
HELP_MAGICS = frozenset({"pinfo", "pinfo2", "psearch"})  # `x?`: allowed for a plain dotted name
# IPython's input/output history (it holds the code of the tests that ran, hidden parts included)
HISTORY = frozenset({"In", "Out", "_ih", "_oh", "_i", "_ii", "_iii", "_dh", "__", "___", "_sh"})
_HISTORY_NUMBERED = re.compile(r"_i{0,3}\d+")  # `_i3` (In[3]), `_3` (Out[3])
READABLE_DUNDERS = frozenset({"__name__", "__doc__"})  # `type(x).__name__` only reads a string
# an import may bind a builtin's name to the very same object (IPython puts `display` in builtins)
SAME_AS_BUILTIN = {"display": "IPython.display.display"}
# attributes that lead to the interpreter's internals (`os.sys`, `torch.sys`, a generator's frame ...)
FORBIDDEN_ATTRS = frozenset({
    "sys", "builtins", "gc", "inspect", "ctypes", "ctypeslib", "importlib", "marshal", "pickle", "runpy",
    "linecache", "traceback", "IPython", "ipykernel", "get_ipython", "grading", "cpp_extension", "read_pickle",
    "settrace", "setprofile", "f_globals", "f_locals", "f_builtins", "f_back", "f_code", "tb_frame", "tb_next",
    "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "ag_code", "co_code", "co_consts",
    # found in the installed libraries (tests/test_policy.py scans them): other names of the same modules
    "bltns", "types", "currentframe", "get_objects", "get_referrers", "get_referents", "user_ns", "user_global_ns",
    "exc_info", "last_traceback", "tb_lasti", "threading"})
# public wrappers around the import machinery: each loads code the policy never sees (a file the cell
# wrote, a module named by a string); as attribute names at any depth, imported names and module paths
IMPORT_MACHINERY = frozenset({
    "import_module", "reload", "find_spec", "spec_from_file_location", "spec_from_loader", "module_from_spec",
    "exec_module", "load_module", "SourceFileLoader", "SourcelessFileLoader", "ExtensionFileLoader", "machinery",
    "run_path", "run_module", "resolve_name", "find_loader", "get_loader", "pkgutil", "locate", "pydoc",
    "hub",                  # torch.hub.load(dir, ..., source="local") runs the folder's hubconf.py
    "package", "PackageImporter", "importer",  # torch.package
    "load_inline",          # torch.utils.cpp_extension (itself in FORBIDDEN_ATTRS)
    "distutils", "exec_mod_from_location",     # numpy.distutils.misc_util.exec_mod_from_location(name, file)
    "switch_backend",       # matplotlib: plt.switch_backend("module://x") imports x
    "_import_dotted_name", "_import_module"})
# functions of os that start or signal processes (`os.system` runs code the policy never sees)
PROCESS_ATTRS = frozenset({"system", "popen", "fork", "forkpty", "execv", "execve", "execl", "execle", "execlp",
                           "execlpe", "execvp", "execvpe", "spawnv", "spawnve", "spawnl", "spawnle", "spawnlp",
                           "spawnlpe", "spawnvp", "spawnvpe", "posix_spawn", "posix_spawnp", "kill", "killpg",
                           "setsid", "ptrace", "pidfd_open"})
PROCESS_NAMES = PROCESS_ATTRS - {"system", "kill", "setsid"} | {"multiprocessing", "subprocess", "python_multiprocessing"}
# library attributes that hold the machinery under a name too common to refuse everywhere (`self.mp` is
# a CNN's max-pool layer): refused as these very paths, wherever the flow finds them
MACHINERY_PATHS = {"torch.cuda.tunable.mp": "multiprocessing"}
# names refused on any object but the cell's own (`self.types = ...` is the student's business)
NOT_OWN = frozenset({"bltns", "types", "currentframe", "get_objects", "get_referrers", "get_referents", "user_ns",
                     "user_global_ns", "exc_info", "last_traceback", "tb_lasti", "threading"})
_PROC_STRING = re.compile(r"^\s*/proc(/|$)|^\s*module://")  # /proc/self/mem, a matplotlib backend module
# what a dynamic lookup or a class factory is, wherever the value flows (origins, see _Flow)
DYNAMIC_ORIGINS = {"builtins.getattr": "getattr", "builtins.hasattr": "hasattr",
                   "operator.attrgetter": "attrgetter", "operator.methodcaller": "methodcaller"}
FACTORY_ORIGINS = {"builtins.type": "type", "types.new_class": "new_class",
                   "dataclasses.make_dataclass": "make_dataclass", "abc.ABCMeta": "ABCMeta",
                   "enum.EnumMeta": "EnumMeta", "enum.EnumType": "EnumType"}
UNPICKLING = (("weights_only", False), ("allow_pickle", True))  # keyword=value that unpickles arbitrary objects
DYNAMIC_ATTR = frozenset({"getattr", "hasattr", "attrgetter", "methodcaller"})
CLASS_FACTORIES = frozenset({"make_dataclass", "new_class"})
# conventional import names, for a caller that passes plain names (no origins) as `protected`
CONVENTIONAL = {"np": "numpy", "torch": "torch", "nn": "torch.nn", "F": "torch.nn.functional", "optim": "torch.optim",
                "plt": "matplotlib.pyplot", "pd": "pandas", "math": "math", "random": "random", "time": "time",
                "os": "os", "course": "course", "torchvision": "torchvision", "transforms": "torchvision.transforms",
                "matplotlib": "matplotlib", "numpy": "numpy", "pandas": "pandas", "ck": "course.checks"}
_DUNDER_IN_STRING = re.compile(r"__[A-Za-z]")


@dataclass(frozen=True)
class Violation:
    line: int   # 1-based line in the cell
    rule: str   # short rule name: "dunder access", "forbidden call: exec", "import not allowed: sys", ...
    text: str   # the offending line, stripped, at most 120 characters

    def message(self, cell_label: str) -> str:
        return f"{cell_label}, line {self.line}: {self.rule}: {self.text}"


class ProtectedNames(frozenset):
    """The names the locked cells bind (a frozenset), and for imported ones the module they name."""

    origins: dict

    def __new__(cls, names, origins=None):
        self = super().__new__(cls, names)
        self.origins = dict(origins or {})
        return self


def _is_dunder(name: str | None) -> bool:
    return bool(name) and len(name) > 4 and name.startswith("__") and name.endswith("__")


def allowed_imports(root: Path | None = None) -> frozenset[str]:
    """Top-level (or dotted, e.g. ``IPython.display``) module names a student may import:
    ``c.Policy.allowed_imports`` of ``root/nbgrader_config.py``, else :data:`DEFAULT_ALLOWED_IMPORTS`."""
    if root is not None and (Path(root) / "nbgrader_config.py").is_file():
        try:
            from traitlets.config.loader import PyFileConfigLoader

            loaded = PyFileConfigLoader("nbgrader_config.py", str(root)).load_config()
            names = loaded.get("Policy", {}).get("allowed_imports")
            if names:
                return frozenset(str(n) for n in names) | {"__future__"}
        except Exception:
            pass
    return frozenset(DEFAULT_ALLOWED_IMPORTS)


def _import_allowed(module: str, allowed: frozenset[str]) -> bool:
    if any(module == d or module.startswith(d + ".") for d in DENIED_IMPORTS):
        return False
    return any(module == a or module.startswith(a + ".") for a in allowed)


_INSTALLED: dict[str, bool] = {}


def _installed(module: str) -> bool:
    """Whether the top package of ``module`` is installed (or already imported), looked up on the
    interpreter's path without the working folder: an allowed name the course does not install
    (``seaborn``) would import a file the student's code wrote."""
    top = module.split(".")[0]
    if top not in _INSTALLED:
        import importlib.machinery
        import os
        import sys

        try:
            here = os.getcwd()
        except OSError:
            here = None
        path = [p for p in sys.path if p not in ("", ".", here)]
        try:
            found = top in sys.modules or top in sys.builtin_module_names \
                or importlib.machinery.PathFinder.find_spec(top, path) is not None
        except (ImportError, ValueError, OSError):
            found = True  # cannot tell: the allow-list decides, as before
        _INSTALLED[top] = found
    return _INSTALLED[top]


def _is_prefix_of_allowed(module: str, allowed: frozenset[str]) -> bool:
    return any(a.startswith(module + ".") for a in allowed)


def _to_python(source: str) -> tuple[str, list[str]]:
    """The cell as the kernel will run it (IPython's input transformer), and the cell's own lines."""
    lines = source.splitlines()
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return TransformerManager().transform_cell(source), lines
    except Exception:  # no IPython (or it failed): neutralise what looks like IPython syntax by hand
        out = []
        for line in lines:
            body = line.lstrip()
            indent = line[: len(line) - len(body)]
            if body.startswith(("%", "!", "?", "/", ",", ";")) or (body.endswith("?") and not body.startswith("#")):
                name = re.match(r"[%!?/,;]*(\w*)", body).group(1)
                out.append(f"{indent}get_ipython().run_line_magic({name!r}, {body!r})")
            else:
                out.append(line)
        return "\n".join(out) + "\n", lines


def _bound_names(target) -> list[ast.Name]:
    """The plain names a binding target binds (``a``, ``(a, b)``, ``[*a]``)."""
    if isinstance(target, ast.Name):
        return [target]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for elt in target.elts for n in _bound_names(elt)]
    if isinstance(target, ast.Starred):
        return _bound_names(target.value)
    return []


def _root(node) -> ast.Name | None:
    """``np`` of ``np.testing.x`` / ``np.x[0]``: the name an attribute or item chain starts from."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node if isinstance(node, ast.Name) else None


def _targets(target):
    """Every attribute/subscript target inside a (possibly nested) binding target."""
    if isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            yield from _targets(elt)
    elif isinstance(target, ast.Starred):
        yield from _targets(target.value)
    elif isinstance(target, (ast.Attribute, ast.Subscript)):
        yield target


_REAL_BUILTINS = frozenset(dir(builtins))


def _short(origins) -> str:
    """The origin to name in a message: the shortest, then alphabetical."""
    return sorted(origins, key=lambda o: (len(o), o))[0]


class _Flow:
    """What each name of a cell may stand for, wherever the value flowed in the cell.

    A flow-insensitive pass over the whole cell (every scope at once, to a fixpoint): a name bound
    to a library object or a builtin (``m = np.linalg``, ``g = getattr``, ``g, h = getattr, 1``,
    ``for m in [np, torch]``, ``def f(m=np)``, ``f(np)`` for a cell's own ``def f(m)``, ``m = get()``
    where ``get`` returns one, ``import ... as``) stands for it everywhere in the cell.  An origin is
    a dotted path: ``numpy.linalg``, ``builtins.getattr``, ``operator.attrgetter``.  What cannot be
    followed (a dangerous value handed to code the cell does not show) is the checker's business."""

    def __init__(self, tree, origins: dict[str, str]) -> None:
        self.values: dict[str, set[str]] = {}
        self.overflow = False
        self.functions: dict[str, list] = {}
        self.parents: dict[int, ast.AST] = {}
        self.annotations: set[int] = set()
        bound: set[str] = set()
        own: dict[str, str] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[id(child)] = node
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.functions.setdefault(node.name, []).append(node)
                bound.add(node.name)
            elif isinstance(node, ast.ClassDef):
                bound.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                bound.add(node.id)
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    own[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                for alias in node.names:
                    own[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            annotation = [node.annotation] if isinstance(node, (ast.arg, ast.AnnAssign)) and node.annotation else []
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns:
                annotation.append(node.returns)
            for item in annotation:
                self.annotations.update(id(n) for n in ast.walk(item))
        # conventional names (np, os ...) stand for their module unless this cell binds them otherwise
        self.origins = {k: v for k, v in origins.items() if k not in bound or k in own}
        self.origins.update(own)
        self.builtins = _REAL_BUILTINS - bound
        for _ in range(64):  # to a fixpoint: each pass follows at least one more step of every chain
            size = sum(len(v) for v in self.values.values())
            for node in ast.walk(tree):
                self._binding(node)
            if sum(len(v) for v in self.values.values()) == size:
                break
        else:  # a chain of aliases 64 deep, written backwards: nobody's honest answer
            self.overflow = True

    # ---- what an expression stands for ----------------------------------------------------------
    def resolve(self, node, depth: int = 0) -> set[str]:
        if depth > 40 or node is None:
            return set()
        d = depth + 1
        if isinstance(node, ast.Name):
            out = set(self.values.get(node.id, ()))
            if node.id in self.origins:
                out.add(self.origins[node.id])
            elif node.id in self.builtins:
                out.add("builtins." + node.id)
            return out
        if isinstance(node, ast.Attribute):
            return {f"{o}.{node.attr}" for o in self.resolve(node.value, d)}
        if isinstance(node, (ast.NamedExpr, ast.Starred)):
            return self.resolve(node.value, d)
        if isinstance(node, ast.Subscript):  # an item of a container that holds one
            return self.resolve(node.value, d)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return set().union(*(self.resolve(e, d) for e in node.elts)) if node.elts else set()
        if isinstance(node, ast.Dict):
            return set().union(*(self.resolve(v, d) for v in node.values)) if node.values else set()
        if isinstance(node, ast.IfExp):
            return self.resolve(node.body, d) | self.resolve(node.orelse, d)
        if isinstance(node, ast.BoolOp):
            return set().union(*(self.resolve(v, d) for v in node.values))
        if isinstance(node, ast.Call):
            func = self.resolve(node.func, d)
            if "builtins.getattr" in func and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) \
                    and isinstance(node.args[1].value, str):
                return {f"{o}.{node.args[1].value}" for o in self.resolve(node.args[0], d)}
            if "functools.partial" in func and node.args:
                return self.resolve(node.args[0], d)
            if isinstance(node.func, ast.Name) and node.func.id in self.functions:
                return set(self.values.get(f"<return {node.func.id}>", ()))
        return set()

    # ---- where values flow ----------------------------------------------------------------------
    def _add(self, name: str, origins: set[str]) -> None:
        if origins:
            known = self.values.setdefault(name, set())
            if len(known) < 256:  # a name that stands for hundreds of things: the checker refuses the cell
                known.update(origins)
            else:
                self.overflow = True

    def _pattern(self, target, value) -> None:
        if isinstance(target, ast.Name):
            self._add(target.id, self.resolve(value))
        elif isinstance(target, ast.Starred):
            self._pattern(target.value, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            pairwise = isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts) \
                and not any(isinstance(e, ast.Starred) for e in (*value.elts, *target.elts))
            if pairwise:
                for t, v in zip(target.elts, value.elts):
                    self._pattern(t, v)
            else:
                for name in _bound_names(target):
                    self._add(name.id, self.resolve(value))

    def _params(self, fn, args, keywords, offset: int) -> None:
        params = [*fn.args.posonlyargs, *fn.args.args]
        if offset:  # a method called on an object: `self` is the object, not an argument
            if not params or params[0].arg not in ("self", "cls"):
                return
        elif params and params[0].arg in ("self", "cls") and fn.args.args and self._is_method(fn):
            return
        for i, arg in enumerate(args):
            if isinstance(arg, ast.Starred):
                for p in (*params, *fn.args.kwonlyargs):
                    self._add(p.arg, self.resolve(arg))
            elif i + offset < len(params):
                self._add(params[i + offset].arg, self.resolve(arg))
            elif fn.args.vararg:
                self._add(fn.args.vararg.arg, self.resolve(arg))
        for kw in keywords:
            named = [p for p in (*params, *fn.args.kwonlyargs) if p.arg == kw.arg]
            for p in named or [*params, *fn.args.kwonlyargs]:
                self._add(p.arg, self.resolve(kw.value))

    def _binding(self, node) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self._pattern(target, node.value)
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
            self._pattern(node.target, node.value)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            for name in _bound_names(node.target):
                self._add(name.id, self.resolve(node.iter))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            a = node.args
            positional = [*a.posonlyargs, *a.args]
            for p, default in zip(positional[len(positional) - len(a.defaults):], a.defaults):
                self._add(p.arg, self.resolve(default))
            for p, default in zip(a.kwonlyargs, a.kw_defaults):
                self._add(p.arg, self.resolve(default))
            if not isinstance(node, ast.Lambda):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Return) and inner.value is not None:
                        self._add(f"<return {node.name}>", self.resolve(inner.value))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in self.functions:
                for fn in self.functions[func.id]:
                    self._params(fn, node.args, node.keywords, 0)
            elif isinstance(func, ast.Attribute) and func.attr in self.functions:
                for fn in self.functions[func.attr]:  # a method (past `self`), or a function kept on an object
                    self._params(fn, node.args, node.keywords, 1 if self._is_method(fn) else 0)
            # a cell's function handed on (map(f, [np]), partial(f, np)): any argument may reach it
            handed = [a for a in (*node.args, *(k.value for k in node.keywords))
                      if isinstance(a, ast.Name) and a.id in self.functions]
            if handed:
                rest = set().union(*(self.resolve(a) for a in (*node.args, *(k.value for k in node.keywords))))
                for a in handed:
                    for fn in self.functions[a.id]:
                        for p in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs):
                            self._add(p.arg, rest)

    def _is_method(self, fn) -> bool:
        return isinstance(self.parents.get(id(fn)), ast.ClassDef)

    def parent(self, node):
        return self.parents.get(id(node))


class _Checker(ast.NodeVisitor):
    def __init__(self, lines: list[str], protected: frozenset[str], allowed: frozenset[str]) -> None:
        self.lines = lines
        self.protected = protected
        self.origins = dict(CONVENTIONAL)
        self.origins.update(getattr(protected, "origins", {}) or {})
        self.allowed = allowed
        self.found: list[Violation] = []
        self.scope = 0                      # 0: the cell's top level; >0 inside a def/lambda/class
        self.imported: set[str] = set()     # names this cell bound by `import`
        # names that stand for a module: imported by the locked cells or conventionally (`np`, `os`)
        self.module_names = set(self.origins) | {a.split(".")[0] for a in allowed}
        self.classes: set[str] = set()      # classes the cell defined
        self.allowed_nodes: set[int] = set()  # ids of nodes that are fine despite a dunder
        self.flow: _Flow | None = None        # set by check_source before the visit

    # ---- reporting ---------------------------------------------------------------------------
    def flag(self, node, rule: str, line: int | None = None) -> None:
        line = line or getattr(node, "lineno", 1) or 1
        text = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        if len(text) > 120:
            text = text[:117] + "..."
        v = Violation(line, rule, text)
        if v not in self.found:
            self.found.append(v)

    # ---- names ---------------------------------------------------------------------------------
    def bind(self, name: str, node, origin: str | None = None) -> None:
        """The cell binds ``name`` (at the top level if ``self.scope == 0``)."""
        if self.scope:
            return
        if name in BUILTINS and name not in self.protected:
            if origin is not None and SAME_AS_BUILTIN.get(name) == origin:
                return
            self.flag(node, f"rebinding a builtin: {name}")
        elif name in self.protected:
            if origin is None or self.origins.get(name) != origin:
                self.flag(node, f"rebinding a setup name: {name}")

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in FORBIDDEN:
            self.flag(node, f"forbidden call: {node.id}")
        elif node.id in HISTORY or _HISTORY_NUMBERED.fullmatch(node.id):
            self.flag(node, f"IPython history not allowed: {node.id} holds the cells' source or outputs")
        elif _is_dunder(node.id) and id(node) not in self.allowed_nodes:
            self.flag(node, "dunder access")
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.bind(node.id, node)
        else:
            self.value_use(node)

    # ---- values that must not flow where the checker cannot follow them ------------------------
    def _kind(self, origins) -> tuple[str, str] | None:
        """("dynamic lookup", "getattr") / ("class factory", "type") / ("starting processes", ...)."""
        for o in sorted(origins):
            if o in DYNAMIC_ORIGINS:
                return "dynamic lookup", DYNAMIC_ORIGINS[o]
            if o in FACTORY_ORIGINS:
                return "class factory", FACTORY_ORIGINS[o]
            parts = o.split(".")
            if parts[0] == "os" and len(parts) == 2 and parts[1] in PROCESS_ATTRS:
                return "starting processes", o
            if o in MACHINERY_PATHS:
                return "starting processes", f"{o} ({MACHINERY_PATHS[o]})"
        return None

    def value_use(self, node) -> None:
        """A name or attribute that stands for a dynamic lookup, a class factory or a process
        starter is fine where the checker follows it (called, bound to a name, a default or an
        argument of the cell's own function, compared, an annotation); anywhere else it is handed
        to code the policy cannot see (``map(getattr, ...)``, ``partial(getattr, x)``,
        ``[getattr][0]``, ``return getattr``), and that is refused."""
        if self.flow is None:
            return
        kind = self._kind(self.flow.resolve(node))
        if kind is None:
            return
        what, name = kind
        spelled = ast.unparse(node) if hasattr(ast, "unparse") else name
        via = "" if spelled == name.split(".")[-1] or spelled == name else f" ({spelled} is {name})"
        if what == "starting processes":
            self.flag(node, f"starting processes: {name}{via}")
            return
        parent, child = self.flow.parent(node), node
        if id(node) in self.flow.annotations or isinstance(parent, (ast.Compare, ast.Attribute)):
            return
        if isinstance(parent, ast.Call) and parent.func is node:
            return  # checked as a call (visit_Call)
        if isinstance(parent, (ast.Tuple, ast.List)):  # g, h = getattr, setattr / isinstance(x, (type, int))
            child, parent = parent, self.flow.parent(parent)
            if isinstance(parent, ast.Assign) and parent.value is child and all(
                    isinstance(t, (ast.Tuple, ast.List)) and len(t.elts) == len(child.elts) for t in parent.targets):
                return
        if isinstance(parent, ast.Assign) and child is node and parent.value is node \
                and all(isinstance(t, ast.Name) for t in parent.targets):
            return
        if isinstance(parent, (ast.AnnAssign, ast.NamedExpr)) and parent.value is child \
                and isinstance(parent.target, ast.Name):
            return
        if isinstance(parent, ast.arguments) and child is node:
            return  # a default: the parameter stands for it (_Flow)
        if isinstance(parent, ast.Call) and child in parent.args[1:2] and name == "type" \
                and isinstance(parent.func, ast.Name) and parent.func.id in ("isinstance", "issubclass"):
            return
        if isinstance(parent, ast.ClassDef):
            return  # a base: the metaclass rule (visit_ClassDef)
        if isinstance(parent, (ast.Call, ast.keyword)) and child is node:
            call = parent if isinstance(parent, ast.Call) else self.flow.parent(parent)
            func = getattr(call, "func", None)
            if isinstance(func, ast.Name) and func.id in self.flow.functions:
                return  # an argument of the cell's own function: its parameter stands for it
        self.flag(node, f"{what} passed on as a value: {name}{via} (the grader cannot follow where it is called)")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        readable = node.attr in READABLE_DUNDERS and isinstance(node.ctx, ast.Load)
        if not (readable or id(node) in self.allowed_nodes):
            self.attribute_name(node, node.attr, own=isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
        if isinstance(node.ctx, ast.Load):
            self.value_use(node)
        self.generic_visit(node)

    def attribute_name(self, node, name: str, own: bool = False, string: bool = False) -> None:
        """The rules on an attribute's name (written ``x.name`` or as a constant ``getattr(x, "name")``)."""
        if _is_dunder(name) or name.startswith("__"):
            self.flag(node, "dunder access")
        elif name.startswith("_") and not own:
            self.flag(node, "private attribute access")
        elif own and (name in NOT_OWN or name in IMPORT_MACHINERY or name in PROCESS_NAMES
                      or name in CLASS_FACTORIES):
            return
        elif name in FORBIDDEN_ATTRS:
            self.flag(node, f"forbidden attribute: {name}")
        elif name in IMPORT_MACHINERY:
            self.flag(node, f"import machinery: {name} loads code the grader does not check")
        elif name in PROCESS_NAMES:
            self.flag(node, f"starting processes: {name}")
        elif name in CLASS_FACTORIES:
            self.flag(node, f"forbidden call: {name}")
        elif string and name in FORBIDDEN:
            self.flag(node, f"forbidden call: {name}")

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and _DUNDER_IN_STRING.search(node.value) and id(node) not in self.allowed_nodes:
            self.flag(node, "dunder access")
        elif isinstance(node.value, str) and _PROC_STRING.search(node.value):
            self.flag(node, f"process internals: {node.value.strip()[:40]!r} reaches the kernel's own memory or loads a module")

    def visit_keyword(self, node: ast.keyword) -> None:
        if _is_dunder(node.arg):
            self.flag(node.value, "dunder access")
        self.generic_visit(node)

    # ---- calls ---------------------------------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if isinstance(func, ast.Attribute) and func.attr == "__init__":
            self.allowed_nodes.add(id(func))  # super().__init__(...), Base.__init__(self, ...)
        origins = self.flow.resolve(func) if self.flow is not None else set()
        kind = self._kind(origins)
        lookup = kind[1] if kind and kind[0] == "dynamic lookup" else None
        if lookup is None and name in DYNAMIC_ATTR and (name != "getattr" or isinstance(func, ast.Name)):
            lookup = name
        via = f" (called as {ast.unparse(func)})" if lookup and (name != lookup) else ""
        if lookup and len(node.args) >= (1 if lookup in ("attrgetter", "methodcaller") else 2):
            attr = node.args[0 if lookup in ("attrgetter", "methodcaller") else 1]
            if not (isinstance(attr, ast.Constant) and isinstance(attr.value, str)):
                self.flag(node, f"{lookup} with a computed attribute name{via}")
            else:
                for part in attr.value.split("."):
                    self.attribute_name(node, part, string=True)
        elif lookup and node.keywords and not node.args:
            self.flag(node, f"{lookup} with a computed attribute name{via}")
        factory = kind[1] if kind and kind[0] == "class factory" else None
        if factory == "type" and len(node.args) + len(node.keywords) >= 3 and name != "type":
            self.flag(node, f"creating a class with type() (called as {ast.unparse(func)})")
        elif factory and factory != "type":
            self.flag(node, f"forbidden call: {factory} creates a class (called as {ast.unparse(func)})")
        if isinstance(func, ast.Call) and self.flow is not None and len(node.args) == 3 \
                and "builtins.type" in self.flow.resolve(func.func):
            self.flag(node, "creating a class with type(): type(x)(name, bases, namespace)")
        for kw in node.keywords:
            if (kw.arg, getattr(kw.value, "value", None)) in UNPICKLING and isinstance(kw.value, ast.Constant):
                self.flag(node, f"unpickling not allowed: {kw.arg}={kw.value.value}")
        if name == "type" and isinstance(func, ast.Name) and len(node.args) == 3:
            self.flag(node, "creating a class with type()")
        if name in CLASS_FACTORIES:
            self.flag(node, f"forbidden call: {name}")
        magic = self._magic(node)
        if magic is not None:
            return
        self.generic_visit(node)

    def _magic(self, node: ast.Call):
        """``get_ipython().run_line_magic(...)`` etc. as IPython's transformer writes them: checked
        here (allowed magics, their code) instead of as a plain ``get_ipython`` call."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
                and isinstance(func.value.func, ast.Name) and func.value.func.id == "get_ipython"
                and not func.value.args and func.attr in ("run_line_magic", "run_cell_magic", "system", "getoutput")):
            return None
        args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        if func.attr in ("system", "getoutput") or not args or args[0] is None:
            self.flag(node, "IPython magic/shell command not allowed")
            return True
        magic = args[0]
        if magic in HELP_MAGICS and len(args) > 1 and args[1] is not None \
                and re.fullmatch(r"[A-Za-z_][\w.]*", args[1]) and "__" not in args[1]:
            return True
        if magic not in ALLOWED_MAGICS or any(a is None for a in args):
            self.flag(node, "IPython magic/shell command not allowed")
            return True
        if magic in CODE_MAGICS:
            line = args[1] if len(args) > 1 else ""
            code = re.sub(r"^\s*((-[nrp]\s*\S+|-[tcqov])\s*)*", "", line)
            inner = [(code, 0)]
            if func.attr == "run_cell_magic" and len(args) > 2:
                inner.append((args[2], 1))
            for text, offset in inner:
                try:  # what the magic runs must be plain Python (`-s "setup"` and the like are not checked)
                    ast.parse(_to_python(text)[0])
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    self.flag(node, "IPython magic/shell command not allowed")
                    continue
                for v in check_source(text, protected=self.protected, allowed=self.allowed):
                    self.flag(node, v.rule, line=node.lineno + offset + v.line - 1
                              if func.attr == "run_cell_magic" else node.lineno)
        return True

    # ---- definitions ---------------------------------------------------------------------------
    def _scoped(self, node, fields) -> None:
        self.scope += 1
        for field in fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                for item in value:
                    self.visit(item)
            elif value is not None:
                self.visit(value)
        self.scope -= 1

    def visit_FunctionDef(self, node) -> None:
        if _is_dunder(node.name):
            if not self._in_class or node.name not in DUNDER_METHODS:
                self.flag(node, f"defining a special method: {node.name}")
        else:
            self.bind(node.name, node)
        for deco in node.decorator_list:
            self.visit(deco)
        self.visit(node.args)
        if node.returns:
            self.visit(node.returns)
        was, self._in_class = self._in_class, False
        self._scoped(node, ["body"])
        self._in_class = was

    visit_AsyncFunctionDef = visit_FunctionDef
    _in_class = False

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self.visit(node.args)
        self._scoped(node, ["body"])

    def visit_arg(self, node: ast.arg) -> None:
        if _is_dunder(node.arg):
            self.flag(node, "dunder access")
        if node.annotation:
            self.visit(node.annotation)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.bind(node.name, node)
        for base in node.bases:
            origins = self.flow.resolve(base) if self.flow is not None else set()
            kind = self._kind(origins)
            if kind and kind[0] == "class factory" or any(o.split(".")[-1].endswith(("Meta", "EnumType"))
                                                          for o in origins):
                self.flag(base, f"metaclass: a class derived from {_short(origins)}")
            elif isinstance(base, ast.Call):
                inner = self.flow.resolve(base.func) if self.flow is not None else set()
                if "builtins.type" in inner:
                    self.flag(base, "metaclass: a class derived from type(...) of an object")
        for kw in node.keywords:
            self.flag(kw.value, f"metaclass: class keyword {kw.arg or '**'}= (metaclass, __init_subclass__)")
        if self.scope == 0:
            self.classes.add(node.name)
        for item in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(item)
        was, self._in_class = self._in_class, True
        self._scoped(node, ["body"])
        self._in_class = was

    def visit_Global(self, node) -> None:
        for name in node.names:
            if name in BUILTINS or name in self.protected or _is_dunder(name):
                self.flag(node, f"rebinding a {'setup name' if name in self.protected else 'builtin'}: {name}")

    visit_Nonlocal = visit_Global

    # ---- imports -------------------------------------------------------------------------------
    def _module_path(self, node, path: str) -> None:
        """A module path (``torch.hub``, ``numpy._core.numeric``, ``os.sys``) that reaches private
        modules, the import machinery or the interpreter, whatever package it starts from."""
        for part in path.split(".")[1:]:
            if part.startswith("_"):
                self.flag(node, f"import not allowed: private module {path}")
            elif part in FORBIDDEN_ATTRS:
                self.flag(node, f"import not allowed: {path} (reaches {part})")
            elif part in IMPORT_MACHINERY:
                self.flag(node, f"import machinery: {part} ({path}) loads code the grader does not check")
            elif part in PROCESS_NAMES or part in PROCESS_ATTRS and path.startswith("os."):
                self.flag(node, f"starting processes: {path}")
            elif part in CLASS_FACTORIES:
                self.flag(node, f"forbidden call: {part} ({path})")
        for known, what in MACHINERY_PATHS.items():
            if path == known or path.startswith(known + "."):
                self.flag(node, f"starting processes: {path} ({what})")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if not _import_allowed(alias.name, self.allowed):
                self.flag(node, f"import not allowed: {alias.name}")
            elif not _installed(alias.name):
                self.flag(node, f"import not allowed: {alias.name} is not installed (a file of that name would be imported)")
            else:
                self._module_path(node, alias.name)
            bound = alias.asname or alias.name.split(".")[0]
            origin = alias.name if alias.asname else alias.name.split(".")[0]
            self.bind(bound, node, origin)
            self.imported.add(bound)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level:
            self.flag(node, "import not allowed: relative import")
            return
        for alias in node.names:
            full = f"{module}.{alias.name}"
            if alias.name == "*":
                self.flag(node, "import not allowed: from ... import *")
                continue
            if not _import_allowed(module, self.allowed) and not _import_allowed(full, self.allowed):
                self.flag(node, f"import not allowed: {full if _is_prefix_of_allowed(module, self.allowed) else module}")
            elif any(full == d or full.startswith(d + ".") for d in DENIED_IMPORTS):
                self.flag(node, f"import not allowed: {full}")
            elif module != "__future__" and not _installed(module):
                self.flag(node, f"import not allowed: {module} is not installed (a file of that name would be imported)")
            elif module != "__future__":
                self._module_path(node, full)
            if _is_dunder(alias.name) or (alias.asname and _is_dunder(alias.asname)):
                self.flag(node, "dunder access")
            bound = alias.asname or alias.name
            self.bind(bound, node, full)
            self.imported.add(bound)

    # ---- assignments ---------------------------------------------------------------------------
    def _assigned(self, target, node) -> None:
        for t in _targets(target):
            root = _root(t)
            if root is None or (root.id in self.classes and root.id not in self.imported):
                base = t
                while isinstance(base, (ast.Attribute, ast.Subscript)):
                    base = base.value
                origins = self.flow.resolve(base) if self.flow is not None and root is None else set()
                if origins:  # (m := np.linalg).norm = f, getattr(np, "linalg").norm = f
                    self.flag(node, f"assignment to an imported module's attribute: {ast.unparse(base)} is {_short(origins)}")
                continue  # the cell's own objects and classes are its own business
            if root.id in self.imported or root.id in self.module_names:
                self.flag(node, "assignment to an imported module's attribute")
            elif self.flow is not None and {o for o in self.flow.resolve(root) if not o.startswith("builtins.")}:
                self.flag(node, f"assignment to an imported module's attribute: {root.id} is "
                                f"{_short(o for o in self.flow.resolve(root) if not o.startswith('builtins.'))}")
            elif root.id in self.protected:
                self.flag(node, f"assignment to an attribute of a setup name: {root.id}")
            elif root.id in BUILTINS:
                self.flag(node, f"assignment to an attribute of a builtin: {root.id}")

    def visit_Assign(self, node: ast.Assign) -> None:
        for t in node.targets:
            self._assigned(t, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._assigned(node.target, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._assigned(node.target, node)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for t in node.targets:
            self._assigned(t, node)
        self.generic_visit(node)

    def visit_For(self, node) -> None:
        self._assigned(node.target, node)
        self.generic_visit(node)

    visit_AsyncFor = visit_For

    def visit_withitem(self, node: ast.withitem) -> None:
        if node.optional_vars is not None:
            self._assigned(node.optional_vars, node.optional_vars)
        self.generic_visit(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.bind(node.name, node)
        self.generic_visit(node)

    def visit_MatchAs(self, node) -> None:
        if node.name:
            self.bind(node.name, node)
        self.generic_visit(node)

    def visit_MatchStar(self, node) -> None:
        if node.name:
            self.bind(node.name, node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self.scope += 1  # comprehension variables are local to it
        self.generic_visit(node)
        self.scope -= 1

    # ---- `if __name__ == "__main__":` ------------------------------------------------------------
    def visit_Compare(self, node: ast.Compare) -> None:
        parts = [node.left, *node.comparators]
        if len(parts) == 2 and isinstance(parts[0], ast.Name) and parts[0].id == "__name__" \
                and isinstance(parts[1], ast.Constant) and parts[1].value == "__main__" \
                and isinstance(node.ops[0], (ast.Eq, ast.NotEq)) and isinstance(parts[0].ctx, ast.Load):
            self.allowed_nodes.update((id(parts[0]), id(parts[1])))
        self.generic_visit(node)

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return  # a docstring or a bare string: nothing runs
        self.generic_visit(node)


def check_source(source: str, *, protected: frozenset[str] = frozenset(),
                 allowed: frozenset[str] | None = None, context: list[str] | tuple = ()) -> list[Violation]:
    """The policy's violations in one cell's code (``[]``: fine, or a syntax error the kernel will report).

    ``context``: the student's cells that run before this one; what their names stand for carries
    over (``m = np.linalg`` in one cell, ``m.norm = f`` in the next).  Only this cell is judged."""
    python, lines = _to_python(source)
    try:
        tree = ast.parse(python)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    whole = tree
    if context:
        body = []
        for earlier in context:
            try:
                body += ast.parse(_to_python(earlier)[0]).body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
        whole = ast.Module(body=[*body, *tree.body], type_ignores=[])
    if len(python.splitlines()) != len(lines):
        lines = python.splitlines()
    checker = _Checker(lines, protected, allowed_imports() if allowed is None else frozenset(allowed))
    try:
        checker.flow = _Flow(whole, checker.origins)
        if checker.flow.overflow:
            return [Violation(1, "code too tangled to check", (lines[0] if lines else "").strip()[:120])]
        checker.visit(tree)
    except RecursionError:  # code nested past Python's own limits: refuse it rather than guess
        return [Violation(1, "code nested too deeply to check", (lines[0] if lines else "").strip()[:120])]
    return sorted(checker.found, key=lambda v: (v.line, v.rule))


def protected_names(sources: list[str]) -> frozenset[str]:
    """The names the locked (setup and other instructor) cells bind at their top level: imports,
    ``def``/``class`` names and assigned names (a :class:`ProtectedNames`, which also remembers
    the module each imported name stands for, so a student may re-import it under the same name)."""
    names: set[str] = set()
    origins: dict[str, str] = {}
    for source in sources:
        try:
            tree = ast.parse(_to_python(source)[0])
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in _top_level(tree.body):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    names.add(bound)
                    origins[bound] = alias.name if alias.asname else alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                for alias in node.names:
                    if alias.name != "*":
                        names.add(alias.asname or alias.name)
                        origins[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                for target in getattr(node, "targets", None) or [node.target]:
                    names.update(n.id for n in _bound_names(target))
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                names.update(n.id for n in _bound_names(node.target))
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        names.update(n.id for n in _bound_names(item.optional_vars))
    names = {n for n in names if not n.startswith("_")}
    return ProtectedNames(names, {k: v for k, v in origins.items() if k in names})


def _top_level(body):
    """Statements of a cell's top level, looking into ``if``/``try``/``with`` blocks (not defs)."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.While)):
            for field in ("body", "orelse", "finalbody"):
                yield from _top_level(getattr(node, field, []) or [])
            for handler in getattr(node, "handlers", []) or []:
                yield from _top_level(handler.body)
