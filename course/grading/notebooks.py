"""Reading nbgrader notebooks: grade cells, solutions, and turning a release copy into an answer."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat

_MARKER = re.compile(r"^\s*###\s*(BEGIN|END) SOLUTION\s*$")


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_text(source: str) -> str:
    """A source cell's text with the solution markers removed (what a perfect student writes)."""
    return "\n".join(line for line in source.splitlines() if not _MARKER.match(line))


def solutions_by_id(source_nb) -> dict[str, str]:
    return {nbgrader_meta(c)["grade_id"]: solution_text(c.source)
            for c in source_nb.cells if nbgrader_meta(c).get("solution")}


def answer(release_nb, replacements: dict[str, str]):
    """A copy of ``release_nb`` with the solution cells named in ``replacements`` filled in."""
    nb = nbformat.from_dict(release_nb)
    for cell in nb.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if nbgrader_meta(cell).get("solution") and grade_id in replacements:
            cell.source = replacements[grade_id]
    return nb


def read(path: Path):
    return nbformat.read(path, as_version=4)
