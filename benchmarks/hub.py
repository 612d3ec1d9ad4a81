"""What a class on the hub costs: start-up, first login, memory (docs/hub.md keeps the figures).

    sudo .venv/bin/python benchmarks/hub.py [--users 3] [--no-write]

On a throw-away root, exchange and roster (accounts ``hbNN``, removed at the end), as root:

* ``make hub`` to the login page, first run (accounts, the users' environment built, the hub) and
  a later run (set-up finds everything done, the hub starts again);
* each user's first login, through the hub's login form (PAM), until their JupyterLab answers;
* the memory of N users with a kernel each that imported ``course`` and ``torch`` (the set-up cell
  of every lecture): the resident memory of every process of the users' uids, summed.

It writes the table into docs/results.md between ``<!-- BEGIN hub -->`` and ``<!-- END hub -->``.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "hub"))
import hubctl  # noqa: E402
import results_md  # noqa: E402

from course import dashboard  # noqa: E402


def wait_http(url: str, timeout: float, opener=None) -> float:
    """Seconds until ``url`` answers 200."""
    opener = opener or urllib.request.build_opener()
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            with opener.open(url, timeout=10) as answer:
                if answer.status == 200:
                    return time.monotonic() - t0
        except Exception:
            pass
        time.sleep(0.25)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def start_hub(roster: Path, root: Path, exchange: Path, log: Path):
    """Set-up + hub start, as `make hub` does; returns (process, url, seconds to the login page)."""
    t0 = time.monotonic()
    hubctl.setup(roster, root, exchange, quiet=True)
    port = dashboard.free_port()
    proc = hubctl.start(roster, root, exchange, port, dashboard.free_port(), dashboard.free_port(), log=log,
                        foreground=False)
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/hub/login", 240)
    return proc, url, time.monotonic() - t0


def _xsrf(opener, user: str | None = None) -> str:
    """The XSRF cookie of the user's server (``/user/<user>/``), else the hub's."""
    jar = next(h for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)).cookiejar
    tokens = [c for c in jar if c.name == "_xsrf"]
    own = [c.value for c in tokens if user and c.path.startswith(f"/user/{user}")]
    return (own or [c.value for c in tokens] or [""])[0]


def login(url: str, user: str, password: str) -> tuple[urllib.request.OpenerDirector, float]:
    """The login form, then the user's JupyterLab: seconds from the POST to a JupyterLab page."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    opener.open(url + "/hub/login").read()
    data = urllib.parse.urlencode({"username": user, "password": password, "_xsrf": _xsrf(opener)}).encode()
    t0 = time.monotonic()
    answer = opener.open(urllib.request.Request(url + "/hub/login?next=%2Fhub%2Fspawn", data=data))
    answer.read()
    if "/hub/login" in answer.geturl():
        raise SystemExit(f"{user} could not log in (the hub answered {answer.geturl()})")
    # the server is ready when its JupyterLab page (not the hub's "starting" page) answers
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with opener.open(f"{url}/user/{user}/lab", timeout=10) as page:
                if f"/user/{user}/lab" in page.geturl() and b"jupyter-config-data" in page.read():
                    break
        except Exception:
            pass
        time.sleep(0.25)
    else:
        raise SystemExit(f"{user}'s JupyterLab did not answer within 300 s")
    return opener, time.monotonic() - t0


