"""The course's set-up files agree with each other and keep the README's promises."""
from __future__ import annotations

import re
import tomllib

from course.grading import sample_class
from course.lectures import LECTURES


def _pins(lines):
    return dict(re.match(r"\s*-?\s*([A-Za-z0-9_.-]+(?:\[[a-z,]+\])?)==(\S+)", l).groups() for l in lines if "==" in l)


def test_environment_yml_repeats_the_pyproject_pins(root):
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    pinned = _pins(project["dependencies"] + project["optional-dependencies"]["test"])
    conda = _pins((root / "environment.yml").read_text().split("- pip:", 1)[1].splitlines())
    assert conda == pinned
    assert pinned["torch"] == "2.14.1" and pinned["torchvision"] == "0.29.1"
    assert "python=3.11" in (root / "environment.yml").read_text()


def test_readme_gives_the_two_commands(root):
    readme = (root / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    makefile = (root / "Makefile").read_text()
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_ci_runs_the_readme_test_command_with_the_mirror(root):
    ci = (root / ".ci" / "run").read_text()
    assert "make test" in ci and "COURSE_DATA_MIRROR" in ci


def test_lecture_folders_are_named_as_the_course_outline(root):
    present = {p.name for p in (root / "source").iterdir() if p.is_dir()}
    assert present <= set(LECTURES), f"unexpected lecture folders: {present - set(LECTURES)}"
    for name in present:
        assert (root / "release" / name / f"{name}.ipynb").exists(), f"release/{name} is missing"


def test_mistakes_file_format_is_parsed(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("# header comment\n\n# %% mse | fails: test_mse, test_search | says: divide by N\n"
                    "def mse(w):\n    return 1\n\n# %% other\nx = 1\n")
    first, second = sample_class.parse_mistakes(path)
    assert (first.cell, first.fails, first.says) == ("mse", ["test_mse", "test_search"], "divide by N")
    assert first.code == "def mse(w):\n    return 1"
    assert (second.cell, second.fails, second.code) == ("other", [], "x = 1")


def test_no_solution_is_importable_from_the_course_package(root):
    """Reference answers live in source/ only: the package holds no solution markers."""
    for path in (root / "course").rglob("*.py"):
        text = path.read_text()
        assert "### BEGIN SOLUTION" not in text and "### BEGIN HIDDEN TESTS" not in text, path


def test_demo_with_cuda_on_a_machine_without_gpu_stops_at_once_naming_the_flag(root, tmp_path):
    import os
    import subprocess
    import sys

    import torch

    if torch.cuda.is_available():  # on a GPU machine the flag is valid: nothing to refuse
        return
    env = dict(os.environ, COURSE_DEVICE="cuda")
    proc = subprocess.run([sys.executable, "-m", "course", "demo", "--root", str(tmp_path)], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "COURSE_DEVICE=cuda" in proc.stderr
