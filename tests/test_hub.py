"""A real class under JupyterHub (issue 14, docs/hub.md), driven in headless Chromium.

The test sets up its own hub (hub/hubctl.py: Unix accounts from a roster, PAM logins, the
exchange, the global nbgrader config) on free localhost ports and plays the whole loop as people
would: the instructor releases 01 from the formgrader; two students log in, fetch it from the
Assignments tab, answer (one correctly, one with the sample class's mistakes), validate and
submit; the instructor collects, autogrades (through the course's sandbox), generates and
releases feedback; each student fetches their feedback and reads their own score.  Then, with
the students' own uids, that nobody reads another student's files or the instructor's course.
Screenshots of each step go to docs/img/hub_*.png (docs/hub.md shows them).

It needs root (it creates Unix accounts, removed again at the end), chromium + chromedriver
(`make browser-deps`), bubblewrap (`make sandbox-deps`) and npm for the proxy (`make hub-setup`).
"""
from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

pytest.register_assert_rewrite("dashboard_fixtures")
pytest_plugins = ["dashboard_fixtures"]

from dashboard_fixtures import ROOT  # noqa: E402
from dashboard_fixtures import screenshot as _screenshot  # noqa: E402

sys.path.insert(0, str(ROOT / "hub"))
import hubctl  # noqa: E402

from course import dashboard  # noqa: E402
from course.grading import notebooks, sample_class  # noqa: E402

pytestmark = pytest.mark.browser

LECTURE = "01_linear_model"
WAIT = 240          # seconds for a page or a server (two shared cores; a cold JupyterLab is slow)
GRADE_WAIT = 600    # autograding one notebook in the sandbox
# accounts of this test only (removed at the end): persona -> (user, first name, last name); their
# passwords are the one-time ones that the set-up made (PASSWORDS)
PEOPLE = {"instructor": ("h14teacher", "Grace", "Hopper"), "ada": ("h14ada", "Ada", "Lovelace"),
          "carol": ("h14carol", "Carol", "Shaw")}
PASSWORDS: dict[str, str] = {}


T0 = time.monotonic()


def screenshot(driver, name: str, folder: Path | None = None) -> Path:
    """A screenshot (docs/img by default), and when it was taken (the test's steps, timed)."""
    print(f"[hub test] {time.monotonic() - T0:6.1f} s  {name}", flush=True)
    return _screenshot(driver, name, folder)


# --------------------------------------------------------------------------- the hub
class Hub:
    def __init__(self, root: Path, roster: Path, exchange: Path, port: int, proc, log: Path):
        self.root, self.roster, self.exchange, self.port, self.proc, self.log = root, roster, exchange, port, proc, log
        self.url = f"http://127.0.0.1:{port}"

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""


def _wait_http(url: str, timeout: float, proc) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"jupyterhub exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except Exception:
            pass
        time.sleep(1)
    raise AssertionError(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="module")
def hub():
    if os.geteuid() != 0:
        pytest.skip("the hub test creates Unix accounts: it runs as root (CI does)")
    base = Path(tempfile.mkdtemp(prefix="course-hub-test-"))
    os.chmod(base, 0o755)  # the users' servers read base/root/etc
    roster = base / "roster.csv"
    roster.write_text("username,role,first_name,last_name\n" + "".join(
        f"{user},{'instructor' if persona == 'instructor' else 'student'},{first},{last}\n"
        for persona, (user, first, last) in PEOPLE.items()))
    hubctl.remove_users(roster)  # leftovers of an interrupted run: start from empty homes
    root, exchange = base / "root", base / "exchange"
    repo_mode = ROOT.stat().st_mode & 0o7777
    _, passwords = hubctl.setup(roster, root, exchange, quiet=True)
    assert set(passwords) == {user for user, _, _ in PEOPLE.values()}, "every new account gets a one-time password"
    PASSWORDS.update(passwords)
    port, hub_port, api_port = dashboard.free_port(), dashboard.free_port(), dashboard.free_port()
    log = base / "hub.log"
    proc = hubctl.start(roster, root, exchange, port, hub_port, api_port, log=log, foreground=False)
    running = Hub(root, roster, exchange, port, proc, log)
    try:
        _wait_http(running.url + "/hub/api", 180, proc)
        yield running
    finally:
        hubctl.stop(root)
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        assert not [p for p in subprocess.run(["pgrep", "-u", ",".join(u for u, _, _ in PEOPLE.values())],
                                              capture_output=True, text=True).stdout.split()], \
            "a user's server outlived the hub"
        hubctl.remove_users(roster)
        hubctl.profile_script(root).unlink(missing_ok=True)
        os.chmod(ROOT, repo_mode)  # the set-up closed the repository: leave the machine as it was
        shutil.rmtree(base, ignore_errors=True)


