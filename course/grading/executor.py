"""Execute one student's (already canonical) notebook in a sandboxed kernel.

What it adds to nbclient (which nbgrader's ``Execute`` uses too):

* the kernel is started by :class:`sandbox.SandboxedKernelManager` (bubblewrap, rlimits, no network);
* a cell past ``cell_timeout`` is interrupted; a kernel that does not come back, a kernel that
  dies (``os._exit``, a segfault, a memory or CPU limit) or a notebook past ``notebook_timeout``
  ends the run: the cell gets an error output saying what happened and the cells after it an
  error "not run", so their tests score 0 and the student reads why;
* output is capped per cell (``output_kb``) and ZeroMQ messages per message (32 MB), so
  gigabytes of output cannot exhaust the grader;
* around each autograded test cell :mod:`course.grading.guards` checks that nothing the tests
  rely on was replaced; a test cell that ran with tampered machinery gets an error output.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import zmq
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode

from .. import i18n
from . import sandbox
from .notebooks import nbgrader_meta

MAX_MESSAGE = 32 * 1024 * 1024
FLOOD_FACTOR = 4  # a cell that printed this many times its output cap is interrupted
GUARD = "__import__('course.grading.guards', fromlist=['check'])"


def error_output(ename: str, evalue: str) -> NotebookNode:
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue,
                                  traceback=[f"\x1b[0;31m{ename}\x1b[0m: {evalue}"])


def _size(msg: dict) -> int:
    content = msg.get("content", {})
    if "text" in content:
        return len(content["text"])
    if "data" in content:
        return sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in content["data"].values())
    if "traceback" in content:
        return sum(len(t) for t in content["traceback"])
    return 0


class _Client(NotebookClient):
    """nbclient with an output cap and the last execute_reply remembered."""

    def __init__(self, *args, output_limit: int, notebook_output_limit: int, **kwargs):
        super().__init__(*args, **kwargs)
        self._output_limit = output_limit
        self._notebook_limit = notebook_output_limit
        self._notebook_used = 0
        self._output_used: dict[int, int] = {}
        self._cut: set[int] = set()
        self.stopped: set[int] = set()  # cells interrupted for flooding
        self.last_reply: dict | None = None
        self.on_cell_executed = self._remember_reply

    async def _interrupt(self) -> None:
        try:
            await self.km.interrupt_kernel()
        except Exception:
            pass  # the cell timeout still stops it

    def _remember_reply(self, **kwargs):
        self.last_reply = kwargs.get("execute_reply")

    def output(self, outs, msg, display_id, cell_index):
        size = _size(msg)
        used = self._output_used.get(cell_index, 0) + size
        self._output_used[cell_index] = used
        self._notebook_used += size
        over_cell = used > self._output_limit
        if used > FLOOD_FACTOR * self._output_limit and cell_index not in self.stopped:
            # past the cap the output is only dropped; a cell still printing far beyond it is a flood:
            # stop it now, before its backlog fills the kernel's memory or runs into the cell timeout
            self.stopped.add(cell_index)
            asyncio.ensure_future(self._interrupt())
        if (over_cell or self._notebook_used > self._notebook_limit) and msg["msg_type"] != "error":
            if cell_index not in self._cut:
                self._cut.add(cell_index)
                what = (f"this cell printed more than {self._output_limit // 1024} KB" if over_cell else
                        f"the notebook printed more than {self._notebook_limit // 1024} KB in all")
                note = nbformat.v4.new_output("stream", name="stdout", text=f"\n[grader] output cut: {what}\n")
                outs.append(note)
                return note
            return None
        return super().output(outs, msg, display_id, cell_index)


class Outcome:
    def __init__(self) -> None:
        self.notes: list[str] = []       # feedback lines for the student
        self.incident: str | None = None  # timeout / crash / limit: the run did not finish normally
        self.violations: dict[str, list[str]] = {}
        self.seconds = 0.0


async def _reply(kc, msg_id: str, timeout: float) -> dict | None:
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        try:
            msg = await kc.shell_channel.get_msg(timeout=left)
        except Exception:  # queue.Empty on timeout
            return None
        if msg.get("parent_header", {}).get("msg_id") == msg_id:
            return msg


async def _expression(kc, expr: str, timeout: float) -> str | None:
    """Evaluate ``expr`` in the kernel without a cell; its repr, or None if it failed."""
    msg_id = kc.execute("", silent=True, store_history=False, user_expressions={"r": expr})
    reply = await _reply(kc, msg_id, timeout)
    if reply is None:
        return None
    result = reply["content"].get("user_expressions", {}).get("r", {})
    if result.get("status") != "ok":
        return None
    return result.get("data", {}).get("text/plain")


def _parse_json_repr(text: str | None):
    import ast

    if text is None:
        return None
    try:
        return json.loads(ast.literal_eval(text))
    except Exception:
        return None


def _not_run(cells, start: int, why: str) -> None:
    for cell in cells[start:]:
        if cell.cell_type == "code":
            cell.outputs = [error_output("NotRun", f"this cell was not run: {why}")]
            cell.execution_count = None


class GuardError(RuntimeError):
    """The guard did not answer as the grader's own guard would (replaced, or its token lost)."""


