"""The sandboxed parallel grader on a class of bad and hostile submissions (tests/hostile/).

One session fixture builds a small course (``hostile_lab``, tests/hostile/lab.py), grades a
bystander first, then grades the whole hostile corpus with ``python -m course autograde
--jobs 2`` (the real command line, with small limits).  Each case then checks its student's
scores in the gradebook, the feedback line, and the report; other tests check that nothing
outside each student's own folders changed and that the bystander's grades did not move.
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from hostile import cases as corpus
from hostile import lab

ROOT = Path(__file__).resolve().parent.parent
LIMITS = ["--cell-timeout", "20", "--notebook-timeout", "240", "--memory-mb", "6144", "--processes", "64",
          "--file-mb", "64", "--disk-mb", "128", "--output-kb", "256", "--notebook-output-kb", "1024",
          "--runtime-mb", "8", "--curves-kb", "1024", "--cpu-seconds", "120"]
BYSTANDER = "bystander"
HOSTILE = [c.student for c in corpus.CASES]
OWN_DIRS = ("submitted", "autograded", "feedback")


def _files(root: Path, skip_students: set[str]) -> dict[str, str]:
    """sha256 of every file of the course, except the gradebook, the grader's staging and the
    folders that belong to ``skip_students``."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] in (".grading",) or rel.name.startswith("gradebook.db"):
            continue
        if len(rel.parts) > 1 and rel.parts[0] in OWN_DIRS and rel.parts[1] in skip_students:
            continue
        if path.is_file() and not path.is_symlink():
            out[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _gradebook_rows(course: Path, students) -> dict:
    from nbgrader.api import Gradebook, MissingEntry

    rows = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "pytorch-course") as gb:
        for student in students:
            try:
                sub = gb.find_submission_notebook(lab.LECTURE, lab.LECTURE, student)
            except MissingEntry:
                continue
            rows[student] = {g.name: (g.auto_score, g.manual_score, g.max_score, g.needs_manual_grade)
                             for g in sub.grades}
    return rows


