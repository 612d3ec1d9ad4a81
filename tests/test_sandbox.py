"""The sandbox itself: isolation must be in force, and the tests fail loudly when it is not.

These run a plain Python inside ``sandbox.command`` (no kernel, a few seconds each) and check
from the inside what it can see and do.  CI runs as root on the same kind of machine as the
graders; as non-root bubblewrap needs user namespaces.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from course.grading import autograde, guards, sandbox

ROOT = Path(__file__).resolve().parent.parent
CFG = sandbox.SandboxConfig(memory_mb=4096, processes=48, file_mb=8, disk_mb=32, cpu_seconds=30)


def run_inside(code: str, tmp_path: Path, cfg: sandbox.SandboxConfig = CFG, slot: int = 0, data=None) -> dict:
    runtime = tmp_path / "rt"
    runtime.mkdir(exist_ok=True)
    os.chmod(runtime, 0o777)
    env = sandbox.kernel_env(cfg, student="probe", data_dir=data)
    cmd = sandbox.command([sys.executable, "-c", code], cfg=cfg, runtime_dir=runtime, submission_dir=None,
                          data_dir=data, env=env, slot=slot)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_isolation_is_in_force_or_the_test_fails(tmp_path):
    """No skip: on a machine where bubblewrap cannot isolate, this fails with the reason."""
    facts = sandbox.probe(CFG, tmp_path / "probe")
    assert facts["net"] is False
    # system folders, plus the top folders of where the venv and the course package live
    # (a clone may sit anywhere: /work, /check, /home/...)
    bound = {Path(p).parts[1] for p in sandbox.readonly_paths(None)}
    assert set(facts["seen"]) <= {"bin", "dev", "etc", "home", "lib", "lib64", "proc", "sbin", "tmp", "usr"} | bound
    if os.geteuid() == 0:
        assert facts["uid"] == CFG.uid_base


def test_what_the_kernel_sees_and_may_do(tmp_path):
    secret = ROOT / "nbgrader_config.py"
    facts = run_inside(f"""
import json, os, resource, socket
r = {{}}
r['uid'], r['gid'], r['groups'] = os.getuid(), os.getgid(), os.getgroups()
status = open('/proc/self/status').read()
r['caps'] = [l.split()[1] for l in status.splitlines() if l.startswith('CapEff')][0]
r['nnp'] = [l.split()[1] for l in status.splitlines() if l.startswith('NoNewPrivs')][0]
r['pids'] = [p for p in os.listdir('/proc') if p.isdigit()]
r['course_root_visible'] = os.path.exists({str(secret)!r}) or os.path.exists({str(ROOT / 'gradebook.db')!r})
r['course_pkg'] = os.path.exists({str(ROOT / 'course' / '__init__.py')!r})
def can_write(p):
    try:
        open(p, 'w').write('x'); return True
    except OSError:
        return False
r['write_venv'] = can_write({str(Path(sys.prefix) / 'pwned')!r})
r['write_usr'] = can_write('/usr/pwned')
r['write_home'] = can_write(os.path.expanduser('~/ok'))
r['write_tmp'] = can_write('/tmp/ok')
try:
    socket.create_connection(('127.0.0.1', 22), timeout=2); r['net'] = True
except OSError:
    r['net'] = False
r['ifaces'] = socket.if_nameindex()
r['limits'] = {{n: resource.getrlimit(getattr(resource, 'RLIMIT_' + n))[0] for n in ('AS', 'NPROC', 'FSIZE', 'CPU', 'CORE')}}
try:
    open('/tmp/big', 'wb').write(b'0' * (9 * 2**20)); r['fsize'] = 'written'
except OSError as e:
    r['fsize'] = e.strerror
r['hostname'] = socket.gethostname()
import course, torch
r['imports'] = True
print(json.dumps(r, default=str))
""", tmp_path)
    if os.geteuid() == 0:
        assert facts["uid"] == CFG.uid_base and facts["gid"] == CFG.uid_base and facts["groups"] == []
    assert int(facts["caps"], 16) == 0, "the kernel keeps capabilities"
    assert facts["nnp"] == "1", "no_new_privs is not set"
    assert len(facts["pids"]) <= 3, f"the kernel sees other processes: {facts['pids']}"
    assert not facts["course_root_visible"], "the course folder (config, gradebook) is visible"
    assert facts["course_pkg"] and facts["imports"], "the course package / torch cannot be imported"
    assert not facts["write_venv"] and not facts["write_usr"], "read-only paths are writable"
    assert facts["write_home"] and facts["write_tmp"], "the working copy is not writable"
    assert facts["net"] is False and [i[1] for i in facts["ifaces"]] in ([], ["lo"])
    mb = 2**20
    assert facts["limits"] == {"AS": 4096 * mb, "NPROC": 48, "FSIZE": 8 * mb, "CPU": 30, "CORE": 0}
    assert facts["fsize"] == "File too large"
    assert facts["hostname"] == "grader"


def test_each_worker_slot_has_its_own_uid(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("per-slot uids are used when the grader runs as root (as in CI)")
    facts = run_inside("import os, json; print(json.dumps({'uid': os.getuid()}))", tmp_path, slot=3)
    assert facts["uid"] == CFG.uid_base + 3


def test_data_cache_is_read_only(tmp_path):
    data = tmp_path / "data"
    (data / "set").mkdir(parents=True)
    (data / "set" / "x.csv").write_text("1,2\n")
    os.chmod(tmp_path, 0o755)
    facts = run_inside(f"""