# --------------------------------------------------------------------------- the browser
def _wait(driver, condition, what: str, timeout: float = WAIT, hub: Hub | None = None):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.5).until(lambda d: condition(d))
    except TimeoutException:
        shot = screenshot(driver, "failed-" + what.replace(" ", "_")[:40] + ".png",
                          Path(tempfile.gettempdir()) / "course-hub-failures")
        text = driver.execute_script("return document.body ? document.body.innerText : ''") or ""
        raise AssertionError(f"timed out after {timeout} s waiting for {what} (screenshot {shot}); "
                             f"page text: {text[:800]!r}" + (f"\nhub log: {hub.log_tail()}" if hub else ""))


def _text(driver) -> str:
    return driver.execute_script("return document.body ? document.body.innerText : ''") or ""


def _login(driver, hub: Hub, persona: str) -> str:
    """Log in with the roster's password (PAM) and wait for the user's JupyterLab."""
    user = PEOPLE[persona][0]
    password = PASSWORDS[user]
    driver.delete_all_cookies()
    driver.get(hub.url + "/hub/logout")
    driver.delete_all_cookies()
    driver.get(hub.url + "/hub/login")
    _wait(driver, lambda d: d.find_elements("id", "username_input"), "the hub's login form", hub=hub)
    driver.find_element("id", "username_input").send_keys(user)
    driver.find_element("id", "password_input").send_keys(password)
    driver.find_element("id", "login_submit").click()
    _wait(driver, lambda d: f"/user/{user}/lab" in d.current_url and
          [e for e in d.find_elements("css selector", ".lm-MenuBar-item") if e.text.strip() == "Nbgrader"],
          f"{user}'s JupyterLab", hub=hub)
    return user


def _nbgrader_menu(driver) -> list[str]:
    [menu] = [e for e in driver.find_elements("css selector", ".lm-MenuBar-item") if e.text.strip() == "Nbgrader"]
    menu.click()
    _wait(driver, lambda d: d.execute_script(
        "return [...document.querySelectorAll('.lm-Menu-itemLabel')].some(e => e.innerText)"), "the Nbgrader menu")
    return [t for t in driver.execute_script(
        "return [...document.querySelectorAll('.lm-Menu-itemLabel')].map(e => e.innerText)") if t]


def _open_assignments(driver, hub: Hub) -> list[str]:
    """Nbgrader → Assignment List: the students' Assignments tab (returns the menu's items)."""
    items = _nbgrader_menu(driver)
    assert "Assignment List" in items, items
    [item] = [e for e in driver.find_elements("css selector", ".lm-Menu-item") if e.text.strip() == "Assignment List"]
    item.click()
    _wait(driver, lambda d: d.find_elements("id", "released_assignments_list") and d.execute_script(
        "return [...document.querySelectorAll('.lm-TabBar-tab')].some(t => t.innerText.trim() === 'Assignments')"),
        "the Assignments tab", hub=hub)
    return items


def _section(driver, name: str) -> str:
    return driver.execute_script(f"const e = document.getElementById('{name}'); "
                                 "return e ? e.innerText : ''") or ""


def _press(driver, container: str, label: str) -> bool:
    return driver.execute_script(f"""
        const c = document.getElementById('{container}'); if (!c) return false;
        const b = [...c.querySelectorAll('button')].find(b => b.innerText.trim() === '{label}' && !b.disabled);
        if (!b) return false; b.scrollIntoView(); b.click(); return true;""")


def _row_action(driver, lecture: str, cell: str, student: str | None = None) -> bool:
    """Click the link in a formgrader table cell (``td.<cell>``) of the row of ``lecture``/``student``."""
    key = student or lecture
    return driver.execute_script(f"""
        const row = [...document.querySelectorAll('tbody tr')].find(r => r.innerText.includes('{key}'));
        const a = row && row.querySelector('td.{cell} a'); if (!a) return false; a.click(); return true;""")


