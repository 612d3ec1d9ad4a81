"""The feedback page a student reads (issue 24): offline math, a summary that says what to fix, Chinese text.

A small lecture (``ps99``: formulas, Chinese text, four tests, one of them with hidden tests) goes
through the real nbgrader command line in a temporary course that uses the course's
``nbgrader_config.py`` (only the kernel runs without the sandbox, to keep it quick):
generate_assignment, a student's submission with three mistakes, autograde, generate_feedback.
The page is then read as HTML, and opened in headless Chromium from ``file://`` with every host
but localhost unresolvable (tests/dashboard_fixtures.py), as a student opens it on a train:

* every formula is typeset by KaTeX (``.katex`` elements, no ``.katex-error``) and no ``$…$`` is
  left as text, in the ps99 page and in every lecture rendered through the course's template;
* the summary names each test (the exercise heading and its grade id) and shows each failed test's
  message;
* the Chinese text is drawn with real glyphs: two different characters drawn in the page's font
  differ (two "tofu" boxes are the same), while the same drawing with the system fonts only gives
  identical boxes on this machine (``fc-list :lang=zh`` is empty), which shows the test can fail;
  screenshots go to docs/img/feedback_*.png;
* JupyterLab renders a lecture's formulas with the MathJax 3 it bundles, offline;
* a matplotlib figure titled in Chinese draws without a "missing glyph" warning once
  ``course.fonts.use_cjk()`` ran (and with warnings before: no system CJK font here).
"""
from __future__ import annotations

import copy
import json
import os
import re
import warnings
from pathlib import Path

import nbformat
import pytest

pytest.register_assert_rewrite("dashboard_fixtures")
pytest_plugins = ["dashboard_fixtures"]

from dashboard_fixtures import BOXED_IDEOGRAPHS_JS, IMG, ROOT, screenshot, system_cjk_fonts  # noqa: E402

from course import fonts  # noqa: E402
from course.grading import nbgrader_cli  # noqa: E402
from course.grading.feedback import FeedbackPage, HideHiddenTests, summary  # noqa: E402

LECTURE = "ps99"
STUDENT = "ada"
CHINESE_MESSAGE = "均方误差：先求平方，再求平均"  # the test_mse message the student gets
HIDDEN_LINE = 'assert abs(search_w(xs, ys, grid) - 2.0) < 1e-9, "hidden: the best w of the grid"'


def _md(text: str, **nbgrader) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text)
    if nbgrader:
        cell.metadata["nbgrader"] = nbgrader
    return cell


def _code(text: str, **nbgrader) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(text)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "locked": False, "solution": False,
                                     "grade": False, **nbgrader}
    return cell


def _solution(grade_id: str, text: str):
    return _code(text, grade_id=grade_id, solution=True)


def _test(grade_id: str, points: int, text: str):
    return _code(text, grade_id=grade_id, grade=True, points=points, locked=True)


