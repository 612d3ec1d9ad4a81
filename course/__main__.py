"""``python -m course``: the instructor's command line.

    python -m course demo [--root DIR] [--lectures 01_linear_model,...]
    python -m course data                  # fetch and verify every data set
    python -m course autograde LECTURE [--jobs N] [--student a,b] [--feedback]
                                           # sandboxed, parallel autograding (docs/grading.md)
    python -m course catalogue LECTURE [LECTURE...] [--only TEXT] [--file PATH] [--jobs 2] [--keep DIR]
                                           # grade the mistake catalogue (sample_class/catalogue/)
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the whole instructor pipeline on the sample class")
    demo.add_argument("--root", type=Path, default=Path.cwd(), help="the course folder (default: here)")
    demo.add_argument("--lectures", default="", help="comma-separated lecture names (default: all)")
    demo.add_argument("--device", choices=("cpu", "cuda", "auto"), help="sets COURSE_DEVICE for grading")
    sub.add_parser("data", help="fetch and verify every data set into the cache")
    grade = sub.add_parser("autograde", help="grade a lecture's submissions, sandboxed and in parallel")
    grade.add_argument("lecture")
    grade.add_argument("--root", type=Path, default=Path.cwd(), help="the course folder (default: here)")
    grade.add_argument("--jobs", "-j", type=int, default=1, help="parallel sandboxed kernels (default 1)")
    grade.add_argument("--student", default="", help="comma-separated students (default: every submission)")
    grade.add_argument("--feedback", action="store_true", help="then run `nbgrader generate_feedback`")
    grade.add_argument("--integrity", type=Path, metavar="FILE",
                       help="where to write the integrity report, the lines of each submission that use introspection "
                            "(default: autograded/integrity-LECTURE.md, and .json beside it)")
    grade.add_argument("--no-progress", action="store_true", help="no progress bar")
    grade.add_argument("--restart", action="store_true",
                       help="grade everybody again (default: keep the results of an interrupted earlier run)")
    grade.add_argument("--cluster", metavar="ADDRESS",
                       help="hand the students to a Dask scheduler (tcp://host:8786); see docs/grading.md")
    grade.add_argument("--estimate", action="store_true",
                       help="grade nothing of the class: time a few sample students and say how long a class takes")
    grade.add_argument("--class-size", type=int, default=0,
                       help="--estimate: students in the class (default: the submissions in submitted/, else 100)")
    grade.add_argument("--workers", default="4,16", help="--estimate: Dask cluster sizes to estimate (default 4,16)")
    limits = grade.add_argument_group("sandbox limits (override c.Sandbox.* of nbgrader_config.py)")
    for flag, help_ in (("cell-timeout", "seconds per cell"), ("notebook-timeout", "seconds per notebook"),
                        ("cpu-seconds", "CPU seconds per kernel"), ("memory-mb", "address space per process, MB"),
                        ("processes", "processes/threads per kernel"), ("file-mb", "largest file written, MB"),
                        ("disk-mb", "size of each writable tmpfs, MB"), ("output-kb", "output kept per cell, KB"),
                        ("notebook-output-kb", "output kept per notebook, KB"),
                        ("runtime-mb", "size of the kernel's socket folder, MB"),
                        ("curves-kb", "saved live-plot runs kept per student, KB"),
                        ("threads", "CPU threads per kernel (0: cores // jobs)")):
        limits.add_argument(f"--{flag}", type=int, help=help_)
    cat = sub.add_parser("catalogue", help="grade the mistake catalogue of lectures with the real grader")
    cat.add_argument("lectures", nargs="+", metavar="LECTURE")
    cat.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent,
                     help="the course folder to copy (default: this repository)")
    cat.add_argument("--only", default="", help="only entries whose cell, kind, description or student contain TEXT")
    cat.add_argument("--file", type=Path, help="grade this catalogue file instead (one lecture only)")
    cat.add_argument("--jobs", "-j", type=int, default=2, help="parallel sandboxed kernels (default 2)")
    cat.add_argument("--keep", type=Path, help="grade in DIR and keep it (one lecture only; DIR is replaced)")
    cat.add_argument("--full", action="store_true", help="grade in full mode (default: fast mode, COURSE_FAST=1)")
    cat.add_argument("--json", type=Path, help="also write the structured results to this JSON file")
    cat.add_argument("--list", action="store_true",
                     help="grade nothing: list the students, the invalid blocks and the exercises short of entries")
    args = parser.parse_args(argv)

    if args.command == "catalogue":
        from .grading import catalogue, nbgrader_cli, sandbox

        if (args.file or args.keep) and len(args.lectures) != 1:
            parser.error("--file and --keep take one lecture")
        if args.full:
            os.environ.pop("COURSE_FAST", None)
        else:
            os.environ["COURSE_FAST"] = "1"
        os.environ.setdefault("COURSE_NO_VISDOM", "1")
        bad, results = False, []
        for lecture in args.lectures:
            path = args.file or catalogue.catalogue_file(args.root, lecture)
            if not path.exists():
                print(f"[catalogue] {lecture}: no catalogue file {path}", file=sys.stderr)
                bad = True
                continue
            if args.list:
                text, fine = catalogue.listing(args.root, lecture, args.file)
                print(text)
                bad = bad or not fine
                continue
            try:
                result = catalogue.run(args.root, lecture, path=args.file, only=args.only, jobs=args.jobs,
                                       keep=args.keep, log=lambda m: print(m, flush=True))
            except sandbox.SandboxError as exc:
                print(f"[course] refusing to grade: {exc}", file=sys.stderr)
                return 2
            except ValueError as exc:
                print(f"[catalogue] {exc}", file=sys.stderr)
                return 2
            except nbgrader_cli.NbgraderError as exc:
                print(f"[catalogue] {lecture}: {exc}", file=sys.stderr)
                bad = True
                continue
            print(catalogue.report(result), flush=True)
            results.append(result.as_dict())
            if not result.entries:
                print(f"[catalogue] {lecture}: no entries" + (f" match --only {args.only!r}" if args.only else ""))
            bad = bad or not result.ok
        if args.json:
            import json

            args.json.write_text(json.dumps(results, indent=1))
        return 1 if bad else 0


    if args.command == "autograde":
        from .grading import autograde, nbgrader_cli, sandbox

        root = args.root.resolve()
        cfg = sandbox.load_config(root).replace(**{
            k: getattr(args, k) for k in ("cell_timeout", "notebook_timeout", "cpu_seconds", "memory_mb",
                                          "processes", "file_mb", "disk_mb", "output_kb", "notebook_output_kb",
                                          "runtime_mb", "curves_kb", "threads")})
        if args.estimate:
            from .grading import estimate

            size = args.class_size or len(autograde.class_students(root, args.lecture)) or 100
            try:
                measured = estimate.measure(root, args.lecture, cfg=cfg)
            except (sandbox.SandboxError, RuntimeError, nbgrader_cli.NbgraderError) as exc:
                print(f"[course] {exc}", file=sys.stderr)
                return 2
            print(estimate.table(measured, size, [int(w) for w in args.workers.split(",") if w]))
            return 0
        try:
            result = autograde.grade_class(root, args.lecture, jobs=args.jobs, cfg=cfg,
                                           students=[s for s in args.student.split(",") if s] or None,
                                           progress=not args.no_progress, restart=args.restart,
                                           cluster=args.cluster, integrity_path=args.integrity)
        except sandbox.SandboxError as exc:
            print(f"[course] refusing to grade: {exc}", file=sys.stderr)
            return 2
        autograde.print_summary(result)
        if args.feedback and result.graded:
            nbgrader_cli.run(["generate_feedback", args.lecture, "--force"], cwd=root)
        return 1 if result.failed else 0

    if args.command == "demo":
        from .grading import pipeline

        from .devices import DeviceError, device

        if args.device:
            os.environ["COURSE_DEVICE"] = args.device
        try:
            print(f"[course] grading on {device()} (COURSE_DEVICE={os.environ.get('COURSE_DEVICE', 'cpu')})")
        except DeviceError as exc:  # fail now, with the flag's message, rather than in every notebook
            print(f"[course] {exc}", file=sys.stderr)
            return 2
        pipeline.demo(args.root, [n for n in args.lectures.split(",") if n] or None)
    elif args.command == "data":
        from .datasets import cache_root, fetch_all

        problems = fetch_all()
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            return 1
        print(f"all data sets verified in {cache_root()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
