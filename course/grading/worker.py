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

import hashlib
import json
import os
import resource
import shutil
import sys
import time
from pathlib import Path

import nbformat

from . import executor, sandbox, structure

# How a grading worker starts (`course autograde` here, `cluster.run_job` on a Dask worker): it
# imports course.grading without running course/__init__.py (which imports torch), a small, quick
# process; the kernels import torch inside their sandbox.
WORKER_BOOT = ("import sys, types; pkg = types.ModuleType('course'); pkg.__path__ = [sys.argv[1]]; "
               "sys.modules['course'] = pkg; from course.grading.worker import main; sys.exit(main())")

NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")  # written by nbgrader's exchange, not the student


def _unrun(rebuilt: structure.Rebuilt) -> None:
    for cell in rebuilt.nb.cells:
        if cell.cell_type == "code":
            meta = cell.get("metadata", {}).get("nbgrader", {})
            cell.outputs = []
            if meta.get("grade_id") in rebuilt.tampered:
                cell.outputs = [executor.error_output("NotGraded", rebuilt.tampered[meta["grade_id"]])]


def _keep_curves(runtime: Path, dest: Path, budget: int, limit: int = 50) -> None:
    """Keep the runs the kernel's live plots saved (at most ``budget`` bytes in all); the grader,
    not this capped worker, draws them."""
    try:
        saved = sorted(executor.curves_dir(runtime).glob("run-*.json"))[:limit]
        used = 0
        for path in saved:
            if not path.is_file() or path.is_symlink():
                continue
            size = path.stat().st_size
            if used + size > budget:
                break
            (dest / "curves").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest / "curves" / path.name)
            used += size
    except OSError:  # a lost picture never costs a grade
        pass


def _checked_timestamp(text: str) -> str:
    """The exchange's timestamp, if nbgrader itself can use it (parse, convert to UTC, store)."""
    from nbgrader.utils import parse_utc

    when = parse_utc(text)
    if not 1970 <= when.year <= 2200:
        raise ValueError("timestamp out of range")
    return text


