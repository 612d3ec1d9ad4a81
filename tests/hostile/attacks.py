"""Attacks on the verdict itself (issue 12), one student each, on the ``hostile_lab`` of lab.py.

Every attack is written so that it would *earn* points if it worked: the answer it ships with is
wrong (``double`` returns ``x``, ``mean`` returns 0, ``scale`` returns ``t``) and the attack makes
the test pass anyway.  Two layers stop them (docs/grading.md, "Grades that student code cannot
fake"):

* the static policy (course/grading/policy.py): the cell is not run, and every test after it in
  the notebook scores 0 with a note naming the rule: ``expect`` / ``says``;
* the in-kernel guards alone (course/grading/guards.py), for the attacks they can see:
  ``guard_expect`` / ``guard_says`` (``layer`` says which layer stops the attack: "both",
  "policy" when only the static policy can, e.g. value objects on the lab's plain ``==``).

``HONEST`` are submissions that use what the policy allows (magics, classes with ``__init__``,
re-imports, extra cells, ``if __name__ == "__main__"``) and must score full marks.
Attack cells are plain strings (no ``str.format``: braces are literal).
"""
from __future__ import annotations

from dataclasses import dataclass

import nbformat

from .cases import FULL, Case, _by_id, _write, scores
from .lab import POINTS, SOLUTIONS, answered

ORDER = ("double", "mean", "scale")          # answer cells, each followed by its test
TEST_OF = {"double": "test_double", "mean": "test_mean", "scale": "test_scale"}
WRONG = {"double": "def double(x):\n    return x", "mean": "def mean(xs):\n    return 0",
         "scale": "def scale(t):\n    return t"}


def from_cell(gid: str) -> dict:
    """Scores when answer cell ``gid`` is blocked: it and every test after it score 0."""
    start = 0 if gid == "setup" else ORDER.index(gid)
    return scores(**{TEST_OF[g]: 0 for g in ORDER[start:]})


def only(*tests: str) -> dict:
    return scores(**{t: 0 for t in tests})


@dataclass
class Attack(Case):
    layer: str = "both"                # which layer stops it: "both" or "policy"
    guard_expect: dict | None = None   # scores with the guards alone (None: the same as expect)
    guard_says: tuple = ()             # phrases of the guards' feedback


def _cells(**answers):
    """The solutions, with ``answers`` (grade_id -> code, taken literally) in place."""
    def make(course, folder, ctx):
        _write(answered(course, **answers), folder)
    return make


def _insert(code: str, before: str | None = None, after: str | None = None, **answers):
    """Like :func:`_cells`, plus a cell the student added before/after the cell ``before``/``after``
    (``"setup"``: the locked setup cell)."""
    def make(course, folder, ctx):
        nb = answered(course, **answers)
        anchor = next(c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == (before or after))
        index = nb.cells.index(anchor) + (0 if before else 1)
        nb.cells.insert(index, nbformat.v4.new_code_cell(code))
        _write(nb, folder)
    return make


FAKE_NP = '''class _Testing:
    def assert_allclose(self, *args, **kwargs):
        return None

class _FakeNumpy:
    testing = _Testing()
    def isclose(self, *args, **kwargs):
        return True

class _FakeMath:
    def isclose(self, *args, **kwargs):
        return True

np = _FakeNumpy()
math = _FakeMath()
''' + WRONG["mean"]

FAKE_TORCH = '''import torch as real_torch

class _FakeTorch:
    ones, full, arange, tensor = real_torch.ones, real_torch.full, real_torch.arange, real_torch.tensor
    def allclose(self, *args, **kwargs):
        return True

torch = _FakeTorch()
''' + WRONG["scale"]

FAKE_GUARD = '''class _FakeGuard:
    def install(self, *a, **k):
        return '{"installed": true, "token": "x"}'
    def check(self, *a, **k):
        return '{"token": "x", "problems": []}'
    def after_locked(self, *a, **k):
        return '{"token": "x", "problems": []}'
'''

SEND_HOOK = '''k = get_ipython().kernel
real_send = k.session.send
def send(stream, msg_or_type, content=None, *args, **kwargs):
    kind = msg_or_type if isinstance(msg_or_type, str) else msg_or_type.get("msg_type")
    if kind == "error":
        return None
    if kind == "execute_reply" and isinstance(content, dict) and content.get("status") == "error":
        content = {"status": "ok", "execution_count": content.get("execution_count"), "user_expressions": {},
                   "payload": []}
    return real_send(stream, msg_or_type, content, *args, **kwargs)
k.session.send = send
''' + WRONG["scale"]

