"""The corpus of bad and hostile submissions of ``hostile_lab`` (see lab.py), one student each.

Every case says what the student submits, the score each test must get, and a phrase that the
student's feedback (grader notes or the failing cell's error) must contain.  Code attacks are
written so that the attack *succeeding* would earn the points: a 0 proves it failed.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import nbformat

from .lab import LECTURE, POINTS, SOLUTIONS, answered, release

FULL = dict(POINTS)


def scores(**zero) -> dict:
    """Full marks except the tests named (set to 0)."""
    return {k: (0 if k in zero else v) for k, v in POINTS.items()}


@dataclass
class Case:
    student: str
    bullet: str                                   # the bullet it covers
    make: Callable[[Path, Path, dict], None]      # (course, submission folder, context)
    expect: dict = field(default_factory=dict)    # test grade_id -> score
    says: tuple = ()                              # phrases the feedback must contain (a tuple: any one of them)
    incident: bool | None = True                  # the report marks an incident (None: either)


def _write(nb, folder: Path) -> None:
    nbformat.write(nb, folder / f"{LECTURE}.ipynb")


def _code(**overrides):
    def make(course, folder, ctx):
        _write(answered(course, **{k: v.format(**ctx) for k, v in overrides.items()}), folder)
    return make


def _edit(*fns):
    def make(course, folder, ctx):
        nb = answered(course)
        for fn in fns:
            fn(nb)
        _write(nb, folder)
    return make


def _by_id(nb, gid):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)


def _delete(gid):
    return lambda nb: nb.cells.remove(_by_id(nb, gid))


def _duplicate(nb):
    cell = _by_id(nb, "test_mean")
    copy = nbformat.from_dict(json.loads(json.dumps(cell)))
    copy.source = "pass  # my own version of the test"
    copy["id"] = "dupe1234"
    nb.cells.insert(nb.cells.index(cell) + 1, copy)


def _reorder(nb):
    test = _by_id(nb, "test_scale")
    nb.cells.remove(test)
    nb.cells.insert(0, test)  # the test before the setup cell and before scale() is defined


def _edit_test(nb):
    _by_id(nb, "test_double").source = "assert True"


def _edit_points(nb):
    _by_id(nb, "test_mean").metadata["nbgrader"]["points"] = 100


def _edit_gradeid(nb):
    _by_id(nb, "test_scale").metadata["nbgrader"]["grade_id"] = "my_test"


def _celltype(nb):
    cell = _by_id(nb, "test_scale")
    nb.cells[nb.cells.index(cell)] = nbformat.v4.new_raw_cell(cell.source, metadata=cell.metadata, id=cell.get("id"))


def _answer_to_markdown(nb):
    cell = _by_id(nb, "double")
    nb.cells[nb.cells.index(cell)] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata, id=cell.get("id"))


def _raw(text: bytes):
    def make(course, folder, ctx):
        (folder / f"{LECTURE}.ipynb").write_bytes(text)
    return make


def _missing(course, folder, ctx):
    (folder / "notes.txt").write_text("I forgot the notebook")


def _extra(course, folder, ctx):
    _write(answered(course), folder)
    (folder / "numpy.py").write_text("raise SystemExit('shadowed numpy')\n")  # would shadow numpy in the cwd
    (folder / "big.bin").write_bytes(b"0" * 100_000)


def _symlink(course, folder, ctx):
    os.symlink(course / "source" / LECTURE / f"{LECTURE}.ipynb", folder / f"{LECTURE}.ipynb")


def _surrogates(course, folder, ctx):
    nb = answered(course, double=SOLUTIONS["double"] + "\n# SURROGATE\nprint('\\ud800 printed')")
    text = nbformat.writes(nb).replace("# SURROGATE", "# \\ud800 in a comment")
    (folder / f"{LECTURE}.ipynb").write_text(text)  # the JSON escape \ud800: valid JSON, invalid Unicode


def _bad_timestamp(course, folder, ctx):
    _write(answered(course), folder)
    (folder / "timestamp.txt").write_text("9999-12-31 23:59:59.999999 -1200")


def _many_outputs(course, folder, ctx):
    nb = answered(course)
    nb.cells += [nbformat.v4.new_code_cell("print('m' * 200_000)", id=f"out{i}") for i in range(60)]
    _write(nb, folder)


def _many_cells(course, folder, ctx):
    nb = answered(course)
    nb.cells += [nbformat.v4.new_code_cell("1", id=f"c{i}") for i in range(20_000)]
    _write(nb, folder)


def _leak_code(name: str, probe: str) -> str:
    """``name``'s answer: right only if ``probe`` (the attack) succeeds."""
    body = "\n".join("        " + line for line in probe.splitlines())
    args = {"double": "x", "mean": "xs", "scale": "t"}[name]
    right = SOLUTIONS[name].splitlines()[-1].strip()
    return (f"def {name}({args}):\n    import os\n    try:\n{body}\n    except Exception:\n        return 0\n"
            f"    {right}")


