"""The bundled sample class: three students who fetch and submit through the real exchange.

* ``ada``   submits the full solutions (she should score every autograded point);
* ``ben``   submits the release notebook untouched (he should score zero on every test);
* ``carol`` submits the typical beginner mistakes of ``sample_class/mistakes/<lecture>.py``.

A mistakes file is Python with one block per mistaken answer cell::

    # %% mse | fails: test_mse, test_search_w | says: divide by the number of samples
    def mse(w, xs, ys):
        ...

``fails`` names the test cells that must lose their points; ``says`` is a phrase the first
of them must print.  Answer cells without a block get the correct solution.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

STUDENTS = ("ada", "ben", "carol")
_HEADER = re.compile(r"^# %% (?P<cell>[\w-]+)\s*(?P<rest>(\|.*)?)$")


@dataclass
class Mistake:
    cell: str
    code: str
    fails: list[str] = field(default_factory=list)
    says: str = ""


def parse_mistakes(path: Path) -> list[Mistake]:
    mistakes: list[Mistake] = []
    for line in path.read_text().splitlines():
        head = _HEADER.match(line)
        if head:
            fields = dict(part.strip().split(":", 1) for part in head["rest"].split("|")[1:])
            mistakes.append(Mistake(
                cell=head["cell"],
                code="",
                fails=[f.strip() for f in fields.get("fails", "").split(",") if f.strip()],
                says=fields.get("says", "").strip(),
            ))
        elif mistakes:
            mistakes[-1].code += line + "\n"
    for m in mistakes:
        m.code = m.code.strip("\n")
    return mistakes


def mistakes_file(root: Path, lecture: str) -> Path:
    return root / "sample_class" / "mistakes" / f"{lecture}.py"


def answers_for(student: str, root: Path, lecture: str, solutions: dict[str, str]) -> dict[str, str]:
    """The answer cells (grade_id -> code) that ``student`` writes for ``lecture``."""
    if student == "ben":
        return {}
    if student == "ada":
        return dict(solutions)
    path = mistakes_file(root, lecture)
    wrong = {m.cell: m.code for m in parse_mistakes(path)} if path.exists() else {}
    return {**solutions, **wrong}
