"""Set up, start and stop the course's JupyterHub (issue 14, docs/hub.md).

    python hub/hubctl.py setup  [--roster hub/roster.csv] [--root /srv/pytorch-course] [--exchange /srv/nbgrader/exchange]
    python hub/hubctl.py start  [--port 8000] ...     (foreground; Ctrl-C stops the hub and every user's server)
    python hub/hubctl.py stop   [--root ...]          (the hub started by `start`, from its pid file)
    python hub/hubctl.py remove-users --roster FILE   (userdel -r of the roster's accounts: tests only)

``setup`` is idempotent and runs as root: one local Unix account per roster line (``useradd``,
password from the roster with ``chpasswd``, home 0700), the exchange (1777, as nbgrader documents),
the instructor's course folder ``~INSTRUCTOR/pytorch-course`` (0700: source notebooks, gradebook,
submissions) and the configuration every single-user server reads (``ROOT/etc``):

* ``etc/common/nbgrader_config.py``: the course id, the exchange and the sandboxed autograder,
  for every user (the global nbgrader config);
* ``etc/student/``: the formgrader and the create-assignment toolbar switched off for students;
* the instructor's servers also read the course folder's own ``nbgrader_config.py`` (the course's
  config, the one the repository ships).

The hub's own state (its database, cookie secret, pid files, log) lives in ``ROOT/state`` (0700).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HUB = REPO / "hub"
VENV = Path(os.environ.get("COURSE_VENV", REPO / ".venv"))
PROXY = HUB / "node_modules" / ".bin" / "configurable-http-proxy"
DEFAULT_ROOT = Path(os.environ.get("HUB_ROOT", "/srv/pytorch-course"))
DEFAULT_EXCHANGE = Path(os.environ.get("HUB_EXCHANGE", "/srv/nbgrader/exchange"))
COURSE_ID = os.environ.get("COURSE_ID", "pytorch-course")
COURSE_FOLDER = "pytorch-course"  # in the instructor's home
SANDBOXED = "course.grading.nbgrader_sandbox.SandboxedExecute"


@dataclass
class Person:
    name: str
    role: str  # instructor | student
    password: str


def read_roster(path: Path) -> list[Person]:
    people = []
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            name, role, password = row["username"].strip(), row["role"].strip().lower(), row["password"]
            if not name or role not in ("instructor", "student"):
                raise SystemExit(f"{path}: bad line {row}")
            if not name.replace("-", "").replace("_", "").isalnum() or not name[0].isalpha() or name != name.lower():
                raise SystemExit(f"{path}: {name!r} is not a valid Unix user name")
            people.append(Person(name, role, password))
    if sum(p.role == "instructor" for p in people) != 1:
        raise SystemExit(f"{path}: exactly one instructor expected")
    return people


def instructor(people: list[Person]) -> Person:
    return next(p for p in people if p.role == "instructor")


def course_folder(people: list[Person]) -> Path:
    return Path(pwd.getpwnam(instructor(people).name).pw_dir) / COURSE_FOLDER


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, **kw)


def ensure_user(person: Person) -> pwd.struct_passwd:
    try:
        entry = pwd.getpwnam(person.name)
    except KeyError:
        _run(["useradd", "--create-home", "--shell", "/bin/bash", "--comment", f"pytorch course {person.role}",
              person.name])
        entry = pwd.getpwnam(person.name)
    _run(["chpasswd"], input=f"{person.name}:{person.password}\n", text=True)
    home = Path(entry.pw_dir)
    home.mkdir(parents=True, exist_ok=True)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    os.chmod(home, 0o700)  # nobody else reads a student's work (or the instructor's course)
    # no "get notified about Jupyter news?" toast in class (the user may switch it on again)
    news = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    if not news.exists():
        news.parent.mkdir(parents=True, exist_ok=True)
        news.write_text('{"fetchNews": "false"}\n')
        for path in [news, *[p for p in news.parents if p != home and home in p.parents]]:
            os.chown(path, entry.pw_uid, entry.pw_gid)
    return entry


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.chmod(path, mode)


def global_nbgrader_config(exchange: Path) -> str:
    from course.grading import replay

    steps = [SANDBOXED] + [p for p in replay.PREPROCESSORS if p != "course.grading.replay.Replay"]
    return f'''"""The global nbgrader config of the course's JupyterHub (written by hub/hubctl.py setup).

