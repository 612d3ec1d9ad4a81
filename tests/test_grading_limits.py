"""The grader's limits: documented where the code sets them, and the reader's caps in force."""
from __future__ import annotations

import dataclasses
import json
import re

import pytest

from course.grading import sandbox, structure, worker


def _documented(root) -> dict[str, str]:
    text = (root / "docs" / "grading.md").read_text()
    table = text.split("| setting | default | meaning |", 1)[1].split("\n\n", 1)[0]
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^\| `(\w+)` \| ([^|]+) \|", table, re.M)}


def test_every_limit_is_documented_with_the_codes_default(root):
    documented = _documented(root)
    for f in dataclasses.fields(sandbox.SandboxConfig):
        if f.name in ("enabled", "readonly", "env"):
            continue
        assert f.name in documented, f"c.Sandbox.{f.name} is not in docs/grading.md's table"
        assert documented[f.name] == str(f.default), (
            f"docs/grading.md says {f.name} defaults to {documented[f.name]}, the code to {f.default}")


def test_the_course_config_in_fast_mode_uses_the_documented_defaults(root, monkeypatch):
    monkeypatch.setenv("COURSE_FAST", "1")
    for key in list(__import__("os").environ):
        if key.startswith("COURSE_SANDBOX_") or key in ("COURSE_CELL_TIMEOUT", "COURSE_NOTEBOOK_TIMEOUT"):
            monkeypatch.delenv(key)
    cfg = sandbox.load_config(root)
    assert cfg == sandbox.SandboxConfig(), "nbgrader_config.py (fast mode) and SandboxConfig disagree"


def _nb(path, text):
    path.write_text(text)
    return path


def test_the_reader_turns_every_bad_file_into_a_sentence(tmp_path):
    cases = {
        "deep": ('{"cells": ' + "[" * 100_000 + "]" * 100_000 + ', "nbformat": 4}', "nested too deeply"),
        "many": (json.dumps({"cells": [{"cell_type": "code", "source": ""}] * (structure.MAX_CELLS + 1),
                             "nbformat": 4}), "cells, over the"),
        "notjson": ("{", "not valid JSON"),
        "notnb": ('{"a": 1}', "not a Jupyter notebook"),
    }
    for name, (text, says) in cases.items():
        with pytest.raises(structure.Unreadable, match=says):
            structure.read_submission(_nb(tmp_path / f"{name}.ipynb", text))


def test_lone_surrogates_are_replaced_and_noted():
    data = {"cells": [{"cell_type": "code", "source": "x = 1  # \ud800", "metadata": {}}], "nbformat": 4,
            "nbformat_minor": 5, "metadata": {}}
    template = {"release": {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, "locked": {}}
    rebuilt = structure.canonical(data, template)
    assert rebuilt.nb.cells[0].source == "x = 1  # ?"
    assert any("invalid Unicode" in n for n in rebuilt.notes)
    rebuilt.nb.cells[0].source.encode("utf-8")  # writable


@pytest.mark.parametrize("text", ["9999-12-31 23:59:59.999999 -1200", "not a date", "0001-01-01 00:00:00 +1400"])
def test_timestamps_nbgrader_cannot_use_are_refused(text):
    with pytest.raises(Exception):
        worker._checked_timestamp(text)


def test_a_good_timestamp_is_kept():
    assert worker._checked_timestamp("2026-11-24 10:00:00.000000 UTC") == "2026-11-24 10:00:00.000000 UTC"