def _leak(**probes):
    return _code(**{name: _leak_code(name, probe) for name, probe in probes.items()})


# issue 20 (point 5): none of these may outlive the student's grading (tests/test_sandbox.py)
DAEMONS = """import os, signal, subprocess, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])
def forever():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        time.sleep(1)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        forever()
    os._exit(0)
if os.fork() == 0:
    if os.fork() == 0:
        forever()
    os._exit(0)
subprocess.Popen(["sleep", "100000"], start_new_session=True)
subprocess.Popen(["sh", "-c", "trap '' TERM HUP; nohup sleep 100000 >/dev/null 2>&1 &"])
time.sleep(1)
raise RuntimeError("daemons started")"""

CASES = [
    # ---- controls -------------------------------------------------------------------------
    Case("ok", "control: full solutions", _code(), FULL, incident=False),
    Case("stub", "control: the untouched release", lambda course, folder, ctx: _write(release(course), folder),
         scores(**POINTS), ("NotImplementedError",), incident=False),
    Case("env_check", "kernel environment: COURSE_STUDENT, read-only data cache, course and torch importable",
         _code(double='''def double(x):
    import os, course, torch
    from pathlib import Path
    data = Path(os.environ["COURSE_DATA"])
    assert os.environ["COURSE_STUDENT"] == "env_check"
    assert data.is_dir() and os.access(data, os.R_OK) and not os.access(data, os.W_OK)
    try:
        (data / "x").write_text("x")
        return 0
    except OSError:
        return 2 * x'''), FULL, incident=False),
    # ---- files (no kernel is started) ----------------------------------------------------------
    Case("badjson", "a notebook that is not valid JSON", _raw(b'{"cells": [ this is not json'), scores(**POINTS),
         ("not valid JSON",)),
    Case("notnb", "JSON that is not a notebook", _raw(b'{"hello": "world"}'), scores(**POINTS),
         ("not a Jupyter notebook",)),
    Case("binary", "binary bytes, not a notebook", _raw(bytes(range(256)) * 10), scores(**POINTS), ("not valid JSON",)),
    Case("missing", "a missing notebook", _missing, scores(**POINTS), ("no notebook",)),
    Case("symlink", "a link to the source notebooks", _symlink, scores(**POINTS), ("not a regular file",)),
    Case("extra", "an extra file (numpy.py to shadow numpy)", _extra, FULL, ("Extra file(s) ignored",), incident=None),
    # ---- structure -----------------------------------------------------------------------------
    Case("restructured", "deleted, duplicated and reordered grade cells",
         _edit(_delete("test_double"), _duplicate, _reorder), FULL,
         ("test_double was deleted", "test_mean appears more than once", "out of their order"), incident=None),
    Case("edited", "edited locked test cells; edited cell metadata (points, cell type)",
         _edit(_edit_test, _edit_points, _celltype), scores(**POINTS),
         ("test_double was edited (its code", "test_mean was edited (its grading metadata",
          "test_scale was edited (its cell type")),
    Case("renamed", "edited cell metadata (grade id; an answer cell's type)", _edit(_edit_gradeid, _answer_to_markdown),
         FULL, ("unknown grade id", "test_scale was deleted", "was changed to markdown"), incident=None),
    # ---- runaway code -------------------------------------------------------------------------
    Case("runaway", "an endless loop, a long sleep, a loop that ignores interrupts",
         _code(double="def double(x):\n    while True:\n        pass",
               mean="import time\ntime.sleep(10**6)\n" + SOLUTIONS["mean"],
               scale="import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"),
         scores(**POINTS), ("test_double) ran past", "mean) ran past", "did not stop when interrupted")),
    Case("exit", "a kernel that dies (os._exit)", _code(mean="import os\nos._exit(3)"),
         scores(test_mean=0, test_scale=0), ("kernel died",)),
    # each resource attack is its own student, and a busy machine may turn a memory bomb's MemoryError
    # into the cell's timeout: either way 0, and the feedback says which
    Case("crash", "a memory bomb",
         _code(double="def double(x):\n    hog = []\n    while True:\n        hog.append(b'x' * 50_000_000)"),
         scores(test_double=0), (("MemoryError", "ran past"),), incident=None),
    Case("filecap", "a file written until the disk fills (one file over the size limit)",
         _code(mean="def mean(xs):\n    with open('fill.bin', 'wb') as fh:\n        while True:\n"
                    "            fh.write(b'0' * 1_000_000)"),
         scores(test_mean=0), ("File too large",), incident=None),
    Case("segfault", "a segfault", _code(scale="import ctypes\nctypes.string_at(0)"),
         scores(test_scale=0), ("kernel died",)),
    # each flood is its own student: one kernel's exhaustion must not decide another attack's message
    Case("floods", "gigabytes of output", _code(double="def double(x):\n    while True:\n        print('y' * 20_000)"),
         # past 4x the output cap the grader interrupts the cell: 0 for it, the later tests still run
         scores(test_double=0), ("printed more than", "was stopped"), incident=None),
    Case("diskfill", "many files until the disk is full",
         _code(mean="def mean(xs):\n    for i in range(10**6):\n        with open(f'f{{i}}.bin', 'wb') as fh:\n"
                    "            fh.write(b'0' * 1_000_000)"),
         scores(test_mean=0), ("No space left",), incident=None),
    Case("daemons", "a kernel that ignores and blocks SIGTERM and leaves daemons (setsid + double fork, "
                    "os.fork twice, Popen(start_new_session=True), nohup)",
         _code(scale=DAEMONS), scores(test_scale=0), ("daemons started",), incident=None),
    Case("forkbomb", "a fork bomb",
         _code(scale="import os, time\nwhile True:\n    try:\n        if os.fork() == 0:\n"
                     "            time.sleep(1000)\n    except OSError:\n        break\n"
                     "raise RuntimeError('forked until the limit')"),
         scores(test_scale=0), ("forked until the limit",), incident=None),
    Case("runtimefill", "fills the kernel's one host-visible folder (socket folder / saved curves), each file small",
         _leak(mean="d = os.environ['COURSE_CURVES_DIR']\nfor i in range(10**5):\n"
                    "    with open(os.path.join(d, f'run-{{i:06d}}.json'), 'wb') as fh:\n"
                    "        fh.write(b'0' * 1_000_000)"),
         scores(test_mean=0), ("mean([1, 2, 3]) should be 2.0",), incident=None),
    Case("manyoutputs", "60 cells of output, each under the per-cell cap (total output per notebook)",
         _many_outputs, FULL, ("printed more than", "in all"), incident=False),
    Case("warns", "honest code whose test prints a warning and a progress bar on stderr (no points lost)",
         _code(double="import warnings, sys\ndef double(x):\n    warnings.warn('a harmless warning')\n"
                      "    print('progress 100%', file=sys.stderr)\n    return 2 * x"),
         FULL, ("cost no points",), incident=False),
    # ---- files the reader or the writer could choke on: still a row and a note ---------------------
    Case("deepjson", "JSON nested very deeply (the reader's recursion)",
         _raw(b'{"cells": ' + b"[" * 200_000 + b"]" * 200_000 + b', "nbformat": 4}'), scores(**POINTS),
         ("nested too deeply",)),
    Case("surrogate", "a lone UTF-16 surrogate in a cell and in the output (invalid Unicode)",
         _surrogates, FULL, ("invalid Unicode",), incident=None),
    Case("badtime", "a timestamp.txt that parses but that nbgrader cannot convert (impossible timestamp)",
         _bad_timestamp, FULL, ("timestamp.txt could not be read",), incident=False),
    Case("manycells", "a huge cell count (20,000 cells)", _many_cells, scores(**POINTS), ("cells, over the",)),
    # ---- reading and writing what it must not -------------------------------------------------
    Case("leaks", "reads the source notebooks, the gradebook, another student's submission",
         _leak(double="open('{root}/source/hostile_lab/hostile_lab.ipynb').read()",
               mean="open('{root}/gradebook.db', 'rb').read(1)",
               scale="open('{root}/submitted/ok/hostile_lab/hostile_lab.ipynb').read()"),
         scores(**POINTS), ("double(3) should be 6",), incident=False),
    Case("writes", "writes the gradebook; reads the hidden tests; opens a network connection",
         _leak(double="open('{root}/gradebook.db', 'ab').write(b'garbage')",
               # the course's own files, wherever the clone lives (the read-only venv, which may sit under /tmp,
               # holds nbgrader's own test gradebook: not the course's)
               mean="hits = [p for d in ('{root}', '/home', '/tmp', '/root', '/srv', '/work') for p, _, fs in os.walk(d)\n"
                    "        for f in fs if f == 'hostile_lab.ipynb' or f == 'gradebook.db' and 'site-packages' not in p]\n"
                    "assert hits",
               scale="import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3).close()"),
         scores(**POINTS), ("double(3) should be 6",), incident=False),
    Case("internet", "opens a network connection to the outside; more output than a cell may keep",
         _code(double=_leak_code("double", "import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=3).close()"),
               scale="for i in range(3000):\n    print('z' * 1000)\n" + SOLUTIONS["scale"]),
         scores(test_double=0), ("double(3) should be 6", "output cut"), incident=False),
    # ---- faking a pass --------------------------------------------------------------------------
    Case("patches", "monkeypatches builtins, numpy.testing, torch.allclose",
         _code(double="import builtins\nbuiltins.AssertionError = type('Quiet', (Exception,), {{}})\n"
                      "builtins.abs = lambda x: 0\ndef double(x):\n    return x",
               mean="import numpy as np, math\nnp.testing.assert_allclose = lambda *a, **k: None\n"
                    "math.isclose = lambda *a, **k: True\ndef mean(xs):\n    return 0",
               scale="import torch\ntorch.allclose = lambda *a, **k: True\ndef scale(t):\n    return t"),
         scores(**POINTS), ("builtins.AssertionError was replaced", "numpy.testing.assert_allclose was replaced",
                            "torch.allclose was replaced")),
    Case("patches2", "monkeypatches the course package, patches while the test runs, replaces sys.modules",
         _code(double="import course\ncourse.device = lambda *a, **k: 'cuda'\n" + SOLUTIONS["double"],
               mean="def mean(xs):\n    import numpy as np, math\n    np.testing.assert_allclose = lambda *a, **k: None\n"
                    "    math.isclose = lambda *a, **k: True\n    return 0",
               scale="import sys, types\nfake = types.ModuleType('torch')\nfake.allclose = lambda *a, **k: True\n"
                     "sys.modules['torch'] = fake\ndef scale(t):\n    return t"),
         scores(**POINTS), ("course.device was replaced", "math.isclose was replaced",
                            "sys.modules['torch'] was replaced")),
    Case("hooks", "hides errors: showtraceback, a custom exception handler, an event hook that clears output",
         _code(double="get_ipython().showtraceback = lambda *a, **k: None\n"
                      "get_ipython()._showtraceback = lambda *a, **k: None\ndef double(x):\n    return x",
               mean="get_ipython().set_custom_exc((AssertionError,), lambda *a, **k: None)\n"
                    "def mean(xs):\n    return 0",
               scale="from IPython.display import clear_output\n"
                     "get_ipython().events.register('post_run_cell', lambda *a: clear_output())\n"
                     "def scale(t):\n    return t"),
         scores(**POINTS), ("showtraceback was replaced", "custom exception handler", "event callback")),
    Case("fakes", "a trace function, raising SystemExit inside the tests, printing fake output",
         _code(double="import sys\ndef _skip(frame, event, arg):\n    return _skip\nsys.settrace(_skip)\n"
                      "def double(x):\n    return x",
               mean="def mean(xs):\n    raise SystemExit(0)",
               scale="def scale(t):\n    print('test_scale passed: 2/2 points')\n    print('All tests passed!')\n"
                     "    return t"),
         scores(**POINTS), ("trace function", "SystemExit", "scale should triple")),
]
