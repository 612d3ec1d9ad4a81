"""The mistake catalogue of issue 11 (sample_class/catalogue/<lecture>.py), per lecture present.

* the catalogue names only real answer cells and autograded tests, and every block is well-formed;
* every autograded exercise (answer cell with a test) has >= 3 mistakes and >= 2 alternatives;
* (pipeline) all of the lecture's catalogue students, graded at once by the real sandboxed grader
  (``grade_class(..., jobs=2)``): every mistake loses exactly its tests, and the first of them says
  its phrase; every alternative scores full marks.

The machinery is course/grading/catalogue.py; by hand: ``python -m course catalogue LECTURE``.
The test of the judging itself (that a wrong catalogue entry IS reported) runs without grading.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from course.grading import catalogue, notebooks


def _exercise(root, lecture) -> catalogue.Exercise:
    return catalogue.exercise(notebooks.read(root / "source" / lecture / f"{lecture}.ipynb"))


def _entries(root, lecture) -> list[catalogue.Entry]:
    path = catalogue.catalogue_file(root, lecture)
    assert path.exists(), f"{path.relative_to(root)} is missing: every lecture has a mistake catalogue (issue 11)"
    return catalogue.parse(path, lecture, _exercise(root, lecture))


def test_catalogue_names_real_cells_and_tests(root, lecture):
    entries = _entries(root, lecture)
    assert entries, f"the catalogue of {lecture} has no blocks"
    bad = [f"line {e.line} ({e.cell}, {e.kind}): " + "; ".join(e.problems) for e in entries if e.problems]
    assert not bad, f"invalid blocks in sample_class/catalogue/{lecture}.py:\n" + "\n".join(bad)


def test_catalogue_covers_every_exercise(root, lecture):
    missing = catalogue.coverage_problems(_entries(root, lecture), _exercise(root, lecture))
    assert not missing, f"{lecture}: exercises short of catalogue entries:\n" + "\n".join(missing)


def test_catalogue_mistakes_are_new(root, lecture):
    """No mistake is the reference solution or one of carol's, and no block repeats another."""
    from course.grading import sample_class

    carol = sample_class.mistakes_file(root, lecture)
    solutions = notebooks.solutions_by_id(notebooks.read(root / "source" / lecture / f"{lecture}.ipynb"))
    dups = catalogue.duplicate_problems(_entries(root, lecture), solutions,
                                        sample_class.parse_mistakes(carol) if carol.exists() else [])
    assert not dups, f"sample_class/catalogue/{lecture}.py:\n" + "\n".join(dups)


@pytest.mark.pipeline
def test_catalogue_is_graded_as_expected(root, lecture, tmp_path_factory, monkeypatch):
    entries = _entries(root, lecture)
    assert not any(e.problems for e in entries), "fix the invalid blocks first (test_catalogue_names_real_cells_and_tests)"
    monkeypatch.setenv("COURSE_FAST", "1")
    monkeypatch.setenv("COURSE_NO_VISDOM", "1")
    result = catalogue.run(root, lecture, jobs=2, keep=tmp_path_factory.mktemp(f"catalogue-{lecture}"), log=lambda m: None)
    assert not result.failed, f"the grader could not grade: {result.failed}"
    problems = catalogue.failures(result)
    assert not problems, (f"{len(problems)} of {len(result.entries)} catalogue entries of {lecture} did not end as "
                          f"expected (graded course: {result.root}):\n" + "\n".join(problems))


# ---- the judging itself, without grading (so a broken judge cannot pass every catalogue) ----

def _toy(tmp_path: Path, text: str) -> tuple[catalogue.Exercise, list[catalogue.Entry]]:
    ex = catalogue.Exercise(answers=["f", "g"], written=["w"], tests=["test_f", "test_g"],
                            tests_of={"f": ["test_f"], "g": ["test_g"]})
    path = tmp_path / "toy.py"
    path.write_text(text)
    return ex, catalogue.parse(path, "toy", ex)


TOY = """# preamble
# %% f | mistake: forgets N | fails: test_f | says: divide by N
def f(): return 1

# %% f | mistake: second | fails: test_f | says: divide by N
def f(): return 2

# %% f | alternative: a loop | student: alt
def f(): return 3

# %% g | alternative: vectorised | student: alt
def g(): return 4
"""


def test_parse_names_students_and_fields(tmp_path):
    _, entries = _toy(tmp_path, TOY)
    assert [e.student for e in entries] == ["m-f-1", "m-f-2", "alt", "alt"]
    assert [e.kind for e in entries] == ["mistake", "mistake", "alternative", "alternative"]
    assert entries[0].fails == ["test_f"] and entries[0].says == "divide by N" and entries[0].code == "def f(): return 1"
    assert not any(e.problems for e in entries)


