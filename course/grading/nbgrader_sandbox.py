"""nbgrader's ``Execute`` step, run in the course's sandbox: :class:`SandboxedExecute`.

``python -m course autograde`` grades a whole class in parallel and writes the gradebook through
:mod:`replay`.  The formgrader (and a plain ``nbgrader autograde``) instead grades one submission at
a time with nbgrader's own pipeline; this preprocessor takes the place of
``nbgrader.preprocessors.Execute`` there, so that a student's code started from the formgrader
runs exactly as in the course's grader: the policy check of the grading worker
(:func:`worker._policy`), a bubblewrap sandbox with rlimits and no network (:mod:`sandbox`), the
in-kernel guards, output caps and time limits (:func:`executor.execute`)::

    c.Autograde.autograde_preprocessors = [
        "course.grading.nbgrader_sandbox.SandboxedExecute",   # instead of nbgrader.preprocessors.Execute
        ...]

The notebook it receives is nbgrader's already sanitised one (``OverwriteCells`` restored the
locked and test cells, hidden tests included), so it is run as it is.  The limits are
``c.Sandbox.*`` of the course's ``nbgrader_config.py`` (``CourseDirectory.root``).  When the
sandbox cannot start, nothing runs and autograding this submission fails with the reason
(never an unsandboxed kernel).  The grader's notes become the notebook's first cell, as with
``python -m course autograde``.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from . import executor, sandbox, structure, worker


class SandboxedExecute(NbGraderPreprocessor):
    """Run the sanitised notebook in the course's sandbox instead of an unsandboxed kernel."""

    course_root = Unicode("", help="the course folder whose nbgrader_config.py holds c.Sandbox "
                                   "(default: CourseDirectory.root)").tag(config=True)

    def _root(self) -> Path:
        if self.course_root:
            return Path(self.course_root).resolve()
        from nbgrader.coursedir import CourseDirectory

        return Path(CourseDirectory(config=self.config).root).resolve()

    def _release(self, root: Path, assignment: str, notebook: str, nb) -> dict:
        """The release notebook (the instructor's unchanged cells are not checked as the student's)."""
        from nbgrader.coursedir import CourseDirectory

        coursedir = CourseDirectory(config=self.config)
        path = Path(coursedir.format_path(coursedir.release_directory, ".", assignment)) / f"{notebook}.ipynb"
        if not path.is_absolute():
            path = root / path
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            # no release copy: only the locked cells (already restored by nbgrader) count as the instructor's
            cells = json.loads(nbformat.writes(nb))["cells"]
            return {"cells": [c for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("locked")]}

    def preprocess(self, nb, resources):
        root = self._root()
        info = resources.get("nbgrader", {})
        student = str(info.get("student") or "student")
        assignment = str(info.get("assignment") or "")
        notebook = str(info.get("notebook") or assignment)
        cfg = sandbox.load_config(root)
        if not cfg.enabled:
            raise sandbox.SandboxError("the sandbox is disabled (c.Sandbox.enabled = False): refusing to run student code")
        probe_dir = Path(tempfile.mkdtemp(prefix="cg-probe-"))
        try:
            facts = sandbox.probe(cfg, probe_dir)  # raises SandboxError: never run without isolation
        finally:
            shutil.rmtree(probe_dir, ignore_errors=True)
        self.log.info("sandbox in force for %s/%s: uid %s, no network, %s MB, %s s per cell",
                      student, notebook, facts["uid"], cfg.memory_mb, cfg.cell_timeout)

        from .autograde import data_dir, nbgrader_settings
        from .policy import allowed_imports

        rebuilt = structure.Rebuilt(nb=nb)
        notes: list[str] = []
        blocked, failed = {}, {}
        if nbgrader_settings(root)["policy"]:
            blocked, failed, notes = worker._policy(rebuilt, sorted(allowed_imports(root)),
                                                    self._release(root, assignment, notebook, nb))
        data = data_dir()
        spread = int(hashlib.sha256(student.encode()).hexdigest()[:8], 16)

        def run():
            with sandbox.reserve_uid(cfg, start=spread) as uid, executor.runtime(student, cfg.runtime_mb) as runtime:
                try:
                    outcome = executor.execute(nb, cfg, student=student, runtime_dir=runtime, submission_dir=None,
                                               data_dir=data, slot=0, jobs=1, uid=uid, tampered={},
                                               blocked=blocked, policy_failed=failed)
                finally:
                    left = sandbox.end_uid(uid)  # nothing of this student outlives the run
                if left:
                    outcome.notes.append(f"The grader could not end {len(left)} process(es) of the sandbox.")
                return outcome

        try:
            asyncio.get_running_loop()
            running = True
        except RuntimeError:
            running = False
        if running:  # inside the formgrader's event loop: the kernel gets a loop of its own
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                outcome = pool.submit(run).result()
        else:
            outcome = run()
        notes += outcome.notes
        if notes:
            lines = "\n".join(f"- {n}" for n in notes)
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(
                f"**Grader notes** (what the autograder did with this submission):\n\n{lines}"))
        return nb, resources