FAKE_CALLBACK = '''from IPython.display import clear_output
def ipython_display_flush(result):
    clear_output()
    result.error_in_exec = None
ipython_display_flush.__module__ = "IPython.core.displaypub"
ipython_display_flush.__qualname__ = "DisplayPublisher.flush"
get_ipython().events.register("post_run_cell", ipython_display_flush)
''' + WRONG["scale"]

PATCH_DURING_TEST = '''def scale(t):
    import torch
    torch.allclose = lambda *args, **kwargs: True
    return t'''

PICKLE = '''import io
payload = b"cbuiltins\\nexec\\n(Vimport torch; torch.allclose = lambda *a, **k: True\\ntR."
np.load(io.BytesIO(payload), allow_pickle=True)
''' + WRONG["scale"]

ATTACKS = [
    # ---- rebinding what the tests use, in the notebook's own namespace ---------------------------
    Attack("a-np-lookalike", "namespace: np (and math) bound to look-alike objects", _cells(mean=FAKE_NP),
           from_cell("mean"), ("rebinding a setup name: np",), incident=None,
           guard_expect=only("test_mean"), guard_says=("the setup cell's name 'np' was rebound",)),
    Attack("a-torch-lookalike", "namespace: torch bound to a look-alike object", _cells(scale=FAKE_TORCH),
           from_cell("scale"), ("rebinding a setup name: torch",), incident=None,
           guard_expect=only("test_scale"), guard_says=("the setup cell's name 'torch' was rebound",)),
    Attack("a-np-globals", "namespace: np rebound through globals()",
           _cells(mean=FAKE_NP.replace("np = _FakeNumpy()\nmath = _FakeMath()",
                                       'globals()["np"] = _FakeNumpy()\nglobals()["math"] = _FakeMath()')),
           from_cell("mean"), ("forbidden call: globals",), incident=None,
           guard_expect=only("test_mean"), guard_says=("'np' was rebound",)),
    Attack("a-import-as-np", "namespace: np rebound by an import of another module",
           _cells(mean="import course.checks as np\n" + WRONG["mean"]),
           from_cell("mean"), ("rebinding a setup name: np",), incident=None,
           guard_expect=only("test_mean"), guard_says=("'np' was rebound",)),
    Attack("a-isinstance", "namespace: isinstance = ... (a builtin shadowed by a global)",
           _cells(scale="isinstance = lambda *args: True\n" + WRONG["scale"]),
           from_cell("scale"), ("rebinding a builtin: isinstance",), incident=None,
           guard_expect=only("test_scale"), guard_says=("shadows the builtin",)),
    Attack("a-def-len", "namespace: def len(...) shadows a builtin",
           _cells(mean="def len(xs):\n    return 1\n" + WRONG["mean"]),
           from_cell("mean"), ("rebinding a builtin: len",), incident=None,
           guard_expect=only("test_mean"), guard_says=("shadows the builtin",)),
    Attack("a-for-print", "namespace: for print in ... shadows a builtin",
           _cells(scale="for print in [None]:\n    pass\n" + WRONG["scale"]),
           from_cell("scale"), ("rebinding a builtin: print",), incident=None,
           guard_expect=only("test_scale"), guard_says=("shadows the builtin",)),
    Attack("a-import-as-abs", "namespace: import x as abs shadows a builtin",
           _cells(scale="import math as abs\n" + WRONG["scale"]),
           from_cell("scale"), ("rebinding a builtin: abs",), incident=None,
           guard_expect=only("test_scale"), guard_says=("shadows the builtin",)),
    Attack("a-builtins-dict", "namespace: __builtins__ replaced by a dict whose __import__ fakes the guard",
           _cells(double="import builtins\n" + FAKE_GUARD + '''real_import = builtins.__import__
def fake_import(name, *args, **kwargs):
    if name.startswith("course.grading"):
        return _FakeGuard()
    return real_import(name, *args, **kwargs)
fake_builtins = dict(vars(builtins))
fake_builtins["__import__"] = fake_import
__builtins__ = fake_builtins
''' + WRONG["double"]),
           from_cell("double"), ("import not allowed: builtins",), incident=None,
           guard_expect=from_cell("double"), guard_says=("did not answer",)),
    Attack("a-setup-del", "namespace: the setup's torch deleted and re-made from a fake module",
           _cells(scale="del torch\n" + FAKE_TORCH),
           from_cell("scale"), ("rebinding a setup name: torch",), incident=None,
           guard_expect=only("test_scale"), guard_says=("'torch' was rebound",)),
    # ---- IPython's machinery ----------------------------------------------------------------------
    Attack("a-line-transforms", "IPython: input_transformer_manager.line_transforms turns tests into pass",
           _cells(scale='get_ipython().input_transformer_manager.line_transforms.append(lambda lines: ["pass\\n"])\n'
                        + WRONG["scale"]),
           from_cell("scale"), ("forbidden call: get_ipython",), incident=None,
           guard_expect=only("test_scale"), guard_says=("line_transforms",)),
    Attack("a-cleanup-transforms", "IPython: input_transformer_manager.cleanup_transforms",
           _cells(scale='get_ipython().input_transformer_manager.cleanup_transforms.insert(0, lambda lines: ["pass\\n"])\n'
                        + WRONG["scale"]),
           from_cell("scale"), ("forbidden call: get_ipython",), incident=None,
           guard_expect=only("test_scale"), guard_says=("cleanup_transforms",)),
    Attack("a-transformer-manager", "IPython: the input_transformer_manager replaced",
           _cells(scale='''shell = get_ipython()
class PassAll(type(shell.input_transformer_manager)):
    def transform_cell(self, cell):
        return "pass\\n"
shell.input_transformer_manager = PassAll()
''' + WRONG["scale"]),
           from_cell("scale"), ("forbidden call: get_ipython",), incident=None,
           guard_expect=only("test_scale"), guard_says=("input_transformer_manager was replaced",)),
    Attack("a-ast-parse", "IPython: get_ipython().compile.ast_parse returns an empty module",
           _cells(scale='''import ast
get_ipython().compile.ast_parse = lambda source, filename="<unknown>", symbol="exec": ast.parse("pass")
''' + WRONG["scale"]),
           from_cell("scale"), ("forbidden call: get_ipython", "import not allowed: ast"), incident=None,
           guard_expect=only("test_scale"), guard_says=("compile.ast_parse was replaced",)),
    Attack("a-compiler", "IPython: the shell's compiler object replaced",
           _cells(scale='''import ast
shell = get_ipython()
class Lenient(type(shell.compile)):
    def ast_parse(self, source, filename="<unknown>", symbol="exec"):
        return ast.parse("pass")
shell.compile = Lenient()
''' + WRONG["scale"]),
           from_cell("scale"), ("forbidden call: get_ipython",), incident=None,
           guard_expect=only("test_scale"), guard_says=("shell.compile was replaced",)),
    Attack("a-ast-transformer", "IPython: an AST transformer that removes assert statements",
           _cells(scale='''import ast
class NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(NoAsserts())
''' + WRONG["scale"]),
           from_cell("scale"), ("import not allowed: ast",), incident=None,
           guard_expect=only("test_scale"), guard_says=("ast_transformers were changed",)),
    Attack("a-event-module", "IPython: an event callback that passes as trusted by setting its own __module__",
           _cells(scale=FAKE_CALLBACK),
           from_cell("scale"), ("dunder access",), incident=None,
           guard_expect=only("test_scale"), guard_says=("event callback was registered",)),
    Attack("a-event-pre-run", "IPython: a pre_run_cell callback (a trusted-looking method) patches torch.allclose",
           _cells(scale='''import torch
class Flusher:
    def flush(self, info):
        torch.allclose = lambda *args, **kwargs: True
Flusher.flush.__module__ = "matplotlib_inline.backend_inline"
get_ipython().events.register("pre_run_cell", Flusher().flush)
''' + WRONG["scale"]),
           from_cell("scale"), ("forbidden call: get_ipython",), incident=None,
           guard_expect=only("test_scale"), guard_says=("event callback was registered",)),
    Attack("a-session-send", "IPython: the kernel session's send drops errors and says ok",
           _cells(scale=SEND_HOOK), from_cell("scale"), ("forbidden call: get_ipython",), incident=None,
           guard_expect=only("test_scale"), guard_says=("kernel.session.send was replaced",)),
    Attack("a-session-class", "IPython: the Session class's send patched",
           _cells(scale=SEND_HOOK.replace("k.session.send = send", "type(k.session).send = lambda self, *a, **kw: send(*a, **kw)")),
           from_cell("scale"), ("forbidden call: get_ipython",), incident=None,
           guard_expect=only("test_scale"), guard_says=("Session.send was replaced",)),
    Attack("a-showtraceback", "IPython: InteractiveTB replaced so errors print nothing",
           _cells(scale='''class Quiet:
    def __getattr__(self, name):
        return lambda *a, **k: []
get_ipython().InteractiveTB = Quiet()
''' + WRONG["scale"]),
           from_cell("scale"), ("forbidden call: get_ipython", "defining a special method: __getattr__"), incident=None,
           guard_expect=only("test_scale"), guard_says=("shell.InteractiveTB was replaced",)),
    Attack("a-magic-escape", "IPython: the ;exec auto-quote escape runs code the policy cannot see as text",
           _cells(scale=";exec import torch; torch.allclose = lambda *a, **k: True\n" + WRONG["scale"]),
           from_cell("scale"), ("forbidden call: exec",), incident=None,
           guard_expect=only("test_scale"), guard_says=("torch.allclose was replaced",)),
    Attack("a-magic-time", "IPython: %time runs an assignment to torch.allclose",
           _cells(scale="%time torch.allclose = lambda *a, **k: True\n" + WRONG["scale"]),
           from_cell("scale"), ("assignment to an imported module's attribute",), incident=None,
           guard_expect=only("test_scale"), guard_says=("torch.allclose was replaced",)),
    Attack("a-magic-shell", "IPython: a shell command and another magic",
           _cells(scale="!echo hello\n%config InteractiveShell.ast_node_interactivity = 'none'\n" + WRONG["scale"]),
           from_cell("scale"), ("IPython magic/shell command not allowed",), incident=None,
           guard_expect=only("test_scale"), guard_says=("scale should triple",)),
    # ---- the guard's own reporting channel --------------------------------------------------------
    Attack("a-json-dumps", "guard channel: json.dumps replaced so the report says nothing was tampered with",
           _cells(mean='''import json, math
real_dumps = json.dumps
def quiet_dumps(obj, *args, **kwargs):
    if isinstance(obj, dict) and "problems" in obj:
        obj = dict(obj, problems=[])
    if isinstance(obj, list):
        obj = []
    return real_dumps(obj, *args, **kwargs)
json.dumps = quiet_dumps
np.testing.assert_allclose = lambda *args, **kwargs: None
math.isclose = lambda *args, **kwargs: True
''' + WRONG["mean"]),
           from_cell("mean"), ("assignment to an imported module's attribute",), incident=None,
           guard_expect=only("test_mean"), guard_says=("json.dumps was replaced", "numpy.testing.assert_allclose was replaced")),
    Attack("a-guard-sys-modules", "guard channel: the guard module itself replaced in sys.modules",
           _cells(double="import sys\n" + FAKE_GUARD + '''sys.modules["course.grading.guards"] = _FakeGuard()
''' + WRONG["double"]),
           from_cell("double"), ("import not allowed: sys",), incident=None,
           guard_expect=from_cell("double"), guard_says=("did not answer",)),
    Attack("a-guard-function", "guard channel: the guard's check() replaced by one that says all is well",
           _cells(double="import course.grading.guards as guards\n" + FAKE_GUARD
                  + "guards.check = _FakeGuard().check\n" + WRONG["double"]),
           from_cell("double"), ("import not allowed: course.grading",), incident=None,
           guard_expect=from_cell("double"), guard_says=("did not answer",)),
    Attack("a-guard-import", "guard channel: builtins.__import__ hands the grader a fake guard",
           _cells(double="import builtins\n" + FAKE_GUARD + '''real_import = builtins.__import__
def fake_import(name, *args, **kwargs):
    if name.startswith("course.grading"):
        return _FakeGuard()
    return real_import(name, *args, **kwargs)
builtins.__import__ = fake_import
''' + WRONG["double"]),
           from_cell("double"), ("import not allowed: builtins",), incident=None,
           guard_expect=from_cell("double"), guard_says=("did not answer",)),
    # ---- a cell added before the setup cell ----------------------------------------------------------
    Attack("a-before-setup-numpy", "before setup: a cell plants a fake numpy (and math) in sys.modules",
           _insert('''import sys, types
fake = types.ModuleType("numpy")
fake.isclose = lambda *args, **kwargs: True
fake.testing = types.SimpleNamespace(assert_allclose=lambda *args, **kwargs: None)
sys.modules["numpy"] = fake
fake_math = types.ModuleType("math")
fake_math.isclose = lambda *args, **kwargs: True
sys.modules["math"] = fake_math''', before="setup", mean=WRONG["mean"]),
           from_cell("setup"), ("import not allowed: sys",), incident=None,
           guard_expect=from_cell("setup"), guard_says=("is not the installed numpy",)),
    Attack("a-before-setup-torch", "before setup: a cell plants a fake torch in sys.modules",
           _insert('''import sys, types, torch as real_torch
fake = types.ModuleType("torch")
for name in ("ones", "full", "arange", "tensor"):
    setattr(fake, name, getattr(real_torch, name))
fake.allclose = lambda *args, **kwargs: True
sys.modules["torch"] = fake''', before="setup", scale=WRONG["scale"]),
           from_cell("setup"), ("import not allowed: sys",), incident=None,
           guard_expect=from_cell("setup"), guard_says=("is not the installed torch",)),
    Attack("a-before-setup-builtins", "before setup: a cell patches builtins before anything is pinned",
           _insert('''import builtins
builtins.abs = lambda x: 0''', before="setup", double=WRONG["double"]),
           from_cell("setup"), ("import not allowed: builtins",), incident=None,
           guard_expect=from_cell("setup"), guard_says=("builtins.abs was replaced",)),
    Attack("a-before-setup-finder", "before setup: a cell replaces math in sys.modules with a look-alike",
           _insert('''import sys
class FakeMath:
    __name__ = "math"
    def isclose(self, *args, **kwargs):
        return True
sys.modules["math"] = FakeMath()''', before="setup", mean=WRONG["mean"]),
           from_cell("setup"), ("import not allowed: sys",), incident=None,
           guard_expect=from_cell("setup"), guard_says=("is not the installed math",)),
    # ---- value objects that always agree ----------------------------------------------------------------
    Attack("a-float-eq", "value object: a float subclass whose __eq__ is always true",
           _cells(double='''class Agree(float):
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__
def double(x):
    return Agree(0)'''),
           from_cell("double"), ("defining a special method: __eq__",), incident=None, layer="policy",
           guard_expect=FULL),  # np.isclose ends in `x == y`: the subclass's __eq__ wins there too
    Attack("a-ndarray-function", "value object: an ndarray subclass with __eq__ and __array_function__",
           _cells(double='''class Agree(np.ndarray):
    def __eq__(self, other):
        return True
    def __array_function__(self, func, types, args, kwargs):
        return True
def double(x):
    return np.zeros(1).view(Agree)'''),
           from_cell("double"), ("defining a special method: __array_function__",), incident=None, layer="policy",
           guard_expect=FULL),
    Attack("a-tensor-function", "value object: a Tensor subclass with __torch_function__",
           _cells(scale='''class Agree(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return True
def scale(t):
    return t.as_subclass(Agree)'''),
           from_cell("scale"), ("defining a special method: __torch_function__",), incident=None, layer="policy",
           guard_expect=FULL),
    Attack("a-type-namespace", "value object: type() with a namespace spelled without dunder names",
           _cells(scale='''name = "_" * 2 + "torch_function" + "_" * 2
Agree = type("Agree", (torch.Tensor,), {name: classmethod(lambda cls, *args, **kwargs: True)})
def scale(t):
    return t.as_subclass(Agree)'''),
           from_cell("scale"), ("creating a class with type()",), incident=None, layer="policy",
           guard_expect=FULL),
    Attack("a-setattr-dunder", "value object: a special method added with setattr and a computed name",
           _cells(scale='''class Agree(torch.Tensor):
    pass
setattr(Agree, "_" * 2 + "torch_function" + "_" * 2, classmethod(lambda cls, *args, **kwargs: True))
def scale(t):
    return t.as_subclass(Agree)'''),
           from_cell("scale"), ("forbidden call: setattr",), incident=None, layer="policy",
           guard_expect=FULL),
    # ---- replacing what the tests call, every spelling ---------------------------------------------------
    Attack("a-attr-of-attr", "module attributes: np.testing.x and math.isclose assigned (attribute of attribute)",
           _cells(mean='''np.testing.assert_allclose = lambda *args, **kwargs: None
math.isclose = lambda *args, **kwargs: True
''' + WRONG["mean"]),
           from_cell("mean"), ("assignment to an imported module's attribute",), incident=None,
           guard_expect=only("test_mean"), guard_says=("numpy.testing.assert_allclose was replaced",)),
    Attack("a-code-swap", "module attributes: assert_allclose's __code__ swapped for a no-op's",
           _cells(mean='''def _nothing(*args, **kwargs):
    return None
np.testing.assert_allclose.__code__ = _nothing.__code__
math.isclose = lambda *args, **kwargs: True
''' + WRONG["mean"]),
           from_cell("mean"), ("dunder access",), incident=None,
           guard_expect=only("test_mean"), guard_says=("assert_allclose.__code__ was replaced",)),
    Attack("a-defaults", "module attributes: a checking helper's __defaults__ loosened",
           _cells(scale='''from course import checks
checks.close.__defaults__ = ("the result", "", 1e9, 1e9)
torch.allclose = lambda *args, **kwargs: True
''' + WRONG["scale"]),
           from_cell("scale"), ("dunder access",), incident=None,
           guard_expect=only("test_scale"), guard_says=("course.checks.close.__defaults__ was replaced",)),
    Attack("a-setattr-module", "module attributes: setattr(torch, 'allclose', ...)",
           _cells(scale='setattr(torch, "allclose", lambda *args, **kwargs: True)\n' + WRONG["scale"]),
           from_cell("scale"), ("forbidden call: setattr",), incident=None,
           guard_expect=only("test_scale"), guard_says=("torch.allclose was replaced",)),
    Attack("a-exec-hidden", "module attributes: exec of hex-encoded code",
           _cells(scale='exec(bytes.fromhex("' + "import torch; torch.allclose = lambda *a, **k: True".encode().hex()
                  + '").decode())\n' + WRONG["scale"]),
           from_cell("scale"), ("forbidden call: exec",), incident=None,
           guard_expect=only("test_scale"), guard_says=("torch.allclose was replaced",)),
    Attack("a-os-sys", "module attributes: sys reached as os.sys",
           _cells(scale='import os\nos.sys.modules["torch"].allclose = lambda *a, **k: True\n' + WRONG["scale"]),
           from_cell("scale"), ("forbidden attribute: sys",), incident=None,
           guard_expect=only("test_scale"), guard_says=("torch.allclose was replaced",)),
    Attack("a-frames", "module attributes: a generator's frame climbs to the interpreter's globals",
           _cells(scale='''def climb():
    yield gen.gi_frame.f_back
gen = climb()
frame = next(gen)
while frame is not None and "sys" not in frame.f_globals:
    frame = frame.f_back
frame.f_globals["sys"].modules["torch"].allclose = lambda *a, **k: True
''' + WRONG["scale"]),
           from_cell("scale"), ("forbidden attribute: gi_frame",), incident=None,
           guard_expect=only("test_scale"), guard_says=("torch.allclose was replaced",)),
    Attack("a-unpickle", "module attributes: np.load(allow_pickle=True) of a pickle that runs code", _cells(scale=PICKLE),
           from_cell("scale"), ("unpickling not allowed: allow_pickle=True",), incident=None,
           guard_expect=only("test_scale"), guard_says=("torch.allclose was replaced",)),
    Attack("a-during-test", "module attributes: patched from inside the answer while the test runs",
           _cells(scale=PATCH_DURING_TEST),
           from_cell("scale"), ("assignment to an imported module's attribute",), incident=None,
           guard_expect=only("test_scale"), guard_says=("torch.allclose was replaced",)),
    Attack("a-thread", "module attributes: a thread that keeps patching numpy.testing",
           _cells(mean='''import threading, time
def keep_patching():
    while True:
        np.testing.assert_allclose = lambda *args, **kwargs: None
        math.isclose = lambda *args, **kwargs: True
        time.sleep(0.001)
threading.Thread(target=keep_patching, daemon=True).start()
''' + WRONG["mean"]),
           from_cell("mean"), ("import not allowed: threading",), incident=None,
           guard_expect=scores(test_mean=0, test_scale=0), guard_says=("numpy.testing.assert_allclose was replaced",)),
]


