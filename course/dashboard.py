"""The instructor's and students' dashboards: a visdom server that works offline, and JupyterLab.

    python -m course.dashboard assets            # put visdom's JS/CSS/fonts in place (idempotent)
    python -m course.dashboard visdom [--port N] # serve visdom on localhost, never downloading
    python -m course.dashboard lab [--port N]    # JupyterLab at the course root, nbgrader enabled

visdom's own ``visdom`` command first runs ``download_scripts()``, which fetches its page's
JavaScript, CSS and fonts from CDNs (and MathJax from cdnjs, with no error handling), so it
cannot start on a machine without internet.  Here the same files come from the npm registry at
the versions visdom 0.2.4 asks for (``ASSETS`` mirrors the list in ``visdom/server/build.py``),
are copied to the same paths under visdom's ``static/`` folder, and ``static/version.built`` is
written as ``download_scripts`` would.  The server is then started through
``visdom.server.run_server.start_server``, which never downloads anything.

The npm tarballs are kept in ``node_modules/.visdom-assets/`` of the course (git-ignored), so a
second run needs no network at all.
"""
from __future__ import annotations

import argparse
import importlib.util
import io
import os
import secrets
import signal
import socket
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NPM_CACHE = ROOT / "node_modules" / ".visdom-assets"
DEFAULT_VISDOM_PORT = 8097
DEFAULT_LAB_PORT = 8888
VISDOM_VERSION = "0.2.4"

# (npm package@version, file inside the package, target under visdom's static/) — the files and
# versions of visdom 0.2.4's download_scripts(); the CDN address each replaces is in the comment.
ASSETS: tuple[tuple[str, str, str], ...] = (
    ("jquery@3.1.1", "dist/jquery.min.js", "js/jquery.min.js"),
    ("bootstrap@3.3.7", "dist/js/bootstrap.min.js", "js/bootstrap.min.js"),
    ("react@16.2.0", "umd/react.production.min.js", "js/react-react.min.js"),
    ("react-dom@16.2.0", "umd/react-dom.production.min.js", "js/react-dom.min.js"),
    ("react-modal@3.1.10", "dist/react-modal.min.js", "js/react-modal.min.js"),
    # cdn.plot.ly/plotly-2.11.1.min.js
    ("plotly.js-dist-min@2.11.1", "plotly.min.js", "js/plotly-plotly.min.js"),
    ("sjcl@1.0.7", "sjcl.js", "js/sjcl.js"),
    ("layout-bin-packer@1.4.0", "dist/layout-bin-packer.js.map", "js/layout-bin-packer.js.map"),
    # d3js.org/d3.v3.min.js (the last 3.x release) and d3js.org/d3-selection-multi.v1.js
    ("d3@3.5.17", "d3.min.js", "js/d3.v3.min.js"),
    ("d3-selection-multi@1.0.1", "build/d3-selection-multi.js", "js/d3-selection-multi.v1.js"),
    ("save-svg-as-png@1.4.17", "lib/saveSvgAsPng.js", "js/saveSvgAsPng.js"),
    ("react-resizable@1.4.6", "css/styles.css", "css/react-resizable-styles.css"),
    ("react-grid-layout@0.16.3", "css/styles.css", "css/react-grid-layout-styles.css"),
    ("bootstrap@3.3.7", "dist/css/bootstrap.min.css", "css/bootstrap.min.css"),
    # unpkg.com/classnames@2.2.5 serves the package's main file; build.py files it under fonts/
    ("classnames@2.2.5", "index.js", "fonts/classnames"),
    ("layout-bin-packer@1.4.0", "dist/layout-bin-packer.js", "js/layout_bin_packer.js"),
    ("bootstrap@3.3.7", "dist/fonts/glyphicons-halflings-regular.eot", "fonts/glyphicons-halflings-regular.eot"),
    ("bootstrap@3.3.7", "dist/fonts/glyphicons-halflings-regular.woff2", "fonts/glyphicons-halflings-regular.woff2"),
    ("bootstrap@3.3.7", "dist/fonts/glyphicons-halflings-regular.woff", "fonts/glyphicons-halflings-regular.woff"),
    ("bootstrap@3.3.7", "dist/fonts/glyphicons-halflings-regular.ttf", "fonts/glyphicons-halflings-regular.ttf"),
    # build.py saves the svg under a name with "#glyphicons_halflingsregular" in it; the CSS asks
    # for the plain name (the fragment is not part of the path), so both are written.
    ("bootstrap@3.3.7", "dist/fonts/glyphicons-halflings-regular.svg", "fonts/glyphicons-halflings-regular.svg"),
    ("bootstrap@3.3.7", "dist/fonts/glyphicons-halflings-regular.svg",
     "fonts/glyphicons-halflings-regular.svg#glyphicons_halflingsregular"),
)
# MathJax 2.7.5 (cdnjs) into static/js/mathjax/2.7.5/: the page loads MathJax.js and
# config/TeX-AMS-MML_HTMLorMML.js, which pull in further jax, extensions and fonts on demand,
# so the whole run-time tree is copied (not the package's unpacked/, test/ and docs/).
MATHJAX = "mathjax@2.7.5"
MATHJAX_TARGET = "js/mathjax/2.7.5"
MATHJAX_PARTS = ("MathJax.js", "config/", "extensions/", "jax/", "fonts/", "localization/")
MATHJAX_CHECK = ("MathJax.js", "config/TeX-AMS-MML_HTMLorMML.js", "config/Safe.js", "extensions/Safe.js",
                 "jax/output/SVG/jax.js", "jax/output/SVG/config.js", "jax/output/SVG/fonts/TeX/fontdata.js",
                 "jax/output/SVG/fonts/TeX/Size1/Regular/Main.js")


