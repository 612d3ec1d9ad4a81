"""The static grading policy (course/grading/policy.py): every rule, a violating and an honest
example each; honest code (every source solution, the sample class, the mistake catalogue) is
never rejected; the students' live check of course.start(); the feedback preprocessor."""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from course.grading import policy
from course.grading.feedback import PLACEHOLDER, HideHiddenTests, split_hidden
from course.grading.sample_class import parse_blocks

ROOT = Path(__file__).resolve().parent.parent
SETUP = "import math\nimport numpy as np\nimport torch\nimport torch.nn as nn\nimport course\nDEVICE = course.start('x')"
PROTECTED = policy.protected_names([SETUP])


def rules(source: str, protected=PROTECTED) -> list[str]:
    return [v.rule for v in policy.check_source(source, protected=protected)]


# (rule phrase, violating cell, honest cell that must pass)
RULES = [
    ("dunder access", "t = x.__class__", "t = type(x)"),
    ("dunder access", "b = __builtins__", "b = abs(-1)"),
    ("dunder access", 'd = getattr(x, "__dict__")', 'd = getattr(x, "weight", None)'),
    ("dunder access", 'Agree = dict(__eq__=lambda a, b: True)', "same = dict(eq=True)"),
    ("dunder access", "f.__module__ = 'IPython.core'", "name = type(f).__name__"),
    ("dunder access", "x.__init__.__globals__", "class A(nn.Module):\n    def __init__(self):\n        super().__init__()"),
    ("defining a special method: __eq__", "class F(float):\n    def __eq__(self, o):\n        return True",
     "class P:\n    def __init__(self, xs):\n        self.xs = xs\n    def __len__(self):\n        return len(self.xs)"),
    ("defining a special method: __array_function__",
     "class A(np.ndarray):\n    def __array_function__(self, *a):\n        return True",
     "class It:\n    def __iter__(self):\n        return self\n    def __next__(self):\n        raise StopIteration"),
    ("defining a special method: __torch_function__",
     "class T(torch.Tensor):\n    @classmethod\n    def __torch_function__(cls, *a, **k):\n        return True",
     "class D:\n    def __getitem__(self, i):\n        return i\n    def __repr__(self):\n        return 'D'"),
    ("defining a special method: __getattr__", "class P:\n    def __getattr__(self, name):\n        return 1",
     "class C:\n    def __enter__(self):\n        return self\n    def __exit__(self, *a):\n        return False"),
    ("defining a special method: __len__", "def __len__():\n    return 3", "def size():\n    return 3"),
    ("forbidden call: exec", "exec('x = 1')", "x = 1"),
    ("forbidden call: eval", "f = eval", "f = float"),
    ("forbidden call: compile", "c = compile('1', 'f', 'eval')", "import re\nc = re.compile('a+')"),
    ("forbidden call: globals", "globals()['np'] = 1", "values = {'np': 1}"),
    ("forbidden call: locals", "n = locals()", "n = dict()"),
    ("forbidden call: vars", "v = vars(np)", "v = dir(np)"),
    ("forbidden call: setattr", "setattr(torch, 'allclose', abs)", "model = nn.Linear(1, 1)\nmodel.weight.data.fill_(1.0)"),
    ("forbidden call: delattr", "delattr(torch, 'allclose')", "d = {'a': 1}\ndel d['a']"),
    ("forbidden call: get_ipython", "sh = get_ipython()", "from IPython.display import display"),
    ("forbidden call: breakpoint", "breakpoint()", "print('here')"),
    ("getattr with a computed attribute name", "f = getattr(torch, name)", 'f = getattr(torch, "allclose")'),
    ("creating a class with type()", "A = type('A', (float,), {})", "kind = type(3.0)"),
    ("private attribute access", "c = torch._C", "class S:\n    def __init__(self):\n        self._cache = {}"),
    ("forbidden attribute: sys", "m = os.sys.modules", "p = os.path.join('a', 'b')"),
    ("forbidden attribute: f_globals", "g = frame.f_globals", "g = model.parameters()"),
    ("unpickling not allowed", "np.load(f, allow_pickle=True)", "np.load(f)"),
    ("unpickling not allowed", "torch.load(f, weights_only=False)", "torch.load(f)"),
    ("IPython history not allowed", "print(In[-1])", "print(_ + 1 if False else 2)"),
    ("import not allowed: sys", "import sys", "import os"),
    ("import not allowed: ctypes", "from ctypes import string_at", "from collections import Counter"),
    ("import not allowed: course.grading", "from course.grading import guards", "from course import checks"),
    ("import not allowed: course.grading", "from course import grading", "import course.checks as ck"),
    ("import not allowed: IPython.core", "from IPython.core import getipython", "from IPython.display import HTML"),
    ("import not allowed: relative import", "from . import x", "import pathlib"),
    ("import not allowed: from ... import *", "from math import *", "from math import pi"),
    ("assignment to an imported module's attribute", "torch.allclose = lambda *a: True", "close = torch.allclose"),
    ("assignment to an imported module's attribute", "np.testing.assert_allclose = print", "check = np.testing.assert_allclose"),
    ("assignment to an imported module's attribute", "nn.Module.forward = f", "class M(nn.Module):\n    def forward(self, x):\n        return x"),
    ("assignment to an imported module's attribute", "math.pi += 1", "pi = math.pi\npi += 1"),
    ("assignment to an imported module's attribute", "del torch.allclose", "x = [1]\ndel x[0]"),
    ("assignment to an imported module's attribute", "import json\njson.dumps = str", "import json\ntext = json.dumps([1])"),
    ("assignment to an imported module's attribute", "for np.x in range(3):\n    pass", "for i in range(3):\n    pass"),
    ("assignment to an attribute of a builtin", "float.x = 1", "class F:\n    pass\nF.x = 1"),
    ("rebinding a builtin: isinstance", "isinstance = lambda *a: True", "ok = isinstance(1, int)"),
    ("rebinding a builtin: len", "def len(x):\n    return 1", "def length(x):\n    return len(x)"),
    ("rebinding a builtin: print", "for print in range(3):\n    pass", "for p in range(3):\n    pass"),
    ("rebinding a builtin: abs", "import math as abs", "import math as m"),
    ("rebinding a builtin: sum", "with open('f') as sum:\n    pass", "with open('f') as fh:\n    pass"),
    ("rebinding a builtin: float", "def f():\n    global float\n    float = int", "def f():\n    float = int\n    return float"),
    ("rebinding a setup name: np", "np = FakeNumpy()", "import numpy as np"),
    ("rebinding a setup name: np", "import pandas as np", "import numpy\nfrom numpy import testing"),
    ("rebinding a setup name: torch", "del torch", "import torch"),
    ("rebinding a setup name: nn", "class nn:\n    pass", "from torch import nn"),
    ("rebinding a setup name: DEVICE", "DEVICE = 'cuda'", "device = DEVICE"),
    ("IPython magic/shell command not allowed", "!ls", "%matplotlib inline"),
    ("IPython magic/shell command not allowed", "files = !ls", "%timeit -n 1 -r 1 sum([1, 2])"),
    ("IPython magic/shell command not allowed", "%config InteractiveShell.x = 1", "%time y = sum([1, 2])"),
    ("IPython magic/shell command not allowed", "%%capture\nx = 1", "%%time\nx = 1"),
    ("IPython magic/shell command not allowed", '%timeit -s "import sys" pass', "%timeit -n 2 -r 1 -q pass"),
    ("forbidden call: exec", ";exec x = 1", "x?"),
    ("forbidden call: exec", "%timeit exec('1')", "%timeit -n1 -r1 abs(-1)"),
    ("assignment to an imported module's attribute", "%time torch.allclose = abs", "%time t = torch.ones(2)"),
    # issue 20: what the code does, not one spelling
    ("getattr with a computed attribute name (called as g)", "g = getattr\nf = g(torch, name)", "g = getattr\nf = g(torch, 'ones')"),
    ("dynamic lookup passed on as a value: getattr", "fs = list(map(getattr, objs, names))", "fs = [getattr(o, 'weight') for o in objs]"),
    ("creating a class with type() (called as t)", "t = type\nA = t('A', (), {})", "t = type\nkind = t(3.0)"),
    ("class factory passed on as a value: type", "kinds = {'t': type}", "ok = isinstance(int, type)"),
    ("metaclass: a class derived from builtins.type", "class M(type):\n    pass", "class M(object):\n    pass"),
    ("metaclass: class keyword metaclass=", "class A(metaclass=M):\n    pass", "import abc\nclass A(abc.ABC):\n    pass"),
    ("import machinery: hub", "torch.hub.load(d, 'f', source='local')", "m = nn.Linear(2, 2)"),
    ("import not allowed: private module numpy._core", "from numpy._core import numeric", "from numpy import linalg"),
    ("import not allowed: os.sys (reaches sys)", "from os import sys", "from os import path"),
    ("starting processes: os.system", "import os\nos.system('ls')", "import os\nnames = os.listdir('.')"),
    ("process internals", "m = open('/proc/self/mem', 'rb')", "f = open('data.csv')"),
    ("assignment to an imported module's attribute: m is numpy.linalg", "m = np.linalg\nm.norm = abs",
     "m = np.linalg\nn = m.norm(np.ones(2))"),
    ("assignment to an imported module's attribute: lib is torch", "def p(lib):\n    lib.allclose = abs\np(torch)",
     "def p(layer):\n    layer.bias = None\np(nn.Linear(1, 1))"),
    ("IPython history not allowed: _i3", "print(_i3)", "i3 = 3"),
]


