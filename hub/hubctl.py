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
import hashlib
import json
import os
import pwd
import re
import secrets
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
PROFILE_D = Path(os.environ.get("HUB_PROFILE_D", "/etc/profile.d"))


@dataclass
class Person:
    name: str
    role: str  # instructor | student
    first_name: str = ""
    last_name: str = ""


def read_roster(path: Path) -> list[Person]:
    """``username,role[,first_name,last_name]``: never a password (setup makes one-time ones)."""
    people = []
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        if "password" in (reader.fieldnames or []):
            raise SystemExit(f"{path} has a password column: passwords are never kept in the roster (anyone who "
                             "reads it logs in as anybody). Remove the column; `hubctl.py setup` gives each new "
                             "account a one-time password, shown once, that its user changes with `passwd`.")
        for row in reader:
            name, role = (row.get("username") or "").strip(), (row.get("role") or "").strip().lower()
            if not name or role not in ("instructor", "student"):
                raise SystemExit(f"{path}: bad line {row}")
            if not name.replace("-", "").replace("_", "").isalnum() or not name[0].isalpha() or name != name.lower():
                raise SystemExit(f"{path}: {name!r} is not a valid Unix user name")
            people.append(Person(name, role, (row.get("first_name") or "").strip(),
                                 (row.get("last_name") or "").strip()))
    if sum(p.role == "instructor" for p in people) != 1:
        raise SystemExit(f"{path}: exactly one instructor expected")
    return people


def instructor(people: list[Person]) -> Person:
    return next(p for p in people if p.role == "instructor")


def course_folder(people: list[Person]) -> Path:
    return Path(pwd.getpwnam(instructor(people).name).pw_dir) / COURSE_FOLDER


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, **kw)


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


def set_password(name: str) -> str:
    """A fresh random password for ``name`` (PAM keeps only its hash, in /etc/shadow)."""
    password = one_time_password()
    _run(["chpasswd"], input=f"{name}:{password}\n", text=True)
    return password


def ensure_user(person: Person, passwords: dict[str, str], reset: bool = False) -> pwd.struct_passwd:
    """The account (a new one gets a one-time password, recorded in ``passwords``)."""
    comment = " ".join(x for x in (person.first_name, person.last_name) if x) or f"pytorch course {person.role}"
    try:
        entry = pwd.getpwnam(person.name)
        new = False
    except KeyError:
        _run(["useradd", "--create-home", "--shell", "/bin/bash", "--comment", comment, person.name])
        entry = pwd.getpwnam(person.name)
        new = True
    if new or reset:
        passwords[person.name] = set_password(person.name)
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
    # Chinese in JupyterLab without a system CJK font: the course's web font in ~/.jupyter/custom
    # (COMMON_SERVER switches custom CSS on); a failure leaves JupyterLab in its own fonts
    try:
        from course import fonts

        sheet = fonts.install_lab_css(home / ".jupyter", REPO)
        for path in [*sheet.parent.iterdir(), sheet.parent, sheet.parent.parent]:
            os.chown(path, entry.pw_uid, entry.pw_gid)
    except Exception as exc:
        print(f"[hub] {person.name}: the Chinese web font for JupyterLab was not installed: {exc}")
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


# JupyterHub's single-user servers forbid every frame ("frame-ancestors 'none'"), which blanks
# the formgrader panel that JupyterLab's Nbgrader menu opens (an iframe of the same server)
COMMON_SERVER = {"ServerApp": {"tornado_settings": {"headers": {"Content-Security-Policy": "frame-ancestors 'self'"}}},
                 "LabApp": {"custom_css": True}}  # ~/.jupyter/custom/custom.css: the course's CJK font
STUDENT_SERVER = {"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": False}}}
STUDENT_LAB = {"disabledExtensions": {"@jupyter/nbgrader:formgrader": True,
                                      "@jupyter/nbgrader:create-assignment": True}}


