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

import hashlib
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



@dataclass
class ClassResult:
    lecture: str
    graded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)     # student -> why (not graded at all)
    reports: dict[str, dict] = field(default_factory=dict)  # student -> worker report
    seconds: float = 0.0
    integrity: str = ""           # the integrity report's summary line (integrity.py), and its file
    integrity_file: Path | None = None

    @property
    def incidents(self) -> dict[str, str]:
        return {s: r["incident"] for s, r in self.reports.items() if r.get("incident")}


def nbgrader_settings(root: Path) -> dict:
    from traitlets.config.loader import PyFileConfigLoader

    loaded = PyFileConfigLoader("nbgrader_config.py", str(root)).load_config()
    cd = loaded.get("CourseDirectory", {})
    return {"db_url": cd.get("db_url") or f"sqlite:///{root / 'gradebook.db'}",
            "course_id": cd.get("course_id") or "default_course",
            "submitted": cd.get("submitted_directory") or "submitted",
            # the static policy on student code (course/grading/policy.py); off only to test the guards alone
            "policy": bool(loaded.get("Policy", {}).get("enabled", True))}


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


_DATA_READY: list[str] | None = None


def data_dir(log=print) -> Path | None:
    """The data cache the kernels see read-only, filled first: the kernels have no network, so
    every data set (from the offline mirror or the network, checked by sha256) is fetched here,
    on the grader's side, once per process.  A data set that can be had nowhere is named in a
    warning and costs only the lectures that need it (they say which file is missing)."""
    global _DATA_READY
    from ..datasets import cache_root

    path = cache_root()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if _DATA_READY is None:
        from ..datasets import fetch_all

        _DATA_READY = fetch_all()
        for problem in _DATA_READY:
            log(f"[course] warning: {problem}")
    return path


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="student", desc="autograde", dynamic_ncols=True, file=sys.stderr)


def submission_key(template_text: str, folder: Path, cfg: sandbox.SandboxConfig) -> str:
    """What a student's result depends on: the tests, the limits and the submitted files.  A re-run
    keeps a result whose key is unchanged (resuming after a crash) and grades the others."""
    digest = hashlib.sha256(template_text.encode())
    digest.update(json.dumps(cfg.__dict__, sort_keys=True, default=str).encode())
    try:
        entries = sorted(folder.iterdir()) if folder.is_dir() and not folder.is_symlink() else []
    except OSError:
        entries = []
    for path in entries[:1000]:
        digest.update(path.name.encode("utf-8", "replace"))
        try:
            info = path.lstat()
            digest.update(f"{info.st_size}:{info.st_mode}".encode())
            if path.is_file() and not path.is_symlink() and info.st_size <= 32 * 2**20:
                digest.update(hashlib.sha256(path.read_bytes()).digest())
            else:
                digest.update(str(info.st_mtime_ns).encode())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()


def _done(staging: Path, student: str, key: str) -> dict | None:
    """The report of an earlier run of this very submission, if that run finished the student."""
    path = staging / "executed" / student / "report.json"
    try:
        report = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return report if report.get("key") == key else None


def grade_class(root: Path, lecture: str, *, jobs: int = 1, students: list[str] | None = None,
                cfg: sandbox.SandboxConfig | None = None, progress: bool = True, restart: bool = False,
                cluster: str | None = None, integrity_path: Path | None = None, log=print) -> ClassResult:
    """Grade ``lecture``'s submissions.  A student whose submission (and tests, and limits) did not
    change since an earlier, interrupted run keeps that run's result: killing the grader and running
    the same command again grades the rest.  ``restart`` discards earlier results."""
    from . import worker as worker_module

    root = root.resolve()
    t0 = time.monotonic()
    settings = nbgrader_settings(root)
    cfg = cfg or sandbox.load_config(root)
    result = ClassResult(lecture)
    staging = root / ".grading" / lecture
    if restart:
        shutil.rmtree(staging, ignore_errors=True)
    (staging / "jobs").mkdir(parents=True, exist_ok=True)
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
    template_text = json.dumps(template(root, lecture, settings["db_url"], settings["course_id"]), sort_keys=True)
    template_path = staging / "template.json"
    tmp = staging / "template.json.tmp"
    tmp.write_text(template_text)
    os.replace(tmp, template_path)
    template_data = json.loads(template_text)
    everyone = class_students(root, lecture, settings["submitted"])
    chosen = [s for s in everyone if students is None or s in students]
    data = data_dir(log)
    from .policy import allowed_imports

    allowed = sorted(allowed_imports(root))
    keys = {s: submission_key(template_text, root / settings["submitted"] / s / lecture, cfg) for s in chosen}
    resumed = [s for s in chosen if _done(staging, s, keys[s])]
    todo = [s for s in chosen if s not in resumed]
    if resumed:
        log(f"[course] {len(resumed)} student(s) kept from an interrupted earlier run (--restart grades them again)")
    for student in todo:  # a half-written result of an interrupted run is no result
        shutil.rmtree(staging / "executed" / student, ignore_errors=True)
        shutil.rmtree(staging / "submitted" / student, ignore_errors=True)
    bar = _progress(len(todo), progress)

    def job_for(student: str, slot: int) -> dict:
        return {"student": student, "lecture": lecture, "notebook": lecture, "staging": str(staging),
                "template": str(template_path), "submission": str(root / settings["submitted"] / student / lecture),
                "sandbox": cfg.__dict__, "slot": slot, "jobs": jobs, "key": keys[student],
                "data_dir": str(data) if data else None, "allowed_imports": allowed, "policy": settings["policy"]}

    def finished(student: str, code: int, text: str) -> None:
        if code != 0 and not text.startswith("sandbox error"):
            # the worker died or overran: the student still gets a row (0) and a note
            try:
                worker_module._fallback(job_for(student, 0), template_data,
                                        f"the grader could not finish this submission ({text}); "
                                        "it scores 0 until an instructor looks at it")
                code = 0
            except Exception as exc:
                text = f"{text}; and no fallback result could be written ({exc})"
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
            bar.set_postfix(done=len(result.reports) - len(resumed), failed=len(result.failed),
                            remaining=len(todo) - (len(result.reports) - len(resumed)) - len(result.failed),
                            incidents=len(result.incidents), refresh=True)

    for student in resumed:
        result.reports[student] = _done(staging, student, keys[student])
    if cluster:
        from . import cluster as cluster_module

        cluster_module.grade(cluster, [job_for(s, 0) for s in todo], staging, finished, log=log)
    else:
        _grade_locally(root, staging, todo, jobs, cfg, job_for, finished)
    if bar is not None:
        bar.close()

    written = _write_gradebook(root, lecture, staging, sorted(result.reports))
    retry = [s for s in result.reports if s not in written]
    for student in retry:  # nbgrader could not write it: write a 0 with the reason instead
        why = "nbgrader autograde could not record this submission"
        worker_module._fallback(job_for(student, 0), template_data, f"{why}; it scores 0 until an instructor looks at it")
        result.reports[student] = json.loads((staging / "executed" / student / "report.json").read_text())
    if retry:
        written |= _write_gradebook(root, lecture, staging, retry)
    for student in list(result.reports):
        if student in written:
            result.graded.append(student)
        else:
            result.failed[student] = f"nbgrader autograde could not write this student (see .grading/{lecture}/nbgrader-autograde.log)"
            result.reports.pop(student)
    from . import integrity  # every graded student's introspection, whatever the score, for the instructor

    try:
        scanned = integrity.scan_class(root, lecture, result.graded)
        result.integrity_file = integrity.write(scanned, lecture, integrity_path or integrity.default_path(root, lecture))
        result.integrity = integrity.summary(scanned)
    except Exception as exc:  # the report is for a human: it never costs a grade
        log(f"[course] warning: no integrity report ({type(exc).__name__}: {exc})")
    result.seconds = time.monotonic() - t0
    (staging / "summary.json").write_text(json.dumps(
        {"lecture": lecture, "graded": sorted(result.graded), "failed": result.failed, "resumed": sorted(resumed),
         "incidents": result.incidents, "seconds": round(result.seconds, 1),
         "notes": {s: r["notes"] for s, r in result.reports.items() if r["notes"]}}, indent=1))
    return result


