"""One source, two languages (issue 23, docs/i18n.md).

* every translated lecture's source holds each student-facing text in English and in Chinese, and
  each Chinese code cell is the same code as its English one;
* the en and zh releases that the real ``nbgrader generate_assignment`` makes differ only in text
  (cells, ids, points, nbgrader metadata and code the same);
* a zh release of a lecture that is not translated is refused, naming what is missing;
* the checks' messages (course.checks, course.exercises) exist in both languages and follow the
  release's language; the grader's restoring of locked cells accepts a zh cell as untouched.
"""
from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course import checks as ck
from course import i18n
from course.grading import overwrite

ROOT = Path(__file__).resolve().parent.parent


def _source(lecture: str):
    return nbformat.read(ROOT / "source" / lecture / f"{lecture}.ipynb", as_version=4)


# --------------------------------------------------------------------------- the rules
def test_markdown_holds_both_languages_after_the_mark():
    en, zh = i18n.split_markdown("# Title\n\nSome text here.\n\n<!-- zh -->\n# 标题\n\n一些文字。")
    assert en == "# Title\n\nSome text here." and zh == "# 标题\n\n一些文字。"
    assert i18n.split_markdown("only English words here") == ("only English words here", None)


def test_same_code_allows_text_only():
    en = 'def f(x):\n    """Square it."""\n    # the square\n    return x ** 2  # done\n'
    zh = 'def f(x):\n    """平方。"""\n    # 平方\n    return x ** 2  # 完成\n'
    assert i18n.same_code(en, zh) == (True, "")
    assert not i18n.same_code(en, zh.replace("x ** 2", "x ** 3"))[0]            # the code changed
    assert not i18n.same_code('plt.title("cost")', 'plt.title("loss")')[0]        # not a translation
    assert i18n.same_code('plt.title("cost")', 'plt.title("代价")')[0]            # a translation
    ok, why = i18n.same_code('ck.true(c, "wrong")', 'ck.true(c, "错了")', strict_strings=True)
    assert not ok and "course.i18n.t" in why                                       # a test cell's message
    assert i18n.same_code("%matplotlib inline\nx = 1", "%matplotlib inline\nx = 1  # 一")[0]


def test_english_only_messages_are_found():
    found = i18n.untranslated('ck.true(ok, "the loss must go down")\n'
                              'ck.true(ok, t("the loss must go down", "损失必须下降"))\n'
                              'ck.close(a, b, what="best_w")\n')
    assert found == ["the loss must go down"]
    assert i18n.untranslated('x = f"{a} grew by {b} over the epochs"') == ["{a} grew by {b} over the epochs"[:70]
                                                                         .replace("{a}", "").replace("{b}", "")]


def test_problems_name_each_missing_text():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## The data\n\nHours studied and points scored."),
        nbformat.v4.new_code_cell("x = 1  # the number of hours"),
        nbformat.v4.new_code_cell("y = 2"),
    ])
    found = i18n.problems(nb)
    assert len(found) == 2 and "cell 0: markdown in English only" in found[0] and "cell 1" in found[1]
    nb.cells[0].source += "\n\n<!-- zh -->\n## 数据\n\n学习的小时数和得分。"
    nb.cells[1].metadata["course"] = {"zh": "x = 2  # 小时数"}
    assert i18n.problems(nb) == ["cell 1: the Chinese version the code differs (not only comments, docstrings or strings)"]
    nb.cells[1].metadata["course"] = {"zh": "x = 1  # 小时数"}
    assert i18n.problems(nb) == []