def test_parse_reports_invalid_blocks(tmp_path):
    _, entries = _toy(tmp_path, "# %% h | alternative: unknown cell\nx = 1\n"
                                "# %% f | mistake: no phrase | fails: test_zzz\nx = 1\n"
                                "# %% f | alternative: twice | student: s\nx = 1\n"
                                "# %% f | alternative: twice again | student: s\nx = 1\n"
                                "# %% g | mistak: typo\nx = 1\n")
    text = [" ".join(e.problems) for e in entries]
    assert "not an answer code cell" in text[0]
    assert "not autograded test cells" in text[1] and "says" in text[1]
    assert not entries[2].problems and "already has a block" in text[3]
    assert "unknown field" in text[4] and "either" in text[4]


@pytest.mark.parametrize("grades, messages, verdicts", [
    ({"test_f": (0, 2), "test_g": (3, 3)}, {"test_f": "AssertionError: please Divide by n"}, [catalogue.OK]),
    ({"test_f": (0, 2), "test_g": (3, 3)}, {"test_f": "TypeError: boom"}, [catalogue.WRONG_MESSAGE]),
    ({"test_f": (1, 2), "test_g": (3, 3)}, {"test_f": "divide by N"}, [catalogue.NOT_CAUGHT]),
    ({"test_f": (0, 2), "test_g": (0, 3)}, {"test_f": "divide by N"}, [catalogue.EXTRA_LOSS]),
])
def test_judge_mistake(tmp_path, grades, messages, verdicts):
    ex, entries = _toy(tmp_path, TOY)
    catalogue.judge(entries[:1], ex, grades, messages)
    assert [e.verdict for e in entries[:1]] == verdicts


@pytest.mark.parametrize("grades, ok", [({"test_f": (2, 2), "test_g": (3, 3)}, True),
                                        ({"test_f": (2, 2), "test_g": (2.5, 3)}, False)])
def test_judge_alternatives(tmp_path, grades, ok):
    ex, entries = _toy(tmp_path, TOY)
    alt = [e for e in entries if e.student == "alt"]
    catalogue.judge(alt, ex, grades, {})
    assert all(e.ok == ok for e in alt)
    result = catalogue.LectureResult("toy", alt, catalogue.students_of(alt))
    assert result.count("alternative") == (2 if ok else 0, 2)
    assert ("FAIL" in catalogue.report(result)) != ok


def test_duplicates_are_found(tmp_path):
    from course.grading.sample_class import Mistake

    _, entries = _toy(tmp_path, TOY + "# %% f | mistake: the same again | fails: test_f | says: x\ndef f(): return 2  # again\n")
    dups = catalogue.duplicate_problems(entries, {"f": "def f(): return 1", "g": "def g(): return 0"},
                                        [Mistake("f", "def f():  return 2")])
    assert any("reference solution" in d for d in dups)
    assert any("same code for f as line" in d for d in dups)
    assert not any("carol" in d for d in dups)  # whitespace inside a line differs: another mistake
    dups = catalogue.duplicate_problems(entries, {}, [Mistake("f", "def f(): return 2")])
    assert sum("carol" in d for d in dups) == 2


def test_coverage_counts_per_exercise(tmp_path):
    ex, entries = _toy(tmp_path, TOY)
    problems = catalogue.coverage_problems(entries, ex)
    assert any(p.startswith("f: 2 mistake(s), 1 alternative(s)") for p in problems)
    assert any(p.startswith("g: 0 mistake(s), 1 alternative(s)") for p in problems)
    assert catalogue.coverage_problems(entries, ex, mistakes=2, alternatives=1) == ["g: 0 mistake(s), 1 alternative(s); wanted >= 2 and >= 1"]


def test_command_lists_students_without_grading(root, tmp_path, capsys, monkeypatch):
    from course.__main__ import main

    for key in ("COURSE_FAST", "COURSE_NO_VISDOM"):  # the command sets them: restore them afterwards
        monkeypatch.setenv(key, os.environ.get(key, ""))

    draft = tmp_path / "draft.py"
    draft.write_text("# %% mse | alternative: a loop | student: alt\ndef mse(w, xs, ys):\n    return 0.0\n"
                     "# %% nosuch | mistake: unknown cell | fails: test_mse | says: x\nx = 1\n")
    assert main(["catalogue", "01_linear_model", "--root", str(root), "--file", str(draft), "--list"]) == 1
    out = capsys.readouterr().out
    assert "alt: mse alternative 'a loop'" in out and "INVALID line 4" in out and "COVERAGE" in out
    assert main(["catalogue", "01_linear_model", "--root", str(root), "--file", str(draft), "--only", "nosuch"]) == 1
    assert "invalid" in capsys.readouterr().out  # an invalid block is reported, nothing is graded
