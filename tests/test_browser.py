"""Tested as a person would: headless Chromium on the visdom dashboard, JupyterLab and the formgrader.

Servers run on free localhost ports (fixtures in dashboard_fixtures.py); Chromium resolves no host
but localhost, so an asset still fetched from a CDN would fail and show in the console.  Each test
saves a screenshot under docs/img/ (docs/dashboard.md shows them).
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

pytest.register_assert_rewrite("dashboard_fixtures")
pytest_plugins = ["dashboard_fixtures"]

from dashboard_fixtures import (  # noqa: E402
    BOXED_IDEOGRAPHS_JS, assert_boxes_without_sheet, console_errors, lectures_present, screenshot, train_linear, use_server,
)

pytestmark = pytest.mark.browser

WAIT = 90  # seconds for a page to show what it should (2 shared CPU cores in CI)


def _wait(driver, condition, what: str, timeout: float = WAIT):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.5).until(lambda d: condition(d))
    except TimeoutException:
        shot = screenshot(driver, "failed-" + what.replace(" ", "_")[:40] + ".png",
                          Path(tempfile.gettempdir()) / "course-browser-failures")
        text = driver.execute_script("return document.body ? document.body.innerText : ''") or ""
        raise AssertionError(f"timed out after {timeout} s waiting for {what} (screenshot {shot}); "
                             f"page text: {text[:800]!r}")


def _drawn_traces(driver) -> list[dict]:
    """Every plotly line trace on the page: its legend name and how long its drawn path is."""
    return driver.execute_script("""
        const out = [];
        document.querySelectorAll('.js-plotly-plot').forEach(plot => {
          (plot.data || []).forEach((t, i) => out.push({name: t.name, n: (t.x || []).length}));
          plot.querySelectorAll('.scatterlayer path.js-line').forEach(p => out.push(
            {path: (p.getAttribute('d') || '').length}));
        });
        return out;""")


def _asset_errors(driver) -> list[str]:
    # visdom's page links "favicon.png", a file visdom has never shipped: the browser's 404 for it is not ours
    return [e for e in console_errors(driver) if "favicon" not in e]


def test_visdom_dashboard_shows_the_training_run(visdom_server, plot_context, browser):
    use_server(plot_context, visdom_server)
    import course

    course.start("01_linear_model")
    plot = train_linear("01 linear model: SGD lr=0.05", steps=40, epochs_every=10)
    assert plot.backend == "visdom"
    console_errors(browser)  # clear the log
    browser.get(f"{visdom_server.url}/env/01_linear_model")
    traces = _wait(browser, lambda d: [t for t in _drawn_traces(d) if t.get("path", 0) > 20] and _drawn_traces(d),
                   "the plotly curves")
    names = {t["name"]: t["n"] for t in traces if "name" in t}
    assert names == {"loss": 40, "accuracy": 4}, names
    text = browser.execute_script("return document.body.innerText")
    for label in ("01 linear model: SGD lr=0.05", "step", "MSE loss", "epoch", "accuracy"):
        assert label in text, f"{label!r} not on the page"
    assert browser.execute_script("return typeof Plotly !== 'undefined' && typeof MathJax !== 'undefined' "
                                  "&& typeof jQuery !== 'undefined' && typeof React !== 'undefined'")
    screenshot(browser, "visdom_training.png")
    errors = _asset_errors(browser)
    assert not errors, f"console errors (failed asset loads?): {errors}"


def test_visdom_comparison_window_overlays_every_student(visdom_server, plot_context, browser):
    use_server(plot_context, visdom_server)
    import course

    course.start("01_linear_model")
    for student, lr in (("ada", 0.05), ("ben", 0.3), ("carol", 1.1)):  # carol's step size diverges
        plot_context.setenv("COURSE_STUDENT", student)
        train_linear(f"SGD lr={lr}", steps=25, lr=lr)
    console_errors(browser)
    browser.get(f"{visdom_server.url}/env/compare.01_linear_model")
    traces = _wait(browser, lambda d: [t for t in _drawn_traces(d) if t.get("path", 0) > 20] and
                   {t.get("name") for t in _drawn_traces(d)} >= {"ada", "ben", "carol"} and _drawn_traces(d),
                   "the comparison window")
    assert {t["name"] for t in traces if "name" in t} == {"ada", "ben", "carol"}
    screenshot(browser, "visdom_compare.png")
    errors = _asset_errors(browser)
    assert not errors, f"console errors: {errors}"


def test_visdom_draws_chinese_titles_and_labels(visdom_server, plot_context, browser):
    """A zh lecture's live plot (Chinese title, axis labels, series names) on visdom, on a machine without a
    CJK font: every Chinese text of the window is drawn in the course's font (course.fonts.visdom_css in
    the env folder's style.css), not in boxes; with that sheet switched off the system draws boxes."""
    use_server(plot_context, visdom_server)
    import course

    plot_context.setenv("COURSE_LANG", "zh")
    course.start("02_gradient_descent")
    plot = course.LivePlot("梯度下降：学习率 0.05", xlabel="训练步数", ylabel="均方误差损失")
    for step in range(12):
        plot.add(step, 损失=1.0 / (step + 1))
    plot.done()
    browser.get(f"{visdom_server.url}/env/02_gradient_descent")
    _wait(browser, lambda d: "梯度下降" in d.execute_script("return document.body.innerText")
          and [t for t in _drawn_traces(d) if t.get("path", 0) > 20], "the Chinese plot")
    browser.execute_async_script("const done = arguments[0]; document.fonts.ready.then(() => done(1))")
    seen, boxed = browser.execute_script(BOXED_IDEOGRAPHS_JS)
    assert seen >= 3, f"only {seen} visible Chinese texts on visdom's page"
    assert not boxed, f"Chinese drawn as boxes on visdom (text, px wide, font px): {boxed[:5]}"
    screenshot(browser, "visdom_zh.png")
    assert_boxes_without_sheet(browser, "user/style.css")