def source_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        _md("# 99 · Feedback page (反馈页面)\n\nThe data are $y = x + \\text{noise}$; for a batch\n\n"
            "$$\\hat Y = X W^\\top + b, \\qquad \\operatorname{MSE} = \\frac{1}{N}\\sum_{i=1}^{N} (\\hat y_i - y_i)^2$$\n\n"
            "线性模型：先写前向传播，再写损失函数。"),
        _code("xs, ys = [1.0, 2.0, 3.0], [2.0, 4.0, 6.0]"),
        _md("### Exercise 1 — the forward pass $\\hat y = x \\cdot w$ (2 points)"),
        _solution("forward", "def forward(x, w):\n    ### BEGIN SOLUTION\n    return x * w\n    ### END SOLUTION"),
        _test("test_forward", 2, 'assert forward(2.0, 3.0) == 6.0, f"forward(2.0, 3.0): expected 6.0, got {forward(2.0, 3.0)}"'),
        _md("### Exercise 2 — the cost (3 points)"),
        _solution("mse", "def mse(w):\n    ### BEGIN SOLUTION\n"
                         "    return sum((x * w - y) ** 2 for x, y in zip(xs, ys)) / len(xs)\n    ### END SOLUTION"),
        _test("test_mse", 3, f'got = mse(1.0)\nassert abs(got - 14 / 3) < 1e-9, f"{CHINESE_MESSAGE} (mse(1.0): expected 4.667, got {{got:.3f}})"'),
        _md("### Exercise 3 — exhaustive search of $w$ (3 points)"),
        _solution("search_w", "def search_w(xs, ys, grid):\n    ### BEGIN SOLUTION\n"
                              "    return min(grid, key=lambda w: sum((x * w - y) ** 2 for x, y in zip(xs, ys)))\n"
                              "    ### END SOLUTION"),
        _test("test_search_w", 3, "grid = [0.0, 1.0, 2.0, 3.0]\n"
                                  'assert search_w(xs, ys, grid) in grid, "search_w must return a weight of the grid"\n'
                                  f"### BEGIN HIDDEN TESTS\n{HIDDEN_LINE}\n### END HIDDEN TESTS"),
        _md("### Exercise 4 — the learning rate $\\eta$ (1 point)"),
        _solution("learning_rate", "def learning_rate():\n    ### BEGIN SOLUTION\n    return 0.01\n    ### END SOLUTION"),
        _test("test_learning_rate", 1, 'assert 0 < learning_rate() < 1, "the learning rate must lie in (0, 1)"'),
        _md("## Summary — 总结\n\nGradient descent: $w \\leftarrow w - \\eta \\, \\partial \\operatorname{loss} / \\partial w$."),
    ]
    return nb


STUDENT_ANSWERS = {  # test_forward passes; test_mse fails (Chinese message); the hidden test fails; 04 unanswered
    "forward": "def forward(x, w):\n    return x * w",
    "mse": "def mse(w):\n    return sum((x * w - y) for x, y in zip(xs, ys)) / len(xs)",
    "search_w": "def search_w(xs, ys, grid):\n    return grid[-1]",
}


def _course_config(root: Path) -> None:
    """The course's nbgrader_config.py, the kernel outside the sandbox (the sandbox has its own tests)."""
    text = (ROOT / "nbgrader_config.py").read_text()
    text += ('\n# tests/test_feedback_page.py: the same pipeline with nbgrader\'s plain Execute\n'
             'c.Autograde.autograde_preprocessors = ["nbgrader.preprocessors.Execute"] + '
             '[p for p in c.Autograde.autograde_preprocessors if not p.endswith("SandboxedExecute")]\n')
    (root / "nbgrader_config.py").write_text(text)


@pytest.fixture(scope="module")
def feedback_course(tmp_path_factory):
    """(course root, the feedback HTML file) after the real nbgrader pipeline on ps99."""
    root = tmp_path_factory.mktemp("feedback-course")
    _course_config(root)
    (root / "source" / LECTURE).mkdir(parents=True)
    nbformat.write(source_notebook(), str(root / "source" / LECTURE / f"{LECTURE}.ipynb"))
    env = {"COURSE_FAST": "1", "COURSE_GRADEBOOK": f"sqlite:///{root / 'gradebook.db'}",
           "COURSE_EXCHANGE": str(root / "exchange")}
    nbgrader_cli.run(["generate_assignment", LECTURE, "--force"], cwd=root, extra_env=env)
    released = nbformat.read(str(root / "release" / LECTURE / f"{LECTURE}.ipynb"), as_version=4)
    for cell in released.cells:
        answer = STUDENT_ANSWERS.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
        if answer:
            cell.source = answer
    submitted = root / "submitted" / STUDENT / LECTURE
    submitted.mkdir(parents=True)
    nbformat.write(released, str(submitted / f"{LECTURE}.ipynb"))
    nbgrader_cli.run(["autograde", LECTURE, "--force"], cwd=root, extra_env=env)
    nbgrader_cli.run(["generate_feedback", LECTURE, "--force"], cwd=root, extra_env=env)
    page = root / "feedback" / STUDENT / LECTURE / f"{LECTURE}.html"
    assert page.is_file(), f"no feedback page at {page}"
    return root, page


