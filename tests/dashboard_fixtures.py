"""Fixtures for the dashboard tests: a real visdom server, JupyterLab on a course copy, headless Chromium.

Loaded by the test modules with ``pytest_plugins = ["dashboard_fixtures"]`` (tests/conftest.py is
shared and left alone).  Every server runs on a free localhost port, is started and stopped here,
and every wait has a timeout, so the tests are bounded in time in CI.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from course import dashboard  # noqa: E402

CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("COURSE_CHROMEDRIVER", "/usr/bin/chromedriver"))
IMG = ROOT / "docs" / "img"

BOXED_IDEOGRAPHS_JS = r"""
// [how many visible text nodes (HTML or SVG) hold a Chinese ideograph, those whose first ideograph is drawn narrower than
// 0.9 em (a fallback's box: an ideograph of Noto Sans CJK is one em wide) as [text, width, font size]]
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
let seen = 0; const boxed = [];
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const i = node.data.search(/[\u4e00-\u9fff]/);
  const el = node.parentElement;
  const shown = el instanceof SVGElement ? el.getBoundingClientRect().width > 0 : el.offsetParent !== null;
  if (i < 0 || !shown) continue;
  const range = document.createRange(); range.setStart(node, i); range.setEnd(node, i + 1);
  const width = range.getBoundingClientRect().width, size = parseFloat(getComputedStyle(node.parentElement).fontSize);
  seen += 1;
  if (width < 0.9 * size) boxed.push([node.data.trim().slice(0, 40), width, size]);
}
return [seen, boxed];
"""


def system_cjk_fonts() -> str | None:
    """What ``fc-list :lang=zh`` lists (empty: this machine draws Chinese only in the course's font), or None
    without fc-list."""
    if not shutil.which("fc-list"):
        return None
    return subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip()


def assert_boxes_without_sheet(driver, href_part: str) -> None:
    """The control of a "no boxes" check: with the course's style sheet (the link whose href holds
    ``href_part``) switched off, a machine without a CJK font draws Chinese as boxes."""
    import time

    if system_cjk_fonts():
        return  # the system draws Chinese by itself: there is no control to run
    driver.execute_script("for (const l of document.querySelectorAll('link')) "
                          "if (l.href.includes(arguments[0])) l.disabled = true", href_part)
    time.sleep(0.5)
    seen, boxed = driver.execute_script(BOXED_IDEOGRAPHS_JS)
    assert boxed, "the control failed: without the course's font the system still draws Chinese"


def lectures_present(root: Path) -> list[str]:
    """The lectures whose source notebook exists under ``root/source`` (others add more as we go)."""
    src = root / "source"
    return sorted(p.name for p in src.iterdir() if p.is_dir() and (p / f"{p.name}.ipynb").exists())


@pytest.fixture(scope="session")
def visdom_assets():
    """visdom's static files in place (from the npm tarballs; ``make test`` installs them first)."""
    try:
        return dashboard.install_assets()
    except dashboard.DashboardError as exc:
        pytest.fail(f"visdom's static files could not be installed: {exc}")


