"""Grading on a Dask cluster gives the same gradebook as grading on one machine.

Starts ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1 (free ports, no
dashboard), grades a small class of the hostile lab with ``python -m course autograde --cluster``,
grades the same class locally in another course folder, and compares the gradebooks.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from hostile import lab

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLASS = {
    "ada": {},
    "bea": {"mean": "def mean(xs):\n    return sum(xs) / (len(xs) - 1)"},
    "cem": {"scale": "def scale(t):\n    return t + 3"},
    "dora": None,  # not a notebook at all
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _class(course: Path) -> None:
    for student, answers in CLASS.items():
        folder = course / "submitted" / student / lab.LECTURE
        folder.mkdir(parents=True)
        if answers is None:
            (folder / f"{lab.LECTURE}.ipynb").write_text("{ not a notebook")
        else:
            nbformat.write(lab.answered(course, **answers), folder / f"{lab.LECTURE}.ipynb")


def _rows(course: Path) -> dict:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "pytorch-course") as gb:
        return {s: {g.name: g.auto_score for g in gb.find_submission_notebook(lab.LECTURE, lab.LECTURE, s).grades}
                for s in CLASS}


def _grade(course: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, COURSE_FAST="1", COURSE_NO_VISDOM="1")
    env.pop("COURSE_GRADEBOOK", None)
    return subprocess.run([sys.executable, "-m", "course", "autograde", lab.LECTURE, "--no-progress",
                           "--cell-timeout", "30", *extra], cwd=course, env=env, capture_output=True, text=True,
                          timeout=900)


def test_a_dask_cluster_grades_like_one_machine(tmp_path):
    local = lab.make_course(tmp_path / "local", ROOT)
    _class(local)
    remote = tmp_path / "remote"
    shutil.copytree(local, remote)
    (remote / "gradebook.db").unlink()
    shutil.copy(ROOT / "nbgrader_config.py", remote)  # c.CourseDirectory.root is the folder it lies in
    from course.grading import nbgrader_cli

    nbgrader_cli.run(["generate_assignment", lab.LECTURE, "--force"], cwd=remote)

    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = open(tmp_path / "dask.log", "w")
    scheduler = subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], stdout=logs, stderr=subprocess.STDOUT)
    workers = [subprocess.Popen([str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-dashboard",
                                 "--memory-limit", "0", "--name", f"w{i}", "--local-directory", str(tmp_path / f"w{i}")],
                                stdout=logs, stderr=subprocess.STDOUT) for i in range(2)]
    try:
        from distributed import Client

        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(address, timeout=5) as client:
                    if len(client.scheduler_info()["workers"]) == 2:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "dask.log").read_text()[-3000:]
            time.sleep(1)
        on_cluster = _grade(remote, "--cluster", address)
    finally:
        for proc in [*workers, scheduler]:
            proc.terminate()
        for proc in [*workers, scheduler]:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    assert on_cluster.returncode == 0, on_cluster.stdout[-3000:] + on_cluster.stderr[-3000:]
    assert "2 Dask worker(s)" in on_cluster.stdout
    assert f"{len(CLASS)} graded, 0 failed" in on_cluster.stdout
    on_one = _grade(local, "--jobs", "2")
    assert on_one.returncode == 0, on_one.stdout[-3000:] + on_one.stderr[-3000:]
    cluster_rows, local_rows = _rows(remote), _rows(local)
    assert cluster_rows == local_rows
    assert cluster_rows["ada"] == lab.POINTS and sum(cluster_rows["dora"].values()) == 0
    assert cluster_rows["bea"]["test_mean"] == 0 and cluster_rows["cem"]["test_scale"] == 0
