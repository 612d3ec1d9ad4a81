"""Benchmark of the sandboxed parallel grader on a synthetic class.

    .venv/bin/python benchmarks/grading.py [--copies 14] [--jobs 1,2] [--lecture 01_linear_model]

The class is ``--copies`` copies of the three sample students (ada: solutions, ben: untouched,
carol: typical mistakes), put straight into ``submitted/`` of a temporary course (no exchange).
It measures, on the same machine and class:

* ``execute``: merely executing every notebook with nbclient, one after another, unsandboxed
  (the floor: what any grader must spend);
* ``nbgrader``: plain ``nbgrader autograde`` (serial, unsandboxed);
* ``course autograde --jobs N`` for each N (sandbox, guards, rebuild, one gradebook writer);

and writes the table into docs/results.md between ``<!-- BEGIN grading -->`` and
``<!-- END grading -->`` (``--no-write`` to only print it).
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
import results_md  # noqa: E402
IN_KERNEL = "`course autograde --jobs 1`, tests in the kernel (`COURSE_JUDGE=0`)"
EXPLAIN = "Where the sandboxed grader's extra time goes: a bubblewrap probe and the template (once), a fresh sandboxed kernel per student that also imports torch/numpy for the guards, the guard checks around each test cell, and the single `nbgrader autograde` writer pass (replaying outputs) at the end. With 2 workers on 2 shared cores the class took {j2} of the 1-worker time."


def make_class(dest: Path, lecture: str, copies: int) -> list[str]:
    from course.grading.estimate import synthetic_class

    return synthetic_class(dest, ROOT, lecture, copies)


def time_execute(course: Path, lecture: str, students: list[str]) -> float:
    """Execute every submission with nbclient in the course folder, serially, no sandbox."""
    import nbformat
    from nbclient import NotebookClient

    t0 = time.monotonic()
    for s in students:
        nb = nbformat.read(course / "submitted" / s / lecture / f"{lecture}.ipynb", as_version=4)
        NotebookClient(nb, timeout=600, allow_errors=True, kernel_name="python3",
                       resources={"metadata": {"path": str(course)}}).execute()
    return time.monotonic() - t0


def time_nbgrader(course: Path, lecture: str) -> float:
    from course.grading import nbgrader_cli

    t0 = time.monotonic()
    nbgrader_cli.run(["autograde", lecture, "--force"], cwd=course, check=False)
    return time.monotonic() - t0


def time_course(course: Path, lecture: str, jobs: int, judge: bool = True) -> tuple[float, int, int]:
    env = dict(os.environ)
    if not judge:
        env["COURSE_JUDGE"] = "0"  # every test cell in the student's kernel: the design before the judge
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "course", "autograde", lecture, "--jobs", str(jobs), "--no-progress",
                           "--restart"], cwd=course, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - t0
    line = next((l for l in proc.stdout.splitlines() if " graded, " in l), "")
    print(line, flush=True)
    graded = int(line.split(": ", 1)[1].split(" graded")[0]) if line else 0
    failed = int(line.split(" graded, ")[1].split(" failed")[0]) if line else -1
    return seconds, graded, failed


def write_section(text: str, lecture: str) -> None:
    # one section per lecture measured (01, the default, keeps the historical name)
    results_md.replace_section("grading" if lecture == "01_linear_model" else f"grading-{lecture}", text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=14, help="copies of the 3 sample students (default 14: 42)")
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--lecture", default="01_linear_model")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--no-judge-control", action="store_true",
                        help="skip the --jobs 1 run with every test in the kernel (COURSE_JUDGE=0)")
    args = parser.parse_args()
    os.environ.setdefault("COURSE_FAST", "1")
    os.environ.setdefault("COURSE_NO_VISDOM", "1")
    os.environ.pop("COURSE_GRADEBOOK", None)
    jobs = [int(j) for j in args.jobs.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        course = work / "course"
        course.mkdir()
        students = make_class(course, args.lecture, args.copies)
        n = len(students)
        print(f"[bench] {n} students ({args.copies} x ada/ben/carol) of {args.lecture}", flush=True)
        rows = []
        if not args.skip_baselines:
            t = time_execute(course, args.lecture, students)
            print(f"[bench] execute only: {t:.1f} s", flush=True)
            rows.append(("execute only (nbclient, serial, no sandbox)", t, n, 0))
            t = time_nbgrader(course, args.lecture)
            print(f"[bench] nbgrader autograde: {t:.1f} s", flush=True)
            rows.append(("plain `nbgrader autograde` (serial, no sandbox)", t, n, 0))
        for j in jobs:
            t, graded, failed = time_course(course, args.lecture, j)
            print(f"[bench] course autograde --jobs {j}: {t:.1f} s", flush=True)
            rows.append((f"`course autograde --jobs {j}` (sandboxed)", t, graded, failed))
        if not args.no_judge_control:
            from course.grading import judge

            t, graded, failed = time_course(course, args.lecture, 1, judge=False)
            print(f"[bench] course autograde --jobs 1, COURSE_JUDGE=0: {t:.1f} s", flush=True)
            rows.append((IN_KERNEL, t, graded, failed))
            judged = args.lecture in judge.JUDGED
        else:
            judged = False
    finally:
        shutil.rmtree(work, ignore_errors=True)

    base = rows[0][1] if not args.skip_baselines else None
    lines = [f"## Grading benchmark, {args.lecture} (benchmarks/grading.py)", "",
             f"{n} students ({args.copies} copies of ada, ben and carol) of `{args.lecture}`, fast mode, "
             f"{os.cpu_count()} CPU cores, {platform.platform()}, {time.strftime('%Y-%m-%d')}. "
             "All rows ran one after another on the same machine: compare rows with each other; timings from other machines or other loads are not comparable.", "",
             "| run | wall time | per student | vs. execute only | graded / failed |", "|---|---|---|---|---|"]
    for label, t, graded, failed in rows:
        ratio = f"{t / base:.2f}x" if base else "—"
        lines.append(f"| {label} | {t:.0f} s | {t / n:.1f} s | {ratio} | {graded} / {failed} |")
    by_jobs = {label: t for label, t, _, _ in rows}
    one, two = by_jobs.get("`course autograde --jobs 1` (sandboxed)"), by_jobs.get("`course autograde --jobs 2` (sandboxed)")
    lines += ["", EXPLAIN.format(j2=f"{two / one:.0%}" if one and two else "—")]
    control = by_jobs.get(IN_KERNEL)
    if one and control:
        lines += ["", f"The judge (tests in their own sandboxed process, docs/grading.md) against the same grader "
                      f"with every test in the student's kernel (`COURSE_JUDGE=0`), one job: {one / control:.2f}x "
                      f"({one / n:.1f} s against {control / n:.1f} s per student; target at most 1.3x)"
                      + ("." if judged else f"; `{args.lecture}` is not judged yet, so both rows grade in the kernel.")]
    lines += ["", "Re-run: `make bench-grading STUDENTS=42` or `.venv/bin/python benchmarks/grading.py --copies 14`."]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section(text, args.lecture)
    return 0


if __name__ == "__main__":
    sys.exit(main())