def _guard_problems(raw, token: str) -> list[str]:
    """The problems reported by ``check()``; a reply without the install token is itself one."""
    if not isinstance(raw, dict) or raw.get("token") != token or not isinstance(raw.get("problems"), list):
        return ["the grader's integrity check did not answer (the guard was replaced or removed)"]
    return [str(p) for p in raw["problems"]]


async def _watch_runtime(runtime_dir: Path, limit: int, km, outcome: "Outcome") -> None:
    """Without root the socket folder cannot be a capped tmpfs: watch its size, end the kernel past the cap."""
    while True:
        await asyncio.sleep(0.5)
        if _tree_bytes(runtime_dir, limit) > limit:
            outcome.incident = "disk limit"
            outcome.notes.append(f"The kernel wrote more than {limit // 2**20} MB into its socket folder: it was stopped.")
            process = km.provisioner.process if km.provisioner else None
            if process is not None:
                process.kill()
            return


def _tree_bytes(path: Path, stop_at: int) -> int:
    total = 0
    for root, dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
            if total > stop_at:
                return total
    return total


async def _end_kernel(client, km) -> None:
    """Shut the kernel down for good: nbclient keeps a kernel it did not create alive."""
    try:
        if client.kc is not None:
            client.kc.stop_channels()
    except Exception:
        pass
    try:
        if km.has_kernel:
            await asyncio.wait_for(km.shutdown_kernel(now=True), timeout=30)
    except Exception:
        process = km.provisioner.process if km.provisioner else None
        if process is not None:
            try:
                process.kill()
                process.wait(timeout=10)
            except Exception:
                pass


KERNEL_SIDE = "__import__('course.grading.kernel_side', fromlist=['serve']).serve"


class JudgeError(sandbox.SandboxError):
    """The judge process failed: the grader's fault, never the student's (the student is listed as
    failed, nothing of theirs is written, as for any sandbox failure)."""


class Judge:
    """The judge process of one student (course/grading/judge.py), in a sandbox of its own:
    another uid than the kernel's, no network, nothing of the student's but plain data."""

    def __init__(self, proc):
        self.proc = proc

    @classmethod
    async def start(cls, cfg: sandbox.SandboxConfig, *, runtime_dir: Path, data_dir: Path | None, jobs: int,
                    uid: int | None, language: str = "en") -> "Judge":
        import sys

        env = sandbox.kernel_env(cfg, student="judge", data_dir=data_dir, jobs=jobs)
        env["COURSE_JUDGE_PROCESS"] = "1"
        env["COURSE_LANG"] = language
        argv = [sys.executable, "-m", "course.grading.judge"]
        cmd = sandbox.command(argv, cfg=cfg, runtime_dir=runtime_dir, submission_dir=None, data_dir=data_dir,
                              env=env, uid=uid)
        proc = await asyncio.create_subprocess_exec(*cmd, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
                                                    stderr=None, limit=MAX_MESSAGE * 2)
        judge = cls(proc)
        ready = await judge.receive(180)
        if ready.get("op") != "ready":
            raise JudgeError(f"the judge did not start: {ready}")
        return judge

    async def send(self, message: dict) -> None:
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        await self.proc.stdin.drain()

    async def receive(self, timeout: float) -> dict:
        try:
            line = await asyncio.wait_for(self.proc.stdout.readline(), timeout=max(1.0, timeout))
        except asyncio.TimeoutError as exc:
            raise JudgeError("the judge did not answer in time") from exc
        if not line:
            raise JudgeError(f"the judge ended (exit status {self.proc.returncode})")
        return json.loads(line)

    async def close(self) -> None:
        try:
            if self.proc.returncode is None:
                self.proc.stdin.close()
                await asyncio.wait_for(self.proc.wait(), timeout=5)
        except Exception:
            pass
        if self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


