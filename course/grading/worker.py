"""Grade students one by one in a worker process: ``python -m course.grading.worker`` (jobs on stdin).

Reads the untrusted submission, rebuilds it on the template (:mod:`structure`), runs it in the
sandbox (:mod:`executor`) and writes, under the job's staging folder:

* ``submitted/<student>/<lecture>/<notebook>.ipynb`` (+ ``timestamp.txt``): the canonical
  notebook, which the single gradebook writer (``nbgrader autograde``) then reads;
* ``executed/<student>/<notebook>.ipynb``: the same notebook with its outputs;
* ``executed/<student>/report.json``: status, feedback lines, tampering found, seconds.

The process is long-lived (one per worker slot): it reads job files from stdin and answers one
JSON line per job; a job whose sandbox could not run is answered ``ok: false`` (nothing is
written, the student is reported as failed, never silently graded).
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

import nbformat

from . import executor, sandbox, structure

NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")  # written by nbgrader's exchange, not the student


def _unrun(rebuilt: structure.Rebuilt) -> None:
    for cell in rebuilt.nb.cells:
        if cell.cell_type == "code":
            meta = cell.get("metadata", {}).get("nbgrader", {})
            cell.outputs = []
            if meta.get("grade_id") in rebuilt.tampered:
                cell.outputs = [executor.error_output("NotGraded", rebuilt.tampered[meta["grade_id"]])]


def _keep_curves(runtime: Path, dest: Path, limit: int = 50, size: int = 5 * 1024 * 1024) -> None:
    """Keep the runs the kernel's live plots saved; the grader (not this capped worker) draws them."""
    try:
        saved = sorted(executor.curves_dir(runtime).glob("run-*.json"))[:limit]
        keep = [p for p in saved if p.is_file() and not p.is_symlink() and p.stat().st_size <= size]
        if keep:
            (dest / "curves").mkdir(parents=True, exist_ok=True)
            for path in keep:
                shutil.copyfile(path, dest / "curves" / path.name)
    except OSError:  # a lost picture never costs a grade
        pass


def grade(job: dict) -> dict:
    student, lecture, name = job["student"], job["lecture"], job["notebook"]
    staging = Path(job["staging"])
    template = json.loads(Path(job["template"]).read_text())
    cfg = sandbox.SandboxConfig(**job["sandbox"])
    submitted = Path(job["submission"])
    report = {"student": student, "lecture": lecture, "status": "graded", "incident": None,
              "notes": [], "violations": {}, "seconds": 0.0}
    t0 = time.monotonic()
    extra = sorted(p.name for p in submitted.iterdir()
                   if p.name not in (f"{name}.ipynb", *NBGRADER_FILES)) if submitted.is_dir() else []
    try:
        rebuilt = structure.canonical(structure.read_submission(submitted / f"{name}.ipynb"), template)
        readable = True
    except structure.Unreadable as exc:
        rebuilt = structure.unanswered(template, str(exc))
        report["incident"] = "unreadable"
        readable = False
    report["notes"] += rebuilt.notes
    if extra:
        report["notes"].append(f"Extra file(s) ignored, only {name}.ipynb is graded: {', '.join(extra[:10])}"
                               + (" ..." if len(extra) > 10 else ""))
    if rebuilt.tampered and readable:
        report["incident"] = report["incident"] or "tampered test cells"

    executed = rebuilt.nb
    if readable:
        work = nbformat.reads(nbformat.writes(rebuilt.nb), as_version=4)
        runtime = executor.runtime_dir_for(student)
        try:
            outcome = executor.execute(work, cfg, student=student, runtime_dir=runtime, submission_dir=None,
                                       data_dir=Path(job["data_dir"]) if job.get("data_dir") else None,
                                       slot=job.get("slot", 0), jobs=job.get("jobs", 1), uid=job.get("uid"), tampered=rebuilt.tampered)
            _keep_curves(runtime, staging / "executed" / student)
        finally:
            shutil.rmtree(runtime, ignore_errors=True)
        executed = work
        report["notes"] += outcome.notes
        report["violations"] = outcome.violations
        report["incident"] = report["incident"] or outcome.incident or ("tampering" if outcome.violations else None)
    else:
        _unrun(rebuilt)

    out_sub = staging / "submitted" / student / lecture
    out_sub.mkdir(parents=True, exist_ok=True)
    nbformat.write(rebuilt.nb if readable else executed, out_sub / f"{name}.ipynb")
    for fname in NBGRADER_FILES:
        path = submitted / fname
        if not (path.is_file() and not path.is_symlink() and path.stat().st_size < 1024):
            continue
        text = path.read_text(errors="replace").strip()
        try:
            if fname == "timestamp.txt":
                from dateutil.parser import parse  # what nbgrader's parse_utc uses

                parse(text)
            elif not all(ch in "0123456789abcdef" for ch in text):
                raise ValueError(fname)
            (out_sub / fname).write_text(text)
        except Exception:
            report["notes"].append(f"The submission's {fname} could not be read: it was ignored.")
    out_exec = staging / "executed" / student
    out_exec.mkdir(parents=True, exist_ok=True)
    nbformat.write(executed, out_exec / f"{name}.ipynb")
    report["seconds"] = round(time.monotonic() - t0, 2)
    (out_exec / "report.json").write_text(json.dumps(report, indent=1))
    return report


def main() -> int:
    """Grade the jobs named on stdin, one path a line; answer one JSON line each on stdout."""
    limit = 4096 * 1024 * 1024  # the grader's own process, as a backstop against huge outputs
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
    # the answer channel is a private copy of fd 1; fd 1 itself (inherited by kernels) goes to stderr
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        path = line.strip()
        if not path:
            continue
        job = json.loads(Path(path).read_text())
        try:
            report = grade(job)
            answer = {"student": job["student"], "ok": True, "incident": report["incident"]}
        except sandbox.SandboxError as exc:
            answer = {"student": job["student"], "ok": False, "error": f"sandbox error: {exc}"}
        except Exception as exc:  # a grader bug costs this student, not the batch
            answer = {"student": job["student"], "ok": False, "error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(answer) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
