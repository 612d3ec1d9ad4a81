"""The mistake catalogue (issue 11): many students per lecture, graded by the real sandboxed grader.

``sample_class/catalogue/<lecture>.py`` holds one block per answer cell::

    # %% mse | mistake: forgets to divide by N | fails: test_mse, test_search_w | says: divide by
    def mse(w, xs, ys): ...

    # %% mse | alternative: numpy, vectorised | student: alt-numpy
    def mse(w, xs, ys): ...

Blocks with the same ``student:`` go into one submission; a block without it is a student of its
own (``m-<cell>-<k>`` for the k-th mistake of a cell, ``a-<cell>-<k>`` for its k-th alternative).
A student's other answer cells (written answers included) get the reference solution.

Expected, per student: every test named in any of its blocks' ``fails`` scores 0, every other
autograded test scores full marks, and for each mistake the error message of the FIRST test in
its ``fails`` contains its ``says`` phrase (case-insensitive).

    python -m course catalogue 01_linear_model [--only mse] [--file PATH] [--jobs 2] [--keep DIR]

:func:`run` copies the course into a temporary folder, generates the lecture there, writes every
student straight into ``submitted/`` (no exchange), grades them all at once with
:func:`course.grading.autograde.grade_class` and judges every entry (:class:`Entry`).
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import i18n
from . import notebooks, sample_class

# verdicts
OK = "ok"                          # mistake: caught with the right message; alternative: full marks
WRONG_MESSAGE = "wrong message"    # mistake caught (its tests score 0) but the first one does not say the phrase
NOT_CAUGHT = "not caught"          # mistake: a test of its `fails` kept (some of) its points
EXTRA_LOSS = "extra loss"          # a test outside the student's `fails` lost points
NOT_GRADED = "not graded"          # the grader could not grade the student at all
INVALID = "invalid"                # the block itself is wrong (unknown cell/test, missing fields, ...)

KINDS = ("mistake", "alternative")
MARKER = ".catalogue-course"
KNOWN_FIELDS = {"mistake", "alternative", "fails", "says", "says_zh", "student"}


@dataclass
class Entry:
    lecture: str
    cell: str
    kind: str                      # "mistake" or "alternative"
    description: str
    code: str
    line: int
    fails: list[str] = field(default_factory=list)
    says: str = ""
    says_zh: str = ""              # the same phrase in the Chinese release (docs/i18n.md)
    student: str = ""              # the submission it goes into
    problems: list[str] = field(default_factory=list)   # why the block is invalid (empty: valid)
    # filled in by judge()
    verdict: str = ""
    details: list[str] = field(default_factory=list)
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)   # test -> (score, max), the student's
    message: str = ""              # the error text of the first test of `fails`

    @property
    def ok(self) -> bool:
        return self.verdict == OK

    @property
    def label(self) -> str:
        return f"{self.lecture}:{self.line} {self.cell} {self.kind} {self.description!r} [{self.student}]"


@dataclass
class Exercise:
    """What the catalogue is checked against: the lecture's answer cells and autograded tests."""
    answers: list[str]                     # answer code cells, in notebook order
    written: list[str]                     # written (markdown) answers
    tests: list[str]                       # autograded test cells, in notebook order
    tests_of: dict[str, list[str]]         # answer cell -> the test cells after it (before the next answer)

    @property
    def graded_answers(self) -> list[str]:
        return [a for a in self.answers if self.tests_of.get(a)]


@dataclass
class LectureResult:
    lecture: str
    entries: list[Entry]
    students: dict[str, list[Entry]]
    failed: dict[str, str] = field(default_factory=dict)   # students the grader could not grade
    seconds: float = 0.0
    root: Path | None = None

    def count(self, kind: str) -> tuple[int, int]:
        mine = [e for e in self.entries if e.kind == kind]
        return sum(e.ok for e in mine), len(mine)

    @property
    def ok(self) -> bool:
        return bool(self.entries) and all(e.ok for e in self.entries) and not self.failed

    def as_dict(self) -> dict:
        (cm, nm), (ca, na) = self.count("mistake"), self.count("alternative")
        return {"lecture": self.lecture, "mistakes": [cm, nm], "alternatives": [ca, na],
                "students": len(self.students), "seconds": round(self.seconds, 1), "failed": self.failed,
                "entries": [{"line": e.line, "cell": e.cell, "kind": e.kind, "description": e.description,
                             "student": e.student, "fails": e.fails, "says": e.says, "verdict": e.verdict,
                             "ok": e.ok, "details": e.details, "message": e.message,
                             "scores": {t: list(v) for t, v in e.scores.items()}} for e in self.entries]}


