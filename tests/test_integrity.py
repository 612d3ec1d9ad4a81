"""The per-student integrity report of ``python -m course autograde`` (course/grading/integrity.py).

Honest notebooks (every source solution) give an empty report; a notebook with each kind of
introspection gives exactly its lines (file, cell id, line, text); the report of a class is written
as markdown + JSON with a one-line summary; the CLI passes ``--integrity`` through and prints the
summary.  The real CLI writing the report on a graded class is checked in tests/test_cheating.py
(``test_the_integrity_report_lists_every_attack_and_no_honest_student``).
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from course.grading import integrity

ROOT = Path(__file__).resolve().parent.parent


def _template(nb: dict) -> dict:
    """A template like the grader's: the release is the notebook with its solutions taken out."""
    release = json.loads(json.dumps(nb))
    for cell in release["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
            cell["source"] = "# YOUR CODE HERE"
    return {"release": release, "locked": {}}


@pytest.mark.parametrize("path", sorted(ROOT.glob("source/*/*.ipynb")), ids=lambda p: p.parent.name)
def test_an_honest_notebook_gives_an_empty_report(path):
    nb = json.loads(path.read_text())
    assert integrity.scan_notebook(nb, _template(nb)) == []


def _cell(source: str, gid: str | None = None, cell_id: str = "c0"):
    meta = {"nbgrader": {"grade_id": gid, "solution": True, "grade": False, "locked": False}} if gid else {}
    return nbformat.v4.new_code_cell(source, metadata=meta, id=cell_id)


SETUP = nbformat.v4.new_code_cell("import math\nimport numpy as np\nimport torch",
                                  metadata={"nbgrader": {"grade_id": "setup", "locked": True, "solution": False,
                                                         "grade": False}}, id="setup")
# (cell source, [(line, phrase of why)]) for every kind the report names
KINDS = [
    ("look = getattr\nname = 'all' + 'close'\nf = look(torch, name)", [(3, "policy: getattr with a computed")]),
    ("from numpy._core import numeric\nx = 1", [(1, "policy: import not allowed: private module")]),
    ("import os\nhome = os.environ['HOME']\nkey = os.getenv('KEY')",
     [(2, "the process environment: os.environ"), (3, "the process environment: os.getenv")]),
    ("text = open('/etc/passwd').read()", [(1, "a path outside the working folder: '/etc/passwd'")]),
    ("up = open('../other/notes.txt')", [(1, "a path outside the working folder")]),
    ("names = dir(torch)", [(1, "introspection: dir()")]),
    ("f = torch.overrides.has_torch_function", [(1, "torch's dispatch machinery: torch.overrides")]),
    ("d = np.__dict__", [(1, "policy: dunder access")]),
    ("k = x.__class__.__subclasses__()", [(1, "policy: dunder access")]),
    ("import sys\nimport inspect", [(1, "policy: import not allowed: sys"), (2, "policy: import not allowed: inspect")]),
    ("import gc, ctypes", [(1, "policy: import not allowed: gc"), (1, "policy: import not allowed: ctypes")]),
    ("g = f.__globals__", [(1, "policy: dunder access")]),
    ("with open('helper.py', 'w') as fh:\n    fh.write('x = 1')", [(1, "names a Python file: 'helper.py'")]),
]


@pytest.mark.parametrize("source,expected", KINDS, ids=[k[1][0][1][:40] for k in KINDS])
def test_each_kind_is_reported_with_its_cell_and_line(source, expected):
    nb = nbformat.v4.new_notebook(cells=[SETUP, _cell("x = 1", "first", "a1"), _cell(source, "answer", "a2")])
    found = integrity.scan_notebook(json.loads(nbformat.writes(nb)), _template(json.loads(nbformat.writes(nb))))
    assert found, source
    assert all(f.cell == "answer" and f.index == 2 for f in found), found
    lines = source.splitlines()
    for line, phrase in expected:
        hits = [f for f in found if f.line == line and phrase in f.why]
        assert hits, f"{source!r}: no {phrase!r} on line {line}: {found}"
        assert hits[0].text == lines[line - 1].strip()


def test_a_cell_the_student_added_is_named_by_its_cell_id():
    nb = nbformat.v4.new_notebook(cells=[SETUP, _cell("import os\nprint(os.environ)", cell_id="added7")])
    data = json.loads(nbformat.writes(nb))
    [finding] = integrity.scan_notebook(data, {"release": {"cells": []}})
    assert (finding.cell, finding.index, finding.line, finding.text) == ("added7", 1, 2, "print(os.environ)")


def test_an_alias_made_in_an_earlier_cell_is_followed():
    nb = nbformat.v4.new_notebook(cells=[SETUP, _cell("m = np.linalg", "first", "a1"),
                                         _cell("m.norm = abs", "answer", "a2")])
    data = json.loads(nbformat.writes(nb))
    [finding] = integrity.scan_notebook(data, _template(data))
    assert (finding.cell, finding.line) == ("answer", 1)
    assert finding.why == "policy: assignment to an imported module's attribute: m is numpy.linalg"


def test_the_class_report_is_written_for_the_instructor(tmp_path):
    """scan_class reads the canonical notebooks the workers wrote and writes markdown + JSON."""
    lecture = "lab"
    staging = tmp_path / ".grading" / lecture
    honest = nbformat.v4.new_notebook(cells=[SETUP, _cell("def f(x):\n    return 2 * x", "answer", "a2")])
    sly = nbformat.v4.new_notebook(cells=[SETUP, _cell("import os\nkey = os.environ['K']\nd = np.__dict__",
                                                       "answer", "a2")])
    staging.mkdir(parents=True)
    (staging / "template.json").write_text(json.dumps(_template(json.loads(nbformat.writes(honest)))))
    for student, nb in (("ada", sly), ("bob", honest), ("cy", honest)):
        folder = staging / "submitted" / student / lecture
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{lecture}.ipynb")
    reports = integrity.scan_class(tmp_path, lecture, ["ada", "bob", "cy", "gone"])
    assert [r.student for r in reports if r.findings] == ["ada"]
    assert integrity.summary(reports) == "integrity: 1 of 4 submissions use introspection: ada (2 lines)"
    path = integrity.write(reports, lecture, integrity.default_path(tmp_path, lecture))
    assert path == tmp_path / "autograded" / "integrity-lab.md"
    text = path.read_text()
    assert "## ada (2 lines)" in text and "submitted/ada/lab/lab.ipynb" in text
    assert "| answer (#1) | 2 | the process environment: os.environ | `key = os.environ['K']` |" in text
    assert "| answer (#1) | 3 | policy: dunder access | `d = np.__dict__` |" in text
    assert "## bob" not in text and "Nothing found in 3 submission(s)." in text
    data = json.loads(path.with_suffix(".json").read_text())
    assert data["students"]["ada"]["lines"] == 2 and data["students"]["bob"]["findings"] == []
    assert data["students"]["ada"]["findings"][0] == {"cell": "answer", "index": 1, "line": 2,
                                                      "why": "the process environment: os.environ",
                                                      "text": "key = os.environ['K']"}


def test_the_autograde_cli_passes_the_report_path_and_prints_the_summary(tmp_path, monkeypatch, capsys):
    from course import __main__ as cli
    from course.grading import autograde

    seen = {}

    def fake_grade_class(root, lecture, **kwargs):
        seen.update(kwargs)
        result = autograde.ClassResult(lecture, graded=["ada"])
        result.integrity = "integrity: 1 of 1 submissions use introspection: ada (3 lines)"
        result.integrity_file = kwargs["integrity_path"]
        return result

    monkeypatch.setattr(autograde, "grade_class", fake_grade_class)
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    code = cli.main(["autograde", "lab", "--root", str(tmp_path), "--no-progress",
                     "--integrity", str(tmp_path / "out.md")])
    assert code == 0 and seen["integrity_path"] == tmp_path / "out.md"
    out = capsys.readouterr().out
    assert f"integrity: 1 of 1 submissions use introspection: ada (3 lines) (lines in {tmp_path / 'out.md'})" in out