def test_student_opens_a_release_notebook_in_jupyterlab(lab_server, browser):
    lecture = lectures_present(lab_server.root)[0]
    browser.get(lab_server.at(f"/lab/tree/release/{lecture}/{lecture}.ipynb"))
    _wait(browser, lambda d: d.execute_script(
        "return document.querySelectorAll('.jp-NotebookPanel .jp-Cell').length") > 5, "the notebook's cells")
    _wait(browser, lambda d: "YOUR CODE HERE" in d.execute_script(
        "return [...document.querySelectorAll('.jp-NotebookPanel .jp-Cell')].map(c => c.innerText).join('\\n')"),
        "an exercise cell")
    text = browser.execute_script(
        "return [...document.querySelectorAll('.jp-NotebookPanel .jp-Cell')].map(c => c.innerText).join('\\n')")
    assert "raise NotImplementedError" in text, "the exercise stub"
    # a visible test: an assert, or the one-line check of a converted lecture (q.check_forward(forward))
    assert "assert " in text or re.search(r"\bq\.check_\w+\(", text), "the visible tests"
    assert "BEGIN HIDDEN TESTS" not in text and "BEGIN SOLUTION" not in text, "a release hides solutions"
    menus = browser.execute_script(
        "return [...document.querySelectorAll('.lm-MenuBar-itemLabel')].map(e => e.innerText)")
    assert "Nbgrader" in menus, f"nbgrader's lab extension is not loaded: menus {menus}"
    # scroll to the first exercise so that the screenshot shows it
    browser.execute_script("""
        const cell = [...document.querySelectorAll('.jp-NotebookPanel .jp-Cell')]
            .find(c => c.innerText.includes('YOUR CODE HERE'));
        if (cell) cell.scrollIntoView({block: 'center'});""")
    import time

    time.sleep(1.0)
    screenshot(browser, "lab_student_notebook.png")


