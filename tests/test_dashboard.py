"""course.dashboard: visdom's static files from npm, a server that never downloads, JupyterLab's command."""
from __future__ import annotations

import ast
import os
import posixpath
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

pytest.register_assert_rewrite("dashboard_fixtures")
pytest_plugins = ["dashboard_fixtures"]

from course import dashboard  # noqa: E402


def _build_py_files() -> tuple[set[str], set[str]]:
    """The static files visdom's own download_scripts() writes (from its source, so a new visdom shows)."""
    source = (dashboard.visdom_dir() / "server" / "build.py").read_text()
    tree = ast.parse(source)
    targets = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "ext_files":
            for value in node.value.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    name = value.value
                    sub = "js" if name.endswith((".js", ".js.map")) else "css" if name.endswith(".css") else "fonts"
                    targets.add(f"{sub}/{name}")
    mathjax = set(re.findall(r'"((?:config|extensions|jax)/[^"?]+|MathJax\.js)\?', source))
    return targets, mathjax


def test_asset_list_matches_visdoms_download_scripts():
    targets, mathjax = _build_py_files()
    ours = {target for _, _, target in dashboard.ASSETS}
    assert targets and targets <= ours, f"files visdom fetches that we do not install: {targets - ours}"
    assert mathjax == set(dashboard.MATHJAX_CHECK), "MathJax files differ from visdom's list"
    assert dashboard.installed_visdom_version() == dashboard.VISDOM_VERSION, \
        "a new visdom: check its build.py against ASSETS (versions and paths)"
    source = (dashboard.visdom_dir() / "server" / "build.py").read_text()
    for spec, _, _ in dashboard.ASSETS:  # the npm versions are the CDN versions
        name, version = spec.rsplit("@", 1)
        if name not in ("plotly.js-dist-min", "d3", "d3-selection-multi"):
            assert f"{name}@{version}" in source
    assert "plotly-2.11.1.min.js" in source and "mathjax/2.7.5" in source


def test_assets_are_in_place(visdom_assets):
    assert dashboard.missing_assets() == []
    static = dashboard.static_dir()
    assert (static / "version.built").read_text().strip() == dashboard.installed_visdom_version()
    assert b"Plotly" in (static / "js" / "plotly-plotly.min.js").read_bytes()[:2000] or \
        (static / "js" / "plotly-plotly.min.js").stat().st_size > 3_000_000


def test_install_is_idempotent_and_fills_an_empty_folder(visdom_assets, tmp_path):
    static = tmp_path / "static"
    assert "version.built" in dashboard.missing_assets(static)
    dashboard.install_assets(static)  # from the npm tarballs kept in node_modules/.visdom-assets
    assert dashboard.missing_assets(static) == []
    stamp = static / "version.built"
    before = stamp.stat().st_mtime_ns
    dashboard.install_assets(static)
    assert stamp.stat().st_mtime_ns == before, "a second install must do nothing"
    (static / "js" / "jquery.min.js").unlink()
    assert dashboard.missing_assets(static) == ["js/jquery.min.js"]
    dashboard.install_assets(static)
    assert dashboard.missing_assets(static) == []


def _page_assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)=["\']?(/static/[^"\'\s>]+)', html)


def test_server_serves_every_asset_its_page_loads(visdom_server):
    with urllib.request.urlopen(visdom_server.url + "/", timeout=30) as response:
        html = re.sub(r"<!--.*?-->", "", response.read().decode(), flags=re.S)
    assets = [posixpath.normpath(a.split("?")[0]) for a in _page_assets(html)]
    assert "/user/style.css" in assets
    assert len(assets) >= 15, f"the page references too few assets: {assets}"
    assert not re.search(r'(?:src|href)=["\']?https?://', html), "the page must not load from another host"
    for path in assets + ["/static/fonts/glyphicons-halflings-regular.woff2",
                          "/static/js/mathjax/2.7.5/jax/output/SVG/jax.js"]:
        with urllib.request.urlopen(visdom_server.url + path, timeout=30) as response:
            body = response.read()
            assert response.status == 200 and (body or path == "/user/style.css"), path  # user css: empty


def test_make_visdom_command_starts_offline(visdom_assets, tmp_path):
    """The server `make visdom` runs, with every outside address unreachable (proxies to a dead port)."""
    port = dashboard.free_port()
    dead = f"http://127.0.0.1:{dashboard.free_port()}"
    env = dict(os.environ, VISDOM_PORT=str(port), http_proxy=dead, https_proxy=dead, HTTP_PROXY=dead,
               HTTPS_PROXY=dead, no_proxy="localhost,127.0.0.1", NO_PROXY="localhost,127.0.0.1",
               VISDOM_ENV_PATH=str(tmp_path / "envs"))
    log = open(tmp_path / "log", "wb")
    proc = subprocess.Popen([sys.executable, "course/dashboard.py", "visdom", "--no-install"],
                            cwd=dashboard.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        import time

        deadline = time.monotonic() + 90
        while not dashboard.port_answers(port) and time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "log").read_text()
            time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/js/plotly-plotly.min.js", timeout=30) as r:
            assert r.status == 200
    finally:
        dashboard.stop(proc)
    out = (tmp_path / "log").read_text()
    assert f"visdom at http://localhost:{port}" in out
    assert "Downloading scripts" not in out and "Checking for scripts" not in out
    assert (tmp_path / "envs").is_dir()


def test_a_taken_port_is_refused_with_advice(visdom_server):
    proc = subprocess.run([sys.executable, "course/dashboard.py", "visdom", "--port", str(visdom_server.port),
                           "--no-install"], cwd=dashboard.ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "VISDOM_PORT=" in proc.stderr


def test_lab_command_enables_nbgrader():
    command = dashboard.lab_command(8888, Path("/course"), "tok")
    joined = " ".join(command)
    for ext in ("formgrader", "assignment_list", "validate_assignment", "course_list"):
        assert f"'nbgrader.server_extensions.{ext}': True" in joined
    assert "--ServerApp.root_dir=/course" in command and "--no-browser" in command
    assert "--IdentityProvider.token=tok" in command and "--ip=127.0.0.1" in command


def test_nbgrader_labextension_is_installed():
    proc = subprocess.run([sys.executable, "-m", "jupyter", "labextension", "list"], capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, NO_COLOR="1"))
    text = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)
    assert re.search(r"@jupyter/nbgrader v0\.9\.\d+ enabled\s+OK", text), text


def test_makefile_fragment_has_the_targets():
    text = (dashboard.ROOT / "mk" / "dashboard.mk").read_text()
    for target in ("visdom:", "visdom-assets:", "lab:", "browser-deps:", "test: browser-deps"):
        assert target in text
    proc = subprocess.run(["make", "-n", "visdom", "lab", "browser-deps"], cwd=dashboard.ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "course/dashboard.py visdom" in proc.stdout and "course/dashboard.py lab" in proc.stdout