Every user's server reads it (JUPYTER_CONFIG_PATH): one course, one exchange.
"""
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {COURSE_ID!r}
c.Exchange.root = {str(exchange)!r}
# students fetch into, and submit from, their own home (the server's root folder)
c.Exchange.assignment_dir = "."
# autograding started from the formgrader runs every kernel in the course's sandbox
c.Autograde.autograde_preprocessors = {json.dumps(steps, indent=4)}
'''


STUDENT_SERVER = {"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": False}}}
STUDENT_LAB = {"disabledExtensions": {"@jupyter/nbgrader:formgrader": True,
                                      "@jupyter/nbgrader:create-assignment": True}}


def write_config(root: Path, exchange: Path) -> None:
    etc = root / "etc"
    _write(etc / "common" / "nbgrader_config.py", global_nbgrader_config(exchange))
    _write(etc / "student" / "jupyter_server_config.json", json.dumps(STUDENT_SERVER, indent=1) + "\n")
    _write(etc / "student" / "labconfig" / "page_config.json", json.dumps(STUDENT_LAB, indent=1) + "\n")
    for path in (root, etc, etc / "common", etc / "student", etc / "student" / "labconfig"):
        os.chmod(path, 0o755)


def make_exchange(exchange: Path) -> None:
    exchange.mkdir(parents=True, exist_ok=True)
    os.chown(exchange, 0, 0)
    os.chmod(exchange, 0o1777)  # nbgrader: the exchange root is world-writable with the sticky bit
    for parent in exchange.parents:
        if parent == Path("/"):
            break
        mode = parent.stat().st_mode
        if not mode & 0o001:
            os.chmod(parent, mode | 0o005)  # every user must reach the exchange


def _reachable(path: Path) -> bool:
    """Whether any account may run ``path`` (every folder above it searchable by others)."""
    path = Path(os.path.realpath(path))
    if not os.stat(path).st_mode & 0o001:
        return False
    return all(os.stat(parent).st_mode & 0o001 for parent in path.parents)


def public_python(root: Path, version: str) -> Path:
    """A copy of the course venv's own interpreter (same build, same stdlib: the system's Python of
    another patch level can differ, e.g. in ``re``) in ``ROOT/python``, readable by everyone.

    Its binary finds ``libpython`` through an absolute RUNPATH under the original prefix: that
    entry is rewritten, in place and with the same length, to ``$ORIGIN/../lib``."""
    base = Path(sys.base_prefix)
    dest = root / "python"
    binary = dest / "bin" / f"python{version}"
    if binary.exists():
        return binary
    tmp = root / "python.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "bin").mkdir(parents=True)
    shutil.copy2(base / "bin" / f"python{version}", tmp / "bin" / f"python{version}")
    (tmp / "lib").mkdir()
    for lib in (base / "lib").glob("libpython*"):
        if lib.is_symlink():
            os.symlink(os.readlink(lib), tmp / "lib" / lib.name)
        else:
            shutil.copy2(lib, tmp / "lib" / lib.name)
    shutil.copytree(base / "lib" / f"python{version}", tmp / "lib" / f"python{version}", symlinks=True,
                    ignore=lambda folder, names: [n for n in names if Path(folder) == base / "lib" / f"python{version}"
                                                  and n in ("site-packages", "test")])
    (tmp / "lib" / f"python{version}" / "site-packages").mkdir()
    data = (tmp / "bin" / f"python{version}").read_bytes()
    old = str(base / "lib").encode()
    new = b"$ORIGIN/../lib"
    if data.count(old + b"\0") == 1 and len(new) <= len(old):
        data = data.replace(old + b"\0", new + b"\0" * (len(old) - len(new) + 1))
        (tmp / "bin" / f"python{version}").write_bytes(data)
    os.symlink(f"python{version}", tmp / "bin" / "python3")
    for dirpath, dirnames, filenames in os.walk(tmp):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, os.stat(path).st_mode | 0o444)
    os.replace(tmp, dest)
    return binary


def user_python(root: Path) -> tuple[dict, list[str]]:
    """How single-user servers start (command, extra Jupyter paths), and the host paths a grading
    sandbox must also show.

    The course's ``.venv`` when its base interpreter is reachable by every account.  When it is not
    (a venv made from a Python under /root, e.g. pyenv's), ``ROOT/venv``: a venv of a public copy
    of that interpreter (:func:`public_python`) whose site-packages folder is a link to the course
    ``.venv``'s, so nothing is installed twice and /root stays closed."""
    if _reachable(VENV / "bin" / "python"):
        return {"cmd": [str(VENV / "bin" / "jupyterhub-singleuser")]}, []
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    base = public_python(root, version)
    hub_venv = root / "venv"
    if not (hub_venv / "bin" / "python").exists():
        _run([str(base), "-m", "venv", "--without-pip", str(hub_venv)])
    # its site-packages *are* the course's (a symlink): the same packages, .pth files included, and
    # the grader's guards see them where the interpreter says its packages are
    site = hub_venv / "lib" / f"python{version}" / "site-packages"
    course_site = VENV / "lib" / f"python{version}" / "site-packages"
    if not site.is_symlink():
        shutil.rmtree(site, ignore_errors=True)
        os.symlink(course_site, site)
    # the course venv's console scripts (nbgrader runs `alembic`, users run `jupyter`, `nbgrader`...)
    python = hub_venv / "bin" / "python"
    for script in (VENV / "bin").iterdir():
        target = hub_venv / "bin" / script.name
        if (script.is_symlink() or not script.is_file() or script.name.startswith("pip")
                or target.exists() or target.is_symlink()):
            continue
        head, _, rest = script.read_bytes().partition(b"\n")
        if head.startswith(b"#!") and b"python" in head:
            target.write_bytes(b"#!" + str(python).encode() + b"\n" + rest)
            os.chmod(target, 0o755)
    for dirpath, dirnames, filenames in os.walk(hub_venv):
        os.chmod(dirpath, 0o755)
    # the servers' sys.prefix is then the hub venv: show them the course venv's Jupyter files
    # (server extensions such as nbgrader's, JupyterLab and its extensions)
    return {"cmd": [str(hub_venv / "bin" / "jupyterhub-singleuser")],
            "config_path": [str(VENV / "etc" / "jupyter")], "data_path": [str(VENV / "share" / "jupyter")],
            "env": {"JUPYTERLAB_DIR": str(VENV / "share" / "jupyter" / "lab")}}, [str(VENV)]


HUB_BLOCK = "# --- added by hub/hubctl.py setup"


def make_course(people: list[Person], readonly: list[str] = ()) -> Path:
    """The instructor's own copy of the course (sources + the course's nbgrader_config.py), 0700."""
    entry = pwd.getpwnam(instructor(people).name)
    folder = Path(entry.pw_dir) / COURSE_FOLDER
    if not (folder / "source").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copytree(REPO / "source", folder / "source", dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    if not (folder / "nbgrader_config.py").exists():
        shutil.copy(REPO / "nbgrader_config.py", folder / "nbgrader_config.py")
    config = folder / "nbgrader_config.py"
    text = config.read_text().split(HUB_BLOCK)[0].rstrip("\n") + "\n"
    text += (f"\n{HUB_BLOCK} (rewritten at each set-up)\n"
             "# autograding started from the formgrader runs every kernel in the course's sandbox\n"
             "c.Autograde.autograde_preprocessors = [\n"
             f"    {SANDBOXED!r} if step == 'nbgrader.preprocessors.Execute' else step\n"
             "    for step in c.Autograde.autograde_preprocessors]\n")
    if readonly:  # the kernels' Python loads the course's packages from there
        text += f"# the hub's Python loads the course's .venv packages\nc.Sandbox.readonly = {readonly!r}\n"
    config.write_text(text)
    for dirpath, dirnames, filenames in os.walk(folder):
        os.chown(dirpath, entry.pw_uid, entry.pw_gid)
        for name in filenames:
            os.lchown(os.path.join(dirpath, name), entry.pw_uid, entry.pw_gid)
    os.chmod(folder, 0o700)
    return folder


def ensure_proxy() -> None:
    if PROXY.exists():
        return
    if not shutil.which("npm"):
        raise SystemExit("npm is missing: apt-get install nodejs npm (configurable-http-proxy comes from npm)")
    print(f"[hub] installing configurable-http-proxy (hub/package-lock.json) into {HUB / 'node_modules'} (npm ci)")
    _run(["npm", "ci", "--prefix", str(HUB), "--no-audit", "--no-fund"])


def setup(roster: Path, root: Path, exchange: Path) -> list[Person]:
    if os.geteuid() != 0:
        raise SystemExit("hub setup creates Unix accounts: run it as root (docs/hub.md says what else to do)")
    people = read_roster(roster)
    ensure_proxy()
    for person in people:
        ensure_user(person)
    make_exchange(exchange)
    write_config(root, exchange)
    spawn, readonly = user_python(root)
    _write(root / "etc" / "spawner.json", json.dumps(spawn, indent=1) + "\n")
    state = root / "state"
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o700)
    folder = make_course(people, readonly)
    print(f"[hub] {len(people)} accounts ({instructor(people).name} teaches), exchange {exchange}, "
          f"course folder {folder}, config {root / 'etc'}")
    return people


def hub_env(roster: Path, root: Path, exchange: Path, port: int, hub_port: int | None = None,
            api_port: int | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(HUB_ROSTER=str(roster.resolve()), HUB_ROOT=str(root), HUB_EXCHANGE=str(exchange), HUB_PORT=str(port),
               PATH=f"{VENV / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}")
    if hub_port:
        env["HUB_INTERNAL_PORT"] = str(hub_port)
    if api_port:
        env["HUB_PROXY_API_PORT"] = str(api_port)
    return env


def start(roster: Path, root: Path, exchange: Path, port: int, hub_port: int | None = None,
          api_port: int | None = None, log: Path | None = None, foreground: bool = True) -> subprocess.Popen:
    """Run JupyterHub (in ``ROOT/state``: its database, cookie secret and the proxy's pid file)."""
    state = root / "state"
    cmd = [str(VENV / "bin" / "jupyterhub"), "-f", str(HUB / "jupyterhub_config.py")]
    env = hub_env(roster, root, exchange, port, hub_port, api_port)
    out = open(log, "ab") if log else None
    proc = subprocess.Popen(cmd, cwd=state, env=env, stdout=out, stderr=subprocess.STDOUT if out else None,
                            start_new_session=not foreground)
    if foreground:
        print(f"[hub] JupyterHub on http://127.0.0.1:{port}/ (accounts: {roster}); Ctrl-C or `make hub-stop` stops it")
        try:
            return_code = proc.wait()
        except KeyboardInterrupt:  # Ctrl-C reached the hub too (same process group): let it clean up
            try:
                return_code = proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.terminate()
                return_code = proc.wait()
        raise SystemExit(return_code)
    return proc


def stop(root: Path, timeout: float = 30.0) -> bool:
    """Stop the hub of ``root`` (SIGTERM: it stops every user's server and its proxy first)."""
    pid_file = root / "state" / "jupyterhub.pid"
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        print("[hub] no hub is running (no pid file)")
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        print("[hub] the hub was not running (stale pid file removed)")
        pid_file.unlink(missing_ok=True)
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.3)
    else:
        os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)
    print(f"[hub] stopped (pid {pid})")
    return True


def remove_users(roster: Path) -> None:
    for person in read_roster(roster):
        try:
            pwd.getpwnam(person.name)
        except KeyError:
            continue
        subprocess.run(["pkill", "-KILL", "-u", person.name], capture_output=True)
        subprocess.run(["userdel", "--remove", person.name], capture_output=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hub/hubctl.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["setup", "start", "stop", "remove-users"])
    parser.add_argument("--roster", type=Path, default=Path(os.environ.get("HUB_ROSTER", HUB / "roster.csv")))
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--exchange", type=Path, default=DEFAULT_EXCHANGE)
    parser.add_argument("--port", type=int, default=int(os.environ.get("HUB_PORT", 8000)))
    args = parser.parse_args(argv)
    if args.command == "setup":
        setup(args.roster, args.root, args.exchange)
    elif args.command == "start":
        if (args.root / "state" / "jupyterhub.pid").exists():
            stop(args.root)  # a hub left over from an earlier run (killed without cleaning up)
        start(args.roster, args.root, args.exchange, args.port)
    elif args.command == "stop":
        stop(args.root)
    elif args.command == "remove-users":
        remove_users(args.roster)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
