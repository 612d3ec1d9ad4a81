"""Run a student's kernel in a bubblewrap sandbox with resource limits.

The sandbox is built from three well-kept tools from Debian/util-linux, not from our own code:

* ``bwrap`` (bubblewrap) makes new mount, PID, network, IPC, UTS and cgroup namespaces.  The
  sandbox sees a read-only view of what a kernel needs (``/usr``, the Python installation, the
  virtual environment, the ``course`` package, the data cache) and nothing else of the course
  folder: no ``source/``, no gradebook, no other submission.  Its only writable places are
  size-capped tmpfs folders (its working copy, ``/tmp``, ``/dev/shm``) that vanish with it, and
  the socket folder through which the grader talks to the kernel (ZeroMQ over Unix sockets, so
  the kernel needs no network at all: the network namespace holds only a loopback device).
* ``setpriv`` drops to an unprivileged uid/gid (one per worker slot, so process limits of
  parallel kernels do not add up), clears supplementary groups, capabilities and the bounding
  set, and sets ``no_new_privs``.  When the grader is not root, bwrap makes a user namespace
  instead and the kernel keeps the instructor's uid (still without any capability).
* ``prlimit`` sets rlimits on the kernel: CPU seconds, address space, processes/threads, file
  size, open files, no core dumps.

Every limit is a field of :class:`SandboxConfig`, read from ``c.Sandbox.*`` in
``nbgrader_config.py`` (see :func:`load_config`) and from the ``course autograde`` flags.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import List as ListTrait


class SandboxError(RuntimeError):
    """Isolation is not available or not in force: grading refuses to run untrusted code."""


@dataclass
class SandboxConfig:
    enabled: bool = True           # False runs kernels unsandboxed: only for trusted notebooks
    # the defaults are those of the course's nbgrader_config.py in fast mode (docs/grading.md lists them)
    cell_timeout: int = 120        # seconds one cell may run (wall clock)
    notebook_timeout: int = 900    # seconds the whole notebook may run (wall clock)
    cpu_seconds: int = 1800        # RLIMIT_CPU of the kernel process
    memory_mb: int = 8192          # RLIMIT_AS (address space) of each process in the sandbox
    processes: int = 128           # RLIMIT_NPROC (processes + threads) of the sandbox's uid
    file_mb: int = 256             # RLIMIT_FSIZE: the largest file the kernel may write
    open_files: int = 256          # RLIMIT_NOFILE
    disk_mb: int = 512             # size of each tmpfs (working copy, /tmp, /dev/shm)
    output_kb: int = 2048          # output kept per cell; the rest is cut with a note
    notebook_output_kb: int = 8192  # output kept per notebook (all cells together); the rest is cut
    runtime_mb: int = 16           # the kernel's socket folder, the one host folder it writes (a tmpfs as root)
    curves_kb: int = 2048          # saved live-plot runs the grader keeps per student (all files together)
    threads: int = 0               # OMP/MKL/torch threads per kernel (0: cores // jobs)
    uid_base: int = 61000          # kernels run as uid/gid uid_base .. uid_base + uid_count - 1 (when root)
    uid_count: int = 1000          # a free uid per student (locked while in use, never one owning processes)
    readonly: list[str] = field(default_factory=list)  # extra host paths to show read-only
    env: dict[str, str] = field(default_factory=dict)  # extra environment of the kernel

    def replace(self, **changes) -> "SandboxConfig":
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def load_config(root: Path) -> SandboxConfig:
    """``c.Sandbox.*`` of ``root/nbgrader_config.py`` (the same file nbgrader reads)."""
    cfg = SandboxConfig()
    path = root / "nbgrader_config.py"
    if path.exists():
        from traitlets.config.loader import PyFileConfigLoader

        loaded = PyFileConfigLoader(path.name, str(path.parent)).load_config()
        section = loaded.get("Sandbox", {})
        known = {f.name for f in dataclasses.fields(SandboxConfig)}
        unknown = set(section) - known
        if unknown:
            raise SandboxError(f"unknown c.Sandbox settings in {path}: {', '.join(sorted(unknown))}")
        cfg = cfg.replace(**{k: section[k] for k in section})
        execute_timeout = loaded.get("Execute", {}).get("timeout")
        if "cell_timeout" not in section and execute_timeout:
            cfg.cell_timeout = int(execute_timeout)
    return cfg


def _tool(name: str) -> str:
    found = shutil.which(name) or next((p for p in (f"/usr/bin/{name}", f"/bin/{name}") if os.path.exists(p)), None)
    if not found:
        raise SandboxError(
            f"`{name}` is not installed: the grader runs student code only inside a sandbox. "
            "Install it with `make sandbox-deps` (Debian: apt-get install bubblewrap util-linux).")
    return found


def readonly_paths(data_dir: Path | None, extra: list[str] = ()) -> list[str]:
    """Host paths the kernel needs to see read-only (nothing else of the host is visible)."""
    import course

    paths = {"/usr", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
             "/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/fonts", "/etc/ssl/certs",
             "/etc/matplotlibrc"}
    prefix = Path(sys.prefix)
    paths.add(str(prefix))  # the virtual environment (python, ipykernel, torch, nbgrader...)
    for p in (sys.base_prefix, os.path.realpath(sys.executable)):
        paths.add(str(Path(p) if Path(p).is_dir() else Path(p).parent.parent))
    paths.add(str(Path(list(course.__path__)[0]).resolve()))  # the installed course package
    if data_dir is not None:
        paths.add(str(data_dir))
        # the cache links files from the offline mirror: the links' targets must be visible too
        for link in Path(data_dir).rglob("*"):
            if link.is_symlink():
                paths.add(str(link.resolve().parent))
    paths.update(extra)
    return sorted(p for p in paths if os.path.exists(p))


def _mkdirs(args: list[str], made: set[str], path: str) -> None:
    """bwrap makes missing parents mode 0700: make them 0755 so the unprivileged uid can pass."""
    parts = Path(path).parts
    for i in range(2, len(parts)):
        parent = str(Path(*parts[:i]))
        if parent not in made:
            made.add(parent)
            args += ["--perms", "0755", "--dir", parent]


def gpu_devices() -> list[str]:
    """The NVIDIA device nodes a kernel needs when grading runs on the GPU (``COURSE_DEVICE``)."""
    import glob

    if os.environ.get("COURSE_DEVICE", "cpu").strip().lower() not in ("cuda", "auto"):
        return []
    return sorted(glob.glob("/dev/nvidia*"))


def address_space_limit(cfg: SandboxConfig) -> str:
    """prlimit's --as value: the configured cap, or unlimited on the GPU.

    CUDA reserves tens of GB of virtual address space at start-up, so an address-space cap would
    stop every GPU kernel; on the GPU, memory is bounded by the card and the CPU-time limit.
    """
    return "unlimited" if gpu_devices() else str(cfg.memory_mb * 1024 * 1024)


def command(argv: list[str], *, cfg: SandboxConfig, runtime_dir: Path, submission_dir: Path | None,
            data_dir: Path | None, env: dict[str, str], slot: int = 0, uid: int | None = None,
            workdir: str = "/home/student") -> list[str]:
    """The command line that runs ``argv`` inside the sandbox.

    ``runtime_dir`` (the kernel's connection file and sockets) is the only host folder the
    sandbox may write; ``submission_dir`` (the student's staged files) is shown read-only at
    ``/submission``.
    """
    bwrap, setpriv, prlimit = _tool("bwrap"), _tool("setpriv"), _tool("prlimit")
    root = os.geteuid() == 0
    args = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--hostname", "grader"]
    if root:
        # root builds the mounts, then setpriv (inside) drops to the slot's uid for good
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-user"]
    args += ["--dev", "/dev", "--proc", "/proc"]
    made: set[str] = {"/", "/dev", "/proc"}
    for name, target in (("lib", "usr/lib"), ("lib64", "usr/lib64"), ("bin", "usr/bin"), ("sbin", "usr/sbin")):
        if os.path.exists(f"/{target}"):
            args += ["--symlink", target, f"/{name}"]
            made.add(f"/{name}")
    size = str(cfg.disk_mb * 1024 * 1024)
    for path, perms in ((workdir, "0777"), ("/tmp", "1777"), ("/dev/shm", "1777")):
        _mkdirs(args, made, path)
        args += ["--perms", perms, "--size", size, "--tmpfs", path]
    for path in readonly_paths(data_dir, cfg.readonly):
        _mkdirs(args, made, path)
        args += ["--ro-bind", path, path]
    _mkdirs(args, made, str(runtime_dir))
    args += ["--bind", str(runtime_dir), str(runtime_dir)]
    if submission_dir is not None:
        args += ["--ro-bind", str(submission_dir), "/submission"]
    for node in gpu_devices():  # COURSE_DEVICE=cuda: the student's kernel sees the GPU, nothing more
        args += ["--dev-bind", node, node]
    if gpu_devices():
        args += ["--ro-bind", "/sys", "/sys"]  # the CUDA driver reads the PCI topology
    args += ["--chdir", workdir, "--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    args.append("--")
    if root:
        uid = cfg.uid_base + slot if uid is None else uid
        args += [setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                 "--bounding-set=-all", "--no-new-privs", "--"]
    mb = 1024 * 1024
    args += [prlimit, f"--cpu={cfg.cpu_seconds}", f"--as={address_space_limit(cfg)}", f"--nproc={cfg.processes}",
             f"--fsize={cfg.file_mb * mb}", f"--nofile={cfg.open_files}", "--core=0", "--"]
    return args + list(argv)


def _uid_of(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def pids_of_uid(uid: int) -> list[int]:
    """Every process whose real uid is ``uid`` (zombies included)."""
    return [int(pid) for pid in os.listdir("/proc") if pid.isdigit() and _uid_of(pid) == uid]


def end_uid(uid: int | None, timeout: float = 10.0) -> list[int]:
    """Kill every process of a sandbox uid and wait until none is left; returns the pids still
    there after ``timeout`` (normally none).  The kernel's PID namespace dies with bwrap, so this
    only finds something when a process escaped that (it cannot) or is a zombie not yet reaped."""
    import signal
    import time

    if uid is None or os.geteuid() != 0 or uid == 0:
        return []
    deadline = time.monotonic() + timeout
    while True:
        left = pids_of_uid(uid)
        if not left or time.monotonic() > deadline:
            return left
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.05)


@contextlib.contextmanager
def reserve_uid(cfg: SandboxConfig, start: int = 0):
    """A sandbox uid for one student, held (flock) until the block ends: no other grading process
    on this machine (another worker, another Dask worker) gets it meanwhile, and it owns no process
    (a leftover, e.g. a killed fork bomb's zombie).  None when not root (bwrap's user namespace)."""
    import fcntl
    import tempfile

    if os.geteuid() != 0:
        yield None
        return
    lock_dir = Path(os.environ.get("COURSE_UID_LOCKS", Path(tempfile.gettempdir()) / "course-grader-uids"))
    lock_dir.mkdir(mode=0o700, exist_ok=True)
    count = max(1, cfg.uid_count)
    busy = uids_in_use(cfg.uid_base, cfg.uid_base + count)
    for i in range(count):
        uid = cfg.uid_base + (start + i) % count
        if uid in busy:
            continue
        fh = open(lock_dir / f"{uid}.lock", "w")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            continue
        try:
            if pids_of_uid(uid):  # a process appeared since the scan
                continue
            yield uid
            return
        finally:
            fh.close()
    raise SandboxError(f"all {count} sandbox uids from {cfg.uid_base} are in use or own processes")


def uids_in_use(lo: int, hi: int) -> set[int]:
    """Real uids in [lo, hi) that own a process (zombies count against RLIMIT_NPROC too)."""
    used = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/status") as fh:
                    for line in fh:
                        if line.startswith("Uid:"):
                            uid = int(line.split()[1])
                            if lo <= uid < hi:
                                used.add(uid)
                            break
            except OSError:
                pass
    return used


def kernel_env(cfg: SandboxConfig, *, student: str, data_dir: Path | None, jobs: int = 1,
               workdir: str = "/home/student") -> dict[str, str]:
    """The whole environment of a student's kernel (nothing else of the grader's leaks in)."""
    threads = str(cfg.threads or max(1, (os.cpu_count() or 1) // max(1, jobs)))
    env = {
        "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin",
        "HOME": workdir, "USER": "student", "LANG": "C.UTF-8", "PYTHONNOUSERSITE": "1",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{workdir}/.config/matplotlib",
        "IPYTHONDIR": f"{workdir}/.ipython", "JUPYTER_PLATFORM_DIRS": "1",
        "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "COURSE_THREADS": threads,
        "COURSE_STUDENT": student, "NBGRADER_EXECUTION": "autograde",
    }
    if data_dir is not None:
        env["COURSE_DATA"] = str(data_dir)
    for key in ("COURSE_FAST", "COURSE_DEVICE", "COURSE_SEED", "COURSE_NO_VISDOM", "VISDOM_PORT",
                "COURSE_VISDOM_HOST", "COURSE_VISDOM_PORT"):
        if os.environ.get(key):
            env[key] = os.environ[key]
    env.update(cfg.env)
    return env


def probe(cfg: SandboxConfig, runtime_dir: Path) -> dict:
    """Start a trivial sandbox and check from inside that isolation is in force.

    Raises :class:`SandboxError` (never returns quietly) when bwrap cannot start, the network
    or the course folder is reachable, or the uid is still root.
    """
    code = ("import json,os,socket,resource\n"
            "r={'uid':os.getuid(),'nproc':resource.getrlimit(resource.RLIMIT_NPROC)[0],"
            "'as':resource.getrlimit(resource.RLIMIT_AS)[0],"
            "'ifaces':sorted(os.listdir('/sys/class/net')) if os.path.exists('/sys/class/net') else []}\n"
            "try:\n s=socket.socket();s.settimeout(2);s.connect(('1.1.1.1',53));r['net']=True\n"
            "except OSError: r['net']=False\n"
            "r['seen']=sorted(os.listdir('/'))\n"
            "print(json.dumps(r))\n")
    runtime_dir.mkdir(parents=True, exist_ok=True)
    cmd = command([sys.executable, "-I", "-c", code], cfg=cfg, runtime_dir=runtime_dir, submission_dir=None,
                  data_dir=None, env={"PATH": "/usr/bin:/bin", "HOME": "/home/student"})
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise SandboxError(f"the sandbox does not start (exit {proc.returncode}): {proc.stderr.strip()[-800:]}\n"
                           "bubblewrap needs user namespaces (as non-root) or root; see docs/grading.md")
    import json

    facts = json.loads(proc.stdout.strip().splitlines()[-1])
    problems = []
    if facts["net"]:
        problems.append("the network is reachable")
    if os.geteuid() == 0 and facts["uid"] == 0:
        problems.append("the kernel runs as root")
    if facts["nproc"] != cfg.processes or str(facts["as"] if facts["as"] != -1 else "unlimited") != address_space_limit(cfg):
        problems.append(f"rlimits are not in force ({facts})")
    if problems:
        raise SandboxError("isolation is not in force: " + "; ".join(problems))
    return facts


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel command runs inside :func:`command`'s sandbox.

    The kernel talks over Unix sockets in ``runtime_dir`` (``transport='ipc'``), the only
    host folder the sandbox may write.
    """

    sandbox_prefix = ListTrait([])

    def format_kernel_cmd(self, extra_arguments=None):
        return list(self.sandbox_prefix) + super().format_kernel_cmd(extra_arguments)

    @property
    def kernel_spec(self):
        spec = super().kernel_spec
        if spec is not None:
            # the kernel is in its own PID namespace: ask it to interrupt itself (control channel)
            spec.interrupt_mode = "message"
        return spec

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        os.chmod(self.connection_file, 0o644)  # readable by the sandbox's unprivileged uid