def write_config(root: Path, exchange: Path) -> None:
    etc = root / "etc"
    _write(etc / "common" / "nbgrader_config.py", global_nbgrader_config(exchange))
    _write(etc / "common" / "jupyter_server_config.json", json.dumps(COMMON_SERVER, indent=1) + "\n")
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


def _link_or_copy(src: str, dst: str) -> None:
    """A hard link when the two folders share a file system (no second copy of torch), else a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _stamp(site: Path) -> str:
    """What the students' install is made of: the course venv's packages and the course package."""
    digest = hashlib.sha256()
    for entry in sorted(site.iterdir()):
        digest.update(f"{entry.name}:{entry.stat().st_mtime_ns}\n".encode())
    for path in sorted((REPO / "course").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(REPO).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()


def _editable_course(name: str) -> bool:
    """The editable install's pieces: they point into the repository, which students must not reach."""
    return name.startswith(("__editable__", "pytorch_course-")) and "pytorch_course" in name


def student_install(root: Path) -> Path:
    """``ROOT/venv``: the one environment every user's server runs on, readable by everyone, with no
    course source, roster or gradebook in it (docs/hub.md, *What a student can reach*).

    A venv of a public copy of the course venv's interpreter (:func:`public_python`) whose
    packages are the course ``.venv``'s, hard-linked (so nothing is stored twice), except the
    course's own package: a plain copy of ``course/`` instead of the editable install, whose
    finder points into the repository.  Jupyter's config and data folders (server extensions,
    JupyterLab and its extensions) come along.  Rebuilt when the packages or ``course/`` change."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    base = public_python(root, version)
    course_site = VENV / "lib" / f"python{version}" / "site-packages"
    dest = root / "venv"
    stamp = _stamp(course_site)
    if (dest / "course-install.stamp").exists() and (dest / "course-install.stamp").read_text() == stamp:
        return dest
    print(f"[hub] building the students' environment {dest} (hard links to {VENV}'s packages)")
    tmp = root / "venv.new"
    shutil.rmtree(tmp, ignore_errors=True)
    _run([str(base), "-m", "venv", "--without-pip", str(tmp)])
    site = tmp / "lib" / f"python{version}" / "site-packages"
    shutil.rmtree(site)
    shutil.copytree(course_site, site, symlinks=True, copy_function=_link_or_copy,
                    ignore=lambda folder, names: [n for n in names if Path(folder) == course_site and _editable_course(n)])
    shutil.copytree(REPO / "course", site / "course", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for part in ("etc/jupyter", "share/jupyter"):
        if (VENV / part).is_dir():
            shutil.copytree(VENV / part, tmp / part, symlinks=True, copy_function=_link_or_copy)
    open_feedback_page(tmp)
    # the course venv's console scripts (nbgrader runs `alembic`, users run `jupyter`, `nbgrader`...)
    python = dest / "bin" / "python"
    for script in (VENV / "bin").iterdir():
        target = tmp / "bin" / script.name
        if (script.is_symlink() or not script.is_file() or script.name.startswith(("pip", "activate", "Activate"))
                or target.exists() or target.is_symlink()):
            continue
        head, _, rest = script.read_bytes().partition(b"\n")
        if head.startswith(b"#!") and b"python" in head:
            target.write_bytes(b"#!" + str(python).encode() + b"\n" + rest)
            os.chmod(target, 0o755)
    for name in os.listdir(tmp / "bin"):
        if name.lower().startswith("activate"):  # they name venv.new; nobody activates this venv
            (tmp / "bin" / name).unlink()
    # root owns it, everyone reads it, nobody else writes it (hard links share the inode: the
    # course .venv's files get the same, harmless, modes)
    for dirpath, dirnames, filenames in os.walk(tmp):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                mode = os.stat(path).st_mode
                os.chmod(path, (mode | 0o444) & ~0o022 | (0o111 if mode & 0o111 else 0))
    (tmp / "course-install.stamp").write_text(stamp)
    old = root / "venv.old"
    shutil.rmtree(old, ignore_errors=True)
    if dest.exists():
        os.rename(dest, old)
    os.rename(tmp, dest)
    shutil.rmtree(old, ignore_errors=True)
    return dest


# nbgrader 0.9's Assignments tab: "(view feedback)" only moves the file browser to the feedback
# folder. In the users' environment it also opens each feedback page in a browser tab, served by
# the user's own Jupyter (/files/: scripts run, so its math renders). A patch of nbgrader's built
# labextension (pinned in pyproject.toml): the file is replaced, never written through its hard
# link, and a build that does not have the expected code is left alone, with a warning.
_VIEW_FEEDBACK = re.compile(
    r'(?P<data>(?P<dir>\w+)=this\.data\.local_feedback_path)(?P<mid>,\w+=document\.createElement\("a"\);'
    r'\w+\.onclick=function\(\)\{)(?P<call>\w+\.commands\.execute\("filebrowser:go-to-path",\{path:(?P=dir)\}\))\}')
_OPEN_PAGES = ('(function(nbs){var c=JSON.parse(document.getElementById("jupyter-config-data").textContent),'
               'base=c.baseUrl||"/";(nbs||[]).forEach(function(nb){var p=nb.local_feedback_path;if(!p)return;'
               'p=p.replace(/^\\.\\//,"");window.open(base+"files/"+p.split("/").map(encodeURIComponent).join("/"),'
               '"_blank")})})(__courseFeedbackPages)')


def open_feedback_page(venv: Path) -> bool:
    static = venv / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader" / "static"
    for path in sorted(static.glob("*.js")) if static.is_dir() else []:
        text = path.read_text(errors="surrogateescape")
        if "filebrowser:go-to-path" not in text or "local_feedback_path" not in text:
            continue
        patched, count = _VIEW_FEEDBACK.subn(
            lambda m: f"{m['data']},__courseFeedbackPages=this.data.notebooks{m['mid']}{m['call']};{_OPEN_PAGES}}}",
            text)
        if count != 1:
            break
        path.unlink()  # a hard link to the course .venv's file: replace it, do not write through it
        path.write_text(patched, errors="surrogateescape")
        return True
    print("[hub] warning: this nbgrader's Assignments tab is not the expected build: "
          "\"view feedback\" will only move the file browser")
    return False


def spawn_settings(venv: Path) -> dict:
    """How single-user servers start: from the students' environment only."""
    return {"cmd": [str(venv / "bin" / "jupyterhub-singleuser")], "bin": str(venv / "bin"),
            "env": {"JUPYTERLAB_DIR": str(venv / "share" / "jupyter" / "lab")}}