class DashboardError(RuntimeError):
    """A dashboard cannot be set up or started; the message says how to fix it."""


def say(message: str) -> None:
    print(f"[dashboard] {message}", flush=True)


# --------------------------------------------------------------------------- visdom's static files
def visdom_dir() -> Path:
    """The installed visdom package folder (without importing visdom)."""
    spec = importlib.util.find_spec("visdom")
    if spec is None or not spec.submodule_search_locations:
        raise DashboardError("visdom is not installed in this Python: run `make setup` first.")
    return Path(list(spec.submodule_search_locations)[0])


def static_dir() -> Path:
    return visdom_dir() / "static"


def installed_visdom_version() -> str:
    version_file = visdom_dir() / "VERSION"
    return version_file.read_text().strip() if version_file.exists() else "no_version_file"


def missing_assets(static: Path | None = None) -> list[str]:
    """Paths under ``static/`` that visdom's page needs and that are not there (empty: all set)."""
    static = static or static_dir()
    wanted = [target for _, _, target in ASSETS]
    wanted += [f"{MATHJAX_TARGET}/{name}" for name in MATHJAX_CHECK]
    missing = [t for t in wanted if not (static / t).is_file() or (static / t).stat().st_size == 0]
    built = static / "version.built"
    if not built.is_file() or built.read_text().strip() != installed_visdom_version():
        missing.append("version.built")
    return missing


def _tarball(spec: str, cache: Path) -> Path:
    try:
        from .npm import tarball
    except ImportError:  # run as `python course/dashboard.py` (make visdom-assets): its folder is sys.path[0]
        from npm import tarball

    return tarball(spec, cache, DashboardError, "visdom's page", "make visdom-assets")


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def install_assets(static: Path | None = None, cache: Path = NPM_CACHE, force: bool = False) -> Path:
    """Put every file visdom's page loads under ``static/`` (from npm; a no-op when all are there)."""
    static = static or static_dir()
    if not force and not missing_assets(static):
        return static
    say(f"installing visdom's JavaScript, CSS and fonts from the npm registry into {static}")
    by_package: dict[str, list[tuple[str, str]]] = {}
    for spec, inner, target in ASSETS:
        by_package.setdefault(spec, []).append((inner, target))
    for spec, files in by_package.items():
        with tarfile.open(_tarball(spec, cache)) as tar:
            for inner, target in files:
                member = tar.extractfile(f"package/{inner}")
                if member is None:
                    raise DashboardError(f"{spec} has no file {inner}")
                _write(static / target, member.read())
    with tarfile.open(_tarball(MATHJAX, cache)) as tar:
        for member in tar.getmembers():
            inner = member.name.removeprefix("package/")
            if member.isfile() and any(inner == p or (p.endswith("/") and inner.startswith(p))
                                       for p in MATHJAX_PARTS):
                _write(static / MATHJAX_TARGET / inner, tar.extractfile(member).read())
    # the stamp download_scripts() checks: with it, even visdom's own command skips the download
    _write(static / "version.built", installed_visdom_version().encode())
    still = missing_assets(static)
    if still:
        raise DashboardError(f"visdom's static files are still missing after the install: {still}")
    say(f"visdom's static files are in place ({len(ASSETS)} files and MathJax 2.7.5)")
    return static