def rss_of_users(users: list[str]) -> int:
    uids = {pwd.getpwnam(u).pw_uid for u in users}
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields.get("Uid", "0 0").split()[0]) in uids:
            total += int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("the hub benchmark creates Unix accounts: run it as root")
    base = Path(tempfile.mkdtemp(prefix="bench-hub-"))
    os.chmod(base, 0o755)
    roster = base / "roster.csv"
    users = [f"hb{i:02d}" for i in range(args.users)]
    roster.write_text("username,role,first_name,last_name\nhbteacher,instructor,Bench,Teacher\n"
                      + "".join(f"{u},student,Student,{u}\n" for u in users))
    root, exchange = base / "root", base / "exchange"
    repo_mode = ROOT.stat().st_mode & 0o7777
    hubctl.remove_users(roster)
    load = os.getloadavg()[0]
    rows = {}
    try:
        proc, url, rows["first"] = start_hub(roster, root, exchange, base / "hub.log")
        print(f"[bench] make hub to the login page, first run: {rows['first']:.1f} s", flush=True)
        hubctl.stop(root)
        proc.wait(timeout=60)
        proc, url, rows["later"] = start_hub(roster, root, exchange, base / "hub.log")
        print(f"[bench] make hub to the login page, later run: {rows['later']:.1f} s", flush=True)
        passwords = {u: hubctl.set_password(u) for u in users}
        logins = []
        for user in users:
            opener, seconds = login(url, user, passwords[user])
            logins.append(seconds)
            print(f"[bench] {user}: first login to JupyterLab {seconds:.1f} s", flush=True)
            request = urllib.request.Request(f"{url}/user/{user}/api/kernels", data=b"{}", method="POST",
                                             headers={"X-XSRFToken": _xsrf(opener, user),
                                                      "Content-Type": "application/json"})
            try:
                kernel = json.loads(opener.open(request).read())
            except urllib.error.HTTPError as exc:
                raise SystemExit(f"starting a kernel for {user}: {exc} {exc.read()[:500]!r}")
            home = Path(pwd.getpwnam(user).pw_dir)
            deadline = time.monotonic() + 60
            files = []
            while not files and time.monotonic() < deadline:
                files = list(home.glob(f".local/share/jupyter/runtime/kernel-{kernel['id']}.json"))
                time.sleep(0.2)
            code = ("import sys, jupyter_client; c = jupyter_client.BlockingKernelClient(); "
                    "c.load_connection_file(sys.argv[1]); c.start_channels(); c.wait_for_ready(60); "
                    "r = c.execute_interactive('import course, torch', timeout=240); "
                    "sys.exit(r['content']['status'] != 'ok')")
            subprocess.run(["runuser", "-u", user, "--", str(root / "venv" / "bin" / "python"), "-c", code,
                            str(files[0])], check=True, timeout=300)
        time.sleep(2)
        rows["rss"] = rss_of_users(users)
        print(f"[bench] {args.users} users with a kernel each (course + torch imported): "
              f"{rows['rss'] / 2**30:.2f} GiB", flush=True)
        hubctl.stop(root)
        proc.wait(timeout=60)
    finally:
        hubctl.stop(root)
        hubctl.remove_users(roster)
        hubctl.profile_script(root).unlink(missing_ok=True)
        os.chmod(ROOT, repo_mode)
        shutil.rmtree(base, ignore_errors=True)
    lines = ["## The class on the hub (benchmarks/hub.py)", "",
             f"{os.cpu_count()} CPU cores, {platform.platform()}, {time.strftime('%Y-%m-%d')}, load average "
             f"{load:.2f} at the start. A throw-away hub (hub/hubctl.py) on free ports, accounts removed at the end.", "",
             "| what | figure |", "|---|---|",
             f"| `make hub` to the login page, first run (accounts, the users' environment hard-linked, the hub) "
             f"| {rows['first']:.1f} s |",
             f"| `make hub` to the login page, later run | {rows['later']:.1f} s |",
             f"| first login to JupyterLab (login form to a JupyterLab page), {args.users} users | "
             f"{min(logins):.1f}–{max(logins):.1f} s |",
             f"| {args.users} users with a kernel each that imported `course` and `torch` (resident memory of their "
             f"processes) | {rows['rss'] / 2**30:.2f} GiB |",
             "", "Re-run: `sudo .venv/bin/python benchmarks/hub.py`."]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        results_md.replace_section("hub", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
