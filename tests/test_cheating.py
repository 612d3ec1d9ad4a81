"""Grades that student code cannot fake (issue 12), through the real ``course autograde`` CLI.

The attacks of tests/hostile/attacks.py are graded in ONE batch (``--jobs 2``) with both layers on
(the static policy, then the in-kernel guards), and attacks the guards can see (one of each
class by default, every one with ``COURSE_TEST_EVERY_ATTACK=1``) are graded again in a second
course with the policy switched off (``c.Policy.enabled = False``), so that each
layer is shown to stop them on its own.  Honest submissions must score full marks in both.
Then ``nbgrader generate_feedback`` runs on the first course: no line of any hidden test may appear
in any student's feedback HTML, while each test's pass/fail and message do.
"""
from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from hostile import attacks, lab

ROOT = Path(__file__).resolve().parent.parent
LIMITS = ["--cell-timeout", "30", "--notebook-timeout", "240", "--memory-mb", "6144", "--processes", "64",
          "--file-mb", "64", "--disk-mb", "128", "--output-kb", "256", "--cpu-seconds", "120"]
BOTH = attacks.ALL
# the guards alone: one attack of each class by default (grading time), every one with COURSE_TEST_EVERY_ATTACK=1
SAMPLE = ("a-np-lookalike", "a-isinstance", "a-builtins-dict", "a-line-transforms", "a-ast-parse", "a-event-module",
          "a-session-send", "a-json-dumps", "a-guard-sys-modules", "a-before-setup-numpy", "a-code-swap",
          "a-during-test", "a-shadow-module", "h-idioms")
GUARDED = [c for c in attacks.ALL if (c.layer == "both" or c in attacks.HONEST)
           and (os.environ.get("COURSE_TEST_EVERY_ATTACK") or c.student in SAMPLE)]

pytestmark = pytest.mark.pipeline


def _rows(course: Path, students) -> dict:
    from nbgrader.api import Gradebook, MissingEntry

    rows = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "pytorch-course") as gb:
        for student in students:
            try:
                sub = gb.find_submission_notebook(lab.LECTURE, lab.LECTURE, student)
            except MissingEntry:
                continue
            rows[student] = {g.name: g.auto_score for g in sub.grades}
    return rows


def _grade(course: Path, cases, policy: bool) -> dict:
    if not policy:
        with open(course / "nbgrader_config.py", "a") as fh:
            fh.write("\nc.Policy.enabled = False  # tests/test_cheating.py: the guards alone\n")
    for case in cases:
        folder = course / "submitted" / case.student / lab.LECTURE
        folder.mkdir(parents=True)
        case.make(course, folder, {"root": str(course), "port": 9})
    env = dict(os.environ, COURSE_FAST="1", COURSE_NO_VISDOM="1")
    env.pop("COURSE_GRADEBOOK", None)
    cmd = [sys.executable, "-m", "course", "autograde", lab.LECTURE, *LIMITS, "--jobs", "2", "--no-progress",
           "--student", ",".join(c.student for c in cases)]
    proc = subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True, timeout=3600)
    return {"course": course, "proc": proc, "rows": _rows(course, [c.student for c in cases])}


@pytest.fixture(scope="module")
def both_layers(tmp_path_factory):
    course = lab.make_course(tmp_path_factory.mktemp("cheating") / "course", ROOT)
    return _grade(course, BOTH, policy=True)


@pytest.fixture(scope="module")
def guards_alone(tmp_path_factory):
    course = lab.make_course(tmp_path_factory.mktemp("guards") / "course", ROOT)
    return _grade(course, GUARDED, policy=False)


def _feedback(course: Path, student: str) -> str:
    """Everything the grader tells the student: report notes and the autograded notebook's errors."""
    report = json.loads((course / ".grading" / lab.LECTURE / "executed" / student / "report.json").read_text())
    nb = nbformat.read(course / "autograded" / student / lab.LECTURE / f"{lab.LECTURE}.ipynb", as_version=4)
    texts = list(report["notes"])
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("**Grader notes**"):
            texts.append(cell.source)
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                texts.append(f"{out.ename}: {out.evalue}")
            elif out.output_type == "stream":
                texts.append(out.text[-2000:])
    return "\n".join(texts)