def test_language_follows_course_lang_then_the_release(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_LANG", raising=False)
    i18n.set_language(None)
    assert i18n.language() == "en" and i18n.t("a", "甲") == "a"
    nb = nbformat.v4.new_notebook(metadata={"course": {"language": "zh"}})
    nbformat.write(nb, tmp_path / "01_linear_model.ipynb")
    assert i18n.language_beside("01_linear_model", tmp_path) == "zh"
    assert i18n.notebook_language(nb) == "zh" and i18n.notebook_language(nbformat.v4.new_notebook()) == "en"
    i18n.set_language("zh")
    try:
        assert i18n.t("a", "甲") == "甲"
        monkeypatch.setenv("COURSE_LANG", "en_US.UTF-8")   # the grader's setting wins
        assert i18n.t("a", "甲") == "a"
    finally:
        i18n.set_language(None)


def test_checks_speak_the_release_language(monkeypatch):
    monkeypatch.setenv("COURSE_LANG", "zh")
    with pytest.raises(AssertionError, match="应为 2.0，得到的是 1.0"):
        ck.close(1.0, 2.0, what="w")
    with pytest.raises(AssertionError, match="可能的原因：除以零"):
        ck.call(lambda: 1 / 0, what="f()")
    monkeypatch.setenv("COURSE_LANG", "en")
    with pytest.raises(AssertionError, match="expected 2.0, got 1.0"):
        ck.close(1.0, 2.0, what="w")


@pytest.mark.parametrize("module", ["course/checks.py", "course/exercises/linear_model.py",
                                    "course/exercises/gradient_descent.py"])
def test_check_messages_exist_in_both_languages(module):
    assert i18n.untranslated((ROOT / module).read_text()) == []


# --------------------------------------------------------------------------- the lectures
@pytest.mark.parametrize("translated", sorted(i18n.TRANSLATED))
def test_translated_lecture_has_every_text_in_both_languages(translated):
    assert i18n.problems(_source(translated)) == []


def test_an_untranslated_lecture_is_refused_in_chinese(monkeypatch):
    untranslated = sorted({p.name for p in (ROOT / "source").iterdir() if p.is_dir()} - i18n.TRANSLATED)
    if not untranslated:
        return  # every lecture is translated: nothing left to refuse
    monkeypatch.setenv("COURSE_LANG", "zh")
    with pytest.raises(i18n.TranslationError, match="cannot be released in Chinese yet: cell 0"):
        i18n.PickLanguage().preprocess(_source(untranslated[0]), {"nbgrader": {"notebook": untranslated[0]}})
    monkeypatch.setenv("COURSE_LANG", "en")   # the English release is the notebook of before
    nb, _ = i18n.PickLanguage().preprocess(_source(untranslated[0]), {})
    assert nb == _source(untranslated[0])


def test_a_zh_test_cell_counts_as_untouched_against_an_en_gradebook():
    # the gradebook holds the English cell (the last release generated was en); a zh student's cell
    # has the visible part with its comment in Chinese and no hidden tests
    gradebook = ("# the checks name the usual slips\nq.check_forward(forward)\n### BEGIN HIDDEN TESTS\n"
                 "ck.close(forward(1.0, 2.0), 2.0, what=t(\"forward(1, 2)\", \"forward(1, 2)\"))\n### END HIDDEN TESTS")
    zh_student = "# 这些检查会指出常见的失误\nq.check_forward(forward)"
    released = overwrite.as_released(gradebook)
    assert released != zh_student and i18n.same_code(released, zh_student, strict_strings=True)[0]
    assert not i18n.same_code(released, zh_student + "\nforward = lambda x, w: 0", strict_strings=True)[0]
    assert not i18n.same_code(released, zh_student.replace("check_forward", "check_mse"), strict_strings=True)[0]


def _generate(tmp_path: Path, lecture: str, lang: str) -> nbformat.NotebookNode:
    course = tmp_path / lang
    (course / "source").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source" / lecture, course / "source" / lecture)
    env = dict(os.environ, COURSE_LANG=lang, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    env.pop("COURSE_GRADEBOOK", None)
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", lecture, "--force"], cwd=course,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return nbformat.read(course / "release" / lecture / f"{lecture}.ipynb", as_version=4)


@pytest.mark.pipeline
@pytest.mark.parametrize("translated", sorted(i18n.TRANSLATED))
def test_the_two_releases_differ_only_in_text(tmp_path, translated):
    lecture = translated
    en, zh = _generate(tmp_path, lecture, "en"), _generate(tmp_path, lecture, "zh")
    assert en == nbformat.read(ROOT / "release" / lecture / f"{lecture}.ipynb", as_version=4), \
        "the English release is release/ as committed"
    assert zh.metadata["course"]["language"] == "zh" and "course" not in en.metadata
    assert len(en.cells) == len(zh.cells)
    for index, (a, b) in enumerate(zip(en.cells, zh.cells)):
        assert (a.cell_type, a.get("id")) == (b.cell_type, b.get("id")), index
        ma, mb = copy.deepcopy(a.metadata.get("nbgrader", {})), copy.deepcopy(b.metadata.get("nbgrader", {}))
        ma.pop("checksum", None), mb.pop("checksum", None)
        assert ma == mb, f"cell {index}: the nbgrader metadata (ids, points, locks) differ"
        if a.cell_type == "code":
            same, why = i18n.same_code(a.source, b.source, strict_strings=bool(ma.get("locked")))
            assert same, f"cell {index}: {why}"
        elif i18n._has_words(a.source):
            assert i18n.has_chinese(b.source) and "<!-- zh -->" not in a.source + b.source, index


def test_the_feedback_page_has_its_words_in_both_languages():
    from course.grading.feedback import WORDS

    assert set(WORDS["en"]) == set(WORDS["zh"])
    assert all(i18n.has_chinese(v) or v in ("：", "。") for v in WORDS["zh"].values())
    assert "{passed}" in WORDS["zh"]["passed"] and "{total}" in WORDS["zh"]["passed"]