# ----------------------------------------------------------------------------------------------
# the lecture's structure

def exercise(source_nb) -> Exercise:
    answers, written, tests, tests_of, current = [], [], [], {}, None
    for cell in source_nb.cells:
        meta = notebooks.nbgrader_meta(cell)
        gid = meta.get("grade_id")
        if not gid:
            continue
        if meta.get("solution") and cell.cell_type == "code":
            answers.append(gid)
            tests_of[gid] = []
            current = gid
        elif meta.get("solution"):
            written.append(gid)
        elif meta.get("grade") and cell.cell_type == "code":
            tests.append(gid)
            if current is not None:
                tests_of[current].append(gid)
    return Exercise(answers, written, tests, tests_of)


def catalogue_file(root: Path, lecture: str) -> Path:
    return root / "sample_class" / "catalogue" / f"{lecture}.py"


# ----------------------------------------------------------------------------------------------
# parsing

def _safe(name: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", name.strip().lower()).strip("-_") or "student"


def parse(path: Path, lecture: str, ex: Exercise | None = None) -> list[Entry]:
    """The catalogue's entries, each with its student; invalid blocks carry ``problems``."""
    entries: list[Entry] = []
    counters: dict[tuple[str, str], int] = {}
    named_flags: list[bool] = []
    for block in sample_class.parse_blocks(path.read_text()):
        f = block.fields
        kinds = [k for k in KINDS if k in f]
        problems = list(block.problems)
        unknown = sorted(set(f) - KNOWN_FIELDS)
        if unknown:
            problems.append(f"unknown field(s) {', '.join(unknown)} (known: {', '.join(sorted(KNOWN_FIELDS))})")
        if len(kinds) != 1:
            problems.append("a block is either '| mistake: ...' or '| alternative: ...'")
        kind = kinds[0] if kinds else "mistake"
        entry = Entry(lecture=lecture, cell=block.cell, kind=kind, description=f.get(kind, ""), code=block.code,
                      line=block.line, fails=sample_class.split_list(f.get("fails", "")),
                      says=f.get("says", ""), says_zh=f.get("says_zh", ""), problems=problems)
        if kind == "mistake":
            if not entry.fails:
                problems.append("a mistake names the tests that catch it: '| fails: test_a, test_b'")
            if not entry.says:
                problems.append("a mistake names the phrase its first failing test says: '| says: ...'")
        elif entry.fails or entry.says or entry.says_zh:
            problems.append("an alternative scores full marks: it has no 'fails' or 'says'")
        if not entry.code.strip():
            problems.append("the block has no code")
        if ex is not None:
            if block.cell not in ex.answers:
                problems.append(f"{block.cell!r} is not an answer code cell of {lecture} "
                                f"(answer cells: {', '.join(ex.answers)})")
            bad = [t for t in entry.fails if t not in ex.tests]
            if bad:
                problems.append(f"not autograded test cells of {lecture}: {', '.join(bad)} "
                                f"(tests: {', '.join(ex.tests)})")
        named_flags.append(bool(f.get("student")))
        if f.get("student"):
            entry.student = _safe(f["student"])
        else:
            key = (kind, block.cell)
            counters[key] = counters.get(key, 0) + 1
            entry.student = f"{kind[0]}-{_safe(block.cell)}-{counters[key]}"
        entries.append(entry)
    # one block per cell and student; a named student must not collide with a generated name
    named = {e.student for e, b in zip(entries, named_flags) if b}
    seen: dict[tuple[str, str], Entry] = {}
    for e, is_named in zip(entries, named_flags):
        other = seen.get((e.student, e.cell))
        if other is not None:
            e.problems.append(f"student {e.student!r} already has a block for {e.cell} (line {other.line})")
        elif not is_named and e.student in named:
            e.problems.append(f"the generated student name {e.student!r} is also given by '| student:'")
        seen[(e.student, e.cell)] = e
    return entries


def students_of(entries: list[Entry]) -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = {}
    for e in entries:
        out.setdefault(e.student, []).append(e)
    return out


def coverage_problems(entries: list[Entry], ex: Exercise, mistakes: int = 3, alternatives: int = 2) -> list[str]:
    """Each autograded exercise needs >= ``mistakes`` mistakes and >= ``alternatives`` alternatives."""
    out = []
    for cell in ex.graded_answers:
        m = sum(e.cell == cell and e.kind == "mistake" for e in entries)
        a = sum(e.cell == cell and e.kind == "alternative" for e in entries)
        if m < mistakes or a < alternatives:
            out.append(f"{cell}: {m} mistake(s), {a} alternative(s); wanted >= {mistakes} and >= {alternatives}")
    return out


def _normal(code: str) -> str:
    lines = [line.split("#", 1)[0].rstrip() if not line.lstrip().startswith(("'", '"')) else line.rstrip()
             for line in code.splitlines()]
    return "\n".join(line for line in lines if line.strip())


def duplicate_problems(entries: list[Entry], solutions: dict[str, str], carol: list | None = None) -> list[str]:
    """Blocks that cannot show anything new: a mistake that is the reference solution or one of
    carol's mistakes (sample_class/mistakes), or two blocks of one cell with the same code."""
    out, seen = [], {}
    ref = {cell: _normal(code) for cell, code in solutions.items()}
    carols = {(m.cell, _normal(m.code)) for m in carol or []}
    for e in entries:
        code = _normal(e.code)
        if e.kind == "mistake" and ref.get(e.cell) == code:
            out.append(f"line {e.line}: the mistake {e.description!r} is the reference solution of {e.cell}")
        if e.kind == "mistake" and (e.cell, code) in carols:
            out.append(f"line {e.line}: the mistake {e.description!r} is carol's (sample_class/mistakes): write a new one")
        other = seen.get((e.cell, code))
        if other is not None:
            out.append(f"line {e.line}: same code for {e.cell} as line {other.line}")
        seen.setdefault((e.cell, code), e)
    return out


# ----------------------------------------------------------------------------------------------
# writing, grading and judging

def copy_course(src: Path, dest: Path) -> Path:
    """A fresh instructor's copy (sources, releases, sample class, config), like tests/conftest.py."""
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for name in ("source", "release", "sample_class"):
        shutil.copytree(src / name, dest / name, ignore=ignore, dirs_exist_ok=True)
    shutil.copy(src / "nbgrader_config.py", dest)
    return dest


def write_students(root: Path, lecture: str, students: dict[str, list[Entry]]) -> None:
    """Each student's notebook straight into ``root/submitted/<student>/<lecture>/`` (no exchange)."""
    release = notebooks.read(root / "release" / lecture / f"{lecture}.ipynb")
    solutions = notebooks.solutions_by_id(notebooks.read(root / "source" / lecture / f"{lecture}.ipynb"))
    for student, entries in students.items():
        folder = root / "submitted" / student / lecture
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        answers = {**solutions, **{e.cell: e.code for e in entries}}
        notebooks.nbformat.write(notebooks.answer(release, answers), folder / f"{lecture}.ipynb")
        (folder / "timestamp.txt").write_text("2026-01-01 12:00:00.000000 UTC")


def error_text(cell) -> str:
    return "\n".join(f"{o.get('ename', '')}: {o.get('evalue', '')}" for o in cell.get("outputs", [])
                     if o.get("output_type") == "error")


def read_grades(root: Path, lecture: str, student: str) -> dict[str, tuple[float, float]]:
    from nbgrader.api import Gradebook

    from .autograde import nbgrader_settings

    settings = nbgrader_settings(root)
    with Gradebook(settings["db_url"], settings["course_id"]) as gb:
        sub = gb.find_submission_notebook(lecture, lecture, student)
        return {g.name: (float(g.score or 0), float(g.max_score or 0)) for g in sub.grades}


def stream_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def read_messages(root: Path, lecture: str, student: str) -> dict[str, str]:
    """Each graded cell's error message (``ename: evalue``), what ``says`` is matched against."""
    path = root / "autograded" / student / lecture / f"{lecture}.ipynb"
    nb = notebooks.read(path)
    return {notebooks.nbgrader_meta(c)["grade_id"]: error_text(c) for c in nb.cells
            if c.cell_type == "code" and notebooks.nbgrader_meta(c).get("grade_id")}


def read_printed(root: Path, lecture: str, student: str) -> dict[str, str]:
    """What each graded cell printed (shown in the report when a cell failed without an error)."""
    nb = notebooks.read(root / "autograded" / student / lecture / f"{lecture}.ipynb")
    return {notebooks.nbgrader_meta(c)["grade_id"]: stream_text(c) for c in nb.cells
            if c.cell_type == "code" and notebooks.nbgrader_meta(c).get("grade_id")}


def judge(entries: list[Entry], ex: Exercise, grades: dict[str, tuple[float, float]],
          messages: dict[str, str], printed: dict[str, str] | None = None) -> None:
    """Sets ``verdict`` and ``details`` of one student's entries from its grades and messages."""
    printed = printed or {}

    def said(test: str) -> str:
        if messages.get(test, "").strip():
            return repr(_short(messages[test]))
        out = printed.get(test, "").strip()
        return "no error" + (f" (it printed: {_short(out, 300)!r})" if out else "")

    expected = {t for e in entries for t in e.fails}
    scores = {t: grades.get(t, (0.0, 0.0)) for t in ex.tests}
    extra = [t for t in ex.tests if t not in expected and scores[t][0] < scores[t][1]]
    extra_text = [f"{t} lost points ({scores[t][0]:g}/{scores[t][1]:g}) though no block of student "
                  f"{entries[0].student!r} targets it; it said: {said(t)}" for t in extra]
    for e in entries:
        if e.problems:
            continue
        e.scores = scores
        e.details = []
        if e.kind == "mistake":
            kept = [t for t in e.fails if scores[t][0] > 0]
            phrase = e.says_zh if i18n.release_language() == "zh" else e.says
            e.message = messages.get(e.fails[0], "")
            if kept:
                e.verdict = NOT_CAUGHT
                e.details += [f"{t} kept {scores[t][0]:g}/{scores[t][1]:g} points" for t in kept]
            elif not phrase:
                e.verdict = WRONG_MESSAGE
                e.details.append(f"no '| says_zh: ...' for the Chinese release: what should {e.fails[0]} say?")
            elif phrase.lower() not in e.message.lower():
                e.verdict = WRONG_MESSAGE
                e.details.append(f"{e.fails[0]} should say {phrase!r}; it said: {said(e.fails[0])}")
            else:
                e.verdict = OK
        else:
            e.verdict = OK
        if extra:
            e.details += extra_text
            if e.verdict == OK:
                e.verdict = EXTRA_LOSS


def _short(text: str, n: int = 600) -> str:
    text = text.strip()
    return text if len(text) <= n else text[: n - 3] + "..."


def run(src: Path, lecture: str, *, path: Path | None = None, only: str = "", jobs: int = 2,
        keep: Path | None = None, log=print) -> LectureResult:
    """Grade ``lecture``'s catalogue (or the file ``path``) in a temporary copy of the course ``src``."""
    from . import autograde, nbgrader_cli

    t0 = time.monotonic()
    src = src.resolve()
    path = (path or catalogue_file(src, lecture)).resolve()
    source = src / "source" / lecture / f"{lecture}.ipynb"
    if not source.exists():
        raise ValueError(f"no lecture {lecture!r}: {source} does not exist")
    ex = exercise(notebooks.read(source))
    entries = parse(path, lecture, ex)
    if only:
        needle = only.lower()
        entries = [e for e in entries if needle in f"{e.cell} {e.kind} {e.description} {e.student}".lower()]
    for e in entries:
        if e.problems:
            e.verdict = INVALID
            e.details = list(e.problems)
    students = students_of(entries)
    # a student with an invalid block is not graded (its other blocks would be judged against the wrong set)
    gradable = {s: es for s, es in students.items() if not any(e.problems for e in es)}
    for s, es in students.items():
        if s not in gradable:
            for e in es:
                if not e.problems:
                    e.verdict = NOT_GRADED
                    e.details = [f"student {s!r} has an invalid block: fix it first"]
    result = LectureResult(lecture, entries, students)
    if not gradable:
        result.seconds = time.monotonic() - t0
        return result
    if keep is not None:
        work = keep.resolve()
        if work.exists() and any(work.iterdir()):
            if not (work / MARKER).exists() or work == src or src.is_relative_to(work):
                raise ValueError(f"--keep {work}: not empty and not a course kept by an earlier catalogue run; "
                                 "give a new or empty folder")
            shutil.rmtree(work)
        work.mkdir(parents=True, exist_ok=True)
        (work / MARKER).write_text("a course copy made by `python -m course catalogue`; replaced by the next run\n")
        cleanup = False
    else:
        work = Path(tempfile.mkdtemp(prefix=f"catalogue-{lecture}-"))
        cleanup = True
    saved = {k: os.environ.get(k) for k in ("COURSE_GRADEBOOK", "COURSE_EXCHANGE")}
    os.environ.pop("COURSE_GRADEBOOK", None)
    os.environ.pop("COURSE_EXCHANGE", None)
    try:
        root = copy_course(src, work)
        result.root = root
        log(f"[catalogue] {lecture}: {len(entries)} entries in {len(gradable)} students from {path}")
        nbgrader_cli.run(["generate_assignment", lecture, "--force"], cwd=root)
        write_students(root, lecture, gradable)
        graded = autograde.grade_class(root, lecture, jobs=jobs, progress=False, log=log,
                                       students=sorted(gradable))
        result.failed = dict(graded.failed)
        for student, es in gradable.items():
            if student in graded.failed or student not in graded.graded:
                for e in es:
                    e.verdict = NOT_GRADED
                    e.details = [f"the grader could not grade {student!r}: "
                                 f"{graded.failed.get(student, 'no autograded notebook')}"]
                continue
            judge(es, ex, read_grades(root, lecture, student), read_messages(root, lecture, student),
                  read_printed(root, lecture, student))
    finally:
        for k, v in saved.items():
            if v is not None:
                os.environ[k] = v
        if cleanup:
            shutil.rmtree(work, ignore_errors=True)
            result.root = None
    result.seconds = time.monotonic() - t0
    return result


# ----------------------------------------------------------------------------------------------
# the report

def report(result: LectureResult) -> str:
    caught, mistakes = result.count("mistake")
    accepted, alternatives = result.count("alternative")
    lines = [f"{result.lecture}: mistakes caught with the right message {caught}/{mistakes}, "
             f"alternatives accepted {accepted}/{alternatives}, {len(result.students)} students, "
             f"{result.seconds:.0f} s"]
    for e in result.entries:
        mark = "ok  " if e.ok else "FAIL"
        if e.ok:
            verdict = "caught" if e.kind == "mistake" else "accepted"
        elif e.kind == "alternative" and e.verdict == EXTRA_LOSS:
            verdict = "NOT accepted"
        else:
            verdict = e.verdict
        lines.append(f"  {mark} {e.cell:<18} {e.kind:<11} [{e.student}] {e.description}  -> {verdict}")
        if not e.ok:
            if e.kind == "mistake" and e.fails:
                lines.append(f"         expected: {', '.join(e.fails)} score 0; {e.fails[0]} says {e.says!r}")
            for d in e.details:
                lines.append(f"         {d}")
            if e.scores:
                lines.append("         scores: " + ", ".join(f"{t} {s:g}/{m:g}" for t, (s, m) in e.scores.items()))
    for student, why in sorted(result.failed.items()):
        lines.append(f"  NOT GRADED {student}: {why}")
    if result.root is not None:
        lines.append(f"  (graded course kept in {result.root})")
    return "\n".join(lines)


def listing(src: Path, lecture: str, path: Path | None = None) -> tuple[str, bool]:
    """Without grading: the students the catalogue makes, its invalid blocks and its coverage."""
    src = src.resolve()
    path = path or catalogue_file(src, lecture)
    ex = exercise(notebooks.read(src / "source" / lecture / f"{lecture}.ipynb"))
    entries = parse(path, lecture, ex)
    lines = [f"{lecture}: {len(entries)} entries, {len(students_of(entries))} students ({path})"]
    for student, es in students_of(entries).items():
        lines.append(f"  {student}: " + "; ".join(f"{e.cell} {e.kind} {e.description!r}" for e in es))
    invalid = [e for e in entries if e.problems]
    for e in invalid:
        lines.append(f"  INVALID line {e.line} ({e.cell} {e.kind}): " + "; ".join(e.problems))
    short = coverage_problems(entries, ex)
    lines += [f"  COVERAGE {p}" for p in short]
    mistakes = sample_class.mistakes_file(src, lecture)
    dups = duplicate_problems(entries, notebooks.solutions_by_id(notebooks.read(src / "source" / lecture / f"{lecture}.ipynb")),
                              sample_class.parse_mistakes(mistakes) if mistakes.exists() else [])
    lines += [f"  DUPLICATE {p}" for p in dups]
    return "\n".join(lines), not invalid and not short and not dups


def failures(result: LectureResult) -> list[str]:
    """One clear line per entry that did not end as expected (for tests)."""
    out = []
    for e in result.entries:
        if not e.ok:
            out.append(f"{e.label}: {e.verdict}: " + "; ".join(e.details))
    return out