def test_a_chinese_release_reads_in_chinese_in_jupyterlab(lab_server, browser):
    """Lecture 01 released in Chinese (COURSE_LANG=zh, into release_zh/ of the lab's course copy) opened as a
    student would: the text is Chinese, drawn in the course's web font (course.fonts.install_lab_css), not
    in boxes; with that style sheet switched off, a machine without a CJK font draws boxes (the control)."""
    import time

    from course.grading import nbgrader_cli

    lecture = "01_linear_model"
    nbgrader_cli.run(["generate_assignment", lecture, "--force", "--CourseDirectory.release_directory=release_zh"],
                     cwd=lab_server.root, extra_env={"COURSE_LANG": "zh", "COURSE_GRADEBOOK":
                                                     f"sqlite:///{lab_server.root / 'gradebook.db'}"})
    browser.get(lab_server.at(f"/lab/tree/release_zh/{lecture}/{lecture}.ipynb"))
    released = (lab_server.root / "release_zh" / lecture / f"{lecture}.ipynb").read_text()
    assert "在这里写你的代码" in released and "BEGIN HIDDEN TESTS" not in released and "BEGIN SOLUTION" not in released
    # JupyterLab draws only the cells in view: the first one's Chinese is enough to measure
    cells = "return [...document.querySelectorAll('.jp-NotebookPanel .jp-Cell')].map(c => c.innerText).join('\\n')"
    _wait(browser, lambda d: "练习" in d.execute_script(cells), "the Chinese notebook's cells")
    browser.execute_async_script("const done = arguments[0]; document.fonts.ready.then(() => done(1))")
    family = browser.execute_script("return getComputedStyle(document.querySelector('.jp-RenderedMarkdown')).fontFamily")
    assert "Course CJK" in family, f"JupyterLab's content font is {family!r}: custom.css was not loaded"
    seen, boxed = browser.execute_script(BOXED_IDEOGRAPHS_JS)
    assert seen >= 5, f"only {seen} visible Chinese texts in the zh notebook"
    assert not boxed, f"Chinese drawn as boxes in JupyterLab (text, px wide, font px): {boxed[:5]}"
    time.sleep(0.5)
    screenshot(browser, "lab_zh_notebook.png")
    assert_boxes_without_sheet(browser, "custom.css")


def test_formgrader_lists_the_assignments(lab_server, browser):
    lectures = lectures_present(lab_server.root)
    assert lectures, "no lecture under source/"
    browser.get(lab_server.at("/formgrader"))
    _wait(browser, lambda d: all(name in d.execute_script("return document.body.innerText") for name in lectures),
          "every lecture in the formgrader")
    rows = browser.execute_script(
        "return [...document.querySelectorAll('tr')].map(r => r.innerText).filter(t => t.trim())")
    listed = [name for name in lectures if any(row.startswith(name) or f"\n{name}" in row or name in row.split("\t")
                                                for row in rows)]
    assert listed == lectures, f"formgrader rows {rows}"
    assert "Manage Assignments" in browser.execute_script("return document.body.innerText")
    screenshot(browser, "formgrader_assignments.png")


def test_formgrader_opens_inside_jupyterlab(lab_server, browser):
    """The instructor's way in: JupyterLab's Nbgrader menu → Formgrader (an iframe of /formgrader)."""
    browser.get(lab_server.at("/lab"))
    _wait(browser, lambda d: "Nbgrader" in d.execute_script(
        "return [...document.querySelectorAll('.lm-MenuBar-itemLabel')].map(e => e.innerText)"), "the Nbgrader menu")
    [menu] = [e for e in browser.find_elements("css selector", ".lm-MenuBar-item") if e.text.strip() == "Nbgrader"]
    menu.click()
    _wait(browser, lambda d: d.execute_script(
        "return [...document.querySelectorAll('.lm-Menu-itemLabel')].some(e => e.innerText === 'Formgrader')"),
        "the Formgrader menu item")
    items = browser.execute_script("return [...document.querySelectorAll('.lm-Menu-itemLabel')].map(e => e.innerText)")
    assert "Assignment List" in items, f"the student's assignment list is missing from {items}"
    [item] = [e for e in browser.find_elements("css selector", ".lm-Menu-item") if e.text.strip() == "Formgrader"]
    item.click()
    _wait(browser, lambda d: d.execute_script("return document.querySelectorAll('iframe').length") > 0,
          "the formgrader panel")
    lectures = lectures_present(lab_server.root)

    def listed(d):
        d.switch_to.frame(d.find_elements("css selector", "iframe")[0])
        try:
            return all(name in d.execute_script("return document.body.innerText") for name in lectures)
        finally:
            d.switch_to.default_content()

    _wait(browser, listed, "the lectures in the formgrader panel")
    screenshot(browser, "lab_formgrader.png")
