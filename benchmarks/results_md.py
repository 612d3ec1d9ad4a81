"""docs/results.md is shared by every benchmark: each owns the part between
``<!-- BEGIN name -->`` and ``<!-- END name -->`` and rewrites only that."""
from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "docs" / "results.md"
HEAD = "# Results\n\nBenchmarks of the course, each section written by its script.\n"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"


def section(name: str, path: Path = RESULTS) -> str:
    """The text between the markers of ``name`` ("" when the section is not there yet)."""
    begin, end = markers(name)
    text = path.read_text() if path.exists() else ""
    if begin not in text or end not in text:
        return ""
    return text.split(begin, 1)[1].split(end, 1)[0]


def replace_section(name: str, body: str, path: Path = RESULTS) -> None:
    """Put ``body`` between the markers of ``name``, in place, or append the section."""
    begin, end = markers(name)
    block = f"{begin}\n{body.strip(chr(10))}\n{end}"
    old = path.read_text() if path.exists() else HEAD
    if begin in old and end in old:
        new = old[:old.index(begin)] + block + old[old.index(end) + len(end):]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new)
