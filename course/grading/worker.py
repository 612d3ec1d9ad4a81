"""Grade one student in a process of its own: ``python -m course.grading.worker JOB.json``.

Reads the untrusted submission, rebuilds it on the template (:mod:`structure`), runs it in the
sandbox (:mod:`executor`) and writes, under the job's staging folder:

* ``submitted/<student>/<lecture>/<notebook>.ipynb`` (+ ``timestamp.txt``): the canonical
  notebook, which the single gradebook writer (``nbgrader autograde``) then reads;
* ``executed/<student>/<notebook>.ipynb``: the same notebook with its outputs;
* ``executed/<student>/report.json``: status, feedback lines, tampering found, seconds.

Exit status 0: graded (maybe with an incident, which is in the report); 3: the sandbox could not
run (nothing is written, the student is reported as failed, never silently graded).
"""
from __future__ import annotations

import json
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
                                       slot=job.get("slot", 0), jobs=job.get("jobs", 1), tampered=rebuilt.tampered)
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
                from nbgrader.utils import parse_utc

                parse_utc(text)
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
    job = json.loads(Path(sys.argv[1]).read_text())
    limit = job.get("worker_memory_mb", 4096) * 1024 * 1024  # the grader's own process, as a backstop
    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
    try:
        report = grade(job)
    except sandbox.SandboxError as exc:
        print(f"sandbox error: {exc}", file=sys.stderr)
        return 3
    print(json.dumps({k: report[k] for k in ("student", "status", "incident")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
