"""Fast mode: one flag that lets every notebook shrink its data and epochs.

``COURSE_FAST=1`` is for tests, the demo and a quick look on a laptop: each
lecture then runs in well under a minute on 2 CPU cores.  Without it the
notebooks do the real training and reach the published accuracies.

>>> import os, course
>>> os.environ["COURSE_FAST"] = "1"
>>> course.pick(fast=2, full=10)
2
"""
from __future__ import annotations

import os

ENV_VAR = "COURSE_FAST"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def is_fast() -> bool:
    """True when ``COURSE_FAST`` is set to 1/true/yes/on."""
    value = os.environ.get(ENV_VAR, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{ENV_VAR}={value!r}: use 1 (fast) or 0 (full training).")


def pick(*, fast, full):
    """``fast`` in fast mode, else ``full``: ``epochs = course.pick(fast=2, full=20)``."""
    return fast if is_fast() else full
