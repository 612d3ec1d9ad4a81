"""The hub's settings without starting it (hub/jupyterhub_config.py, hub/hubctl.py): the roster
holds no password, TLS when the hub leaves localhost, the formgrader panel may be framed."""
from __future__ import annotations

import json
import os
import runpy
import shutil
import sys

import pytest
from traitlets.config import Config

from conftest import ROOT

sys.path.insert(0, str(ROOT / "hub"))
import hubctl  # noqa: E402


def load_hub_config(tmp_path, **env) -> Config:
    (tmp_path / "etc").mkdir(exist_ok=True)
    (tmp_path / "etc" / "spawner.json").write_text(json.dumps(hubctl.spawn_settings(tmp_path / "venv")))
    config = Config()
    saved = dict(os.environ)
    os.environ.update(HUB_ROOT=str(tmp_path), HUB_ROSTER=str(ROOT / "hub" / "roster.csv"), **env)
    for key in ("HUB_IP", "HUB_SSL_CERT", "HUB_SSL_KEY", "HUB_BEHIND_PROXY", "HUB_PID_NAMESPACE"):
        if key not in env:
            os.environ.pop(key, None)
    try:
        runpy.run_path(str(ROOT / "hub" / "jupyterhub_config.py"), init_globals={"get_config": lambda: config})
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return config


def test_localhost_by_default_and_tls_when_it_leaves(tmp_path):
    assert load_hub_config(tmp_path).JupyterHub.bind_url == "http://127.0.0.1:8000"
    with pytest.raises(SystemExit, match="in clear"):
        load_hub_config(tmp_path, HUB_IP="0.0.0.0")
    with pytest.raises(SystemExit, match="go together"):
        load_hub_config(tmp_path, HUB_IP="0.0.0.0", HUB_SSL_CERT="/c.pem")
    tls = load_hub_config(tmp_path, HUB_IP="0.0.0.0", HUB_SSL_CERT="/c.pem", HUB_SSL_KEY="/k.pem")
    assert tls.JupyterHub.bind_url == "https://0.0.0.0:8000" and tls.JupyterHub.ssl_key == "/k.pem"
    behind = load_hub_config(tmp_path, HUB_BEHIND_PROXY="1")
    assert behind.JupyterHub.bind_url == "http://127.0.0.1:8000"
    assert behind.JupyterHub.trusted_downstream_ips == ["127.0.0.1"]


def test_servers_start_from_the_students_environment_only(tmp_path):
    config = load_hub_config(tmp_path, HUB_PID_NAMESPACE="0")
    assert config.Spawner.cmd == [str(tmp_path / "venv" / "bin" / "jupyterhub-singleuser")]
    wrapped = load_hub_config(tmp_path).Spawner.cmd  # in its own PID namespace when bwrap is there
    if shutil.which("bwrap"):
        assert wrapped[0].endswith("bwrap") and "--unshare-pid" in wrapped and wrapped[-1] == config.Spawner.cmd[0]
    assert str(ROOT) not in json.dumps(dict(config.Spawner.environment))


def test_the_roster_refuses_passwords(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("username,role,password\nt,instructor,secret\n")
    with pytest.raises(SystemExit, match="password column"):
        hubctl.read_roster(roster)
    shipped = hubctl.read_roster(ROOT / "hub" / "roster.csv")
    assert [p.role for p in shipped].count("instructor") == 1
    assert all(p.first_name and p.last_name for p in shipped)


def test_one_time_passwords_are_random_and_long():
    made = {hubctl.one_time_password() for _ in range(50)}
    assert len(made) == 50 and min(map(len, made)) >= 16


def test_the_formgrader_panel_may_be_framed_by_its_own_server():
    csp = hubctl.COMMON_SERVER["ServerApp"]["tornado_settings"]["headers"]["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "'none'" not in csp
