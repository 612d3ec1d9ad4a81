"""Grade a class on a Dask distributed cluster: ``python -m course autograde LECTURE --cluster ADDRESS``.

The instructor's process stays what it is on one machine (template, progress, the single
gradebook writer); only the per-student work moves.  Each student becomes one Dask task,
:func:`run_job`, which on whatever worker runs it starts the same sandboxed grading worker
(:mod:`worker`) as a child process with the same limits, bubblewrap sandbox and fresh uid
(reserved per machine with a lock, so two Dask workers on one host never share one).

Requirements on every Dask worker (docs/grading.md): the course folder on a shared filesystem
at the same path (the workers read ``submitted/`` and write ``.grading/``), the same virtual
environment, bubblewrap and util-linux, and root (or user namespaces).  The scheduler and the
workers can be started by hand (``dask scheduler``, ``dask worker ADDRESS --nthreads 1``), by
dask-jobqueue on Slurm/PBS, or by dask-kubernetes.
"""
from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path


def run_job(job_path: str) -> dict:
    """On a Dask worker: grade one student in a fresh grading worker process; its answer line."""
    from .worker import WORKER_BOOT

    job = json.loads(Path(job_path).read_text())
    root = Path(job["staging"]).parent.parent
    package = str(Path(__file__).resolve().parent.parent)
    timeout = job["sandbox"]["notebook_timeout"] + 300
    try:
        proc = subprocess.run([sys.executable, "-c", WORKER_BOOT, package], cwd=root, input=job_path + "\n",
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"student": job["student"], "ok": False, "error": "the grading worker ran past its time limit"}
    lines = [line for line in proc.stdout.splitlines() if line.startswith('{"student": ')]
    if not lines:
        tail = proc.stderr.strip().splitlines()[-1:] if proc.stderr.strip() else []
        return {"student": job["student"], "ok": False,
                "error": "the grading worker died" + (f": {tail[0][:200]}" if tail else "")}
    return json.loads(lines[-1])


def grade(address: str, jobs: list[dict], staging: Path, finished, log=print) -> None:
    """Run ``jobs`` on the cluster at ``address``; ``finished(student, code, text)`` for each."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise SystemExit("grading on a cluster needs Dask: pip install -e '.[cluster]'") from exc
    client = Client(address, timeout=60)
    try:
        workers = client.scheduler_info().get("workers", {})
        log(f"[course] cluster {address}: {len(workers)} Dask worker(s)")
        run = uuid.uuid4().hex[:8]
        futures = {}
        for job in jobs:
            path = staging / "jobs" / f"{job['student']}.json"
            path.write_text(json.dumps(job))
            future = client.submit(run_job, str(path), key=f"grade-{job['lecture']}-{job['student']}-{run}",
                                   pure=False, retries=0)
            futures[future] = job["student"]
        for future in as_completed(futures):
            student = futures[future]
            try:
                answer = future.result()
            except Exception as exc:  # the Dask worker itself was lost
                answer = {"ok": False, "error": f"the Dask worker failed ({type(exc).__name__}: {exc})"}
            finished(student, 0 if answer.get("ok") else 3, answer.get("error", ""))
    finally:
        client.close()
