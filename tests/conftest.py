"""Shared fixtures: the course root, the lectures present, and one real nbgrader run of the sample class.

The ``graded_class`` fixture copies the course into a temporary folder (its own gradebook and
exchange) and runs the whole instructor pipeline once per test session, in fast mode, exactly as
``make demo`` does.  ``COURSE_TEST_LECTURES=01_linear_model,02_gradient_descent`` limits it.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course.lectures import LECTURES  # noqa: E402


def present_lectures() -> list[str]:
    wanted = [n for n in os.environ.get("COURSE_TEST_LECTURES", "").split(",") if n] or list(LECTURES)
    return [n for n in wanted if (ROOT / "source" / n / f"{n}.ipynb").exists()]


def pytest_generate_tests(metafunc):
    if "lecture" in metafunc.fixturenames:
        metafunc.parametrize("lecture", present_lectures())


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def copy_course(dest: Path) -> Path:
    """A fresh instructor's copy of the course: sources, releases, sample class and config."""
    for name in ("source", "release", "sample_class"):
        shutil.copytree(ROOT / name, dest / name)
    shutil.copy(ROOT / "nbgrader_config.py", dest)
    return dest


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """The course after ``course demo``: (root, results) with gradebook, autograded and feedback."""
    from course.grading import pipeline

    course_root = copy_course(tmp_path_factory.mktemp("course"))
    saved = {k: os.environ.get(k) for k in ("COURSE_FAST", "COURSE_GRADEBOOK", "COURSE_EXCHANGE")}
    os.environ["COURSE_FAST"] = "1"
    os.environ.pop("COURSE_GRADEBOOK", None)
    os.environ.pop("COURSE_EXCHANGE", None)
    try:
        rows = pipeline.demo(course_root, present_lectures())
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return course_root, rows