async def _printed(kc, msg_id: str, printed: list, limit: int, timeout: float = 5.0) -> None:
    """What the student's code printed while it answered ``msg_id`` (until the kernel is idle again)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = await kc.iopub_channel.get_msg(timeout=max(0.05, deadline - time.monotonic()))
        except Exception:
            return
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = msg.get("msg_type"), msg.get("content", {})
        if kind == "stream" and sum(len(t) for t in printed) < limit:
            printed.append(str(content.get("text", ""))[:limit])
        elif kind == "status" and content.get("execution_state") == "idle":
            return


async def _ask_kernel(kc, km, request: dict, timeout: float, printed: list | None = None,
                      limit: int = 256 * 1024) -> dict:
    """One judge request answered by the kernel's ``kernel_side.serve`` (a user expression);
    what the student's code printed meanwhile goes into ``printed`` (shown in the test's output)."""
    expr = f"{KERNEL_SIDE}({json.dumps(request)!r})"
    msg_id = kc.execute("", silent=False, store_history=False, user_expressions={"r": expr})
    reply = await _reply(kc, msg_id, timeout)
    await _printed(kc, msg_id, printed if printed is not None else [], limit)
    if reply is None:
        try:
            await km.interrupt_kernel()
        except Exception:
            pass
        await _reply(kc, msg_id, 10)  # the interrupted call's own reply, so the next one is not confused
        return {"raise": {"type": "TimeoutError", "message": f"the call did not return within {timeout:.0f} s "
                          "(an endless loop?) and was stopped", "mro": ["TimeoutError", "Exception"]}}
    result = reply["content"].get("user_expressions", {}).get("r", {})
    if result.get("status") != "ok":
        return {"raise": {"type": "KernelError", "message": "the kernel could not run the call "
                          f"({str(result.get('ename', ''))[:100]}: {str(result.get('evalue', ''))[:300]})",
                          "mro": ["KernelError", "Exception"]}}
    import ast

    try:
        answer = json.loads(ast.literal_eval(result.get("data", {}).get("text/plain", "")))
    except Exception:
        answer = None
    if not isinstance(answer, dict):
        return {"raise": {"type": "WireError", "message": "the kernel's answer was not plain data",
                          "mro": ["WireError", "Exception"]}}
    return answer


async def _judge_cell(judge: Judge, kc, km, cell, op: str, timeout: float, limit: int = 256 * 1024) -> None:
    """Run a test (or locked) cell in the judge; the kernel only answers the judge's calls."""
    deadline = time.monotonic() + timeout
    printed: list[str] = []
    await judge.send({"op": op, "source": cell.source})
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            cell.outputs = [error_output("CellTimeoutError", f"the test ran past the {timeout:.0f} s limit")]
            raise JudgeTimeout
        message = await judge.receive(left + 30)
        if message.get("op") == "kernel":
            answer = await _ask_kernel(kc, km, message.get("request", {}), max(1.0, left), printed, limit)
            await judge.send({"op": "reply", "response": answer})
            continue
        if message.get("op") != "done":
            raise JudgeError(f"unexpected message from the judge: {str(message)[:200]}")
        outputs = []
        if printed:  # the student's own prints while the judge called their code
            text = "".join(printed)
            outputs.append(nbformat.v4.new_output("stream", name="stdout", text=text[:limit]))
        if message.get("stdout"):
            outputs.append(nbformat.v4.new_output("stream", name="stdout", text=message["stdout"]))
        if message.get("error"):
            err = message["error"]
            outputs.append(error_output(str(err.get("ename", "Error")), str(err.get("evalue", ""))))
        if op == "test":
            cell.outputs = outputs
        return