@pytest.mark.parametrize("rule,bad,good", RULES, ids=[f"{i}-{r[0][:30]}" for i, r in enumerate(RULES)])
def test_each_rule_rejects_the_cheat_and_accepts_the_honest_cell(rule, bad, good):
    found = rules(bad)
    assert any(rule in r for r in found), f"{bad!r} should break {rule!r}, got {found}"
    assert rules(good) == [], f"{good!r} is honest, got {rules(good)}"


def test_a_violation_names_the_cell_line_rule_and_text():
    [v] = policy.check_source("x = 1\n\ny = eval('2')  " + "#" * 200, protected=PROTECTED)
    assert (v.line, v.rule) == (3, "forbidden call: eval")
    assert v.text.startswith("y = eval('2')") and len(v.text) <= 120
    assert v.message("cell 7 (answer mse)") == f"cell 7 (answer mse), line 3: forbidden call: eval: {v.text}"


def test_syntax_errors_and_ipython_syntax_do_not_crash_the_check():
    assert policy.check_source("def f(:\n    pass") == []          # the kernel reports it
    assert policy.check_source("x = [1, 2") == []
    assert policy.check_source("len?\nnp.ones??") == []             # help is honest
    assert rules("np.__dict__?") != []                              # ... but not on a dunder
    assert policy.check_source("") == [] and policy.check_source("# only a comment") == []
    assert policy.check_source("if __name__ == '__main__':\n    main()") == []
    assert rules("if __name__ == 'x':\n    pass") == ["dunder access"]


