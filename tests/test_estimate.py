"""`python -m course autograde LECTURE --estimate`: a class's grading time from a measured per-student time."""
from __future__ import annotations

import os

import pytest

from course.grading import estimate


def test_the_table_is_fixed_plus_parallel_over_jobs_plus_serial():
    m = estimate.Measure("01_linear_model", 6, per_student=5.0, serial=0.5, fixed=10.0)
    text = estimate.table(m, 120, [4], cores=2, worker_cores=2)
    # 10 + 120*5/1 + 120*0.5 = 670 s; /2 jobs: 10 + 300 + 60 = 370 s; 4 workers x 2: 10 + 75 + 60 = 145 s
    assert "--jobs 1" in text and "11 min" in text.split("--jobs 1")[1].splitlines()[0]
    assert "6 min" in text.split("--jobs 2")[1].splitlines()[0]
    assert "2 min" in text.split("4 workers")[1].splitlines()[0]
    assert "120 students" in text


@pytest.mark.pipeline
def test_measured_on_a_copy_of_the_course(root, monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    before = sorted(p.name for p in root.iterdir())
    m = estimate.measure(root, "01_linear_model", log=lambda *_: None)
    assert m.students == 6 and m.per_student > 0.5 and m.serial >= 0 and m.fixed >= 0
    assert sorted(p.name for p in root.iterdir()) == before  # nothing written into the course itself
    assert not os.path.exists(root / "submitted" / "ada00")