class JudgeTimeout(Exception):
    pass


async def _execute(nb, cfg: sandbox.SandboxConfig, *, student: str, runtime_dir: Path,
                   submission_dir: Path | None, data_dir: Path | None, slot: int, jobs: int, uid: int | None,
                   tampered: dict[str, str], blocked: dict[int, str] | None = None,
                   policy_failed: dict[str, str] | None = None, lecture: str | None = None,
                   judge_uid: int | None = None) -> Outcome:
    """``blocked``: cell index -> why that cell is not run (a policy violation);
    ``policy_failed``: test grade_id -> why it scores 0 (it comes after a blocked cell)."""
    blocked = blocked or {}
    policy_failed = policy_failed or {}
    outcome = Outcome()
    env = sandbox.kernel_env(cfg, student=student, data_dir=data_dir, jobs=jobs)
    language = i18n.notebook_language(nb)  # hints and hidden checks speak the release's language
    env["COURSE_LANG"] = language
    # the kernel has no network: its live plots save their runs here, and the grader draws them
    curves = curves_dir(runtime_dir)
    curves.mkdir(exist_ok=True)
    os.chmod(curves, 0o777)
    env["COURSE_CURVES_DIR"] = str(curves)
    km = sandbox.SandboxedKernelManager(kernel_name="python3", transport="ipc", ip=str(runtime_dir / "k"),
                                        connection_file=str(runtime_dir / "kernel.json"))
    km.sandbox_prefix = sandbox.command([], cfg=cfg, runtime_dir=runtime_dir, submission_dir=submission_dir,
                                        data_dir=data_dir, env=env, slot=slot, uid=uid)
    km.context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
    client = _Client(nb, km=km, timeout=cfg.cell_timeout, allow_errors=True, interrupt_on_timeout=True,
                     error_on_timeout={"ename": "CellTimeoutError",
                                       "evalue": f"the cell ran past the {cfg.cell_timeout} s limit and was stopped",
                                       "traceback": [f"CellTimeoutError: the cell ran past {cfg.cell_timeout} s"]},
                     record_timing=False, shutdown_kernel="immediate", startup_timeout=120,
                     iopub_timeout=5, raise_on_iopub_timeout=False, output_limit=cfg.output_kb * 1024,
                     notebook_output_limit=cfg.notebook_output_kb * 1024,
                     extra_arguments=["--HistoryManager.hist_file=:memory:"], kernel_name="python3")
    cells = nb.cells
    t0 = time.monotonic()
    deadline = t0 + cfg.notebook_timeout
    watcher = None
    judge = None
    judge_runtime = None
    judge_task = None
    try:
        from . import judge as judge_module

        if judge_module.judged(lecture):
            # started first: the judge imports numpy and torch while the kernel starts
            import tempfile

            judge_runtime = Path(tempfile.mkdtemp(prefix="cj-", dir=runtime_dir.parent))
            judge_task = asyncio.ensure_future(Judge.start(cfg, runtime_dir=judge_runtime, data_dir=data_dir,
                                                           jobs=jobs, uid=judge_uid, language=language))
        else:
            judge_task = None
        async with client.async_setup_kernel():
            kc = client.kc
            if not _is_mount(runtime_dir):
                watcher = asyncio.ensure_future(_watch_runtime(runtime_dir, cfg.runtime_mb * 2**20, km, outcome))
            installed = _parse_json_repr(await _expression(kc, f"{GUARD}.install()", timeout=180))
            if not isinstance(installed, dict) or not installed.get("installed") or not installed.get("token"):
                raise sandbox.SandboxError("the kernel started but the grader's guard could not be installed")
            token = str(installed["token"])
            if judge_task is not None:
                judge = await judge_task
                judge_task = None
            for index, cell in enumerate(cells):
                if cell.cell_type != "code":
                    continue
                meta = nbgrader_meta(cell)
                is_test = bool(meta.get("grade")) and not meta.get("solution")
                gid = meta.get("grade_id", "")
                if index in blocked:  # a policy violation: the cell is never sent to the kernel
                    cell.outputs = [error_output("PolicyViolation", blocked[index])]
                    cell.execution_count = None
                    continue
                found: list[str] = []
                if is_test:
                    found += _guard_problems(_parse_json_repr(await _expression(kc, f"{GUARD}.check()", timeout=30)), token)
                client.last_reply = None
                left = deadline - time.monotonic()
                try:
                    if left <= 0:
                        raise asyncio.TimeoutError
                    if judge is not None and is_test:
                        # the test never enters the kernel: the judge runs it and calls the student's code
                        try:
                            await _judge_cell(judge, kc, km, cell, "test", min(left, cfg.cell_timeout),
                                              cfg.output_kb * 1024)
                        except JudgeTimeout:
                            pass
                        cell.execution_count = index
                    else:
                        await asyncio.wait_for(client.async_execute_cell(cell, index, store_history=True), timeout=left)
                        if judge is not None and meta.get("locked"):
                            # the setup (instructor's code) runs in the judge too: its imports, its names
                            await _judge_cell(judge, kc, km, cell, "locked", min(max(left, 1.0), cfg.cell_timeout))
                except DeadKernelError:
                    code = km.provisioner.process.poll() if km.provisioner and km.provisioner.process else None
                    why = (f"the kernel died while this cell ran (exit status {code}): the code ended the Python "
                           "process (os._exit, a crash, or a memory/CPU/disk limit)")
                    cell.outputs.append(error_output("DeadKernelError", why))
                    outcome.incident = outcome.incident or "kernel died"
                    outcome.notes.append(f"The kernel died in cell {index} ({gid or 'not graded'}); later cells were not run.")
                    _not_run(cells, index + 1, "the kernel died earlier")
                    break
                except asyncio.TimeoutError:
                    cell.outputs.append(error_output(
                        "NotebookTimeoutError", f"the notebook ran past its {cfg.notebook_timeout} s limit"))
                    outcome.incident = "notebook timeout"
                    outcome.notes.append(f"The notebook ran past {cfg.notebook_timeout} s in cell {index}; later cells were not run.")
                    _not_run(cells, index + 1, "the notebook ran out of time earlier")
                    break
                reply = (client.last_reply or {}).get("content", {})
                if reply.get("status") == "error" and not any(o.output_type == "error" for o in cell.outputs):
                    cell.outputs.append(error_output(reply.get("ename") or "Error",
                                                     reply.get("evalue") or "the cell failed (its error output was hidden)"))
                if index in client.stopped:
                    mb = FLOOD_FACTOR * cfg.output_kb / 1024
                    why = f"the cell printed more than {mb:g} MB and was stopped (only the first {cfg.output_kb} KB are kept)"
                    if not any(o.output_type == "error" and o.get("ename") != "KeyboardInterrupt" for o in cell.outputs):
                        cell.outputs = [o for o in cell.outputs if o.output_type != "error"]
                        cell.outputs.append(error_output("OutputFloodError", why))
                    outcome.notes.append(f"Cell {index} ({gid or 'not graded'}): {why}.")
                if reply.get("ename") == "CellTimeoutError":
                    outcome.notes.append(f"Cell {index} ({gid or 'not graded'}) ran past {cfg.cell_timeout} s and was stopped.")
                    alive = await _expression(kc, "1", timeout=30)
                    if alive is None:
                        outcome.incident = "cell timeout"
                        outcome.notes.append("The kernel did not stop when interrupted; later cells were not run.")
                        _not_run(cells, index + 1, "an earlier cell could not be stopped")
                        break
                if meta.get("locked") and not is_test:
                    # the setup cell bound np, torch, course...: the guard pins those names now; what it
                    # finds wrong there (a planted look-alike module) it repeats in every later check()
                    await _expression(kc, f"{GUARD}.after_locked()", timeout=30)
                if is_test:
                    found += _guard_problems(_parse_json_repr(await _expression(kc, f"{GUARD}.check()", timeout=30)), token)
                    if found:
                        outcome.violations[gid] = sorted(set(found))
                        cell.outputs.append(error_output(
                            "IntegrityError", "this test ran with tampered grading machinery and scores 0: "
                            + "; ".join(sorted(set(found))[:8])))
                        outcome.notes.append(f"{gid}: scores 0, the code tampered with what the test uses "
                                             f"({'; '.join(sorted(set(found))[:3])}).")
                if gid in tampered:
                    cell.outputs.append(error_output("TamperedCellError", tampered[gid]))
                if gid in policy_failed:
                    cell.outputs.append(error_output("PolicyViolation", policy_failed[gid]))
    finally:
        if watcher is not None:
            watcher.cancel()
        if judge_task is not None:
            judge_task.cancel()
            with contextlib.suppress(BaseException):
                judge = await judge_task
        if judge is not None:
            await judge.close()
        if judge_runtime is not None:
            shutil.rmtree(judge_runtime, ignore_errors=True)
        await _end_kernel(client, km)
    outcome.seconds = time.monotonic() - t0
    return outcome