class VisdomServer:
    def __init__(self, port: int, env_path: Path, proc):
        self.port, self.env_path, self.proc = port, env_path, proc
        self.url = f"http://127.0.0.1:{port}"

    def client(self):
        import logging

        import visdom

        import warnings

        logging.getLogger("visdom").setLevel(logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # visdom's logger.warn DeprecationWarning
            return visdom.Visdom(server="http://127.0.0.1", port=self.port, raise_exceptions=True,
                                 use_incoming_socket=False)

    def window(self, env: str, win: str) -> dict:
        """A window's data, read back through visdom's own API."""
        text = self.client().get_window_data(win=win, env=env)
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise AssertionError(f"no window {win!r} in env {env!r}: the server said {text[:300]!r}")

    def windows(self, env: str) -> dict:
        text = self.client().get_window_data(win=None, env=env)
        return json.loads(text) if text else {}


def _start_visdom(tmp: Path) -> VisdomServer:
    port = dashboard.free_port()
    log = tmp / "visdom.log"
    proc = dashboard.start_visdom(port, tmp / "envs", timeout=90, log=log)
    return VisdomServer(port, tmp / "envs", proc)


@pytest.fixture(scope="session")
def visdom_server(visdom_assets, tmp_path_factory):
    """A real visdom server (offline static files, temp env_path) for the whole session."""
    server = _start_visdom(tmp_path_factory.mktemp("visdom"))
    yield server
    dashboard.stop(server.proc)


@pytest.fixture
def own_visdom_server(visdom_assets, tmp_path):
    """A visdom server of this test alone (the test may stop it)."""
    server = _start_visdom(tmp_path)
    yield server
    dashboard.stop(server.proc)


@pytest.fixture
def plot_context(monkeypatch):
    """A clean helper context: no student, no visdom unless a test points VISDOM_PORT at one."""
    from course import context

    for var in ("COURSE_STUDENT", "COURSE_NO_VISDOM", "VISDOM_SERVER"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("VISDOM_PORT", str(dashboard.free_port()))  # nothing listens there
    monkeypatch.setattr(context, "_lecture", None)
    import matplotlib

    with matplotlib.rc_context():  # course.start in zh adds the CJK font to the global rcParams: undo it
        yield monkeypatch


def use_server(monkeypatch, server: VisdomServer | None) -> None:
    if server is None:
        monkeypatch.setenv("VISDOM_PORT", str(dashboard.free_port()))
    else:
        monkeypatch.setenv("VISDOM_SERVER", "127.0.0.1")
        monkeypatch.setenv("VISDOM_PORT", str(server.port))


def train_linear(plot_title: str = "linear model, SGD lr=0.05", steps: int = 30, epochs_every: int = 10,
                 lr: float = 0.05):
    """A short real training through the helper: y = 2x + 1 with torch, loss per step, accuracy per epoch."""
    import torch

    import course

    torch.manual_seed(0)
    x = torch.linspace(-1, 1, 32).unsqueeze(1)
    y = 2 * x + 1
    model = torch.nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    plot = course.LivePlot(plot_title, xlabel="step", ylabel="MSE loss")
    for step in range(steps):
        loss = torch.nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        plot.add(step, loss=loss)  # a 0-d tensor works too
        if (step + 1) % epochs_every == 0:
            with torch.no_grad():
                close = ((model(x) - y).abs() < 0.5).float().mean().item()
            plot.add_epoch((step + 1) // epochs_every, accuracy=close)
    plot.done()
    return plot


# --------------------------------------------------------------------------- JupyterLab
def copy_course(dest: Path) -> Path:
    """An instructor's copy of the course for JupyterLab: sources, releases and the nbgrader config."""
    for name in ("source", "release"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(ROOT / "nbgrader_config.py", dest)
    return dest


class LabServer:
    def __init__(self, port: int, root: Path, token: str, proc):
        self.port, self.root, self.token, self.proc = port, root, token, proc
        self.url = f"http://127.0.0.1:{port}"

    def at(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.url}{path}{sep}token={self.token}"


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """JupyterLab (as ``make lab`` starts it) on a temporary copy of the course."""
    root = copy_course(tmp_path_factory.mktemp("course"))
    port, token = dashboard.free_port(), "course-test-token"
    env = {"COURSE_GRADEBOOK": f"sqlite:///{root / 'gradebook.db'}", "COURSE_EXCHANGE": str(root / "exchange"),
           "JUPYTER_CONFIG_DIR": str(root / ".jupyter"), "JUPYTER_RUNTIME_DIR": str(root / ".runtime")}
    (root / "exchange").mkdir()
    # a fresh workspace, and no "get notified about Jupyter news?" toast over the screenshots
    settings = root / ".lab-settings"
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text('{"fetchNews": "false"}')
    env.update(JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(root / ".lab-workspaces"))
    proc = dashboard.start_lab(port, root, token, timeout=180, log=root / "lab.log", extra_env=env)
    yield LabServer(port, root, token, proc)
    dashboard.stop(proc)


# --------------------------------------------------------------------------- headless Chromium
@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """Headless Chromium driven by selenium; external hosts do not resolve (as on a machine offline)."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail(f"{CHROMIUM} / {CHROMEDRIVER} missing: run `make browser-deps` (apt: chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,900", "--hide-scrollbars",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
                 # only localhost resolves: a page that still reached for a CDN would show it as a failed load
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER), log_output=str(tmp_path_factory.mktemp("chromedriver") / "log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


def console_errors(driver) -> list[str]:
    """The browser console's errors since the last call (failed asset loads show up here)."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def screenshot(driver, name: str, folder: Path | None = None) -> Path:
    folder = folder or IMG
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    driver.save_screenshot(str(path))
    return path