def _text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --------------------------------------------------------------------------- the HTML itself
def test_the_page_loads_nothing_from_the_network(feedback_course):
    html = feedback_course[1].read_text()
    external = re.findall(r"""(?:src|href)\s*=\s*["']?((?:https?:)?//[^"' >]+)""", html)
    external += re.findall(r"""url\(\s*["']?((?:https?:)?//[^)"']+)""", html)
    external += re.findall(r"""@import\s+["']?((?:https?:)?//[^"';]+)""", html)
    assert not external, f"the feedback page loads {external[:5]}: it must render offline"
    assert "cdnjs" not in html and "mathjax" not in html.lower(), "nbgrader's MathJax from a CDN is still there"
    assert "renderMathInElement" in html and "katex" in html, "KaTeX is not inlined"
    assert "data:font/woff2;base64," in html, "KaTeX's fonts are not inlined"
    assert f'font-family: "{fonts.WEB_FAMILY}"' in html and "data:font/woff;base64," in html, \
        "the CJK font is not inlined"


def test_the_summary_names_each_test_and_what_to_fix(feedback_course):
    html = feedback_course[1].read_text()
    table = re.search(r'(?s)<table[^>]*\bid="summary".*?</table>', html).group(0)
    rows = re.findall(r'(?s)<tr class="(danger|success) summary-test" data-grade-id="([^"]+)">(.*?)</tr>', table)
    got = {grade_id: (status, _text(body)) for status, grade_id, body in rows}
    assert list(got) == ["test_forward", "test_mse", "test_search_w", "test_learning_rate"], got
    assert got["test_forward"][0] == "success" and "2.0 / 2.0" in got["test_forward"][1]
    assert "the forward pass" in got["test_forward"][1] and "(2 points)" not in got["test_forward"][1]
    status, text = got["test_mse"]
    assert status == "danger" and "Exercise 2 — the cost" in text and "0.0 / 3.0" in text
    assert f"{CHINESE_MESSAGE} (mse(1.0): expected 4.667, got -2.000)" in text, text
    status, text = got["test_search_w"]
    assert status == "danger" and "hidden: the best w of the grid" in text, text
    status, text = got["test_learning_rate"]
    assert status == "danger" and "not answered yet" in text and "learning rate" in text, text
    assert "No response" in _text(table), "the grader's comment on the unanswered cell is not in the summary"
    assert "1 of 4 tests passed" in _text(html)
    assert "Test cell (Score" not in html, "nbgrader's anonymous summary is back"
    # the hidden test's code stays hidden, in the summary too
    assert HIDDEN_LINE not in html and "abs(search_w(xs, ys, grid) - 2.0)" not in html


def test_summary_rows_from_a_notebook():
    """The summary without nbgrader: headings, written answers, a failing test without an error."""
    nb = source_notebook()
    nb.cells.insert(3, _md("Explain why.", grade_id="written", grade=True, solution=True, points=2,
                           schema_version=3, locked=False))
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            meta["score"], meta["points"] = (0.0 if meta["grade_id"] != "test_forward" else 2.0), meta["points"]
    rows = summary(nb)
    assert [(r["kind"], r["grade_id"]) for r in rows][:3] == [
        ("written", "written"), ("test", "test_forward"), ("test", "test_mse")]
    assert rows[0]["exercise"] == "Exercise 1 — the forward pass $\\hat y = x \\cdot w$"
    assert rows[2]["failed"] and "without an error message" in rows[2]["message"]
    nb.cells[8].outputs = [nbformat.v4.new_output("error", ename="AssertionError",
                                                  evalue="first line names the mistake\nsecond line", traceback=[])]
    assert summary(nb)[2]["message"] == "first line names the mistake"