def _modal(driver, what: str, timeout: float = WAIT, hub: Hub | None = None) -> str:
    """The formgrader's answer to an action (its success or error dialog), then closed."""
    _wait(driver, lambda d: d.execute_script(
        "return !!document.querySelector('#success-modal, #error-modal')"), what, timeout, hub=hub)
    time.sleep(1.0)  # the dialog fades in
    text = driver.execute_script("const m = document.querySelector('#success-modal, #error-modal'); "
                                 "return m.id + '\\n' + m.innerText")
    return text


def _close_modal(driver) -> None:
    driver.execute_script("document.querySelectorAll('.modal [data-dismiss=modal]').forEach(b => b.click())")
    _wait(driver, lambda d: not d.execute_script("return !!document.querySelector('#success-modal, #error-modal')"),
          "the dialog to close", 60)


def _formgrader(driver, hub: Hub, user: str, page: str = "manage_assignments") -> None:
    driver.get(f"{hub.url}/user/{user}/formgrader/{page}")
    _wait(driver, lambda d: LECTURE in _text(d) and d.execute_script(
        "return document.querySelectorAll('tbody tr').length > 0"), f"the formgrader's {page}", hub=hub)


def _answer(user: str, persona: str) -> Path:
    """What the student types: the sample class's answers, written into the fetched notebook as that user."""
    entry = pwd.getpwnam(user)
    path = Path(entry.pw_dir) / LECTURE / f"{LECTURE}.ipynb"
    release = notebooks.read(path)
    solutions = notebooks.solutions_by_id(notebooks.read(ROOT / "source" / LECTURE / f"{LECTURE}.ipynb"))
    answered = notebooks.answer(release, sample_class.answers_for(persona, ROOT, LECTURE, solutions))
    import nbformat

    path.write_text(nbformat.writes(answered))
    os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def _formgrader_from_menu(driver, hub: Hub) -> str:
    """Nbgrader → Formgrader, as an instructor clicks it: the panel's frame must show the formgrader
    (JupyterHub's default "frame-ancestors 'none'" leaves it blank: "refused to connect")."""
    def formgrader_item(d):
        return [e for e in d.find_elements("css selector", ".lm-Menu-item")
                if e.is_displayed() and e.text.strip() == "Formgrader"]

    if not formgrader_item(driver):  # the menu may be open already (clicking it again would close it)
        _nbgrader_menu(driver)
    [item] = _wait(driver, formgrader_item, "the Formgrader menu item", 30)
    item.click()
    frame = _wait(driver, lambda d: d.find_elements("css selector", ".jp-MainAreaWidget iframe, iframe"),
                  "the formgrader panel", hub=hub)[-1]
    driver.switch_to.frame(frame)
    try:
        _wait(driver, lambda d: "Manage Assignments" in _text(d) and LECTURE in _text(d),
              "the formgrader and its assignments inside the panel", 60, hub=hub)
        return _text(driver)
    finally:
        driver.switch_to.default_content()


TERMINAL = """
const [command, done] = [arguments[0], arguments[arguments.length - 1]];
const base = location.pathname.split('/lab')[0];
const xsrf = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || '';
fetch(base + '/api/terminals', {method: 'POST', headers: {'X-XSRFToken': decodeURIComponent(xsrf)}})
  .then(r => r.json()).then(t => {
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + base
                             + '/terminals/websocket/' + t.name);
    let out = '';
    ws.onmessage = e => { const m = JSON.parse(e.data);
      if (m[0] === 'stdout') { out += m[1]; if (out.includes('@@END@@')) { ws.close(); done(out); } } };
    ws.onopen = () => ws.send(JSON.stringify(['stdin', command + '; echo @@E""ND@@\\r']));
    setTimeout(() => done(out + '@@TIMEOUT'), 80000);
  }).catch(e => done('@@ERROR ' + e));
"""


def _terminal(driver, command: str) -> str:
    """``command`` typed into a new JupyterLab terminal of the logged-in user (a login shell, as they get it)."""
    driver.set_script_timeout(90)
    out = driver.execute_async_script(TERMINAL, command)
    assert "@@TIMEOUT" not in out and "@@ERROR" not in out, out[-2000:]
    return out