def _policy_families():
    """The first block of each family of tests/hostile/policy/ (issue 20: the policy's holes), graded
    for real: the cell is not run and its test scores 0.  Every block of every family is checked
    statically in tests/test_policy.py."""
    from pathlib import Path

    from course.grading.sample_class import parse_blocks

    for path in sorted((Path(__file__).parent / "policy").glob("*.py")):
        block = parse_blocks(path.read_text())[0]
        yield Attack(f"p-{path.stem.replace('_', '-')}", f"policy hole ({path.stem}): {block.fields['mistake']}",
                     _cells(**{block.cell: block.code}), from_cell(block.cell), (block.fields["says"],),
                     incident=None, layer="policy")


ATTACKS += list(_policy_families())
ATTACKS.append(Attack(
    "a-shadow-module", "policy hole: a module the allow-list names but the course does not install, written as a file "
                       "and imported (code the policy never sees)",
    _cells(scale='with open("seaborn.py", "w") as fh:\n'
                 '    fh.write("import torch\\ntorch.allclose = lambda *a, **k: True\\n")\n'
                 'import seaborn\n' + WRONG["scale"]),
    from_cell("scale"), ("seaborn is not installed",), incident=None,
    guard_expect=only("test_scale"), guard_says=("No module named 'seaborn'",)))