# --------------------------------------------------------------------------- in the browser
WAIT = 60


def _wait(driver, condition, what: str, timeout: float = WAIT):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.3).until(lambda d: condition(d))
    except TimeoutException:
        text = driver.execute_script("return document.body ? document.body.innerText : ''") or ""
        raise AssertionError(f"timed out after {timeout} s waiting for {what}; page text: {text[:600]!r}")


RAW_MATH_JS = r"""
// text outside code, KaTeX's output and scripts that still looks like TeX: "$...$", "\(...\)", "\[...\]"
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
  acceptNode(node) {
    for (let el = node.parentElement; el; el = el.parentElement) {
      if (el.matches('pre, code, script, style, textarea, .katex')) return NodeFilter.FILTER_REJECT;
    }
    return NodeFilter.FILTER_ACCEPT;
  }});
const raw = [];
let text = '';
for (let n = walker.nextNode(); n; n = walker.nextNode()) text += n.nodeValue + '\u0000';
const re = /\$[^$\u0000]+\$|\\\([^\u0000]*?\\\)|\\\[[^\u0000]*?\\\]/g;
for (const m of text.matchAll(re)) raw.push(m[0].slice(0, 80));
return {
  rendered: document.querySelectorAll('.katex').length,
  errors: Array.from(document.querySelectorAll('.katex-error')).map(e => e.title || e.textContent).slice(0, 5),
  raw: raw.slice(0, 10),
};
"""


def math_state(driver) -> dict:
    return driver.execute_script(RAW_MATH_JS)


def _open(driver, path: Path) -> None:
    driver.get(path.resolve().as_uri())
    _wait(driver, lambda d: d.execute_script("return document.documentElement.getAttribute('data-math')") == "rendered",
          f"KaTeX to run on {path.name}")


@pytest.mark.browser
def test_formulas_render_offline_from_disk(feedback_course, browser):
    _open(browser, feedback_course[1])
    state = math_state(browser)
    # 2 formulas in the intro, 1 in each of 3 headings (and again in the summary), 1 in the last cell
    assert state["rendered"] >= 9, state
    assert not state["errors"], f"KaTeX could not typeset: {state['errors']}"
    assert not state["raw"], f"formulas left as raw LaTeX: {state['raw']}"
    display = browser.execute_script("return document.querySelectorAll('.katex-display').length")
    assert display == 1, "the $$...$$ formula is not displayed on its own line"
    # KaTeX's own fonts (inlined) are the ones drawing the math
    assert browser.execute_script("return document.fonts.check('16px KaTeX_Main') && "
                                  "Array.from(document.fonts).some(f => f.family.includes('KaTeX_Main') && f.status === 'loaded')")
    screenshot(browser, "feedback_summary.png")


CANVAS_JS = r"""
// draw two different Chinese characters in a font stack; identical pixels mean both are the same box (tofu)
const [family, a, b] = arguments;
function draw(ch) {
  const c = document.createElement('canvas'); c.width = 64; c.height = 64;
  const g = c.getContext('2d'); g.fillStyle = '#fff'; g.fillRect(0, 0, 64, 64);
  g.fillStyle = '#000'; g.font = '48px ' + family; g.textBaseline = 'top'; g.fillText(ch, 4, 4);
  return Array.from(g.getImageData(0, 0, 64, 64).data).join(',');
}
return draw(a) !== draw(b);
"""


