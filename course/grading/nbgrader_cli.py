"""Run the real ``nbgrader`` command line, as the instructor or as one student."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


class NbgraderError(RuntimeError):
    pass


def run(args: list[str], cwd: Path, user: str | None = None, extra_env: dict | None = None,
        check: bool = True) -> subprocess.CompletedProcess:
    """``nbgrader <args>`` in ``cwd``; ``user`` sets the login name that the exchange records."""
    env = dict(os.environ)
    # nbgrader calls `alembic` and starts kernels by name: both must come from this environment
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    if user:
        env.update(USER=user, LOGNAME=user, USERNAME=user)
    env.update(extra_env or {})
    command = ["-m", "course.grading.as_student", user] if user else ["-m", "nbgrader"]
    proc = subprocess.run([sys.executable, *command, *args], cwd=cwd, env=env,
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
        raise NbgraderError(f"nbgrader {' '.join(args)} failed (exit {proc.returncode}) in {cwd}:\n{tail}")
    return proc
