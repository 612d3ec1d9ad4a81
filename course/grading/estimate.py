"""What grading a class will cost, from a measured per-student time (issue 22, a teacher's view).

    python -m course autograde LECTURE --estimate [--class-size N] [--workers W]

Grades a small synthetic class of the lecture (copies of the sample students ada, ben and carol:
full solutions, untouched, typical mistakes) in a temporary copy of the course, with the real
sandboxed grader and one job, so nothing of the instructor's gradebook is touched. From it:

* the part that runs in parallel: the median of the workers' own time per student (sandboxed
  kernel, judge, every cell);
* the part that does not: from two runs (3 and 6 students), the time each extra student adds
  beyond that (the single gradebook writer, which replays each student) and the time spent once
  (the sandbox probe, the template);

and prints how long N students take here with 1 .. cores jobs, and on a Dask cluster of W workers
(each running as many jobs as it has cores, the writer staying on this machine).
"""
from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import nbgrader_cli, notebooks, sample_class


def synthetic_class(dest: Path, root: Path, lecture: str, copies: int) -> list[str]:
    """``copies`` x (ada, ben, carol) of ``lecture`` straight into ``dest/submitted`` (a course copy)."""
    for name in ("source", "release", "sample_class"):
        shutil.copytree(root / name, dest / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(root / "nbgrader_config.py", dest)
    nbgrader_cli.run(["generate_assignment", lecture, "--force"], cwd=dest)
    release = notebooks.read(dest / "release" / lecture / f"{lecture}.ipynb")
    solutions = notebooks.solutions_by_id(notebooks.read(dest / "source" / lecture / f"{lecture}.ipynb"))
    students = []
    for i in range(copies):
        for who in sample_class.STUDENTS:
            name = f"{who}{i:02d}"
            folder = dest / "submitted" / name / lecture
            folder.mkdir(parents=True)
            answers = sample_class.answers_for(who, dest, lecture, solutions)
            notebooks.nbformat.write(notebooks.answer(release, answers), folder / f"{lecture}.ipynb")
            (folder / "timestamp.txt").write_text("2026-01-01 12:00:00.000000 UTC")
            students.append(name)
    return students


@dataclass
class Measure:
    lecture: str
    students: int        # graded in the larger of the two runs
    per_student: float   # the part that runs in parallel (a worker's own time per student), seconds
    serial: float        # the part that does not, per student (the gradebook writer's replay), seconds
    fixed: float         # once per class (probe, template, writer start-up), seconds


def _grade(root: Path, lecture: str, copies: int, cfg, log):
    from . import autograde

    work = Path(tempfile.mkdtemp(prefix="course-estimate-"))
    saved = os.environ.pop("COURSE_GRADEBOOK", None)
    try:
        course = work / "course"
        course.mkdir()
        students = synthetic_class(course, root, lecture, copies)
        log(f"[estimate] grading {len(students)} sample students of {lecture} (one job, in a copy of the course)")
        writer = autograde._write_gradebook
        spent: list[float] = []

        def timed(*args, **kwargs):  # the single gradebook writer: the part that never runs in parallel
            t0 = time.monotonic()
            try:
                return writer(*args, **kwargs)
            finally:
                spent.append(time.monotonic() - t0)

        autograde._write_gradebook = timed
        try:
            result = autograde.grade_class(course, lecture, jobs=1, cfg=cfg, progress=False, restart=True,
                                           log=lambda *_: None)
        finally:
            autograde._write_gradebook = writer
        result.writer_seconds = sum(spent)
    finally:
        if saved is not None:
            os.environ["COURSE_GRADEBOOK"] = saved
        shutil.rmtree(work, ignore_errors=True)
    if result.failed or not result.graded:
        raise RuntimeError(f"the sample class could not be graded: {result.failed or 'nobody graded'}")
    return result


def measure(root: Path, lecture: str, cfg=None, log=print) -> Measure:
    """Two runs (3 and 6 students): the class time is fixed + students x (parallel + serial)."""
    small, large = _grade(root, lecture, 1, cfg, log), _grade(root, lecture, 2, cfg, log)
    times = [float(r["seconds"]) for res in (small, large) for r in res.reports.values() if r.get("seconds")]
    per = statistics.median(times) if times else large.seconds / len(large.graded)
    n1, n2 = len(small.graded), len(large.graded)
    serial = (large.writer_seconds - small.writer_seconds) / (n2 - n1)
    if serial <= 0:  # noise: the writer's whole time per student, an upper bound
        serial = large.writer_seconds / n2
    fixed = max(0.0, large.seconds - n2 * (per + serial))
    return Measure(lecture, n2, per, serial, fixed)


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def table(m: Measure, class_size: int, workers: list[int], cores: int | None = None,
          worker_cores: int = 2) -> str:
    cores = cores or os.cpu_count() or 1
    lines = [f"[estimate] {m.lecture}: {m.per_student:.1f} s per student in the sandbox (in parallel) + "
             f"{m.serial:.1f} s per student in the gradebook writer (serial) + {m.fixed:.0f} s once, "
             f"measured on 3 and {m.students} sample students, one job, on this machine ({cores} cores)",
             f"[estimate] {class_size} students:"]
    for jobs in sorted({1, cores} | ({2} if cores >= 2 else set())):
        t = m.fixed + class_size * m.per_student / jobs + class_size * m.serial
        lines.append(f"  here, --jobs {jobs:<3}                  {_clock(t):>8}")
    for w in workers:
        t = m.fixed + class_size * m.per_student / (w * worker_cores) + class_size * m.serial
        lines.append(f"  Dask cluster, {w:>3} workers x {worker_cores} cores  {_clock(t):>8}   (the writer stays here)")
    lines.append("  (jobs beyond the cores share them; the per-student times of a class with harder "
                 "mistakes or full mode differ: measure with the same settings)")
    return "\n".join(lines)
