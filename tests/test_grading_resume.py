"""A class graded the way a long batch really goes: kernels end with their student, a SIGKILL
halfway through loses nothing, and the same command run again grades the rest.

The batch is the hostile lab (tests/hostile/lab.py) with a handful of honest students, graded by
the real command line (``python -m course autograde``).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat

from hostile import lab

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = [f"s{i:02d}" for i in range(6)]
WRONG = {"s03": "def double(x):\n    return x + 2"}  # one mistake, so the rows are not all alike


def _course(tmp_path: Path) -> Path:
    course = lab.make_course(tmp_path / "course", ROOT)
    for student in STUDENTS:
        folder = course / "submitted" / student / lab.LECTURE
        folder.mkdir(parents=True)
        extra = {"double": WRONG[student]} if student in WRONG else {}
        nbformat.write(lab.answered(course, **extra), folder / f"{lab.LECTURE}.ipynb")
    return course


def _command(jobs: int = 1) -> list[str]:
    return [sys.executable, "-m", "course", "autograde", lab.LECTURE, "--jobs", str(jobs), "--no-progress",
            "--cell-timeout", "30", "--notebook-timeout", "120"]


def _env() -> dict:
    env = dict(os.environ, COURSE_FAST="1", COURSE_NO_VISDOM="1")
    env.pop("COURSE_GRADEBOOK", None)
    return env


def _rows(course: Path) -> list[tuple[str, float]]:
    import sqlite3

    db = sqlite3.connect(course / "gradebook.db")
    try:
        return db.execute(
            "SELECT student.id, SUM(COALESCE(grade.auto_score, 0)) FROM submitted_notebook "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id "
            "JOIN student ON submitted_assignment.student_id = student.id "
            "JOIN grade ON grade.notebook_id = submitted_notebook.id GROUP BY submitted_notebook.id").fetchall()
    finally:
        db.close()


def _sandboxes() -> dict[int, str]:
    """pid -> student of this batch's sandbox processes (bwrap carries the name in its command line)."""
    found = {}
    for pid in os.listdir("/proc"):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        for student in STUDENTS:
            if f"COURSE_STUDENT\0{student}\0".encode() in cmd:
                found[int(pid)] = student
    return found


def test_kernels_end_with_their_student_and_a_killed_batch_resumes(tmp_path):
    course = _course(tmp_path)
    executed = course / ".grading" / lab.LECTURE / "executed"
    alive_at_once: list[int] = []
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            alive_at_once.append(len(set(_sandboxes().values())))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    proc = subprocess.Popen(_command(), cwd=course, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    deadline = time.monotonic() + 600
    while len(list(executed.glob("*/report.json"))) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert proc.poll() is None, "the batch ended before it could be killed halfway: " + proc.stdout.read().decode()[-2000:]
    os.killpg(proc.pid, signal.SIGKILL)  # the grader and everything it started
    proc.wait()
    done_before = {p.parent.name for p in executed.glob("*/report.json")}
    assert 3 <= len(done_before) < len(STUDENTS)

    # nothing of the killed batch lives on: no kernel, no sandbox
    end = time.monotonic() + 20
    while _sandboxes() and time.monotonic() < end:
        time.sleep(0.2)
    stop.set()
    sampler.join()
    assert not _sandboxes(), "a sandbox of the killed batch is still running"
    assert max(alive_at_once) <= 1, f"with --jobs 1, {max(alive_at_once)} students' kernels were alive at once"

    again = subprocess.run(_command(jobs=2), cwd=course, env=_env(), capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert f"{len(done_before)} student(s) kept from an interrupted earlier run" in again.stdout
    assert f"{len(STUDENTS)} graded, 0 failed" in again.stdout
    summary = json.loads((course / ".grading" / lab.LECTURE / "summary.json").read_text())
    assert sorted(summary["resumed"]) == sorted(done_before)
    rows = _rows(course)
    assert sorted(r[0] for r in rows) == STUDENTS, f"rows lost or duplicated: {rows}"
    scores = dict(rows)
    assert all(scores[s] == lab.TOTAL for s in STUDENTS if s not in WRONG), scores
    assert scores["s03"] == lab.TOTAL - lab.POINTS["test_double"], scores
    assert not _sandboxes()

    # a third run with nothing new grades nobody again; --restart grades everybody
    third = subprocess.run(_command(), cwd=course, env=_env(), capture_output=True, text=True, timeout=900)
    assert f"{len(STUDENTS)} student(s) kept" in third.stdout and third.returncode == 0
    assert sorted(r[0] for r in _rows(course)) == STUDENTS
