"""A tiny nbgrader lecture of our own (``hostile_lab``), quick to run, for the grader's tests.

Three exercises, 7 points: ``double`` (test_double, 2 points, ``==`` and ``np.isclose``),
``mean`` (test_mean, 3 points, ``numpy.testing``), ``scale`` (test_scale, 2 points,
``torch.allclose``).  Each test has hidden tests.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from tools import nbbuild

LECTURE = "hostile_lab"
POINTS = {"test_double": 2, "test_mean": 3, "test_scale": 2}
TOTAL = sum(POINTS.values())


SOLUTIONS = {
    "double": "def double(x):\n    return 2 * x",
    "mean": "def mean(xs):\n    return sum(xs) / len(xs)",
    "scale": "def scale(t):\n    return t * 3",
}


def _answer(name: str):
    """``name``'s answer cell: its ``def`` line, then SOLUTIONS' body between the solution markers."""
    head, body = SOLUTIONS[name].split("\n", 1)
    return nbbuild.solution(name, f"{head}\n    ### BEGIN SOLUTION\n{body}\n    ### END SOLUTION")


def source_notebook():
    md = nbbuild.md
    cells = [
        md("# A small lab for the grader's tests"),
        nbformat.v4.new_code_cell("import math\nimport numpy as np\nimport torch",
                                  metadata=nbbuild.nbgrader_metadata("setup", locked=True)),
        md("Write `double(x)`."),
        _answer("double"),
        nbbuild.tests("test_double", POINTS["test_double"],
                      'assert double(3) == 6, "double(3) should be 6"\n### BEGIN HIDDEN TESTS\n'
                      'assert np.isclose(double(0.5), 1.0), "double(0.5) should be 1.0"\n### END HIDDEN TESTS'),
        md("Write `mean(xs)`."),
        _answer("mean"),
        nbbuild.tests("test_mean", POINTS["test_mean"],
                      'np.testing.assert_allclose(mean([1, 2, 3]), 2.0, err_msg="mean([1, 2, 3]) should be 2.0")\n'
                      '### BEGIN HIDDEN TESTS\nassert math.isclose(mean([2.0, 4.0]), 3.0), "hidden: the mean of two numbers"\n'
                      '### END HIDDEN TESTS'),
        md("Write `scale(t)` (a tensor times 3)."),
        _answer("scale"),
        nbbuild.tests("test_scale", POINTS["test_scale"],
                      'assert torch.allclose(scale(torch.ones(2)), torch.full((2,), 3.0)), "scale should triple"\n'
                      '### BEGIN HIDDEN TESTS\nassert torch.allclose(scale(torch.arange(3.0)), torch.tensor([0.0, 3.0, 6.0])), '
                      '"hidden: scale of a range"\n### END HIDDEN TESTS'),
        md("The end."),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    return nb


def make_course(dest: Path, repo_root: Path) -> Path:
    """A course folder with hostile_lab generated (gradebook written), ready for submissions."""
    from course.grading import nbgrader_cli

    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(repo_root / "nbgrader_config.py", dest)
    (dest / "source" / LECTURE).mkdir(parents=True)
    nbformat.write(source_notebook(), dest / "source" / LECTURE / f"{LECTURE}.ipynb")
    nbgrader_cli.run(["generate_assignment", LECTURE, "--force"], cwd=dest)
    return dest


def release(course: Path):
    return nbformat.read(course / "release" / LECTURE / f"{LECTURE}.ipynb", as_version=4)


def answered(course: Path, answers: dict[str, str] | None = None, **overrides):
    """The release notebook with the solutions (or ``answers``) and ``overrides`` (grade_id=code) filled in."""
    nb = release(course)
    fill = dict(SOLUTIONS if answers is None else answers)
    fill.update(overrides)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in fill:
            cell.source = fill[gid]
    return nb
