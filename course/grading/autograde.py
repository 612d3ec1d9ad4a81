"""Sandboxed, parallel autograding of a whole class: ``python -m course autograde LECTURE --jobs N``.

1. The template of the lecture (release notebook + locked cells with hidden tests, read from the
   gradebook) is written once to ``.grading/<lecture>/template.json``.
2. N worker processes (:mod:`worker`), one student each at a time, read the submission without
   trusting it, rebuild it on the template, run it in a bubblewrap sandbox with rlimits and
   in-kernel guards, and write the executed notebook and a report to ``.grading/<lecture>/``.
   They never open the gradebook.
3. One process, ``nbgrader autograde`` with :class:`replay.Replay` in place of ``Execute``, writes
   every grade (SQLite or PostgreSQL, one writer) and the autograded notebooks.

A worker that crashes or overruns costs its student only: that student is reported as failed and
nothing of theirs is written; everybody else is graded.  See docs/grading.md.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from . import executor, sandbox


# The worker imports course.grading without running course/__init__.py (which imports torch):
# a small, quick process; the kernels import torch inside their sandbox.
WORKER_BOOT = ("import sys, types; pkg = types.ModuleType('course'); pkg.__path__ = [sys.argv[1]]; "
               "sys.modules['course'] = pkg; from course.grading.worker import main; sys.exit(main())")


@dataclass
class ClassResult:
    lecture: str
    graded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)     # student -> why (not graded at all)
    reports: dict[str, dict] = field(default_factory=dict)  # student -> worker report
    seconds: float = 0.0

    @property
    def incidents(self) -> dict[str, str]:
        return {s: r["incident"] for s, r in self.reports.items() if r.get("incident")}


def nbgrader_settings(root: Path) -> dict:
    from traitlets.config.loader import PyFileConfigLoader

    loaded = PyFileConfigLoader("nbgrader_config.py", str(root)).load_config()
    cd = loaded.get("CourseDirectory", {})
    return {"db_url": cd.get("db_url") or f"sqlite:///{root / 'gradebook.db'}",
            "course_id": cd.get("course_id") or "default_course",
            "submitted": cd.get("submitted_directory") or "submitted"}


def template(root: Path, lecture: str, db_url: str, course_id: str) -> dict:
    """The release notebook and the locked cells' gradebook text (with hidden tests)."""
    from nbgrader.api import Gradebook

    release = json.loads((root / "release" / lecture / f"{lecture}.ipynb").read_text())
    with Gradebook(db_url, course_id) as gb:
        nb = gb.find_notebook(lecture, lecture)
        locked = {c.name: c.source for c in nb.source_cells if c.locked}
    return {"release": release, "locked": locked}


def class_students(root: Path, lecture: str, submitted: str = "submitted") -> list[str]:
    base = root / submitted
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir()
                  if (p / lecture).is_dir() and not (p / lecture).is_symlink() and not p.is_symlink())


def data_dir() -> Path | None:
    from ..datasets import cache_root

    # always give kernels a (read-only) cache, even before anything was fetched: a lecture
    # then says which file is missing instead of trying to download without a network
    path = cache_root()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="student", desc="autograde", dynamic_ncols=True, file=sys.stderr)


