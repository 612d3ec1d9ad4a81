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

:func:`parse_blocks` reads the same ``# %%`` format with any fields; the mistake catalogue
(``sample_class/catalogue/``, many students per lecture) builds on it: see :mod:`catalogue`.
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


@dataclass
class Block:
    """One ``# %% <cell> | key: value | ...`` block of a mistakes or catalogue file."""
    cell: str
    fields: dict[str, str]
    code: str
    line: int                      # 1-based line of the header
    problems: list[str] = field(default_factory=list)   # header parts that are not ``key: value``


def parse_blocks(text: str) -> list[Block]:
    """Every ``# %%`` block of ``text``; the lines before the first header are a preamble (ignored)."""
    blocks: list[Block] = []
    for number, line in enumerate(text.splitlines(), 1):
        head = _HEADER.match(line)
        if head:
            fields, problems = {}, []
            for part in head["rest"].split("|")[1:]:
                key, colon, value = part.strip().partition(":")
                if not colon or not key.strip():
                    problems.append(f"{part.strip()!r} is not 'key: value'")
                    continue
                fields[key.strip().lower()] = value.strip()
            blocks.append(Block(head["cell"], fields, "", number, problems))
        elif line.startswith("# %%"):  # a header without a grade_id: an invalid block of its own
            blocks.append(Block("", {}, "", number, [f"a '# %%' header starts with an answer cell's grade_id: {line!r}"]))
        elif blocks:
            blocks[-1].code += line + "\n"
    for b in blocks:
        b.code = b.code.strip("\n")
    return blocks


def split_list(value: str) -> list[str]:
    return [f.strip() for f in value.split(",") if f.strip()]


def parse_mistakes(path: Path) -> list[Mistake]:
    return [Mistake(cell=b.cell, code=b.code, fails=split_list(b.fields.get("fails", "")),
                    says=b.fields.get("says", "").strip())
            for b in parse_blocks(path.read_text())]


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