@pytest.mark.browser
def test_chinese_text_renders_without_a_system_font(feedback_course, browser):
    system_cjk = bool(system_cjk_fonts())
    _open(browser, feedback_course[1])
    # the failing test's message in the summary, in Chinese, and the page's font stack for it
    cell = browser.execute_script("return Array.from(document.querySelectorAll('#summary td.fix'))"
                                  ".find(td => td.textContent.includes(arguments[0]))", CHINESE_MESSAGE)
    assert cell is not None, "the Chinese message is not in the summary"
    family = browser.execute_script("return getComputedStyle(arguments[0]).fontFamily", cell)
    assert fonts.WEB_FAMILY in family, family
    loaded = browser.execute_script("""
        return document.fonts.ready.then(() => Array.from(document.fonts)
          .filter(f => f.family.replace(/"/g, '') === arguments[0]).map(f => f.status))""", fonts.WEB_FAMILY)
    assert loaded == ["loaded"], f"the inlined CJK face did not load: {loaded}"
    assert browser.execute_script(f"return document.fonts.check('16px \"{fonts.WEB_FAMILY}\"', arguments[0])",
                                  CHINESE_MESSAGE)
    # glyphs, not tofu: "均" and "误" differ in the page's font; with the system's fonts alone they are two
    # identical boxes on a machine without a CJK font (the control that shows this test can fail)
    assert browser.execute_script(CANVAS_JS, family, "均", "误"), "the Chinese characters are drawn as boxes"
    if not system_cjk:
        assert not browser.execute_script(CANVAS_JS, "sans-serif", "均", "误"), \
            "the control failed: the system's fonts draw Chinese although fc-list :lang=zh is empty"
    # the test cell of exercise 2 and the student's error in Chinese, below the page's Chinese title
    browser.execute_script("document.querySelector('a[name=test_mse]').scrollIntoView({block: 'start'})")
    screenshot(browser, "feedback_chinese.png")


@pytest.mark.browser
@pytest.mark.parametrize("math", [False, True], ids=["without-math", "with-math"])
def test_every_chinese_text_of_a_chinese_page_is_drawn(browser, tmp_path, math):
    """A zh page (lecture 01 in Chinese through the course's template): every visible Chinese text is drawn
    in glyphs. With the inlined face after Helvetica in the font stack, Chromium drew the summary line and
    the first column head in its fallback's boxes while the rest of the page was fine."""
    page = _lecture_page("01_linear_model", tmp_path, math=math, lang="zh")
    if math:
        _open(browser, page)
    else:
        browser.get(page.resolve().as_uri())
    browser.execute_async_script("const done = arguments[0]; document.fonts.ready.then(() => done(1))")
    seen, boxed = browser.execute_script(BOXED_IDEOGRAPHS_JS)
    assert seen > 50, f"only {seen} visible Chinese texts on the zh page"
    assert not boxed, f"Chinese drawn as boxes (text, px wide, font px): {boxed[:5]}"