def _is_mount(path: Path) -> bool:
    return os.path.ismount(path)


def execute(nb, cfg: sandbox.SandboxConfig, **kwargs) -> Outcome:
    """Run ``nb`` in place (outputs filled in); see :func:`_execute` for the keyword arguments."""
    return asyncio.run(_execute(nb, cfg, **kwargs))


def curves_dir(runtime_dir: Path) -> Path:
    return runtime_dir / "curves"


def publish_curves(runtime_dir: Path, student: str, lecture: str, limit: int = 50) -> int:
    """Draw the runs a kernel saved (``course.LivePlot``) on the visdom server, if one answers.

    The files were written by student code: the student and lecture come from the grader, not
    from them, and only a bounded number of bounded files is read.  Returns the runs drawn.
    """
    from .. import liveplot

    drawn = 0
    for path in sorted(curves_dir(runtime_dir).glob("run-*.json"))[:limit]:
        try:
            if path.is_symlink() or path.stat().st_size > 5 * 1024 * 1024:
                continue
            record = json.loads(path.read_text())
            record.update(student=student, lecture=lecture, env=f"{student}.{lecture}")
            if not liveplot.publish(record):
                break  # no server: nothing more to try
            drawn += 1
        except Exception:  # a malformed file costs its run's picture, never a grade
            continue
    return drawn


@contextlib.contextmanager
def runtime(student: str, mb: int):
    """The kernel's socket folder, the one host folder its sandbox may write.

    As root it is a tmpfs of ``mb`` MB mounted for this student alone (a full disk is then the
    kernel's ``No space left``); otherwise the executor watches its size and ends a kernel past
    the cap.  Unmounted and removed afterwards, whatever happened.
    """
    path = runtime_dir_for(student)
    mounted = False
    if os.geteuid() == 0 and shutil.which("mount"):
        made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={max(1, mb)}m,mode=0777,nosuid,nodev",
                               f"cg-{student[:40]}", str(path)], capture_output=True)
        mounted = made.returncode == 0
    try:
        yield path
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)
        shutil.rmtree(path, ignore_errors=True)


def runtime_dir_for(student: str) -> Path:
    """A private, short (Unix socket paths are limited to ~100 bytes) folder for one kernel."""
    import tempfile

    base = Path(os.environ.get("COURSE_GRADER_RUNTIME", tempfile.gettempdir()))
    path = Path(tempfile.mkdtemp(prefix="cg-", dir=base))
    os.chmod(path, 0o777)  # the kernel's uid creates its sockets here; no other sandbox sees it
    return path