import json, os
p = {str(data)!r}
r = {{'env': os.environ.get('COURSE_DATA'), 'read': open(p + '/set/x.csv').read()}}
try:
    open(p + '/set/y', 'w'); r['write'] = True
except OSError:
    r['write'] = False
print(json.dumps(r))
""", tmp_path, data=data)
    assert facts == {"env": str(data), "read": "1,2\n", "write": False}


def test_fails_loudly_without_bubblewrap(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    monkeypatch.setattr(sandbox.os.path, "exists", lambda p: False)
    with pytest.raises(sandbox.SandboxError, match="not installed"):
        sandbox.probe(CFG, tmp_path / "probe")


def test_refuses_to_grade_with_the_sandbox_disabled(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n")
    with pytest.raises(sandbox.SandboxError, match="refusing"):
        autograde.grade_class(tmp_path, "01_linear_model", cfg=sandbox.SandboxConfig(enabled=False), progress=False)


def test_limits_come_from_nbgrader_config(tmp_path):
    cfg = sandbox.load_config(ROOT)
    assert cfg.memory_mb > 0 and cfg.cell_timeout > 0 and cfg.processes > 0
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\nc.Execute.timeout = 33\nc.Sandbox.memory_mb = 1234\n")
    cfg = sandbox.load_config(tmp_path)
    assert (cfg.memory_mb, cfg.cell_timeout) == (1234, 33)
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.Sandbox.memroy_mb = 1\n")
    with pytest.raises(sandbox.SandboxError, match="memroy_mb"):
        sandbox.load_config(tmp_path)


def test_guards_report_and_undo_tampering():
    code = """
import json, math, builtins, numpy, torch
from course.grading import guards
token = json.loads(guards.install())["token"]
clean = json.loads(guards.check())
real = torch.allclose
torch.allclose = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
builtins.len = lambda x: 0
found = json.loads(guards.check())
print(json.dumps({'token': token, 'clean': clean, 'found': found,
                  'restored': torch.allclose is real and len([1]) == 1, 'again': json.loads(guards.check())}))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    token = out["token"]
    assert token and all(out[k]["token"] == token for k in ("clean", "found", "again")), "every answer carries the token"
    assert out["clean"]["problems"] == [] and out["again"]["problems"] == [] and out["restored"]
    assert {"torch.allclose was replaced", "numpy.testing.assert_allclose was replaced",
            "builtins.len was replaced"} <= set(out["found"]["problems"])
    assert guards.MODULES  # the watched modules are documented in docs/grading.md


def test_gpu_grading_shows_the_kernel_the_gpu_and_lifts_the_address_space_cap(tmp_path, monkeypatch):
    """COURSE_DEVICE=cuda: the NVIDIA device nodes are bound in and CUDA's large mappings are allowed."""
    import glob as globmod

    fake = ["/dev/nvidia0", "/dev/nvidiactl", "/dev/nvidia-uvm"]
    monkeypatch.setattr(globmod, "glob", lambda pattern: fake if pattern == "/dev/nvidia*" else [])
    cfg = sandbox.SandboxConfig(memory_mb=1024)
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    cpu = sandbox.command(["true"], cfg=cfg, runtime_dir=tmp_path, submission_dir=None, data_dir=None, env={})
    assert "--dev-bind" not in cpu and f"--as={1024 * 1024 * 1024}" in cpu
    monkeypatch.setenv("COURSE_DEVICE", "cuda")
    gpu = sandbox.command(["true"], cfg=cfg, runtime_dir=tmp_path, submission_dir=None, data_dir=None, env={})
    binds = [gpu[i + 1] for i, a in enumerate(gpu) if a == "--dev-bind"]
    assert binds == sorted(fake)
    assert gpu.index("--dev-bind") < gpu.index("--"), "device binds are bwrap options, before the command"
    assert "--as=unlimited" in gpu
    assert "--unshare-net" in gpu, "the GPU does not open the network"