# --------------------------------------------------------------------------- the visdom server
def visdom_port() -> int:
    return int(os.environ.get("VISDOM_PORT", DEFAULT_VISDOM_PORT))


def default_env_path() -> Path:
    """Where the server keeps its envs: ``$VISDOM_ENV_PATH``, else ``.visdom/`` in the course."""
    return Path(os.environ.get("VISDOM_ENV_PATH", ROOT / ".visdom")).expanduser().resolve()


def port_answers(port: int, host: str = "127.0.0.1", timeout: float = 0.3) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_visdom(port: int | None = None, env_path: Path | None = None, all_interfaces: bool = False,
                 install: bool = True) -> None:
    """Run the visdom server in this process (blocks); never downloads from a CDN."""
    port = port or visdom_port()
    env_path = Path(env_path or default_env_path())
    if install:
        install_assets()
    elif missing_assets():
        raise DashboardError(f"visdom's static files are missing ({', '.join(missing_assets()[:5])}...): "
                             f"run `make visdom-assets` (or `python -m course.dashboard assets`).")
    if port_answers(port):
        raise DashboardError(f"port {port} is taken (a visdom server already running?). "
                             f"Choose another with VISDOM_PORT=8098 make visdom.")
    env_path.mkdir(parents=True, exist_ok=True)
    import logging

    logging.getLogger().setLevel(logging.WARNING)
    from visdom.server.run_server import start_server  # no download_scripts() on this path

    _allow_user_stylesheet()
    try:  # Chinese titles and labels drawn on a machine without a CJK font (visdom serves <env_path>/style.css)
        from course import fonts

        fonts.install_visdom_css(env_path, ROOT)
    except Exception as exc:
        say(f"  (Chinese text may show as boxes on a machine without a CJK font: {exc})")

    say(f"visdom at http://localhost:{port}  (envs saved in {env_path}; stop with Ctrl-C)")
    say("students: run the notebooks as usual — each lecture draws into the env named after it; "
        f"from another port, set VISDOM_PORT={port} before starting Jupyter")
    start_server(port=port, base_url="", env_path=str(env_path) + os.sep, bind_local=not all_interfaces,
                 print_func=lambda p: None)


def _allow_user_stylesheet() -> None:
    """Let visdom 0.2.4's page link its user stylesheet under tornado >= 6.3.

    index.html asks for ``static_url("../user/style.css")`` (served by visdom's ``/user/`` handler);
    newer tornado refuses to hash a file outside the static folder and answers the whole page with
    403.  For such paths the URL is built without the version hash, as older tornado did.
    """
    from tornado.web import StaticFileHandler

    original = StaticFileHandler.make_static_url.__func__
    if getattr(original, "_course_patched", False):
        return

    def make_static_url(cls, settings, path, include_version=True):
        if path.startswith("../"):
            return settings.get("static_url_prefix", "/static/") + path
        return original(cls, settings, path, include_version)

    make_static_url._course_patched = True
    StaticFileHandler.make_static_url = classmethod(make_static_url)


