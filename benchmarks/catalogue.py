"""The mistake catalogue of every lecture, graded by the real sandboxed grader (issue 11).

    .venv/bin/python benchmarks/catalogue.py [--lectures 01_linear_model,...] [--jobs 2] [--no-write]

For each lecture with a ``sample_class/catalogue/<lecture>.py`` it grades all the catalogue's
students at once (course/grading/catalogue.py, fast mode) and counts the mistakes caught with the
right message and the alternatives accepted. The table goes into docs/results.md between
``<!-- BEGIN catalogue -->`` and ``<!-- END catalogue -->`` (``--no-write`` to only print it);
every entry that did not end as expected is listed under it.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
import results_md  # noqa: E402


def write_section(text: str) -> None:
    results_md.replace_section("catalogue", text)


def _pct(ok: int, total: int) -> str:
    return f"{ok}/{total} ({ok / total:.0%})" if total else "—"


def earlier_rows(skip: set[str]) -> tuple[dict, list[str]]:
    """The rows (and listed failures) of lectures this run does not grade, from the table in
    docs/results.md: ``--lectures`` re-grades some lectures and keeps the others' figures."""
    import re

    block = results_md.section("catalogue")
    rows, bullets = {}, []
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells and re.match(r"^\d\d_", cells[0]) and cells[0] not in skip:
            nums = [re.match(r"^(\d+)/(\d+)", c) for c in cells[1:3]]
            if all(nums) and cells[4].isdigit():
                rows[cells[0]] = (line, int(nums[0][1]), int(nums[0][2]), int(nums[1][1]), int(nums[1][2]),
                                  int(cells[4]), float(cells[5].split()[0]))
        elif line.startswith("- ") and line[2:4].isdigit() and line[2:].split(":", 1)[0] not in skip:
            bullets.append(line[2:])
    return rows, bullets


def table(results: dict, missing: list[str], jobs: int, coverage: dict | None = None,
          errors: dict | None = None, pending: list[str] = (), kept: tuple[dict, list[str]] = ({}, [])) -> str:
    coverage, errors = coverage or {}, errors or {}
    lines = ["## Mistake catalogue (benchmarks/catalogue.py)", "",
             "Each lecture's `sample_class/catalogue/<lecture>.py` graded through the real sandboxed grader "
             f"(`grade_class`, {jobs} jobs, fast mode), {os.cpu_count()} CPU cores, {platform.platform()}, "
             f"{time.strftime('%Y-%m-%d')}. A mistake counts when every test it names scores 0, the first "
             "of them says its phrase and no other test lost points; an alternative counts when it scores full marks.",
             "",
             "| lecture | mistakes caught with the right message / total | alternatives accepted / total | exercises with >= 3 mistakes and >= 2 alternatives | students | time |",
             "|---|---|---|---|---|---|"]
    tm = tt = am = at = students = 0
    seconds = 0.0
    kept_rows, kept_failures = kept
    for lecture in sorted(kept_rows):
        line, cm, nm, ca, na, n, secs = kept_rows[lecture]
        tm, tt, am, at, students, seconds = tm + cm, tt + nm, am + ca, at + na, students + n, seconds + secs
        if "(earlier run)" not in line:
            line = line.rstrip().rstrip("|").rstrip() + " (earlier run) |"
        lines.append(line)
    for lecture, r in results.items():
        (cm, nm), (ca, na) = r.count("mistake"), r.count("alternative")
        tm, tt, am, at = tm + cm, tt + nm, am + ca, at + na
        students += len(r.students)
        seconds += r.seconds
        covered = coverage.get(lecture, "—")
        lines.append(f"| {lecture} | {_pct(cm, nm)} | {_pct(ca, na)} | {covered} | {len(r.students)} | {r.seconds:.0f} s |")
    for lecture in missing:
        lines.append(f"| {lecture} | no catalogue | no catalogue | — | — | — |")
    for lecture in pending:
        lines.append(f"| {lecture} | (not run yet) | | | | |")
    for lecture, why in errors.items():
        why = why.replace("|", "\\|")
        lines.append(f"| {lecture} | not graded: {why} | — | {coverage.get(lecture, '—')} | — | — |")
    head = lines.index("|---|---|---|---|---|---|") + 1
    lines[head:] = sorted(lines[head:])
    lines.append(f"| **total** | **{_pct(tm, tt)}** | **{_pct(am, at)}** | | {students} | {seconds:.0f} s |")
    failures = list(kept_failures) + [f for r in results.values() for f in _failures(r)]
    if failures:
        lines += ["", f"Entries that did not end as expected ({len(failures)}):", ""]
        lines += [f"- {f}" for f in failures]
    lines += ["", "Re-run: `make bench-catalogue` (all lectures) or `.venv/bin/python -m course catalogue LECTURE` (one, with the full report)."]
    return "\n".join(lines)


def _failures(result) -> list[str]:
    from course.grading import catalogue

    out = []
    for line in catalogue.failures(result):
        line = line.replace("|", "\\|").replace("\n", " ")
        out.append(line if len(line) <= 400 else line[:397] + "...")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lectures", default="", help="comma-separated lectures (default: all present)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.environ["COURSE_FAST"] = "1"
    os.environ.setdefault("COURSE_NO_VISDOM", "1")
    os.environ.pop("COURSE_GRADEBOOK", None)

    from course.grading import catalogue, notebooks
    from course.lectures import LECTURES

    wanted = [n for n in args.lectures.split(",") if n] or list(LECTURES)
    present = [n for n in wanted if (ROOT / "source" / n / f"{n}.ipynb").exists()]
    results, missing, coverage, errors = {}, [], {}, {}
    kept = earlier_rows(set(present)) if args.lectures else ({}, [])
    for lecture in present:
        if not catalogue.catalogue_file(ROOT, lecture).exists():
            print(f"[bench] {lecture}: no catalogue", flush=True)
            missing.append(lecture)
            continue
        ex = catalogue.exercise(notebooks.read(ROOT / "source" / lecture / f"{lecture}.ipynb"))
        short = catalogue.coverage_problems(catalogue.parse(catalogue.catalogue_file(ROOT, lecture), lecture, ex), ex)
        coverage[lecture] = f"{len(ex.graded_answers) - len(short)}/{len(ex.graded_answers)}"
        try:
            result = catalogue.run(ROOT, lecture, jobs=args.jobs, log=lambda m: print(m, flush=True))
        except Exception as exc:  # one lecture that cannot be generated or graded costs that lecture only
            print(f"[bench] {lecture}: could not grade: {exc}", flush=True)
            errors[lecture] = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
            continue
        print(catalogue.report(result), flush=True)
        results[lecture] = result
        if not args.no_write:  # a partial table survives an interrupted run
            pending = [n for n in present[present.index(lecture) + 1:]]
            write_section(table(results, missing, args.jobs, coverage, errors, pending, kept))
    text = table(results, missing, args.jobs, coverage, errors, kept=kept)
    print(text)
    if not args.no_write:
        write_section(text)
    return 0 if results and all(r.ok for r in results.values()) and not missing and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
