"""Which lecture (and, while grading, which student) the running notebook belongs to.

A notebook's first cell calls ``course.start("04_linear_regression")``; the live
plots then draw into the visdom env named after the lecture, or, while the
instructor autogrades, into ``<student>.<lecture>``.  The student comes from
``COURSE_STUDENT`` or from the nbgrader path ``autograded/<student>/<lecture>/``.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import torch

from .devices import device
from .modes import is_fast
from .seeding import seed_everything

_lecture: str | None = None


def start(lecture: str, seed: int = 0) -> torch.device:
    """Begin a lecture: seed every generator, remember the lecture, report device and mode."""
    global _lecture
    _lecture = lecture
    seed_everything(seed)
    dev = device()  # fails here, at the top, if COURSE_DEVICE asks for a missing GPU
    threads = os.environ.get("COURSE_THREADS", "").strip()
    if threads:  # the grader runs several kernels at once: each gets its share of the cores
        torch.set_num_threads(max(1, int(threads)))
    mode = "fast (COURSE_FAST=1: small data, few epochs)" if is_fast() else "full"
    print(f"{lecture} · device {dev} · {mode} mode · seed {seed} · "
          f"{torch.get_num_threads()} CPU threads · torch {torch.__version__}")
    return dev


def lecture() -> str:
    """The lecture named by ``start``, else the notebook folder's name."""
    return _lecture or Path.cwd().name


def student() -> str | None:
    """The student being graded, or None while a student works on their own copy."""
    if os.environ.get("COURSE_STUDENT", "").strip():
        return os.environ["COURSE_STUDENT"].strip()
    here = Path.cwd()
    if here.parent.parent.name == "autograded":
        return here.parent.name
    return None


def _clean(name: str) -> str:
    """A name safe as a visdom env (envs are saved as ``<env>.json`` files)."""
    return re.sub(r"[^A-Za-z0-9_.@+-]", "_", name).strip(".") or "_"


def visdom_env() -> str:
    """``<lecture>`` for a student at work, ``<student>.<lecture>`` while grading."""
    who = student()
    return _clean(f"{who}.{lecture()}" if who else lecture())