def _grade_locally(root: Path, staging: Path, todo: list[str], jobs: int, cfg: sandbox.SandboxConfig,
                   job_for, finished) -> None:
    """N long-lived worker processes, one student at a time each; every kernel ends with its student."""
    from .worker import WORKER_BOOT

    slots = list(range(max(1, jobs)))
    workers: dict[int, subprocess.Popen] = {}
    lock = threading.Lock()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])

    def worker_for(slot: int) -> subprocess.Popen:
        proc = workers.get(slot)
        if proc is None or proc.poll() is not None:
            log_file = open(staging / f"worker-{slot}.log", "a")
            proc = subprocess.Popen([sys.executable, "-c", WORKER_BOOT, str(Path(__file__).resolve().parent.parent)],
                                    cwd=root, env=env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=log_file)
            workers[slot] = proc
        return proc

    def run_one(student: str) -> tuple[str, int, str]:
        with lock:
            slot = slots.pop()
        try:
            path = staging / "jobs" / f"{student}.json"
            path.write_text(json.dumps(job_for(student, slot)))
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
                proc.wait()
                return student, -1, "the grading worker died or ran past its time limit"
            answer = json.loads(line)
            return student, 0 if answer["ok"] else 3, answer.get("error", "")
        finally:
            with lock:
                slots.append(slot)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(run_one, s) for s in todo]
        for future in as_completed(futures):
            finished(*future.result())
    for proc in workers.values():
        try:
            proc.stdin.close()
            proc.wait(timeout=30)
        except Exception:
            proc.kill()


def _write_gradebook(root: Path, lecture: str, staging: Path, students: list[str]) -> set[str]:
    """The single gradebook writer (nbgrader autograde replaying the workers' outputs) for ``students``;
    returns those whose autograded notebook it wrote."""
    if not students:
        return set()
    marks = {}
    for student in students:
        out = root / "autograded" / student / lecture / f"{lecture}.ipynb"
        marks[student] = out.stat().st_mtime_ns if out.exists() else None
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    listing = staging / "replay-students.txt"
    listing.write_text("\n".join(students))
    proc = subprocess.run([sys.executable, "-m", "course.grading.replay", lecture, str(staging), str(listing)],
                          cwd=root, env=env, capture_output=True, text=True)
    with open(staging / "nbgrader-autograde.log", "a") as log_file:
        log_file.write(proc.stdout + proc.stderr)
    done = set()
    for student in students:
        out = root / "autograded" / student / lecture / f"{lecture}.ipynb"
        if out.exists() and out.stat().st_mtime_ns != marks[student]:
            done.add(student)
    return done


def print_summary(result: ClassResult, log=print) -> None:
    log(f"[course] {result.lecture}: {len(result.graded)} graded, {len(result.failed)} failed, "
        f"{len(result.incidents)} with incidents, {result.seconds:.0f} s")
    for student, why in sorted(result.failed.items()):
        log(f"  FAILED {student}: {why}")
    for student, report in sorted(result.reports.items()):
        for note in report["notes"]:
            log(f"  {student}: {note}")
    if result.integrity:
        log(f"[course] {result.integrity} (lines in {result.integrity_file})")
