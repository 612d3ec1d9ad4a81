"""Which lecture (and, while grading, which student) the running notebook belongs to.

A notebook's first cell calls ``course.start("04_linear_regression")``; the live
plots then draw into the visdom env named after the lecture, or, while the
instructor autogrades, into ``<student>.<lecture>``.  The student comes from
``COURSE_STUDENT`` or from the nbgrader path ``autograded/<student>/<lecture>/``.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import torch

from . import i18n
from .devices import device
from .modes import is_fast
from .seeding import seed_everything

_lecture: str | None = None


def start(lecture: str, seed: int = 0) -> torch.device:
    """Begin a lecture: seed every generator, remember the lecture, report device and mode."""
    global _lecture
    _lecture = lecture
    i18n.set_language(i18n.language_beside(lecture))  # the release says en or zh (docs/i18n.md)
    seed_everything(seed)
    dev = device()  # fails here, at the top, if COURSE_DEVICE asks for a missing GPU
    threads = os.environ.get("COURSE_THREADS", "").strip()
    if threads:  # the grader runs several kernels at once: each gets its share of the cores
        torch.set_num_threads(max(1, int(threads)))
    if i18n.language() == "zh":
        _chinese_figures()
        mode = "快速模式 (COURSE_FAST=1: 小数据、少轮次)" if is_fast() else "完整模式"
        print(f"{lecture} · 设备 {dev} · {mode} · 随机种子 {seed} · "
              f"{torch.get_num_threads()} 个 CPU 线程 · torch {torch.__version__}")
    else:
        mode = "fast (COURSE_FAST=1: small data, few epochs)" if is_fast() else "full"
        print(f"{lecture} · device {dev} · {mode} mode · seed {seed} · "
              f"{torch.get_num_threads()} CPU threads · torch {torch.__version__}")
    _watch_cells(lecture)
    return dev


def _chinese_figures() -> None:
    """Titles and labels in Chinese draw with the course's CJK font (no system font needed)."""
    from . import fonts

    try:
        fonts.use_cjk()
    except fonts.FontError as exc:
        print(f"[course] {exc}")


_live_check = None  # the pre_run_cell callback of the students' live policy check, once registered


def _grading() -> bool:
    return bool(os.environ.get("NBGRADER_EXECUTION", "").strip() or os.environ.get("COURSE_STUDENT", "").strip())


def _instructor_cells(lecture: str) -> tuple[set, set, list]:
    """(cell ids, sources, setup sources) of the locked cells of the student's copy of the notebook."""
    import json

    ids, sources, setup = set(), set(), []
    for path in (Path.cwd() / f"{lecture}.ipynb", *sorted(Path.cwd().glob("*.ipynb"))[:5]):
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for cell in nb.get("cells", []):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.get("cell_type") != "code" or not meta.get("locked"):
                continue
            text = cell.get("source", "")
            text = "".join(text) if isinstance(text, list) else str(text)
            ids.add(cell.get("id"))
            sources.add(text.strip())
            if not meta.get("grade"):
                setup.append(text)
        if ids:
            break
    return ids, sources, setup


def _watch_cells(lecture: str) -> None:
    """Check each cell the student runs against the grading policy (course/grading/policy.py) and
    print one warning per line that breaks a rule, so an honest student learns the rules long
    before submitting.  The instructor's locked cells (setup, tests) are not checked; nothing is
    registered while grading (the grader's guards would call any hook tampering)."""
    global _live_check
    if _grading():
        return
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    from .grading import policy

    ids, sources, setup = _instructor_cells(lecture)
    protected = policy.protected_names(setup) if setup else policy.protected_names(
        ["import math\nimport numpy as np\nimport torch\nimport torch.nn as nn\nimport course"])
    allowed = policy.allowed_imports()

    def check_cell(info=None) -> None:
        source = getattr(info, "raw_cell", None)
        if not isinstance(source, str) or not source.strip():
            return
        if getattr(info, "cell_id", None) in ids or source.strip() in sources:
            return  # the instructor's own cell: tests may use what students may not
        try:
            found = policy.check_source(source, protected=protected, allowed=allowed)
        except Exception:  # the live check must never stop a student's cell
            return
        for v in found:
            print(f"[course] line {v.line} breaks the grading rule '{v.rule}': this cell will score 0 when "
                  f"graded (it is not run, and every test after it scores 0): {v.text}", file=sys.stderr)

    if _live_check is not None:
        try:
            shell.events.unregister("pre_run_cell", _live_check)
        except ValueError:
            pass
    shell.events.register("pre_run_cell", check_cell)
    _live_check = check_cell


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
