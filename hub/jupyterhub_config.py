"""JupyterHub for the PyTorch course (docs/hub.md).  Started by `make hub` (hub/hubctl.py start).

Environment (set by hubctl.py): HUB_ROSTER (the roster CSV), HUB_ROOT (config + state, written by
`hubctl.py setup`), HUB_EXCHANGE, HUB_PORT (the public port, default 8000), HUB_INTERNAL_PORT and
HUB_PROXY_API_PORT (default: HUB_PORT + 1 and + 2).
"""
import csv
import json
import os
import pwd
import shutil
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
repo = here.parent
root = Path(os.environ.get("HUB_ROOT", "/srv/pytorch-course"))
roster = Path(os.environ.get("HUB_ROSTER", here / "roster.csv"))
port = int(os.environ.get("HUB_PORT", 8000))
exchange = os.environ.get("HUB_EXCHANGE", "/srv/nbgrader/exchange")

with open(roster, newline="") as fh:
    people = {row["username"].strip(): row["role"].strip().lower() for row in csv.DictReader(fh)}
teachers = {name for name, role in people.items() if role == "instructor"}

c = get_config()  # noqa: F821

# --- the hub and its proxy: on localhost only unless told otherwise (docs/hub.md, *Other machines*).
#   HUB_IP=0.0.0.0 HUB_SSL_CERT=/etc/ssl/hub.pem HUB_SSL_KEY=/etc/ssl/private/hub.key: the proxy
#   itself speaks TLS on every interface; or keep 127.0.0.1 behind hub/nginx.conf (TLS there).
ip = os.environ.get("HUB_IP", "127.0.0.1")
cert, key = os.environ.get("HUB_SSL_CERT"), os.environ.get("HUB_SSL_KEY")
if bool(cert) != bool(key):
    raise SystemExit("HUB_SSL_CERT and HUB_SSL_KEY go together (the certificate chain and its private key)")
if ip not in ("127.0.0.1", "localhost", "::1") and not cert and os.environ.get("HUB_BEHIND_PROXY") != "1":
    raise SystemExit(f"HUB_IP={ip} without HUB_SSL_CERT/HUB_SSL_KEY would send every password in clear: "
                     "give a certificate, or keep 127.0.0.1 behind the TLS reverse proxy of hub/nginx.conf")
c.JupyterHub.bind_url = f"{'https' if cert else 'http'}://{ip}:{port}"
if cert:
    c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key = cert, key
if os.environ.get("HUB_BEHIND_PROXY") == "1":  # nginx/Caddy in front: trust its X-Forwarded-* headers
    c.JupyterHub.trusted_downstream_ips = [os.environ.get("HUB_PROXY_IP", "127.0.0.1")]
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{int(os.environ.get('HUB_INTERNAL_PORT', port + 1))}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(os.environ.get('HUB_PROXY_API_PORT', port + 2))}"
c.ConfigurableHTTPProxy.command = [str(here / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(root / "state" / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{root / 'state' / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(root / "state" / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(root / "state" / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # Ctrl-C / `make hub-stop` end every user's server too
c.JupyterHub.cleanup_proxy = True

# --- who may log in: the roster's Unix accounts, with their passwords (PAM)
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(people)
c.Authenticator.admin_users = set(teachers)
c.PAMAuthenticator.open_sessions = False

# --- each user's server runs as that user, from the course's virtual environment
c.JupyterHub.spawner_class = "localprocess"
# the course's .venv/bin/jupyterhub-singleuser, or (when that venv's Python lies under /root) the
# hub's venv on the same packages: chosen by `hubctl.py setup` (hub/hubctl.py: user_python)
spawn = json.loads((root / "etc" / "spawner.json").read_text())
c.Spawner.cmd = spawn["cmd"]
# each user's server (its kernels and terminals with it) in its own PID namespace: `ps` shows a
# user their own processes only, not the others' command lines (docs/hub.md, *Processes*). bwrap
# keeps the whole file system and the network as they are; when the hub stops the server, the
# namespace's init dies and takes every process of that server with it.
bwrap = shutil.which("bwrap")
if os.environ.get("HUB_PID_NAMESPACE", "1") != "0" and bwrap:
    c.Spawner.cmd = [bwrap, "--dev-bind", "/", "/", "--unshare-pid", "--proc", "/proc", "--die-with-parent",
                     "--", *spawn["cmd"]]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 240  # two shared cores: a cold JupyterLab start can be slow
c.Spawner.http_timeout = 240
c.Spawner.environment = {
    "PATH": f"{Path(spawn['cmd'][0]).parent}:/usr/local/bin:/usr/bin:/bin",
    "COURSE_ID": os.environ.get("COURSE_ID", "pytorch-course"),
    "COURSE_EXCHANGE": exchange,
    "COURSE_FAST": os.environ.get("COURSE_FAST", "1"),
    **spawn.get("env", {}),
}
if spawn.get("data_path"):  # the course venv's Jupyter files, when the servers run on the hub's venv
    c.Spawner.environment["JUPYTER_PATH"] = os.pathsep.join(spawn["data_path"])
for key in ("COURSE_DATA_MIRROR", "COURSE_DATA", "COURSE_DEVICE", "COURSE_SEED"):
    if os.environ.get(key):
        c.Spawner.environment[key] = os.environ[key]


def per_role(spawner):
    """Students read the common config + the student one (no formgrader); the instructor also the
    course folder's own nbgrader_config.py (CourseDirectory.root, gradebook, c.Sandbox)."""
    name = spawner.user.name
    home = Path(pwd.getpwnam(name).pw_dir)
    common = str(root / "etc" / "common")
    if name in teachers:
        paths = [str(home / "pytorch-course"), common]
    else:
        paths = [str(root / "etc" / "student"), common]
    paths += spawn.get("config_path", [])
    spawner.environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join(paths)


c.Spawner.pre_spawn_hook = per_role
