"""Autograding an untouched submission raises no tampering alarm; a changed test cell does, by name
(issue 24 point 5, course/grading/overwrite.py), through the real nbgrader CLI."""
from __future__ import annotations

import os
import shutil

import nbformat
import pytest

from course.grading import nbgrader_cli

pytestmark = pytest.mark.pipeline

LECTURE = "01_linear_model"


def test_only_a_really_changed_cell_is_reported(root, tmp_path):
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    shutil.copytree(root / "source" / LECTURE, course / "source" / LECTURE)
    shutil.copy(root / "nbgrader_config.py", course)
    env = {"COURSE_FAST": "1", "COURSE_GRADEBOOK": f"sqlite:///{course / 'gradebook.db'}",
           "COURSE_EXCHANGE": str(tmp_path / "exchange")}
    nbgrader_cli.run(["generate_assignment", LECTURE, "--force"], course, extra_env=env)
    released = nbformat.read(course / "release" / LECTURE / f"{LECTURE}.ipynb", as_version=4)
    source = nbformat.read(course / "source" / LECTURE / f"{LECTURE}.ipynb", as_version=4)
    tests = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("grade")
             and c.cell_type == "code" and c.metadata["nbgrader"].get("locked")]
    hidden = {c.metadata["nbgrader"]["grade_id"] for c in source.cells if "BEGIN HIDDEN TESTS" in c.source}
    assert {c.metadata["nbgrader"]["grade_id"] for c in tests} & hidden, "no test cell with hidden tests: proves nothing"

    tampered = nbformat.from_dict(released)
    victim = next(c for c in tampered.cells if c.metadata.get("nbgrader", {}).get("grade_id") in hidden)
    victim.source = "pass  # the student emptied the test"
    for student, nb in (("honest", released), ("tamper", tampered)):
        folder = course / "submitted" / student / LECTURE
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{LECTURE}.ipynb")

    logs = {}
    for student in ("honest", "tamper"):
        proc = nbgrader_cli.run(["autograde", LECTURE, "--student", student, "--create"], course, extra_env=env)
        logs[student] = proc.stdout + proc.stderr
    honest = logs["honest"]
    assert "has changed" not in honest and "was changed" not in honest, honest[-3000:]
    victim_id = victim.metadata["nbgrader"]["grade_id"]
    assert f"Cell {victim_id} was changed by the student" in logs["tamper"], logs["tamper"][-3000:]
    # either way the instructor's test ran, hidden part included
    graded = nbformat.read(course / "autograded" / "tamper" / LECTURE / f"{LECTURE}.ipynb", as_version=4)
    [cell] = [c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == victim_id]
    assert "BEGIN HIDDEN TESTS" in cell.source
    assert os.path.exists(course / "autograded" / "honest" / LECTURE / f"{LECTURE}.ipynb")