def _lecture_page(lecture: str, dest: Path, math: bool = True, lang: str = "en") -> Path:
    """A lecture's release notebook rendered through the course's feedback template (no grading); in
    zh, its source notebook in Chinese (what a zh release shows, solutions included)."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    from course import i18n
    from course.grading.feedback import TEMPLATE_NAME, TEMPLATES

    import nbgrader

    if lang == "zh":
        nb = i18n.localize(nbformat.read(str(ROOT / "source" / lecture / f"{lecture}.ipynb"), as_version=4), "zh")
    else:
        nb = nbformat.read(str(ROOT / "release" / lecture / f"{lecture}.ipynb"), as_version=4)
    c = Config()
    c.HTMLExporter.template_name = TEMPLATE_NAME
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    c.HTMLExporter.extra_template_paths = [str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
                                               / "static" / "node_modules" / "bootstrap" / "dist" / "css")]
    exporter = HTMLExporter(config=c)
    for cell in nb.cells:  # what GetGrades would put there
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") or meta.get("task"):
            meta["score"], meta["points"] = 0.0, float(meta.get("points", 0))
    resources = {"nbgrader": {"notebook": lecture, "score": 0, "max_score": 0, "late_penalty": 0}}
    for pre in (HideHiddenTests(), FeedbackPage(math=math)):
        nb, resources = pre.preprocess(nb, resources)
    html, _ = exporter.from_notebook_node(nb, resources=resources)
    path = dest / f"{lecture}{'' if math else '-no-math'}{'' if lang == 'en' else '-' + lang}.html"
    path.write_text(html)
    return path


@pytest.mark.browser
def test_every_lectures_formulas_render_with_the_course_template(browser, tmp_path):
    """Every formula of the 12 lectures is LaTeX that KaTeX typesets (none left raw, none in error)."""
    problems = {}
    lectures = sorted(p.name for p in (ROOT / "release").iterdir() if (p / f"{p.name}.ipynb").exists())
    assert lectures
    for lecture in lectures:
        _open(browser, _lecture_page(lecture, tmp_path))
        state = math_state(browser)
        if state["errors"] or state["raw"]:
            problems[lecture] = state
    assert not problems, f"formulas KaTeX did not typeset: {json.dumps(problems, ensure_ascii=False)[:2000]}"
    # the control: the same page without KaTeX (nbgrader's page offline) is caught with its raw formulas
    browser.get(_lecture_page(lectures[0], tmp_path, math=False).resolve().as_uri())
    control = math_state(browser)
    assert control["rendered"] == 0 and len(control["raw"]) >= 3, control


@pytest.mark.browser
def test_jupyterlab_renders_formulas_with_its_own_mathjax(lab_server, browser):
    """JupyterLab 4 bundles MathJax 3 (@jupyterlab/mathjax-extension): a lecture's math renders offline."""
    licenses = json.loads((Path(os.sys.prefix) / "share" / "jupyter" / "lab" / "static" / "third-party-licenses.json").read_text())
    bundled = {p["name"]: p["versionInfo"] for p in licenses["packages"]}
    assert bundled.get("mathjax-full", "").startswith("3."), "JupyterLab no longer bundles MathJax 3"
    lecture = "01_linear_model"
    browser.get(lab_server.at(f"/lab/tree/release/{lecture}/{lecture}.ipynb"))
    count = _wait(browser, lambda d: d.execute_script("return document.querySelectorAll('mjx-container').length") >= 3
                  and d.execute_script("return document.querySelectorAll('mjx-container').length"),
                  "MathJax in JupyterLab", timeout=120)
    errors = browser.execute_script("return document.querySelectorAll('mjx-merror, [data-mjx-error]').length")
    assert count >= 3 and errors == 0, (count, errors)


# --------------------------------------------------------------------------- matplotlib
def _missing_glyphs(title: str, rc: dict) -> list[str]:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(rc), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots(figsize=(4, 2))
        ax.set_title(title)
        ax.plot([0, 1], [1, 0], label="损失 loss")
        ax.legend()
        fig.savefig(io.BytesIO(), format="png")
        plt.close(fig)
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_a_matplotlib_figure_titled_in_chinese_has_every_glyph():
    import matplotlib

    title = "线性模型的损失 (loss of the linear model)"
    before = dict(matplotlib.rcParams)
    rc = copy.deepcopy({k: before[k] for k in ("font.family", "font.sans-serif")})
    family = fonts.use_cjk(rc)
    assert family == fonts.CJK_FAMILY and rc["font.family"][-1] == family
    assert rc["font.family"][0] == before["font.family"][0], "Latin text must keep its font"
    missing = _missing_glyphs(title, rc)
    assert not missing, f"matplotlib drew boxes: {missing[:3]}"
    assert dict(matplotlib.rcParams)["font.family"] == before["font.family"], "use_cjk(rc) changed the global rcParams"
    if system_cjk_fonts() == "":
        # the control: without the course's font, this machine has no CJK glyph at all
        control = {"font.family": before["font.family"], "font.sans-serif": before["font.sans-serif"]}
        assert _missing_glyphs(title, control), "the control failed: the figure drew Chinese without the font"