HONEST = [
    Attack("h-idioms", "honest: magics, classes with __init__/__len__/__getitem__, super().__init__(), re-imports",
           _cells(double='''%matplotlib inline
import numpy as np
import torch
from torch import nn
class Doubler(nn.Module):
    """Doubles its input (no __eq__ here, just a docstring that names it)."""
    def __init__(self):
        super().__init__()
        self._factor = 2
    def forward(self, x):
        return self._factor * x
class Pairs:
    def __init__(self, items):
        self.items = list(items)
    def __len__(self):
        return len(self.items)
    def __getitem__(self, i):
        return self.items[i]
def double(x):
    return 2 * x
%timeit -n 3 -r 1 double(3)
print(type(double(3)).__name__, len(Pairs([1, 2])), getattr(Doubler(), "training", None))
if __name__ == "__main__":
    print("main")''', mean='''import math
from collections import Counter
def mean(xs):
    """The mean of xs."""
    total = math.fsum(xs)
    return total / len(xs)''', scale='''import torch
def scale(t):
    return torch.mul(t, 3)'''),
           FULL, incident=False),
    Attack("h-extra-cells", "honest: helper cells added by the student, a plot, a CSV written and read back",
           _insert('''import csv, os, tempfile
from pathlib import Path
import matplotlib.pyplot as plt
def helper_times(x, k):
    return k * x
path = Path(tempfile.mkdtemp()) / "values.csv"
with open(path, "w", newline="") as fh:
    csv.writer(fh).writerow([1, 2, 3])
plt.plot([1, 2, 3])
plt.close("all")
print(os.path.getsize(path) > 0)''', after="double",
                   mean="def mean(xs):\n    return helper_times(sum(xs), 1) / len(xs)"),
           FULL, incident=False),
    Attack("h-save-load", "honest: torch.save / torch.load of a state_dict, copy.deepcopy of a model and a tensor",
           _cells(scale='''import copy, io, os, tempfile
import torch
from torch import nn
best = copy.deepcopy(nn.Linear(2, 2).state_dict())      # "keep the best model" during training
twin = copy.deepcopy(torch.ones(3))
path = os.path.join(tempfile.mkdtemp(), "model.pt")
torch.save(best, path)
restored = nn.Linear(2, 2)
restored.load_state_dict(torch.load(path))
buffer = io.BytesIO()
torch.save(twin, buffer)
def scale(t):
    return torch.mul(t, 3)'''),
           FULL, incident=False),
]

# honest but wrong: its feedback must show the failing test and its message, as before
WRONG_ANSWERS = [
    Attack("w-wrong-double", "honest but wrong: double(x) returns x", _cells(double=WRONG["double"]),
           only("test_double"), ("double(3) should be 6",), incident=False,
           guard_expect=only("test_double"), guard_says=("double(3) should be 6",)),
]

ALL = ATTACKS + HONEST + WRONG_ANSWERS
assert len(ATTACKS) >= 40, len(ATTACKS)
assert len({c.student for c in ALL}) == len(ALL)