def close_repository() -> None:
    """The repository holds the solutions, the hidden tests and the roster: nobody's server needs it
    any more (they run on ``ROOT/venv``), so only its owner may enter it."""
    mode = REPO.stat().st_mode & 0o7777
    if mode & 0o077:
        os.chmod(REPO, mode & ~0o077)
        print(f"[hub] {REPO} closed to other accounts (mode {mode:o} -> {mode & ~0o077:o}): it holds the solutions")


def profile_script(root: Path) -> Path:
    """/etc/profile.d file that puts the course's commands on every login shell's PATH (JupyterLab's
    terminals are login shells, and Debian's /etc/profile resets PATH)."""
    suffix = "" if root == DEFAULT_ROOT else "-" + hashlib.sha256(str(root).encode()).hexdigest()[:8]
    return PROFILE_D / f"pytorch-course{suffix}.sh"


def write_profile(root: Path, venv: Path) -> Path:
    bin_dir = venv / "bin"
    script = profile_script(root)
    _write(script, f"""# written by hub/hubctl.py setup: `python -m course`, `jupyter` and `nbgrader` in every login shell
if [ "$(id -u)" -ne 0 ]; then
  case ":$PATH:" in
    *":{bin_dir}:"*) ;;
    *) PATH="{bin_dir}:$PATH"; export PATH ;;
  esac
fi
""")
    return script


HUB_BLOCK = "# --- added by hub/hubctl.py setup"