def start_visdom(port: int, env_path: Path, timeout: float = 60.0, log: Path | None = None) -> subprocess.Popen:
    """Start a visdom server in a child process and wait until it answers (for tests and scripts)."""
    out = open(log, "ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "visdom", "--port", str(port), "--env-path", str(env_path),
         "--no-install"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DashboardError(f"the visdom server exited at start (code {proc.returncode})"
                                 + (f"; see {log}" if log else ""))
        if port_answers(port):
            return proc
        time.sleep(0.2)
    stop(proc)
    raise DashboardError(f"the visdom server did not answer on port {port} within {timeout:.0f} s")


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """End a server started by ``start_visdom``/``start_lab`` (terminate, then kill)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


# --------------------------------------------------------------------------- JupyterLab
NBGRADER_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",          # instructor: the formgrader
    "nbgrader.server_extensions.assignment_list",     # student: the assignment list
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.validate_assignment",  # student: the Validate button
)


def lab_command(port: int, root: Path = ROOT, token: str | None = None, ip: str = "127.0.0.1") -> list[str]:
    """The ``jupyter lab`` command line: course root, nbgrader's server extensions switched on."""
    enabled = "{" + ", ".join(f"'{name}': True" for name in NBGRADER_SERVER_EXTENSIONS) + "}"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ip={ip}", f"--port={port}",
               "--port-retries=0", f"--ServerApp.root_dir={root}",
               f"--ServerApp.jpserver_extensions={enabled}",
               "--LabApp.custom_css=True"]  # the course's CJK web font (lab_fonts)
    if token is not None:
        command.append(f"--IdentityProvider.token={token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI and containers run as root
        command.append("--allow-root")
    return command


def lab_env(root: Path = ROOT) -> dict:
    env = dict(os.environ)
    # nbgrader's formgrader starts `nbgrader`/kernels by name: both from this environment
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("VISDOM_PORT", str(visdom_port()))
    return env


def lab_fonts(env: dict, root: Path = ROOT) -> None:
    """Give JupyterLab the course's Chinese font (course.fonts.install_lab_css) in the config dir it will use:
    on a machine without a CJK font, a zh notebook would otherwise show boxes. A failure only warns."""
    from jupyter_core.paths import jupyter_config_dir

    from course import fonts

    config_dir = Path(env.get("JUPYTER_CONFIG_DIR") or jupyter_config_dir())
    try:
        fonts.install_lab_css(config_dir, root)
    except Exception as exc:  # JupyterLab still starts, in its own fonts
        say(f"  (Chinese text may show as boxes on a machine without a CJK font: {exc})")


def serve_lab(port: int | None = None, root: Path = ROOT) -> int:
    port = port or int(os.environ.get("LAB_PORT", DEFAULT_LAB_PORT))
    if port_answers(port):
        raise DashboardError(f"port {port} is taken: choose another with LAB_PORT=8889 make lab.")
    token = os.environ.get("LAB_TOKEN") or secrets.token_hex(16)
    url = f"http://localhost:{port}"
    say(f"JupyterLab for the course at {root}")
    say(f"  open      {url}/lab?token={token}")
    say(f"  formgrader (instructor): {url}/formgrader   · menu Nbgrader → Formgrader")
    say(f"  assignment list (student): menu Nbgrader → Assignment List")
    say(f"  live plots: visdom at http://localhost:{visdom_port()} when `make visdom` runs")
    env = lab_env(root)
    lab_fonts(env, root)
    proc = subprocess.Popen(lab_command(port, root, token), cwd=root, env=env)

    def interrupted(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)  # `kill` of this launcher also stops JupyterLab
    try:
        return proc.wait()
    except KeyboardInterrupt:
        stop(proc)
        return 0


def start_lab(port: int, root: Path, token: str, timeout: float = 120.0, log: Path | None = None,
              extra_env: dict | None = None) -> subprocess.Popen:
    """Start JupyterLab in a child process and wait until its API answers (for tests)."""
    import urllib.request

    env = lab_env(root)
    env.update(extra_env or {})
    lab_fonts(env, root)
    out = open(log, "ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen(lab_command(port, root, token), cwd=root, env=env, stdout=out,
                            stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise DashboardError(f"JupyterLab exited at start (code {proc.returncode})"
                                 + (f"; see {log}" if log else ""))
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            pass
        time.sleep(0.5)
    stop(proc)
    raise DashboardError(f"JupyterLab did not answer on port {port} within {timeout:.0f} s")


# --------------------------------------------------------------------------- command line
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course.dashboard", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    assets = sub.add_parser("assets", help="install visdom's static files from npm (idempotent)")
    assets.add_argument("--force", action="store_true", help="reinstall even when all files are there")
    assets.add_argument("--check", action="store_true", help="only say what is missing (exit 1 if any)")
    vis = sub.add_parser("visdom", help="serve visdom on localhost without downloading anything")
    vis.add_argument("--port", type=int, default=None, help=f"default: $VISDOM_PORT or {DEFAULT_VISDOM_PORT}")
    vis.add_argument("--env-path", type=Path, default=None, help="where envs are saved (default: .visdom/)")
    vis.add_argument("--all-interfaces", action="store_true", help="listen on every interface, not only localhost")
    vis.add_argument("--no-install", action="store_true", help="fail rather than install missing static files")
    lab = sub.add_parser("lab", help="JupyterLab at the course root with nbgrader's extensions")
    lab.add_argument("--port", type=int, default=None, help=f"default: $LAB_PORT or {DEFAULT_LAB_PORT}")
    args = parser.parse_args(argv)
    try:
        if args.command == "assets":
            if args.check:
                missing = missing_assets()
                print("\n".join(missing) if missing else "all of visdom's static files are in place")
                return 1 if missing else 0
            install_assets(force=args.force)
        elif args.command == "visdom":
            serve_visdom(args.port, args.env_path, args.all_interfaces, install=not args.no_install)
        elif args.command == "lab":
            return serve_lab(args.port)
    except DashboardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
