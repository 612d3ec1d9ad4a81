"""The integrity report: the lines of each submission that use introspection or reach library internals.

Whatever the score, an instructor gets one file per graded lecture (``autograded/integrity-<lecture>.md``
and the same as JSON) listing, for each student, every line of the cells they wrote that

* breaks the static policy (:mod:`policy`: the cell was not run), and
* the softer signals the policy allows (or that a policy switched off lets through): an underscore
  attribute of a module, a special attribute (``__dict__``, ``__class__``, ``__subclasses__``,
  ``__globals__``; not ``__init__``/``__name__``/``__doc__``), ``dir()``/``help()``, the process
  environment (``os.environ``, ``os.getenv``), the process (``os.getpid``), a path outside the
  working folder (``/etc/...``, ``~``, ``..``), a Python file named in a string (``"x.py"``), the
  libraries' doors the tests rely on (``torch.overrides``, ``torch.backends``, ``numpy.lib``,
  ``numpy.testing``, ``course.checks``).

Each finding names the file, the cell (grade id or cell id), the line number in the cell and the
line, so a human reads the few suspicious notebooks instead of all of them.  The scan reuses the
policy's own analysis (IPython's transformer, :class:`policy._Flow` for what names stand for) and
runs on the canonical notebooks the workers wrote (``.grading/<lecture>/submitted/``), never on
anything the student's kernel produced.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import policy

# attribute chains the policy allows but that an honest answer rarely needs
SOFT_ORIGINS = {
    "os.environ": "the process environment", "os.getenv": "the process environment",
    "os.putenv": "the process environment", "os.getpid": "the process", "os.getppid": "the process",
    "os.getuid": "the process", "os.getlogin": "the process", "os.uname": "the machine",
    "pathlib.Path.home": "the home folder", "os.path.expanduser": "the home folder",
    "torch.overrides": "torch's dispatch machinery", "torch.backends": "torch's backends",
    "torch.library": "torch's operator registry", "torch.utils.hooks": "torch's hooks",
    "numpy.lib": "numpy's internals", "numpy.testing": "numpy's testing helpers (what the tests use)",
    "course.checks": "the course's checking helpers (what the tests use)",
}
SOFT_CALLS = {"dir": "introspection: dir()", "help": "introspection: help()"}
QUIET_DUNDERS = frozenset({"__init__", "__name__", "__doc__"})  # super().__init__(), type(x).__name__
_OUTSIDE = re.compile(r"^(/(?!$)|~|\.\.(/|$))|/\.\./")
_PY_FILE = re.compile(r"\.(py|pyc|pth|so|pyd)$")


@dataclass(frozen=True)
class Finding:
    cell: str      # the cell's grade id, else its cell id, else "cell N"
    index: int     # the cell's index in the notebook
    line: int      # 1-based line in the cell
    why: str       # "policy: <rule>" or a softer signal
    text: str      # the line, stripped, at most 120 characters


@dataclass
class StudentReport:
    student: str
    file: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return len({(f.index, f.line) for f in self.findings})


class _Soft(ast.NodeVisitor):
    """The softer signals of one cell (what the policy allows)."""

    def __init__(self, flow: policy._Flow) -> None:
        self.flow = flow
        self.found: list[tuple[int, str]] = []

    def add(self, node, why: str) -> None:
        self.found.append((getattr(node, "lineno", 1) or 1, why))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        for origin in self.flow.resolve(node):
            parts = origin.split(".")
            if any(p.startswith("_") and not policy._is_dunder(p) for p in parts[1:]):
                self.add(node, f"an underscore attribute of a module: {origin}")
                break
            if origin in SOFT_ORIGINS:
                self.add(node, f"{SOFT_ORIGINS[origin]}: {origin}")
                break
        if policy._is_dunder(node.attr) and node.attr not in QUIET_DUNDERS:
            self.add(node, f"special attribute: {node.attr}")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in SOFT_CALLS and node.func.id in self.flow.builtins:
            self.add(node, SOFT_CALLS[node.func.id])
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and len(node.value) < 400:
            text = node.value.strip()
            if _OUTSIDE.search(text) and "\n" not in text and " " not in text:
                self.add(node, f"a path outside the working folder: {text[:60]!r}")
            elif _PY_FILE.search(text) and "\n" not in text:
                self.add(node, f"names a Python file: {text[:60]!r}")


def scan_source(source: str, protected=frozenset(), allowed=None, context=()) -> list[tuple[int, str, str]]:
    """(line, why, text) of every finding in one cell's code: the policy's violations, then the
    softer signals, one entry per line and reason (``context``: the student's earlier cells)."""
    out: list[tuple[int, str, str]] = []
    for v in policy.check_source(source, protected=protected, allowed=allowed, context=list(context)):
        out.append((v.line, f"policy: {v.rule}", v.text))
    python, lines = policy._to_python(source)
    try:
        tree = ast.parse(python)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return out
    if len(python.splitlines()) != len(lines):
        lines = python.splitlines()
    checker = policy._Checker(lines, protected, frozenset())
    try:
        soft = _Soft(policy._Flow(tree, checker.origins))
        soft.visit(tree)
    except RecursionError:
        return out
    flagged = {line for line, _, _ in out}
    seen = set()
    for line, why in sorted(soft.found):
        if (line, why) in seen:
            continue
        seen.add((line, why))
        if line in flagged and why.startswith("special attribute"):
            continue  # the policy already says it
        text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        out.append((line, why, text[:117] + "..." if len(text) > 120 else text))
    return sorted(out, key=lambda f: (f[0], f[1]))


def student_cells(nb: dict, release: dict):
    """(index, cell label, source) of every code cell the student wrote or added: the cells the
    grader checks against the policy (worker._policy), the instructor's unchanged cells left out."""
    theirs = {"".join(c.get("source", "")).strip() for c in release.get("cells", [])
              if c.get("cell_type") == "code" and not c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    for index, cell in enumerate(nb.get("cells", [])):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or meta.get("locked"):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        if not meta.get("solution") and source.strip() in theirs:
            continue
        yield index, str(meta.get("grade_id") or cell.get("id") or f"cell {index}"), source


def scan_notebook(nb: dict, template: dict, allowed=None) -> list[Finding]:
    cells = nb.get("cells", [])
    locked = ["".join(c.get("source", "")) if isinstance(c.get("source"), list) else c.get("source", "")
              for c in cells if c.get("cell_type") == "code"
              and c.get("metadata", {}).get("nbgrader", {}).get("locked")
              and not c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    protected = policy.protected_names(locked)
    found, earlier = [], []
    cells = list(student_cells(nb, template.get("release", {})))
    # what a name stands for carries over to the next cells (a notebook of hundreds of cells: each alone)
    follow = len(cells) <= 200 and sum(len(c[2]) for c in cells) <= 200_000
    for index, label, source in cells:
        for line, why, text in scan_source(source, protected, allowed, context=earlier if follow else ()):
            found.append(Finding(label, index, line, why, text))
        earlier.append(source)
    return found


def scan_class(root: Path, lecture: str, students: list[str]) -> list[StudentReport]:
    """The report of each graded student of ``lecture`` (from the canonical notebooks in staging)."""
    staging = Path(root) / ".grading" / lecture
    template = json.loads((staging / "template.json").read_text())
    allowed = policy.allowed_imports(Path(root))
    reports = []
    for student in sorted(students):
        path = staging / "submitted" / student / lecture / f"{lecture}.ipynb"
        report = StudentReport(student, f"submitted/{student}/{lecture}/{lecture}.ipynb")
        try:
            nb = json.loads(path.read_text(encoding="utf-8", errors="replace"))
        except (OSError, ValueError, RecursionError):
            nb = {"cells": []}
        report.findings = scan_notebook(nb, template, allowed)
        reports.append(report)
    return reports


def summary(reports: list[StudentReport]) -> str:
    """``integrity: 3 of 40 submissions use introspection: ada (2 lines), ...``."""
    flagged = sorted((r for r in reports if r.findings), key=lambda r: (-r.lines, r.student))
    names = ", ".join(f"{r.student} ({r.lines} line{'s' if r.lines != 1 else ''})" for r in flagged[:20])
    more = f", and {len(flagged) - 20} more" if len(flagged) > 20 else ""
    return (f"integrity: {len(flagged)} of {len(reports)} submissions use introspection"
            + (f": {names}{more}" if flagged else ""))


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def write(reports: list[StudentReport], lecture: str, path: Path) -> Path:
    """``path`` (markdown, for a human) and ``path`` with ``.json`` (the same, structured)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    out = [f"# Integrity report: {lecture}", "",
           "Lines of the students' own cells that use introspection or reach library internals, whatever",
           "the score (docs/grading.md, \"The integrity report\"). `policy:` lines broke the grading rules",
           "(the cell was not run); the others are allowed but rarely needed by an honest answer.", "",
           summary(reports), ""]
    for r in sorted(reports, key=lambda r: (-r.lines, r.student)):
        if not r.findings:
            continue
        out += [f"## {r.student} ({r.lines} line{'s' if r.lines != 1 else ''})", "", f"File: `{r.file}`", "",
                "| cell | line | why | code |", "|---|---|---|---|"]
        for f in r.findings:
            out.append(f"| {_md_cell(f.cell)} (#{f.index}) | {f.line} | {_md_cell(f.why)} | `{_md_cell(f.text)}` |")
        out.append("")
    clean = [r.student for r in reports if not r.findings]
    out += [f"Nothing found in {len(clean)} submission(s)." if clean else "", ""]
    path.write_text("\n".join(out))
    path.with_suffix(".json").write_text(json.dumps(
        {"lecture": lecture, "summary": summary(reports),
         "students": {r.student: {"file": r.file, "lines": r.lines, "findings": [asdict(f) for f in r.findings]}
                      for r in reports}}, indent=1))
    return path


def default_path(root: Path, lecture: str) -> Path:
    return Path(root) / "autograded" / f"integrity-{lecture}.md"