def roster_into_gradebook(people: list[Person], folder: Path) -> None:
    """Every student of the roster, with their names, in the instructor's gradebook (the formgrader
    lists them, with their names, before anyone submits)."""
    from nbgrader.api import Gradebook

    url = os.environ.get("COURSE_GRADEBOOK", f"sqlite:///{folder / 'gradebook.db'}")
    saved = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{saved}"  # nbgrader runs `alembic`
    try:
        with Gradebook(url, COURSE_ID) as gb:
            for person in people:
                if person.role == "student":
                    gb.update_or_create_student(person.name, first_name=person.first_name or None,
                                                last_name=person.last_name or None)
    finally:
        os.environ["PATH"] = saved


def make_course(people: list[Person]) -> Path:
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
    config.write_text(text)
    roster_into_gradebook(people, folder)
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


def show_passwords(passwords: dict[str, str], out: Path | None = None) -> None:
    """Shown once (and written to ``out``, mode 0600, when asked): nothing else keeps them."""
    if not passwords:
        return
    lines = [f"{name}\t{password}" for name, password in passwords.items()]
    if out:
        out.touch(mode=0o600, exist_ok=True)
        os.chmod(out, 0o600)
        out.write_text("username\tone-time password\n" + "\n".join(lines) + "\n")
        print(f"[hub] one-time passwords of {len(lines)} new accounts written to {out} (0600): hand them out, then delete it")
    else:
        print("[hub] one-time passwords of the new accounts (shown only now; each user changes theirs with "
              "`passwd` in a JupyterLab terminal; `hubctl.py password USER` makes a new one):")
        print("\n".join("    " + line for line in lines))


def setup(roster: Path, root: Path, exchange: Path, passwords_out: Path | None = None,
          reset_passwords: bool = False, quiet: bool = False) -> tuple[list[Person], dict[str, str]]:
    """Returns the roster and the one-time passwords of the accounts it created (or reset)."""
    if os.geteuid() != 0:
        raise SystemExit("hub setup creates Unix accounts: run it as root (docs/hub.md says what else to do)")
    people = read_roster(roster)
    os.chmod(roster, roster.stat().st_mode & ~0o077)  # who is in the class is the instructor's business
    ensure_proxy()
    passwords: dict[str, str] = {}
    for person in people:
        ensure_user(person, passwords, reset_passwords)
    make_exchange(exchange)
    write_config(root, exchange)
    venv = student_install(root)
    _write(root / "etc" / "spawner.json", json.dumps(spawn_settings(venv), indent=1) + "\n")
    profile = write_profile(root, venv)
    state = root / "state"
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o700)
    folder = make_course(people)
    close_repository()
    print(f"[hub] {len(people)} accounts ({instructor(people).name} teaches), exchange {exchange}, "
          f"course folder {folder}, config {root / 'etc'}, users' environment {venv} (PATH: {profile})")
    if not quiet:
        show_passwords(passwords, passwords_out)
    return people, passwords


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
    parser.add_argument("command", choices=["setup", "start", "stop", "remove-users", "password"])
    parser.add_argument("user", nargs="?", help="password: the account that gets a new one-time password")
    parser.add_argument("--passwords-out", type=Path, help="setup: write the new accounts' one-time passwords "
                        "to this file (0600) instead of the terminal")
    parser.add_argument("--reset-passwords", action="store_true", help="setup: new one-time passwords for all")
    parser.add_argument("--roster", type=Path, default=Path(os.environ.get("HUB_ROSTER", HUB / "roster.csv")))
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--exchange", type=Path, default=DEFAULT_EXCHANGE)
    parser.add_argument("--port", type=int, default=int(os.environ.get("HUB_PORT", 8000)))
    args = parser.parse_args(argv)
    if args.command == "setup":
        setup(args.roster, args.root, args.exchange, args.passwords_out, args.reset_passwords)
    elif args.command == "password":
        if not args.user or args.user not in {p.name for p in read_roster(args.roster)}:
            raise SystemExit(f"hubctl.py password USER: USER must be an account of {args.roster}")
        show_passwords({args.user: set_password(args.user)}, args.passwords_out)
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