@pytest.fixture(scope="session")
def hostile_class(tmp_path_factory):
    course = lab.make_course(tmp_path_factory.mktemp("hostile") / "course", ROOT)
    # this corpus tests the in-kernel guards and the sandbox on their own: the static policy, which
    # would stop most of these attacks before they run, is tested with both layers in test_cheating.py
    with open(course / "nbgrader_config.py", "a") as fh:
        fh.write("\nc.Policy.enabled = False\n")
    env = dict(os.environ, COURSE_FAST="1", COURSE_NO_VISDOM="1")
    env.pop("COURSE_GRADEBOOK", None)
    cmd = [sys.executable, "-m", "course", "autograde", lab.LECTURE, *LIMITS]

    folder = course / "submitted" / BYSTANDER / lab.LECTURE
    folder.mkdir(parents=True)
    nbformat.write(lab.answered(course, double="def double(x):\n    return x + x"), folder / f"{lab.LECTURE}.ipynb")
    first = subprocess.run(cmd + ["--jobs", "1", "--no-progress"], cwd=course, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stdout + first.stderr
    before_rows = _gradebook_rows(course, [BYSTANDER])
    assert before_rows[BYSTANDER]["test_double"][0] == 2

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    ctx = {"root": str(course), "port": listener.getsockname()[1]}
    for case in corpus.CASES:
        folder = course / "submitted" / case.student / lab.LECTURE
        folder.mkdir(parents=True)
        case.make(course, folder, ctx)
    before_files = _files(course, set(HOSTILE))
    submitted = {s: _files(course / "submitted" / s, set()) for s in HOSTILE}

    proc = subprocess.run(cmd + ["--jobs", "2", "--student", ",".join(HOSTILE)], cwd=course, env=env,
                          capture_output=True, text=True, timeout=1800)
    listener.close()
    return {"course": course, "proc": proc, "before_rows": before_rows, "before_files": before_files,
            "submitted": submitted, "rows": _gradebook_rows(course, [BYSTANDER, *HOSTILE])}


def _feedback_text(course: Path, student: str) -> str:
    report = json.loads((course / ".grading" / lab.LECTURE / "executed" / student / "report.json").read_text())
    nb = nbformat.read(course / "autograded" / student / lab.LECTURE / f"{lab.LECTURE}.ipynb", as_version=4)
    texts = list(report["notes"])
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("**Grader notes**"):
            texts.append(cell.source)
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                texts.append(f"{out.ename}: {out.evalue}")
            elif out.output_type == "stream":
                texts.append(out.text[-2000:])
    return "\n".join(texts), report, nb


def test_the_batch_finishes_and_shows_progress(hostile_class):
    proc = hostile_class["proc"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "sandbox in force" in proc.stdout
    assert f"{len(HOSTILE)} graded, 0 failed" in proc.stdout
    assert "done=" in proc.stderr and "failed=" in proc.stderr and "remaining=0" in proc.stderr
    summary = json.loads((hostile_class["course"] / ".grading" / lab.LECTURE / "summary.json").read_text())
    assert sorted(summary["graded"]) == sorted(HOSTILE)


@pytest.mark.parametrize("case", corpus.CASES, ids=[c.student for c in corpus.CASES])
def test_each_submission_gets_its_score_and_a_feedback_line(hostile_class, case):
    course = hostile_class["course"]
    rows = hostile_class["rows"]
    assert case.student in rows, f"{case.student} ({case.bullet}) has no gradebook row"
    got = {name: row[0] for name, row in rows[case.student].items()}
    assert got == case.expect, f"{case.student} ({case.bullet}): scores {got}, expected {case.expect}"
    assert all(rows[case.student][n][2] == lab.POINTS[n] for n in lab.POINTS), "max scores changed"
    text, report, nb = _feedback_text(course, case.student)
    for phrase in case.says:
        either = phrase if isinstance(phrase, tuple) else (phrase,)
        assert any(p.lower() in text.lower() for p in either), f"{case.student}: feedback lacks {phrase!r}:\n{text[-3000:]}"
    if case.incident is not None:
        assert bool(report["incident"]) == case.incident, f"{case.student}: incident {report['incident']!r}"
    if case.incident or report["notes"]:
        assert nb.cells[0].source.startswith("**Grader notes**"), "the student's notebook does not say what happened"
    size = (course / "autograded" / case.student / lab.LECTURE / f"{lab.LECTURE}.ipynb").stat().st_size
    assert size < 2_000_000, f"{case.student}: the autograded notebook is {size} bytes"


def test_nothing_outside_each_students_folders_changed(hostile_class):
    course = hostile_class["course"]
    after = _files(course, set(HOSTILE))
    before = hostile_class["before_files"]
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    # the grader's own report for the instructor (course/grading/integrity.py) is the one file it adds
    report = {f"autograded/integrity-{lab.LECTURE}.md", f"autograded/integrity-{lab.LECTURE}.json"}
    assert report <= set(after), f"no integrity report: {sorted(after)[:20]}"
    changed = [k for k in changed if k not in report]
    assert not changed, f"files outside the students' folders changed: {changed[:20]}"
    for student, files in hostile_class["submitted"].items():
        assert _files(course / "submitted" / student, set()) == files, f"{student}'s submission was modified"
    strays = [p for p in course.iterdir() if p.name not in
              {"nbgrader_config.py", "source", "release", "submitted", "autograded", "gradebook.db", ".grading"}]
    assert not strays, f"unexpected files in the course folder: {strays}"


def test_other_students_gradebook_rows_did_not_move(hostile_class):
    assert hostile_class["rows"][BYSTANDER] == hostile_class["before_rows"][BYSTANDER]
    course = hostile_class["course"]
    assert (course / "gradebook.db").read_bytes()[:16] == b"SQLite format 3\x00"


def test_the_corpus_covers_every_bullet_of_the_issue():
    bullets = " | ".join(c.bullet for c in corpus.CASES)
    for needle in ("not valid JSON", "not a notebook", "missing notebook", "extra file", "deleted", "duplicated",
                   "reordered", "edited locked test", "points", "grade id", "cell type", "endless loop", "long sleep",
                   "os._exit", "segfault", "memory bomb", "fork bomb", "gigabytes of output", "disk fills",
                   "source notebooks", "hidden tests", "the gradebook", "writes the gradebook",
                   "another student", "network connection", "torch.allclose", "numpy.testing", "builtins",
                   "course package", "SystemExit", "fake output"):
        assert needle in bullets, f"no hostile case covers {needle!r}"


def test_no_kernel_or_sandbox_outlives_the_batch(hostile_class):
    """Every student's kernel, sandbox, uid and socket mount ended with them (other graders on the
    same machine may run meanwhile: only this batch's students are looked for)."""
    from course.grading import sandbox

    course = hostile_class["course"]
    reports = [json.loads(p.read_text()) for p in (course / ".grading" / lab.LECTURE / "executed").glob("*/report.json")]
    uids = {r["uid"] for r in reports if r.get("uid") is not None}
    assert all(not sandbox.pids_of_uid(uid) for uid in uids), "a sandbox uid of this batch still owns processes"
    ours = {f"COURSE_STUDENT\0{s}\0".encode() for s in HOSTILE}
    leftovers = []
    for pid in os.listdir("/proc"):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if any(tag in cmd for tag in ours):
            leftovers.append(cmd[:200])
    assert not leftovers, f"kernels or sandboxes of this batch still running: {leftovers}"
    mounts = [line for line in Path("/proc/self/mounts").read_text().splitlines()
              if line.split(" ")[0] in {f"cg-{s}" for s in HOSTILE}]
    assert not mounts, f"the kernels' socket folders are still mounted: {mounts}"


def test_what_the_grader_keeps_of_a_kernel_is_capped(hostile_class):
    course = hostile_class["course"]
    kept = course / ".grading" / lab.LECTURE / "executed" / "runtimefill"
    curves = sum(p.stat().st_size for p in kept.rglob("*") if p.is_file() and p.parent.name == "curves")
    assert curves <= 1024 * 1024, f"{curves} bytes of saved curves kept, the cap is 1024 KB"
    notebook = (kept / f"{lab.LECTURE}.ipynb").stat().st_size
    assert notebook < 2_000_000, f"the executed notebook is {notebook} bytes"
    many = (course / ".grading" / lab.LECTURE / "executed" / "manyoutputs" / f"{lab.LECTURE}.ipynb").stat().st_size
    assert many < 1024 * 1024 + 200_000, f"60 cells of 200 KB kept {many} bytes, the notebook cap is 1024 KB"
