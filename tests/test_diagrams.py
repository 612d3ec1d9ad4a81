"""The lectures' diagrams: drawn by tools/diagrams.py, current, shown by their notebook, released with it."""
from __future__ import annotations

import subprocess
import sys

import nbformat

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent / "tools"))
import diagrams  # noqa: E402


def test_the_stored_svgs_are_what_the_code_draws(root):
    proc = subprocess.run([sys.executable, str(root / "tools" / "diagrams.py"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_each_diagram_is_shown_by_its_notebook_and_released_with_it(root):
    for rel in diagrams.DIAGRAMS:
        lecture, name = rel.split("/")
        nb = nbformat.read(root / "source" / lecture / f"{lecture}.ipynb", as_version=4)
        assert any(f"]({name})" in c.source for c in nb.cells if c.cell_type == "markdown"), \
            f"{lecture} does not show {name}"
        released = root / "release" / lecture / name
        assert released.exists() and released.read_bytes() == (root / "source" / rel).read_bytes(), \
            f"release/{rel} is missing or stale: run nbgrader generate_assignment {lecture}"
        svg = (root / "source" / rel).read_text()
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "Date" not in svg.split("<svg", 1)[0]