def test_protected_names_are_what_the_locked_cells_bind():
    names = policy.protected_names([SETUP, "from torch.utils.data import DataLoader as DL\ndef show(x):\n    pass",
                                    "for i in range(3):\n    pass\n%matplotlib inline", "def broken(:"])
    assert {"math", "np", "torch", "nn", "course", "DEVICE", "DL", "show", "i"} <= set(names)
    assert names.origins["np"] == "numpy" and names.origins["DL"] == "torch.utils.data.DataLoader"
    assert rules("from torch.utils.data import DataLoader as DL", names) == []
    assert rules("from torch.utils.data import Dataset as DL", names) == ["rebinding a setup name: DL"]
    # a plain frozenset (no origins): the conventional import names still count as the same module
    assert rules("import numpy as np", frozenset({"np"})) == []


def test_the_allowlist_comes_from_nbgrader_config(tmp_path):
    assert policy.allowed_imports(ROOT) >= {"numpy", "torch", "pandas", "IPython.display", "course"}
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.Policy.allowed_imports = ['numpy']\n")
    allowed = policy.allowed_imports(tmp_path)
    assert "numpy" in allowed and "torch" not in allowed
    assert policy.check_source("import torch", allowed=allowed)[0].rule == "import not allowed: torch"
    assert policy.allowed_imports(tmp_path / "missing") == frozenset(policy.DEFAULT_ALLOWED_IMPORTS)