def _policy(rebuilt: structure.Rebuilt, allowed: list[str] | None,
            release: dict) -> tuple[dict[int, str], dict[str, str], list[str]]:
    """Check every cell the student wrote or added against the grading policy before anything runs
    (the instructor's own worked examples, unchanged from the release, are not the student's).

    Returns (cell index -> why it is not run, test id -> why it scores 0, notes)."""
    from . import policy

    theirs = {"".join(c.get("source", "")).strip() for c in release.get("cells", [])
              if c.get("cell_type") == "code" and not c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    cells = rebuilt.nb.cells
    # the names the setup (locked, non-test) cells bind; the tests' own variables are not protected
    locked = [c.source for c in cells if c.cell_type == "code"
              and c.get("metadata", {}).get("nbgrader", {}).get("locked")
              and not c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    protected = policy.protected_names(locked)
    allow = frozenset(allowed) if allowed is not None else None
    blocked: dict[int, str] = {}
    failed: dict[str, str] = {}
    notes: list[str] = []
    first: str | None = None
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("locked"):
            if first and meta.get("grade") and not meta.get("solution"):
                failed[meta["grade_id"]] = f"this test scores 0: an earlier cell breaks the grading rules ({first})"
            continue
        if not meta.get("solution") and cell.source.strip() in theirs:
            continue
        found = policy.check_source(cell.source, protected=protected, allowed=allow)
        if found:
            label = f"cell {index} ({'answer ' + meta['grade_id'] if meta.get('grade_id') else 'a cell you added'})"
            messages = [v.message(label) for v in found]
            blocked[index] = "this cell was not run, it breaks the grading rules: " + "; ".join(messages[:5])
            notes += [f"Grading rule broken, {m}: the tests after it score 0." for m in messages[:5]]
            first = first or messages[0]
    return blocked, failed, notes


def _fallback(job: dict, template: dict, why: str) -> dict:
    """Whatever went wrong, the student still gets a row (0 on every test) and a note saying why."""
    student, lecture, name = job["student"], job["lecture"], job["notebook"]
    staging = Path(job["staging"])
    rebuilt = structure.unanswered(template, why)
    _unrun(rebuilt)
    report = {"student": student, "lecture": lecture, "status": "ungradable", "incident": "ungradable",
              "notes": [why[0].upper() + why[1:] + ("" if why.endswith(".") else ".")], "violations": {},
              "seconds": 0.0, "key": job.get("key")}
    _write_outputs(staging, student, lecture, name, rebuilt.nb, rebuilt.nb, None, report)
    return report


def _save(nb, path: Path) -> None:
    """Write a notebook whatever text the kernel sent back (a lone surrogate becomes '?')."""
    path.write_bytes(nbformat.writes(nb).encode("utf-8", "replace"))


def _write_outputs(staging: Path, student: str, lecture: str, name: str, canonical, executed,
                   submitted: Path | None, report: dict) -> None:
    out_sub = staging / "submitted" / student / lecture
    shutil.rmtree(out_sub, ignore_errors=True)
    out_sub.mkdir(parents=True, exist_ok=True)
    _save(canonical, out_sub / f"{name}.ipynb")
    for fname in NBGRADER_FILES if submitted is not None else ():
        path = submitted / fname
        try:
            if not (path.is_file() and not path.is_symlink() and path.stat().st_size < 1024):
                continue
            text = path.read_text(errors="replace").strip()
            if fname == "timestamp.txt":
                text = _checked_timestamp(text)
            elif not text or not all(ch in "0123456789abcdef" for ch in text):
                raise ValueError(fname)
            (out_sub / fname).write_text(text)
        except Exception:  # nbgrader could not use it: the submission counts as on time
            report["notes"].append(f"The submission's {fname} could not be read: it was ignored.")
    out_exec = staging / "executed" / student
    out_exec.mkdir(parents=True, exist_ok=True)
    _save(executed, out_exec / f"{name}.ipynb")
    # report.json last, atomically: its presence means this student is done (a re-run skips them)
    tmp = out_exec / "report.json.tmp"
    tmp.write_text(json.dumps(report, indent=1))
    os.replace(tmp, out_exec / "report.json")


def grade(job: dict) -> dict:
    student, lecture, name = job["student"], job["lecture"], job["notebook"]
    staging = Path(job["staging"])
    template = json.loads(Path(job["template"]).read_text())
    cfg = sandbox.SandboxConfig(**job["sandbox"])
    submitted = Path(job["submission"])
    report = {"student": student, "lecture": lecture, "status": "graded", "incident": None,
              "notes": [], "violations": {}, "seconds": 0.0, "key": job.get("key")}
    t0 = time.monotonic()
    try:
        extra = sorted(p.name for p in submitted.iterdir()
                       if p.name not in (f"{name}.ipynb", *NBGRADER_FILES)) if submitted.is_dir() else []
    except OSError:
        extra = []
    try:
        rebuilt = structure.canonical(structure.read_submission(submitted / f"{name}.ipynb"), template)
        readable = True
    except structure.Unreadable as exc:
        rebuilt = structure.unanswered(template, str(exc))
        report["incident"] = "unreadable"
        readable = False
    except (RecursionError, MemoryError, ValueError, TypeError, KeyError, AttributeError) as exc:
        rebuilt = structure.unanswered(template, f"The submitted {name}.ipynb could not be read "
                                                 f"({type(exc).__name__}): it scores 0")
        report["incident"] = "unreadable"
        readable = False
    report["notes"] += rebuilt.notes
    if extra:
        report["notes"].append(f"Extra file(s) ignored, only {name}.ipynb is graded: "
                               f"{', '.join(structure._clean(e) for e in extra[:10])}" + (" ..." if len(extra) > 10 else ""))
    if rebuilt.tampered and readable:
        report["incident"] = report["incident"] or "tampered test cells"

    executed = rebuilt.nb
    if readable:
        blocked, policy_failed, policy_notes = (_policy(rebuilt, job.get("allowed_imports"), template["release"])
                                                if job.get("policy", True) else ({}, {}, []))
        report["notes"] += policy_notes
        if blocked:
            report["incident"] = report["incident"] or "policy"
        work = nbformat.reads(nbformat.writes(rebuilt.nb), as_version=4)
        spread = int(hashlib.sha256(student.encode()).hexdigest()[:8], 16)
        with sandbox.reserve_uid(cfg, start=spread) as uid, sandbox.reserve_uid(cfg, start=spread + 1) as judge_uid, \
                executor.runtime(student, cfg.runtime_mb) as runtime:
            job["uid"] = report["uid"] = uid
            job["judge_uid"] = judge_uid
            try:
                outcome = executor.execute(work, cfg, student=student, runtime_dir=runtime, submission_dir=None,
                                           data_dir=Path(job["data_dir"]) if job.get("data_dir") else None,
                                           slot=job.get("slot", 0), jobs=job.get("jobs", 1), uid=uid,
                                           tampered=rebuilt.tampered, blocked=blocked, policy_failed=policy_failed,
                                           lecture=lecture, judge_uid=judge_uid)
            finally:
                # nothing of this student outlives their turn (the judge's uid too)
                left = sandbox.end_uid(uid) + sandbox.end_uid(judge_uid)
            if left:
                report["notes"].append(f"The grader could not end {len(left)} process(es) of the sandbox.")
            _keep_curves(runtime, staging / "executed" / student, cfg.curves_kb * 1024)
        executed = work
        report["notes"] += outcome.notes
        report["violations"] = outcome.violations
        report["incident"] = report["incident"] or outcome.incident or ("tampering" if outcome.violations else None)
    else:
        _unrun(rebuilt)
    report["seconds"] = round(time.monotonic() - t0, 2)
    _write_outputs(staging, student, lecture, name, rebuilt.nb, executed, submitted, report)
    return report


def _die_with_parent() -> None:
    """If the grader is killed (even with SIGKILL), this worker and so its sandboxes die too."""
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent is already gone
            os._exit(1)
    except Exception:
        pass


def main() -> int:
    """Grade the jobs named on stdin, one path a line; answer one JSON line each on stdout."""
    _die_with_parent()
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
        except sandbox.SandboxError as exc:  # the grader's isolation failed: not the student's doing
            sandbox.end_uid(job.get("uid"))
            answer = {"student": job["student"], "ok": False, "error": f"sandbox error: {exc}"}
        except BaseException as exc:  # anything else still ends in a row (0) and a note for this student
            sandbox.end_uid(job.get("uid"))
            try:
                template = json.loads(Path(job["template"]).read_text())
                report = _fallback(job, template, f"the grader could not grade this submission "
                                                  f"({type(exc).__name__}: {structure._clean(str(exc))[:200]}); "
                                                  "it scores 0 until an instructor looks at it")
                answer = {"student": job["student"], "ok": True, "incident": report["incident"]}
            except Exception as again:
                answer = {"student": job["student"], "ok": False, "error": f"{type(again).__name__}: {again}"}
        out.write(json.dumps(answer) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