def _contents_status(driver, path: str) -> dict[str, int]:
    """HTTP status of ``path`` through the contents API and the file server of the user's Jupyter."""
    driver.set_script_timeout(60)
    return driver.execute_async_script("""
        const [path, done] = [arguments[0], arguments[arguments.length - 1]];
        const base = location.pathname.split('/lab')[0];
        Promise.all([fetch(base + '/api/contents/' + path + '?content=1'), fetch(base + '/files/' + path)])
          .then(([a, b]) => done({api: a.status, files: b.status})).catch(e => done({error: String(e)}));""", path)


def _dialog_text(driver) -> str:
    return driver.execute_script(
        "const d = document.querySelector('.jp-Dialog'); return d ? d.innerText : ''") or ""


# --------------------------------------------------------------------------- the class loop
@pytest.fixture(scope="module")
def class_loop(hub, browser):
    """Play the whole loop once; return what each step showed."""
    seen: dict = {"validate": {}, "autograde": {}, "feedback": {}, "feedback_url": {}, "menus": {}}
    driver = browser

    # 1. the instructor releases 01 from the formgrader
    teacher = _login(driver, hub, "instructor")
    seen["menus"]["instructor"] = _nbgrader_menu(driver)
    time.sleep(0.5)
    screenshot(driver, "hub_1_instructor_lab.png")
    seen["formgrader_panel"] = _formgrader_from_menu(driver, hub)
    screenshot(driver, "hub_1b_formgrader_panel.png")
    _formgrader(driver, hub, teacher)
    assert _row_action(driver, LECTURE, "assign"), "no Generate button for " + LECTURE
    seen["generate"] = _modal(driver, "the student version to be generated", hub=hub)
    _close_modal(driver)
    _wait(driver, lambda d: d.execute_script(f"""const row = [...document.querySelectorAll('tbody tr')]
        .find(r => r.innerText.includes('{LECTURE}')); return !!(row && row.querySelector('td.release a'))"""),
        "the Release button", hub=hub)
    assert _row_action(driver, LECTURE, "release")
    seen["release"] = _modal(driver, "the release", hub=hub)
    screenshot(driver, "hub_2_formgrader_release.png")
    _close_modal(driver)

    # 2. two students fetch, answer, validate and submit
    for persona in ("ada", "carol"):
        user = _login(driver, hub, persona)
        seen["menus"][persona] = _open_assignments(driver, hub)
        _wait(driver, lambda d: LECTURE in _section(d, "released_assignments_list"), "the released assignment", hub=hub)
        if persona == "ada":
            screenshot(driver, "hub_3_student_assignments.png")
        assert _press(driver, "released_assignments_list", "Fetch")
        _wait(driver, lambda d: LECTURE in _section(d, "fetched_assignments_list"), "the fetched assignment", hub=hub)
        _answer(user, persona)
        driver.execute_script("const a = document.querySelector('#fetched_assignments_list .assignment-notebooks-link');"
                              " if (a && a.classList.contains('collapsed')) a.click();")
        _wait(driver, lambda d: _press(d, "fetched_assignments_list", "Validate"), "the Validate button", hub=hub)
        _wait(driver, lambda d: d.find_elements("css selector", ".jp-Dialog .validation-success, "
                                                ".jp-Dialog .validation-failed, .jp-Dialog"), "validation", hub=hub)
        _wait(driver, lambda d: "Validating" not in _dialog_text(d) and _dialog_text(d).strip(), "the validation result")
        seen["validate"][persona] = _dialog_text(driver)
        screenshot(driver, f"hub_4_validate_{persona}.png")
        driver.execute_script("document.querySelectorAll('.jp-Dialog button').forEach(b => { "
                              "if (/ok|close/i.test(b.innerText)) b.click(); })")
        _wait(driver, lambda d: not d.find_elements("css selector", ".jp-Dialog"), "the dialog to close")
        assert _press(driver, "fetched_assignments_list", "Submit")
        _wait(driver, lambda d: LECTURE in _section(d, "submitted_assignments_list"), "the submission", hub=hub)
        if persona == "ada":
            screenshot(driver, "hub_5_student_submitted.png")

    # 3. the instructor collects, autogrades, generates and releases feedback
    _login(driver, hub, "instructor")
    _formgrader(driver, hub, teacher)
    assert _row_action(driver, LECTURE, "collect")
    seen["collect"] = _modal(driver, "the collection", hub=hub)
    _close_modal(driver)
    _formgrader(driver, hub, teacher, f"manage_submissions/{LECTURE}")
    for persona in ("ada", "carol"):
        user = PEOPLE[persona][0]
        _wait(driver, lambda d: user in _text(d), f"{user}'s submission", hub=hub)
        assert _row_action(driver, LECTURE, "autograde", student=user), f"no autograde button for {user}"
        seen["autograde"][persona] = _modal(driver, f"autograding {user}", GRADE_WAIT, hub=hub)
        _close_modal(driver)
    _formgrader(driver, hub, teacher, f"manage_submissions/{LECTURE}")
    _wait(driver, lambda d: all(PEOPLE[p][0] in _text(d) for p in ("ada", "carol")), "the scores", hub=hub)
    time.sleep(1.0)
    screenshot(driver, "hub_6_formgrader_autograded.png")
    seen["submissions_page"] = _text(driver)
    driver.get(f"{hub.url}/user/{teacher}/formgrader/manage_students")
    _wait(driver, lambda d: "Lovelace" in _text(d) or "None, None" in _text(d), "the students page", hub=hub)
    seen["students_page"] = _text(driver)
    _formgrader(driver, hub, teacher)
    assert _row_action(driver, LECTURE, "generate-feedback")
    seen["generate_feedback"] = _modal(driver, "the feedback", GRADE_WAIT, hub=hub)
    _close_modal(driver)
    assert _row_action(driver, LECTURE, "release-feedback")
    seen["release_feedback"] = _modal(driver, "the feedback release", hub=hub)
    screenshot(driver, "hub_7_formgrader_feedback_released.png")
    _close_modal(driver)

    # 4. each student fetches their feedback and reads their own score
    for persona in ("ada", "carol"):
        user = _login(driver, hub, persona)
        _open_assignments(driver, hub)
        _wait(driver, lambda d: _press(d, "submitted_assignments_list", "Fetch Feedback"), "the Fetch Feedback button",
              hub=hub)
        _wait(driver, lambda d: "view feedback" in _section(d, "submitted_assignments_list"), "the fetched feedback",
              hub=hub)
        if persona == "ada":
            screenshot(driver, "hub_8_student_feedback_fetched.png")
        home = Path(pwd.getpwnam(user).pw_dir)
        [html] = sorted((home / LECTURE / "feedback").glob(f"*/{LECTURE}.html"))
        # "(view feedback)" opens the page itself in a new tab, as a student clicks it
        tabs = set(driver.window_handles)
        assert driver.execute_script("""const a = [...document.querySelectorAll('#submitted_assignments_list a')]
            .find(a => a.innerText.includes('view feedback')); if (!a) return false; a.click(); return true;""")
        [tab] = _wait(driver, lambda d: set(d.window_handles) - tabs, "the feedback page's tab", 60, hub=hub)
        lab = driver.current_window_handle
        driver.switch_to.window(tab)
        _wait(driver, lambda d: "Score:" in _text(d) or "score" in _text(d).lower(), f"{user}'s feedback page", hub=hub)
        seen["feedback_url"][persona] = driver.current_url
        seen["feedback"][persona] = _text(driver)
        screenshot(driver, f"hub_9_feedback_{persona}.png")
        driver.close()
        driver.switch_to.window(lab)
        assert html.name in seen["feedback_url"][persona]
    return seen


