"""Every lecture notebook, checked through the real nbgrader CLI (see conftest.graded_class).

For each lecture present in source/:
* the source notebook is well-formed nbgrader material (points, locks, hidden tests, no outputs);
* release/ is exactly what ``nbgrader generate_assignment`` makes of source/;
* ada (full solutions) scores every autograded point;
* ben (untouched release) scores zero on every autograded test, and his notebook ran to the end;
* carol (sample_class/mistakes) loses exactly the tests her mistakes target, with a message that
  names the mistake.
"""
from __future__ import annotations

import json
import re

import nbformat
import pytest

from course.grading import notebooks, sample_class

from course.lectures import LECTURES


def _source(root, lecture):
    return notebooks.read(root / "source" / lecture / f"{lecture}.ipynb")


def _autograded_tests(nb):
    return [c for c in nb.cells if notebooks.nbgrader_meta(c).get("grade")
            and not notebooks.nbgrader_meta(c).get("solution")]


def test_source_notebook_is_complete_nbgrader_material(root, lecture):
    nb = _source(root, lecture)
    meta = [notebooks.nbgrader_meta(c) for c in nb.cells]
    tests = _autograded_tests(nb)
    assert len(tests) >= 4, f"{lecture}: {len(tests)} autograded test cells, the course wants at least 4"
    for cell in tests:
        m = notebooks.nbgrader_meta(cell)
        assert m.get("locked") and m.get("points", 0) > 0, f"{m['grade_id']}: test cells are locked and carry points"
        assert cell.source.count("### BEGIN HIDDEN TESTS") == 1, f"{m['grade_id']} has no hidden tests"
        visible = cell.source.split("### BEGIN HIDDEN TESTS")[0]
        # an assert, a course.checks call, or a lecture's visible check (course.exercises: q.check_...(...))
        assert "assert" in visible or "ck." in visible or re.search(r"\bq\.check_\w+\(", visible), \
            f"{m['grade_id']} has no visible test"
    written = [m for c, m in zip(nb.cells, meta) if c.cell_type == "markdown" and m.get("grade") and m.get("solution")]
    assert written and all(m.get("points", 0) > 0 for m in written), f"{lecture}: needs a graded written question"
    ids = [m["grade_id"] for m in meta if m]
    assert len(ids) == len(set(ids)), f"{lecture}: duplicate grade ids {ids}"
    for cell, m in zip(nb.cells, meta):
        if m.get("solution") and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source, f"{m['grade_id']}: solution cell without markers"
    setup = next(c for c in nb.cells if c.cell_type == "code")
    assert f"course.start({lecture!r})" in setup.source, "the first code cell must call course.start(<lecture>)"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{lecture}: source notebooks are stored without outputs"


def test_written_answers_carry_a_rubric_that_students_never_see(root, lecture):
    # two graders give the same score only with a rubric; it lives in the solution region
    nb = _source(root, lecture)
    written = [c for c in nb.cells if c.cell_type == "markdown" and notebooks.nbgrader_meta(c).get("grade")]
    for cell in written:
        m = notebooks.nbgrader_meta(cell)
        found = re.search(r"Rubric \((\d+) points?", cell.source)
        assert found, f"{m['grade_id']}: the model answer has no 'Rubric (N points)'"
        assert int(found.group(1)) == m["points"], f"{m['grade_id']}: rubric for {found.group(1)} points, cell gives {m['points']}"
        region = cell.source.split("### BEGIN SOLUTION", 1)[-1].split("### END SOLUTION", 1)[0]
        assert "Rubric" in region, f"{m['grade_id']}: the rubric must sit inside the solution region"
    assert "Rubric" not in (root / "release" / lecture / f"{lecture}.ipynb").read_text(), f"release/{lecture} shows a rubric"


TEMPLATE = ("# ① prepare dataset", "# ② design model using a class", "# ③ construct loss and optimizer",
            "# ④ training cycle")


def test_lectures_that_train_show_the_four_part_template(root):
    # 01-03 train by hand, before nn.Module exists; every lecture from 04 on names the same four parts
    training = [lec for lec in LECTURES if int(lec[:2]) >= 4]     # a cheap static check: all of them always
    assert len(training) == 9, training
    for lecture in training:
        code = [line.strip() for c in _source(root, lecture).cells if c.cell_type == "code"
                for line in c.source.splitlines()]
        for part in TEMPLATE:
            assert any(line.startswith(part) for line in code), f"{lecture}: no code cell has the template's comment {part!r}"


