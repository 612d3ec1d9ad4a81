"""Build nbgrader source notebooks from Python: one function per kind of cell.

Authors may also edit ``source/*/*.ipynb`` in JupyterLab with nbgrader's
create-assignment toolbar; this module only saves typing the metadata by hand.

    from tools.nbbuild import md, code, setup, solution, tests, written, save
    save("source/01_linear_model/01_linear_model.ipynb", [
        md("# 01 Linear model"),
        setup("01_linear_model", "import numpy as np"),
        solution("forward", "def forward(x, w):\\n    ### BEGIN SOLUTION\\n    return x * w\\n    ### END SOLUTION"),
        tests("test_forward", 2, "assert forward(2.0, 3.0) == 6.0, 'multiply x by w'"),
        written("why_mse", 2, "Why square the error?", "Because ..."),
    ])

Cell ids are derived from the grade ids (or a counter), so regenerating a
notebook gives the same file.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat

def nbgrader_metadata(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def _src(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def md(text: str):
    """Plain explanation (markdown)."""
    return nbformat.v4.new_markdown_cell(_src(text))  # id given by position in save()


def code(text: str):
    """A worked example that runs as it is (students may edit it)."""
    return nbformat.v4.new_code_cell(_src(text))  # id given by position in save()


def setup(lecture: str, extra: str = ""):
    """The locked first code cell: imports and ``course.start``."""
    body = f"import course\nDEVICE = course.start({lecture!r})"
    if extra:
        body = _src(extra) + "\n" + body
    cell = nbformat.v4.new_code_cell(body, metadata=nbgrader_metadata("setup", locked=True))
    cell.id = "setup"
    return cell


def solution(grade_id: str, text: str):
    """An answer cell; the part between ### BEGIN/END SOLUTION is cleared for students."""
    cell = nbformat.v4.new_code_cell(_src(text), metadata=nbgrader_metadata(grade_id, solution=True))
    cell.id = grade_id.replace("_", "-")
    return cell


def tests(grade_id: str, points: float, text: str):
    """A locked autograded test cell (visible asserts, then ### BEGIN/END HIDDEN TESTS)."""
    cell = nbformat.v4.new_code_cell(_src(text), metadata=nbgrader_metadata(grade_id, grade=True, locked=True,
                                                                 points=points))
    cell.id = grade_id.replace("_", "-")
    return cell


def written(grade_id: str, points: float, answer: str):
    """A manually graded markdown answer; put the question in an ``md`` cell before it."""
    body = "### BEGIN SOLUTION\n" + _src(answer) + "\n### END SOLUTION"
    cell = nbformat.v4.new_markdown_cell(body, metadata=nbgrader_metadata(grade_id, grade=True, solution=True,
                                                               points=points))
    cell.id = grade_id.replace("_", "-")
    return cell


def save(path: str | Path, cells) -> Path:
    cells = list(cells)
    for i, cell in enumerate(cells):  # plain cells: ids by position, so a rebuild is identical
        if "nbgrader" not in cell.metadata:
            cell.id = f"cell-{i:03d}"
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    })
    nbformat.validate(nb)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
