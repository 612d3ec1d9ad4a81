"""The parallel grader with a PostgreSQL gradebook (``COURSE_GRADEBOOK=postgresql://...``).

A real PostgreSQL server (pgserver: PostgreSQL's own binaries from a wheel, in a temporary
folder, reached over a Unix socket) holds the gradebook.  nbgrader's own CLI generates the
lecture into it, ``python -m course autograde --jobs 2`` grades three students into it, a
re-grade of one student leaves the others' rows alone, and ``nbgrader export`` reads the same
totals back.  No SQLite file may appear: the URL is really used.
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pgserver
import pytest

from course.grading import nbgrader_cli
from hostile import lab

ROOT = Path(__file__).resolve().parent.parent
LIMITS = ["--cell-timeout", "30", "--memory-mb", "6144", "--processes", "64", "--cpu-seconds", "120"]
WRONG_DOUBLE = "def double(x):\n    return x"
EXPECT = {"ada": lab.POINTS, "ben": {k: 0 for k in lab.POINTS}, "carl": dict(lab.POINTS, test_double=0)}


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    yield server.get_uri()
    server.cleanup()


def _rows(url: str) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(url, "pytorch-course") as gb:
        return {s.id: {g.name: g.score for g in gb.find_submission_notebook(lab.LECTURE, lab.LECTURE, s.id).grades}
                for s in gb.students}


def _submit(course: Path, student: str, nb) -> None:
    folder = course / "submitted" / student / lab.LECTURE
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{lab.LECTURE}.ipynb")


def _autograde(course: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "course", "autograde", lab.LECTURE, *LIMITS, "--no-progress", *args],
                          cwd=course, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def graded(postgres, tmp_path_factory):
    env = dict(os.environ, COURSE_GRADEBOOK=postgres, COURSE_FAST="1", COURSE_NO_VISDOM="1")
    with pytest.MonkeyPatch.context() as mp:  # lab.make_course runs nbgrader generate_assignment
        mp.setenv("COURSE_GRADEBOOK", postgres)
        course = lab.make_course(tmp_path_factory.mktemp("pgcourse") / "course", ROOT)
    _submit(course, "ada", lab.answered(course))
    _submit(course, "ben", lab.release(course))
    _submit(course, "carl", lab.answered(course, double=WRONG_DOUBLE))
    _autograde(course, env, "--jobs", "2")
    return course, env, postgres


def test_the_class_is_graded_into_postgres(graded):
    course, env, url = graded
    assert _rows(url) == EXPECT
    assert not list(course.glob("gradebook.db*")), "a SQLite gradebook appeared: the PostgreSQL URL was not used"


def test_regrading_one_student_leaves_the_others_rows(graded):
    course, env, url = graded
    _submit(course, "carl", lab.answered(course))  # carl fixes his answer and is graded again
    _autograde(course, env, "--jobs", "2", "--student", "carl")
    assert _rows(url) == dict(EXPECT, carl=lab.POINTS)


def test_nbgrader_export_reads_the_same_grades(graded):
    course, env, url = graded
    nbgrader_cli.run(["export", "--to", str(course / "grades.csv")], cwd=course, extra_env={"COURSE_GRADEBOOK": url})
    with open(course / "grades.csv") as fh:
        totals = {row["student_id"]: float(row["score"]) for row in csv.DictReader(fh)}
    assert totals == {student: sum(scores.values()) for student, scores in _rows(url).items()}
    assert totals["ada"] == lab.TOTAL and totals["ben"] == 0