def _honest_cells():
    """(label, source, protected) of every cell a student writes in an honest solution."""
    for path in sorted(ROOT.glob("source/*/*.ipynb")):
        nb = json.loads(path.read_text())
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        meta = [c["metadata"].get("nbgrader", {}) for c in code]
        locked = ["".join(c["source"]) for c, m in zip(code, meta) if m.get("locked") and not m.get("grade")]
        protected = policy.protected_names(locked)
        for cell, m in zip(code, meta):
            if not m.get("locked"):
                yield f"{path.parent.name}/{m.get('grade_id', 'cell')}", "".join(cell["source"]), protected
        for kind in ("mistakes", "catalogue"):
            file = ROOT / "sample_class" / kind / f"{path.parent.name}.py"
            if file.exists():
                for block in parse_blocks(file.read_text()):
                    yield f"{kind}/{path.parent.name}:{block.line} ({block.cell})", block.code, protected


def test_honest_code_is_never_rejected():
    """Every answer and ordinary cell of every source solution, every sample-class mistake and every
    catalogue entry (mistakes and correct alternatives) passes the policy."""
    checked, rejected = 0, []
    for label, source, protected in _honest_cells():
        checked += 1
        rejected += [v.message(label) for v in policy.check_source(source, protected=protected)]
    assert checked > 100
    assert not rejected, "honest code rejected:\n" + "\n".join(rejected[:30])


# ---- the feedback preprocessor (its end-to-end test on a graded class is in test_cheating.py) ----

def test_feedback_hides_the_hidden_part_and_tracebacks():
    source = ('assert f(1) == 2, "visible"\n### BEGIN HIDDEN TESTS\nassert f(secret_input_42) == 7, "hidden message"\n'
              "### END HIDDEN TESTS")
    shown, hidden = split_hidden(source)
    assert shown == f'assert f(1) == 2, "visible"\n{PLACEHOLDER}' and hidden == ['assert f(secret_input_42) == 7, "hidden message"']
    test = nbformat.v4.new_code_cell(source, metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "t",
                                                                    "points": 1, "locked": True}})
    test.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="hidden message",
                                           traceback=["Traceback", "----> 3 assert f(secret_input_42) == 7"])]
    student = nbformat.v4.new_code_cell("print(In)")
    student.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                              text="['', 'assert f(secret_input_42) == 7, \"hidden message\"']\nok\n")]
    nb = nbformat.v4.new_notebook(cells=[student, test])
    out, _ = HideHiddenTests().preprocess(nb, {})
    assert "secret_input_42" not in json.dumps(out)
    assert out.cells[1].outputs[0].traceback == ["AssertionError: hidden message"]
    assert "ok" in out.cells[0].outputs[0].text
    fresh = nbformat.v4.new_code_cell(source, metadata=test.metadata)
    off, _ = HideHiddenTests(enabled=False).preprocess(nbformat.v4.new_notebook(cells=[fresh]), {})
    assert "secret_input_42" in off.cells[0].source


# ---- the students' live check (course.start) --------------------------------------------------------

def _kernel_run(cwd: Path, cells: list[str], env: dict) -> list[str]:
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(cwd), env=env)
    try:
        texts = []
        for code in cells:
            out = []
            kc.execute_interactive(code, timeout=120, output_hook=lambda m: out.append(m["content"].get("text", ""))
                                   if m["msg_type"] == "stream" else None)
            texts.append("".join(out))
        return texts
    finally:
        km.shutdown_kernel(now=True)


