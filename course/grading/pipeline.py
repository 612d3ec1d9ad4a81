"""The instructor's whole pipeline on the sample class, as ``make demo`` runs it.

generate → release → (each sample student) fetch, answer, submit → collect →
autograde → generate feedback → export grades (CSV) → a table of students × lectures.
Every step is the real nbgrader command line on the course folder ``root``.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from .. import i18n
from ..lectures import LECTURES
from . import nbgrader_cli, notebooks, sample_class


@dataclass
class Result:
    student: str
    lecture: str
    score: float
    max_score: float
    needs_manual: bool
    feedback: Path | None


def say(message: str) -> None:
    print(f"[course] {message}", flush=True)


def available_lectures(root: Path, wanted: list[str] | None = None) -> list[str]:
    """The lectures whose source notebook exists; says which ones are skipped."""
    names = wanted or list(LECTURES)
    unknown = [n for n in names if n not in LECTURES]
    if unknown:
        raise SystemExit(f"unknown lecture(s): {', '.join(unknown)}; choose from {', '.join(LECTURES)}")
    present = []
    for name in names:
        if (root / "source" / name / f"{name}.ipynb").exists():
            present.append(name)
        else:
            say(f"skipped {name}: source/{name}/{name}.ipynb is not written yet")
    return present


def course_id() -> str:
    return os.environ.get("COURSE_ID", "pytorch-course")  # the same default as nbgrader_config.py


def exchange_root(root: Path) -> Path:
    return Path(os.environ.get("COURSE_EXCHANGE", root / "exchange"))


def generate_and_release(root: Path, lecture: str) -> None:
    extra = None
    if i18n.release_language() == "zh" and lecture not in i18n.TRANSLATED:
        # a class in Chinese gets the lectures translated so far in Chinese, the others in English (said here)
        print(f"[demo] {lecture} is not translated yet (course.i18n.TRANSLATED): released in English", flush=True)
        extra = {"COURSE_LANG": "en"}
    nbgrader_cli.run(["generate_assignment", lecture, "--force"], cwd=root, extra_env=extra)
    exchange_root(root).mkdir(parents=True, exist_ok=True)
    nbgrader_cli.run(["release_assignment", lecture, "--force"], cwd=root)


def students_submit(root: Path, lecture: str, cid: str) -> None:
    """Each sample student fetches the lecture from the exchange, answers and submits."""
    solutions = notebooks.solutions_by_id(notebooks.read(root / "source" / lecture / f"{lecture}.ipynb"))
    exchange = ["--course", cid, f"--Exchange.root={exchange_root(root)}"]
    for student in sample_class.STUDENTS:
        home = root / ".class" / student
        shutil.rmtree(home / lecture, ignore_errors=True)
        home.mkdir(parents=True, exist_ok=True)
        nbgrader_cli.run(["fetch_assignment", lecture, *exchange], cwd=home, user=student)
        path = home / lecture / f"{lecture}.ipynb"
        answers = sample_class.answers_for(student, root, lecture, solutions)
        notebooks.nbformat.write(notebooks.answer(notebooks.read(path), answers), path)
        nbgrader_cli.run(["submit", lecture, *exchange], cwd=home, user=student)


def collect_and_grade(root: Path, lecture: str, jobs: int | None = None) -> None:
    """Collect, then grade with the sandboxed parallel grader (course.grading.autograde), then feedback."""
    from . import autograde

    nbgrader_cli.run(["collect", lecture, "--update"], cwd=root)
    jobs = jobs or int(os.environ.get("COURSE_GRADING_JOBS", "0")) or min(2, os.cpu_count() or 1)
    result = autograde.grade_class(root, lecture, jobs=jobs, progress=False, log=say)
    autograde.print_summary(result, log=say)
    if result.failed:
        raise nbgrader_cli.NbgraderError(f"{lecture}: could not grade {', '.join(sorted(result.failed))}")
    nbgrader_cli.run(["generate_feedback", lecture, "--force"], cwd=root)


def results(root: Path, lectures: list[str]) -> list[Result]:
    from nbgrader.api import Gradebook, MissingEntry

    db_url = os.environ.get("COURSE_GRADEBOOK", f"sqlite:///{root / 'gradebook.db'}")
    rows = []
    with Gradebook(db_url) as gb:
        for lecture in lectures:
            for student in sample_class.STUDENTS:
                try:
                    sub = gb.find_submission(lecture, student)
                except MissingEntry:
                    continue
                fb = root / "feedback" / student / lecture / f"{lecture}.html"
                rows.append(Result(student, lecture, sub.score, sub.max_score, sub.needs_manual_grade,
                                   fb if fb.exists() else None))
    return rows


def print_table(rows: list[Result], lectures: list[str], root: Path) -> None:
    width = max([len(n) for n in lectures] + [8])
    header = f"{'lecture':<{width}}  " + "  ".join(f"{s:>16}" for s in sample_class.STUDENTS)
    print("\n" + header + "\n" + "-" * len(header))
    by = {(r.student, r.lecture): r for r in rows}
    for lecture in lectures:
        cells = []
        for s in sample_class.STUDENTS:
            r = by.get((s, lecture))
            cells.append(f"{'—' if r is None else f'{r.score:g}/{r.max_score:g}' + (' +manual' if r.needs_manual else ''):>16}")
        print(f"{lecture:<{width}}  " + "  ".join(cells))
    print("\n(+manual: a written answer waits for the instructor in the formgrader)")
    print("Feedback files:")
    for r in rows:
        if r.feedback:
            print(f"  {r.student:<6} {r.lecture:<{width}} {r.feedback.relative_to(root)}")


def export_grades(root: Path) -> Path:
    out = root / "grades.csv"
    nbgrader_cli.run(["export", f"--CsvExportPlugin.to={out}"], cwd=root)
    return out


def demo(root: Path, lectures: list[str] | None = None) -> list[Result]:
    root = root.resolve()
    todo = available_lectures(root, lectures)
    if not todo:
        raise SystemExit("no lecture notebooks found under source/")
    cid = course_id()
    say("checking the data sets (cache, mirror, checksums)")
    # once per process, shared with the grader: a missing data set is a warning and costs only
    # the lectures that need it, not the demo
    from .autograde import data_dir

    data_dir(log=print)
    for lecture in todo:
        t0 = time.time()
        say(f"{lecture}: generate and release")
        generate_and_release(root, lecture)
        say(f"{lecture}: ada, ben and carol fetch and submit")
        students_submit(root, lecture, cid)
        say(f"{lecture}: collect, autograde, feedback")
        collect_and_grade(root, lecture)
        say(f"{lecture}: done in {time.time() - t0:.0f} s")
    grades = export_grades(root)
    rows = results(root, todo)
    print_table(rows, todo, root)
    say(f"grades exported to {grades.relative_to(root)}")
    return rows

