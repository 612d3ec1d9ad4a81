"""A test cell loses its points when it raises, not because something went to stderr.

nbgrader's ``determine_grade`` gives 0 to a test cell with any stderr output; the course's
``FairTestOutputs`` preprocessor (course/grading/test_outputs.py) is in the course's
nbgrader_config.py, so plain ``nbgrader autograde`` grades fairly too, and in the course's own
grader (tests/hostile/cases.py: ``warns``).
"""
from __future__ import annotations

import os
from pathlib import Path

import nbformat

from course.grading import nbgrader_cli
from course.grading.test_outputs import FairTestOutputs
from hostile import lab

ROOT = Path(__file__).resolve().parent.parent


def _test_cell(outputs):
    cell = nbformat.v4.new_code_cell("assert True", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "points": 2, "grade_id": "t", "schema_version": 3}})
    cell.outputs = outputs
    return cell


def test_stderr_moves_to_stdout_and_a_number_is_no_partial_credit():
    from nbgrader.utils import determine_grade

    warn = nbformat.v4.new_output("stream", name="stderr", text="UserWarning: converting a tensor\n")
    number = nbformat.v4.new_output("execute_result", data={"text/plain": "0.25"}, execution_count=1)
    nb = nbformat.v4.new_notebook(cells=[_test_cell([warn, number])])
    assert determine_grade(nb.cells[0]) == (0, 2)  # what nbgrader alone would do
    nb, _ = FairTestOutputs().preprocess(nb, {})
    assert determine_grade(nb.cells[0]) == (2, 2)
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert "UserWarning: converting a tensor" in text and "cost no points" in text
    failed = nbformat.v4.new_notebook(cells=[_test_cell([warn, nbformat.v4.new_output(
        "error", ename="AssertionError", evalue="wrong", traceback=[])])])
    failed, _ = FairTestOutputs().preprocess(failed, {})
    assert determine_grade(failed.cells[0]) == (0, 2), "an error still scores 0"


def test_plain_nbgrader_autograde_uses_it_through_the_course_config(tmp_path):
    course = lab.make_course(tmp_path / "course", ROOT)
    folder = course / "submitted" / "wren" / lab.LECTURE
    folder.mkdir(parents=True)
    warned = ("import warnings\ndef double(x):\n    warnings.warn('float() of a tensor that requires grad')\n"
              "    return 2 * x")
    nbformat.write(lab.answered(course, double=warned), folder / f"{lab.LECTURE}.ipynb")
    env_backup = os.environ.pop("COURSE_GRADEBOOK", None)
    try:
        nbgrader_cli.run(["autograde", lab.LECTURE, "--student", "wren", "--force"], cwd=course)
    finally:
        if env_backup is not None:
            os.environ["COURSE_GRADEBOOK"] = env_backup
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "pytorch-course") as gb:
        grades = {g.name: g.auto_score for g in gb.find_submission_notebook(lab.LECTURE, lab.LECTURE, "wren").grades}
    assert grades["test_double"] == lab.POINTS["test_double"], grades