def grade_class(root: Path, lecture: str, *, jobs: int = 1, students: list[str] | None = None,
                cfg: sandbox.SandboxConfig | None = None, progress: bool = True,
                log=print) -> ClassResult:
    root = root.resolve()
    t0 = time.monotonic()
    settings = nbgrader_settings(root)
    cfg = cfg or sandbox.load_config(root)
    result = ClassResult(lecture)
    staging = root / ".grading" / lecture
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "jobs").mkdir(parents=True)
    if cfg.enabled:
        probe_dir = Path(tempfile.mkdtemp(prefix="cg-probe-"))
        try:
            facts = sandbox.probe(cfg, probe_dir)  # raises SandboxError: never grade without isolation
        finally:
            shutil.rmtree(probe_dir, ignore_errors=True)
        log(f"[course] sandbox in force: bwrap, uid {facts['uid']}, no network, "
            f"{cfg.memory_mb} MB, {cfg.processes} processes, {cfg.cell_timeout} s per cell")
    else:
        raise sandbox.SandboxError("the sandbox is disabled (c.Sandbox.enabled = False): refusing to run student code")
    (staging / "template.json").write_text(json.dumps(template(root, lecture, settings["db_url"], settings["course_id"])))
    everyone = class_students(root, lecture, settings["submitted"])
    todo = [s for s in everyone if students is None or s in students]
    data = data_dir()
    slots = list(range(max(1, jobs)))
    workers: dict[int, subprocess.Popen] = {}
    lock = threading.Lock()
    bar = _progress(len(todo), progress)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])

    def worker_for(slot: int) -> subprocess.Popen:
        proc = workers.get(slot)
        if proc is None or proc.poll() is not None:
            log_file = open(staging / f"worker-{slot}.log", "a")
            proc = subprocess.Popen([sys.executable, "-c", WORKER_BOOT, str(Path(__file__).resolve().parent.parent)], cwd=root, env=env, text=True,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log_file)
            workers[slot] = proc
        return proc

    running_uids: set[int] = set()
    next_uid = [0]

    def pick_uid() -> int:
        """A uid no running kernel uses and no leftover process (e.g. a killed fork bomb's) owns."""
        lo, count = cfg.uid_base, max(cfg.uid_count, jobs + 1)
        busy = running_uids | sandbox.uids_in_use(lo, lo + count)
        for _ in range(count):
            uid = lo + next_uid[0] % count
            next_uid[0] += 1
            if uid not in busy:
                return uid
        raise sandbox.SandboxError(f"all {count} sandbox uids from {lo} own processes")

    def run_one(student: str) -> tuple[str, int, str]:
        with lock:
            slot = slots.pop()
            uid = pick_uid() if os.geteuid() == 0 else None
            if uid is not None:
                running_uids.add(uid)
        try:
            job = {"student": student, "lecture": lecture, "notebook": lecture, "staging": str(staging),
                   "template": str(staging / "template.json"), "submission": str(root / settings["submitted"] / student / lecture),
                   "sandbox": cfg.__dict__, "slot": slot, "uid": uid, "jobs": jobs, "data_dir": str(data) if data else None}
            path = staging / "jobs" / f"{student}.json"
            path.write_text(json.dumps(job))
            proc = worker_for(slot)
            watchdog = threading.Timer(cfg.notebook_timeout + 300, proc.kill)
            watchdog.start()
            try:
                proc.stdin.write(str(path) + "\n")
                proc.stdin.flush()
                while True:
                    line = proc.stdout.readline()
                    if not line or line.startswith('{"student": '):
                        break
            except (BrokenPipeError, OSError):
                line = ""
            finally:
                watchdog.cancel()
            if not line:
                proc.kill()
                return student, -1, "the grading worker died or ran past its time limit"
            answer = json.loads(line)
            return student, 0 if answer["ok"] else 3, answer.get("error", "")
        finally:
            with lock:
                slots.append(slot)
                running_uids.discard(uid)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(run_one, s) for s in todo]
        for future in as_completed(futures):
            student, code, text = future.result()
            report_path = staging / "executed" / student / "report.json"
            if code == 0 and report_path.exists():
                result.reports[student] = json.loads(report_path.read_text())
                executor.publish_curves(staging / "executed" / student, student, lecture)
            else:
                result.failed[student] = text.splitlines()[-1] if text else f"worker exit {code}"
                shutil.rmtree(staging / "submitted" / student, ignore_errors=True)
                shutil.rmtree(staging / "executed" / student, ignore_errors=True)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(done=len(result.reports), failed=len(result.failed),
                                remaining=len(todo) - len(result.reports) - len(result.failed),
                                incidents=len(result.incidents), refresh=True)
    if bar is not None:
        bar.close()
    for proc in workers.values():
        try:
            proc.stdin.close()
            proc.wait(timeout=30)
        except Exception:
            proc.kill()

    if result.reports:
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        proc = subprocess.run([sys.executable, "-m", "course.grading.replay", lecture, str(staging)], cwd=root,
                              env=env, capture_output=True, text=True)
        (staging / "nbgrader-autograde.log").write_text(proc.stdout + proc.stderr)
    for student in list(result.reports):
        if (root / "autograded" / student / lecture / f"{lecture}.ipynb").exists() and \
                (staging / "executed" / student).exists():
            result.graded.append(student)
        else:
            result.failed[student] = "nbgrader autograde could not write this student (see .grading/%s/nbgrader-autograde.log)" % lecture
            result.reports.pop(student)
    result.seconds = time.monotonic() - t0
    (staging / "summary.json").write_text(json.dumps(
        {"lecture": lecture, "graded": sorted(result.graded), "failed": result.failed,
         "incidents": result.incidents, "seconds": round(result.seconds, 1),
         "notes": {s: r["notes"] for s, r in result.reports.items() if r["notes"]}}, indent=1))
    return result


def print_summary(result: ClassResult, log=print) -> None:
    log(f"[course] {result.lecture}: {len(result.graded)} graded, {len(result.failed)} failed, "
        f"{len(result.incidents)} with incidents, {result.seconds:.0f} s")
    for student, why in sorted(result.failed.items()):
        log(f"  FAILED {student}: {why}")
    for student, report in sorted(result.reports.items()):
        for note in report["notes"]:
            log(f"  {student}: {note}")