def _check(result: dict, case, expect: dict, says) -> None:
    proc = result["proc"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = result["rows"]
    assert case.student in rows, f"{case.student} ({case.bullet}) has no gradebook row:\n{proc.stdout[-2000:]}"
    assert rows[case.student] == expect, f"{case.student} ({case.bullet}): scores {rows[case.student]}, expected {expect}"
    text = _feedback(result["course"], case.student)
    for phrase in says:
        assert phrase.lower() in text.lower(), f"{case.student}: the feedback lacks {phrase!r}:\n{text[-3000:]}"


@pytest.mark.parametrize("case", BOTH, ids=[c.student for c in BOTH])
def test_both_layers_stop_every_attack_and_keep_honest_work(both_layers, case):
    _check(both_layers, case, case.expect, case.says)


@pytest.mark.parametrize("case", GUARDED, ids=[c.student for c in GUARDED])
def test_the_guards_alone_stop_what_they_can_see(guards_alone, case):
    expect = case.guard_expect if case.guard_expect is not None else case.expect
    _check(guards_alone, case, expect, case.guard_says)


def test_the_corpus_covers_every_class_of_the_issue():
    bullets = " | ".join(c.bullet for c in attacks.ATTACKS)
    assert len(attacks.ATTACKS) >= 40
    for needle in ("namespace: np", "namespace: torch", "isinstance", "__builtins__ replaced", "line_transforms",
                   "compile.ast_parse", "__module__", "session's send", "json.dumps", "guard module itself",
                   "before setup", "float subclass", "ndarray subclass", "__array_function__", "__torch_function__"):
        assert needle in bullets, f"no attack covers {needle!r}"
    for case in attacks.ATTACKS:  # an attack ships wrong answers: with it stopped, something scores 0
        assert case.expect != lab.POINTS, f"{case.student}: an attack must cost points"


# ---- feedback without the hidden tests' code -------------------------------------------------------

def _text_of_html(page: str) -> str:
    """The text a student reads: tags dropped (syntax highlighting splits code into spans), entities decoded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _hidden_lines() -> list[str]:
    from course.grading.feedback import is_test, split_hidden

    lines = []
    for cell in lab.source_notebook().cells:
        if is_test(cell):
            lines += [line.strip() for line in split_hidden(cell.source)[1] if line.strip()]
    return lines


def test_feedback_shows_results_but_never_the_hidden_tests(both_layers):
    from course.grading import nbgrader_cli

    course = both_layers["course"]
    nbgrader_cli.run(["generate_feedback", lab.LECTURE, "--force"], cwd=course)
    hidden = _hidden_lines()
    assert len(hidden) == 3
    visible = 'assert double(3) == 6, "double(3) should be 6"'
    checked = 0
    for case in BOTH:
        page = course / "feedback" / case.student / lab.LECTURE / f"{lab.LECTURE}.html"
        assert page.exists(), f"no feedback for {case.student}"
        text = _text_of_html(page.read_text())
        assert visible in text, f"{case.student}: the visible test is not shown (or the text extraction is broken)"
        assert "# hidden tests: not shown" in text
        for line in hidden:
            assert line not in text, f"{case.student}'s feedback shows a hidden test line: {line}"
        for test, points in lab.POINTS.items():  # pass/fail: each test's score
            score = rf"Grade cell: {test}\s+Score: {float(case.expect[test])} / {float(points)}"
            assert re.search(score, text), f"{case.student}: the feedback does not show {test}'s score"
        if case in attacks.ATTACKS:  # the message: the rule broken
            assert case.says[0] in text, f"{case.student}: the feedback does not name the rule {case.says[0]!r}"
        if case in attacks.WRONG_ANSWERS:  # the message: the failing test's own
            assert f"AssertionError: {case.says[0]}" in text, f"{case.student}: the test's message is not shown"
        checked += 1
    assert checked == len(BOTH)
    # the control: with the preprocessor switched off, the hidden lines would be there
    nbgrader_cli.run(["generate_feedback", lab.LECTURE, "--force", "--student", "h-idioms",
                      "--HideHiddenTests.enabled=False"], cwd=course)
    text = _text_of_html((course / "feedback" / "h-idioms" / lab.LECTURE / f"{lab.LECTURE}.html").read_text())
    assert all(line in text for line in hidden), "the control failed: hidden lines are not in the unfiltered feedback"


# ---- the integrity report (course/grading/integrity.py), written by the same CLI run ----------------

def test_the_integrity_report_lists_every_attack_and_no_honest_student(both_layers):
    course, proc = both_layers["course"], both_layers["proc"]
    data = json.loads((course / "autograded" / f"integrity-{lab.LECTURE}.json").read_text())
    flagged = {s for s, r in data["students"].items() if r["findings"]}
    missing = {c.student for c in attacks.ATTACKS} - flagged
    assert not missing, f"attacks the integrity report does not list: {sorted(missing)}"
    honest = {c.student for c in attacks.HONEST + attacks.WRONG_ANSWERS}
    assert not flagged & honest, f"honest students in the integrity report: {sorted(flagged & honest)}"
    assert data["summary"].startswith(f"integrity: {len(flagged)} of {len(BOTH)} submissions use introspection: ")
    assert data["summary"] in proc.stdout, proc.stdout[-2000:]
    text = (course / "autograded" / f"integrity-{lab.LECTURE}.md").read_text()
    finding = data["students"]["a-setattr-module"]["findings"][0]
    assert finding["why"] == "policy: forbidden call: setattr" and finding["cell"] == "scale" and finding["line"] == 1
    assert f"| scale (#{finding['index']}) | 1 | policy: forbidden call: setattr | `{finding['text']}` |" in text