@pytest.mark.parametrize("grading", [False, True], ids=["student", "grading"])
def test_course_start_warns_the_student_about_each_rule_broken(tmp_path, grading):
    lecture = "01_linear_model"
    shutil.copy(ROOT / "release" / lecture / f"{lecture}.ipynb", tmp_path)
    nb = json.loads((tmp_path / f"{lecture}.ipynb").read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    setup = "".join(code[0]["source"])
    locked_test = next("".join(c["source"]) for c in code if c["metadata"].get("nbgrader", {}).get("grade"))
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_STUDENT", "NBGRADER_EXECUTION")}
    env.update(COURSE_FAST="1", COURSE_NO_VISDOM="1", PYTHONPATH=str(ROOT))
    if grading:
        env["COURSE_STUDENT"] = "ada"
    texts = _kernel_run(tmp_path, [setup, "x = 1\nexec('y = 2')\nimport sys", "import numpy as np\nz = np.ones(2)",
                                   locked_test], env)
    if grading:
        assert not any("[course]" in t for t in texts), texts
        return
    assert "[course] line 2 breaks the grading rule 'forbidden call: exec'" in texts[1]
    assert "line 3 breaks the grading rule 'import not allowed: sys'" in texts[1]
    assert "[course]" not in texts[0] + texts[2] + texts[3], texts


def test_import_course_does_not_import_the_policy():
    import subprocess

    code = "import course, sys; print('course.grading.policy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


# ---- issue 20: the policy's holes, by what the code does (tests/hostile/policy/) -------------------

HOSTILE = ROOT / "tests" / "hostile" / "policy"
LAB_SETUP = policy.protected_names(["import math\nimport numpy as np\nimport torch"])  # tests/hostile/lab.py


def _hostile_blocks():
    for path in sorted(HOSTILE.glob("*.py")):
        for block in parse_blocks(path.read_text()):
            yield pytest.param(path.name, block, id=f"{path.stem}:{block.line}")


def test_every_family_of_the_issue_has_its_hostile_file():
    assert {p.stem for p in HOSTILE.glob("*.py")} == {"aliases", "metaclass", "import_machinery", "module_alias", "history"}
    assert sum(1 for _ in _hostile_blocks()) >= 80


@pytest.mark.parametrize("file,block", list(_hostile_blocks()))
def test_each_hostile_cell_is_refused_naming_its_line_and_what_it_reaches(file, block):
    lines = block.code.splitlines()
    marked = [i + 1 for i, line in enumerate(lines) if line.rstrip().endswith("# attack")]
    assert len(marked) == 1 and block.fields.get("says") and block.fields.get("mistake"), f"{file}:{block.line}: malformed"
    found = policy.check_source(block.code, protected=LAB_SETUP)
    hits = [v for v in found if block.fields["says"].lower() in v.rule.lower() and v.line == marked[0]]
    assert hits, f"{file}:{block.line} ({block.fields['mistake']}): no {block.fields['says']!r} on line {marked[0]}: {found}"
    message = hits[0].message("cell 5 (answer scale)")
    assert message.startswith(f"cell 5 (answer scale), line {marked[0]}: ") and lines[marked[0] - 1].strip()[:60] in message


HONEST_IDIOMS = [
    "ok = isinstance(int, type)", "def f(cls: type) -> type:\n    return cls", "kinds = [type(v) for v in [1, 2.0]]",
    "t = type(1) is int\nname = type(1).__name__", "w = getattr(nn.Linear(1, 1), 'weight', None)",
    "xp = np\nz = xp.zeros(3)", "from functools import partial\np = partial(torch.clamp, min=0)",
    "import os\np = os.path.join('a', 'b')\nh = os.environ.get('HOME')",
    "def train(model, opt_cls=torch.optim.SGD, lr=0.1):\n    return opt_cls(model.parameters(), lr=lr)\nopt = train(nn.Linear(1, 1))",
    "def make(layer_type=nn.Linear):\n    layer = layer_type(2, 3)\n    layer.bias = None\n    return layer",
    "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(2, 1)\n"
    "    def set(self, layer):\n        self.fc = layer\nnet = Net()\nnet.set(nn.Linear(2, 1))\nnet.fc = nn.Linear(2, 1)",
    "from dataclasses import dataclass\n@dataclass\nclass P:\n    x: int = 0\np = P()\np.x = 3",
    "from enum import Enum\nclass C(Enum):\n    A = 1", "import abc\nclass B(abc.ABC):\n    pass",
    "loss_fn = nn.MSELoss()\nloss_fn.reduction = 'sum'", "import operator\nadd = operator.add\ng = operator.itemgetter(0)",
    "opt = torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1)\nfor g in opt.param_groups:\n    g['lr'] = 0.01",
    "from collections import namedtuple\nPoint = namedtuple('Point', ['x', 'y'])", "import torch.utils.data as tud\nL = tud.DataLoader",
    "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.mp = nn.MaxPool2d(2)\n"
    "        self.types = ['a']\n        self.hub = None",
]


def test_what_a_name_stands_for_carries_over_from_the_students_earlier_cells():
    earlier = ["m = np.linalg", "from numpy import testing as nt", "look = getattr"]
    assert rules("m.norm = abs") == []  # alone, `m` could be anything
    found = [v.rule for v in policy.check_source("m.norm = abs\nnt.x = 1\nf = look(np, name)", protected=PROTECTED,
                                                 context=earlier)]
    assert found == ["assignment to an imported module's attribute: m is numpy.linalg",
                     "assignment to an imported module's attribute: nt is numpy.testing",
                     "getattr with a computed attribute name (called as look)"]
    assert policy.check_source("model.fc = nn.Linear(2, 1)", protected=PROTECTED,
                               context=["model = nn.Sequential(nn.Linear(2, 1))"]) == []


def test_a_cell_too_tangled_to_follow_is_refused():
    cell = "x = [" + ", ".join(f"np.a{i}" for i in range(300)) + "]\ny = x"
    assert rules(cell) == ["code too tangled to check"]
    # aliases written backwards are followed to the end ...
    chain = "def later():\n    a0.allclose = abs\n" + "".join(f"a{i} = a{i + 1}\n" for i in range(20)) + "a20 = torch"
    assert "assignment to an imported module's attribute: a0 is torch" in rules(chain)
    # ... and a chain too deep to follow is refused rather than guessed
    deep = "".join(f"a{i} = a{i + 1}\n" for i in range(100)) + "a100 = torch"
    assert rules(deep) == ["code too tangled to check"]


@pytest.mark.parametrize("source", HONEST_IDIOMS)
def test_honest_idioms_near_the_new_rules_pass(source):
    assert rules(source) == []


def _dangerous_routes():
    """(module, attribute, what) of every public attribute of an importable library module (of the
    allow-list) that holds the interpreter's machinery: sys, builtins, gc, inspect, importlib, a
    dynamic-lookup or code-running builtin, an importer, a process starter, under whatever name."""
    import builtins
    import importlib
    import importlib.util
    import types

    import warnings

    for name in ("numpy", "torch", "pandas", "matplotlib.pyplot", "torchvision", "PIL.Image", "scipy", "tqdm",
                 "IPython.display", "torch.hub", "torch.utils.cpp_extension", "torch.package", "torch.multiprocessing",
                 "numpy.distutils.misc_util", "torch.fx", "torch.export", "pandas.io.pickle", "enum", "dataclasses"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(name)
        except Exception:
            pass
    machinery = {"sys", "builtins", "gc", "inspect", "importlib", "importlib.util", "importlib.machinery", "runpy",
                 "pkgutil", "ctypes", "marshal", "pickle", "traceback", "linecache", "types", "IPython", "subprocess",
                 "multiprocessing", "threading", "pydoc"}
    danger = {id(sys.modules[m]): m for m in machinery if m in sys.modules}
    for n in ("eval", "exec", "compile", "getattr", "setattr", "delattr", "vars", "globals", "locals", "__import__",
              "breakpoint"):
        danger[id(getattr(builtins, n))] = f"builtins.{n}"
    for mod, names in ((importlib, ("import_module", "reload")),
                       (importlib.util, ("find_spec", "spec_from_file_location", "module_from_spec")),
                       (os, tuple(policy.PROCESS_ATTRS))):
        danger.update({id(getattr(mod, n)): f"{mod.__name__}.{n}" for n in names if hasattr(mod, n)})
    roots = set(policy.DEFAULT_ALLOWED_IMPORTS) - {"__future__", "IPython.display"}
    for name, mod in sorted(sys.modules.items()):
        if not isinstance(mod, types.ModuleType) or any(p.startswith("_") for p in name.split(".")):
            continue
        if name.split(".")[0] not in roots and not name.startswith("IPython.display"):
            continue
        try:
            items = list(vars(mod).items())
        except TypeError:
            continue
        for attr, value in items:
            # (an attribute a student can spell: pytest's assertion rewriting adds '@py_builtins' to
            # modules it rewrote, which no source code can name)
            if attr.isidentifier() and not attr.startswith("_") and id(value) in danger:
                yield name, attr, danger[id(value)]


def test_every_route_the_installed_libraries_give_to_the_machinery_is_refused():
    """Not a list of spellings we thought of: the installed numpy/torch/matplotlib/... are walked,
    and each public attribute that holds sys, builtins (``enum.bltns``), gc, inspect, importlib, an
    importer (``torch.cuda.amp.common.find_spec``) or a process starter must be refused."""
    routes = list(_dangerous_routes())
    assert len(routes) > 100
    missed = [f"{m}.{a} ({what})" for m, a, what in routes
              if not policy.check_source(f"import {m}\nx = {m}.{a}", allowed=frozenset(policy.DEFAULT_ALLOWED_IMPORTS))]
    assert not missed, "routes to the interpreter's machinery the policy lets through:\n" + "\n".join(missed[:40])