def _gradebook_scores(hub: Hub) -> dict[str, dict[str, float]]:
    from nbgrader.api import Gradebook

    course = hubctl.course_folder(hubctl.read_roster(hub.roster))
    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", hubctl.COURSE_ID) as gb:
        for persona in ("ada", "carol"):
            sub = gb.find_submission(LECTURE, PEOPLE[persona][0])
            scores[persona] = {"code": sub.code_score, "max_code": sub.max_code_score,
                               "score": sub.score, "max": sub.max_score}
    return scores


def test_the_whole_class_loop_in_a_browser(hub, class_loop):
    seen = class_loop
    assert "Formgrader" in seen["menus"]["instructor"], seen["menus"]
    assert "Manage Assignments" in seen["formgrader_panel"], seen["formgrader_panel"][:500]
    # the roster's names reached the gradebook: the formgrader shows them
    assert "Lovelace" in seen["students_page"] and "Shaw" in seen["students_page"], seen["students_page"][:1500]
    assert "None, None" not in seen["students_page"], seen["students_page"][:1500]
    for persona in ("ada", "carol"):  # students have the assignment list, not the formgrader
        assert "Assignment List" in seen["menus"][persona] and "Formgrader" not in seen["menus"][persona], seen["menus"]
    assert seen["release"].startswith("success-modal"), seen["release"]
    assert "Released as" in seen["release"] and str(hub.exchange) in seen["release"], seen["release"]
    assert "passes all the tests" in seen["validate"]["ada"], seen["validate"]["ada"]
    assert "passes all the tests" not in seen["validate"]["carol"], seen["validate"]["carol"]
    assert seen["collect"].startswith("success-modal"), seen["collect"]
    for persona in ("ada", "carol"):
        grading = seen["autograde"][persona]
        assert grading.startswith("success-modal"), grading
        # started from the formgrader, the student's code ran in the course's sandbox
        assert "sandbox in force" in grading, grading
    scores = _gradebook_scores(hub)
    ada, carol = scores["ada"], scores["carol"]
    assert ada["max_code"] > 0 and ada["code"] == ada["max_code"], scores  # every autograded point
    assert carol["code"] < ada["code"], scores
    assert seen["generate_feedback"].startswith("success-modal"), seen["generate_feedback"]
    assert seen["release_feedback"].startswith("success-modal"), seen["release_feedback"]
    # each student reads their own score, and carol the message of her first mistake
    mistakes = sample_class.parse_mistakes(sample_class.mistakes_file(ROOT, LECTURE))
    for persona, score in scores.items():
        page = seen["feedback"][persona]
        assert f"Score: {score['score']} / {score['max']}" in page, (persona, score, page[:800])
    assert any(m.says and m.says in seen["feedback"]["carol"] for m in mistakes), seen["feedback"]["carol"][:2000]