# ---- issue 20 (point 5): kernels end with their student, even one that ignores signals and leaves daemons ----

def _processes_of(uids: set[int], student: str | None = None) -> list[str]:
    """Every process of the sandbox uids, or (whatever its uid) whose environment names the student."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            uid = sandbox._uid_of(pid)
            env = Path(f"/proc/{pid}/environ").read_bytes() if student else b""
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()[:120]
        except OSError:
            continue
        if uid in uids or (student and (f"COURSE_STUDENT={student}\0".encode() in env
                                        or f"COURSE_STUDENT\0{student}\0".encode() in cmd)):
            found.append(f"{pid} uid {uid}: {cmd!r}")
    return found


@pytest.mark.parametrize("kernel", ["exits", "blocks"])
def test_no_daemon_of_a_sandbox_outlives_it(tmp_path, kernel):
    """The student's code (tests/hostile/cases.py DAEMONS) ignores and blocks SIGTERM and leaves
    daemons of each kind; its process then exits, or blocks until the grader kills the sandbox.
    Nothing of the sandbox's uid may be left once bwrap has ended: its PID namespace dies with its
    pid 1 (--unshare-pid, --die-with-parent), before end_uid even looks."""
    if os.geteuid() != 0:
        pytest.skip("sandbox uids are used when the grader runs as root (as in CI)")
    import time

    from hostile.cases import DAEMONS

    code = DAEMONS.replace('raise RuntimeError("daemons started")', 'print("ready", flush=True)')
    if kernel == "blocks":
        code += "\nwhile True:\n    time.sleep(1)\n"
    runtime = tmp_path / "rt"
    runtime.mkdir()
    os.chmod(runtime, 0o777)
    with sandbox.reserve_uid(CFG, start=700) as uid:
        cmd = sandbox.command([sys.executable, "-c", code], cfg=CFG, runtime_dir=runtime, submission_dir=None,
                              data_dir=None, env=sandbox.kernel_env(CFG, student="daemons-probe", data_dir=None), uid=uid)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stdout.readline().strip() == "ready", proc.stderr.read()[-2000:]
            assert len(sandbox.pids_of_uid(uid)) >= 5, "the daemons did not start: the test would prove nothing"
            if kernel == "blocks":
                proc.terminate()  # what the grader does first; the student's code ignores SIGTERM
                proc.wait(timeout=30)
            else:
                proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        deadline = time.monotonic() + 5
        while _processes_of({uid}) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _processes_of({uid}), f"processes outlived their sandbox: {_processes_of({uid})}"
        assert sandbox.end_uid(uid) == []


def test_a_kernel_that_leaves_daemons_ends_with_its_student(tmp_path):
    """The hostile submission ``daemons`` graded by the real CLI: when the batch is over, no process
    of its sandbox uid and none that carries its name (COURSE_STUDENT) is left."""
    if os.geteuid() != 0:
        pytest.skip("sandbox uids are used when the grader runs as root (as in CI)")
    from hostile import cases, lab

    course = lab.make_course(tmp_path / "course", ROOT)
    with open(course / "nbgrader_config.py", "a") as fh:  # the policy would refuse os.fork before it runs
        fh.write("\nc.Policy.enabled = False\n")
    [case] = [c for c in cases.CASES if c.student == "daemons"]
    folder = course / "submitted" / case.student / lab.LECTURE
    folder.mkdir(parents=True)
    case.make(course, folder, {"root": str(course), "port": 9})
    env = dict(os.environ, COURSE_FAST="1", COURSE_NO_VISDOM="1")
    env.pop("COURSE_GRADEBOOK", None)
    proc = subprocess.run([sys.executable, "-m", "course", "autograde", lab.LECTURE, "--no-progress",
                           "--cell-timeout", "60", "--notebook-timeout", "240", "--processes", "64"],
                          cwd=course, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads((course / ".grading" / lab.LECTURE / "executed" / case.student / "report.json").read_text())
    executed = (course / ".grading" / lab.LECTURE / "executed" / case.student / f"{lab.LECTURE}.ipynb").read_text()
    assert "daemons started" in executed, "the daemons did not start: the test would prove nothing"
    assert not any("could not end" in n for n in report["notes"]), report["notes"]
    # its kernel's uid, and anything (the judge's sandbox included) that carries the student's name
    left = _processes_of({report["uid"]} if report.get("uid") is not None else set(), student=case.student)
    assert not left, f"processes of the student outlived the batch: {left}"