def test_every_pictured_file_is_released(root, lecture):
    text = (root / "source" / lecture / f"{lecture}.ipynb").read_text()
    for name in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text):
        if "://" not in name and not name.startswith("attachment:"):
            assert (root / "source" / lecture / name).is_file(), f"{lecture} shows {name}, which is not in source/{lecture}/"
            assert (root / "release" / lecture / name).is_file(), f"{lecture} shows {name}, which is not in release/{lecture}/"


def test_release_has_no_solutions_or_hidden_tests(root, lecture):
    text = (root / "release" / lecture / f"{lecture}.ipynb").read_text()
    for marker in ("BEGIN HIDDEN TESTS", "BEGIN SOLUTION", "BEGIN MARK SCHEME"):
        assert marker not in text, f"release/{lecture} leaks {marker!r}"


@pytest.mark.pipeline
def test_release_is_what_source_generates(graded_class, root, lecture):
    course_root, _ = graded_class
    made = (course_root / "release" / lecture / f"{lecture}.ipynb").read_text()
    committed = (root / "release" / lecture / f"{lecture}.ipynb").read_text()
    assert json.loads(made) == json.loads(committed), (
        f"release/{lecture} is stale: run `nbgrader generate_assignment {lecture} --force` and commit it")


def _grades(course_root, lecture, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_root / 'gradebook.db'}") as gb:
        sub = gb.find_submission_notebook(lecture, lecture, student)
        return {g.name: (g.score, g.max_score, g.auto_score) for g in sub.grades}


def _autograded(course_root, lecture, student):
    return notebooks.read(course_root / "autograded" / student / lecture / f"{lecture}.ipynb")


def _error_text(cell) -> str:
    return "\n".join(f"{o.get('ename', '')}: {o.get('evalue', '')}" for o in cell.outputs if o.output_type == "error")


@pytest.mark.pipeline
def test_full_solutions_score_every_point(graded_class, lecture):
    course_root, _ = graded_class
    nb = _autograded(course_root, lecture, "ada")
    grades = _grades(course_root, lecture, "ada")
    for cell in _autograded_tests(nb):
        gid = notebooks.nbgrader_meta(cell)["grade_id"]
        score, max_score, _ = grades[gid]
        assert score == max_score, f"ada lost points on {gid}: {_error_text(cell)}"
    assert (course_root / "feedback" / "ada" / lecture / f"{lecture}.html").exists()


@pytest.mark.pipeline
def test_untouched_release_scores_zero_and_runs_to_the_end(graded_class, lecture):
    course_root, _ = graded_class
    nb = _autograded(course_root, lecture, "ben")
    grades = _grades(course_root, lecture, "ben")
    for cell in _autograded_tests(nb):
        gid = notebooks.nbgrader_meta(cell)["grade_id"]
        assert grades[gid][0] == 0, f"an untouched notebook scores on {gid}: that test cannot fail"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "the untouched notebook did not run to its end"
    assert not any("CellTimeoutError" in _error_text(c) for c in code), "a stub made a cell time out"


@pytest.mark.pipeline
def test_typical_mistakes_lose_their_points_with_a_message(graded_class, root, lecture):
    course_root, _ = graded_class
    path = sample_class.mistakes_file(root, lecture)
    assert path.exists(), f"{path} is missing: every lecture has a sample of typical mistakes"
    mistakes = sample_class.parse_mistakes(path)
    assert mistakes, f"{path} holds no mistakes"
    nb = _autograded(course_root, lecture, "carol")
    grades = _grades(course_root, lecture, "carol")
    cells = {notebooks.nbgrader_meta(c)["grade_id"]: c for c in _autograded_tests(nb)}
    failing = {name for m in mistakes for name in m.fails}
    for m in mistakes:
        assert m.fails, f"mistake in {m.cell} names no test that catches it"
        for name in m.fails:
            assert grades[name][0] == 0, f"carol's mistake in {m.cell} was not caught by {name}"
        message = _error_text(cells[m.fails[0]])
        assert m.says.lower() in message.lower(), (
            f"{m.fails[0]} should tell carol {m.says!r} about her {m.cell}; it said: {message!r}")
    for gid, cell in cells.items():
        if gid not in failing:
            assert grades[gid][0] == grades[gid][1], f"{gid} failed although carol's mistakes do not target it: {_error_text(cell)}"


@pytest.mark.pipeline
def test_grades_are_exported(graded_class, lecture):
    course_root, _ = graded_class
    rows = [r for r in (course_root / "grades.csv").read_text().splitlines()[1:] if r.startswith(lecture + ",")]
    assert {r.split(",")[3] for r in rows} == set(sample_class.STUDENTS)