def _as(user: str, code: str) -> dict:
    """Run ``code`` as ``user`` (their own uid and groups); it prints a JSON object."""
    python = shutil.which("python3", path="/usr/bin:/bin")  # the course venv's may lie under /root
    proc = subprocess.run(["runuser", "-u", user, "--", python, "-I", "-c", code],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


PROBE = """
import json, os, sys
out = {}
for label, path in json.loads(sys.argv[1] if len(sys.argv) > 1 else os.environ['PROBE']).items():
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, 'rb').read(1)
        out[label] = 'read'
    except PermissionError:
        out[label] = 'denied'
    except OSError as exc:
        out[label] = type(exc).__name__
print(json.dumps(out))
"""


def test_students_cannot_read_each_other_nor_the_course(hub, class_loop):
    roster = hubctl.read_roster(hub.roster)
    course = hubctl.course_folder(roster)
    ada_home = Path(pwd.getpwnam(PEOPLE["ada"][0]).pw_dir)
    carol_home = Path(pwd.getpwnam(PEOPLE["carol"][0]).pw_dir)
    exchange_course = hub.exchange / hubctl.COURSE_ID
    ada_feedback = sorted((ada_home / LECTURE / "feedback").glob(f"*/{LECTURE}.html"))[0]
    secret = {  # what carol must not read (each exists: checked as root first)
        "ada's home": ada_home,
        "ada's notebook": ada_home / LECTURE / f"{LECTURE}.ipynb",
        "ada's feedback": ada_feedback,
        "the course folder": course,
        "the source notebook": course / "source" / LECTURE / f"{LECTURE}.ipynb",
        "the gradebook": course / "gradebook.db",
        "the collected submissions": course / "submitted",
        "the exchange's inbound": exchange_course / "inbound",
        "the exchange's feedback": exchange_course / "feedback",
    }
    for label, path in secret.items():
        assert path.exists(), f"{label}: {path} is missing, the check would prove nothing"
    allowed = {  # and what she must read: the check sees a real difference
        "her own notebook": carol_home / LECTURE / f"{LECTURE}.ipynb",
        "her own feedback": sorted((carol_home / LECTURE / "feedback").glob(f"*/{LECTURE}.html"))[0],
        "the released assignment": exchange_course / "outbound" / LECTURE / f"{LECTURE}.ipynb",
    }
    code = PROBE.replace("sys.argv[1] if len(sys.argv) > 1 else os.environ['PROBE']",
                         repr(json.dumps({k: str(v) for k, v in {**secret, **allowed}.items()})))
    found = _as(PEOPLE["carol"][0], code)
    assert {k: found[k] for k in secret} == {k: "denied" for k in secret}, found
    assert {k: found[k] for k in allowed} == {k: "read" for k in allowed}, found
    # and the other way round: ada cannot read carol's work either
    back = _as(PEOPLE["ada"][0], PROBE.replace(
        "sys.argv[1] if len(sys.argv) > 1 else os.environ['PROBE']",
        repr(json.dumps({"carol's home": str(carol_home), "carol's notebook": str(allowed["her own notebook"])}))))
    assert back == {"carol's home": "denied", "carol's notebook": "denied"}, back


def test_a_student_reaches_no_instructor_file_from_their_jupyterlab(hub, class_loop, browser):
    """Logged in as a student: the repository (solutions, hidden tests, the roster), the instructor's
    course folder and its gradebook are out of reach through a terminal, the contents API and the
    file server, even through links the student makes in their own home; and the course's commands
    run as typed in the terminal, from the students' environment, not from the repository."""
    course = hubctl.course_folder(hubctl.read_roster(hub.roster))
    secrets = {
        "the repository's source notebook": ROOT / "source" / LECTURE / f"{LECTURE}.ipynb",
        "the repository's roster": ROOT / "hub" / "roster.csv",
        "this class's roster": hub.roster,
        "the course folder's source notebook": course / "source" / LECTURE / f"{LECTURE}.ipynb",
        "the gradebook": course / "gradebook.db",
        "the hub's state": hub.root / "state" / "jupyterhub.sqlite",
    }
    for label, path in secrets.items():
        assert path.exists(), f"{label}: {path} is missing, the check would prove nothing"
    driver = browser
    user = _login(driver, hub, "carol")
    # (the markers are split in the typed command, so its echo never contains them)
    probes = "; ".join(f'if head -c 1 "{path}" >/dev/null 2>&1; then echo "READ"":{i}"; else echo "DENIED"":{i}"; fi'
                       for i, path in enumerate(secrets.values()))
    links = f"ln -sfn {ROOT} ~/peek_repo; ln -sfn {course} ~/peek_course"
    out = _terminal(driver, f"{links}; {probes}; command -v python jupyter nbgrader; "
                            "python -c 'import course; print(\"COURSE\" \"_AT\", course.__file__)'; "
                            "ps -eo user=,args= | sed 's/^/PS: /'")
    # `ps` shows carol her own processes only (her server runs in its own PID namespace): not the
    # hub's, not the instructor's nor another student's command lines
    seen_users = {line.split()[1] for line in out.splitlines() if line.startswith("PS: ") and len(line.split()) > 1}
    assert seen_users and seen_users <= {user}, (seen_users, out[-3000:])
    for i, label in enumerate(secrets):
        assert f"DENIED:{i}" in out and f"READ:{i}" not in out, (label, out[-3000:])
    bin_dir = hub.root / "venv" / "bin"
    for command in ("python", "jupyter", "nbgrader"):
        assert f"{bin_dir}/{command}" in out, (command, out[-3000:])
    [at] = [line for line in out.splitlines() if line.startswith("COURSE_AT")]
    assert str(hub.root / "venv") in at and str(ROOT) not in at, at
    for rel in (f"peek_repo/source/{LECTURE}/{LECTURE}.ipynb", "peek_repo/hub/roster.csv",
                f"peek_course/source/{LECTURE}/{LECTURE}.ipynb", "peek_course/gradebook.db"):
        status = _contents_status(driver, rel)
        assert status.get("api") != 200 and status.get("files") != 200, (rel, status)

    # the instructor's documented command works as typed in their terminal
    _login(driver, hub, "instructor")
    out = _terminal(driver, "cd ~/pytorch-course && python -m course autograde --help | head -3 && nbgrader --version")
    assert "usage:" in out and "autograde" in out, out[-2000:]

