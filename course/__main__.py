"""``python -m course``: the instructor's command line.

    python -m course demo [--root DIR] [--lectures 01_linear_model,...]
    python -m course data                  # fetch and verify every data set
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
    args = parser.parse_args(argv)

    if args.command == "demo":
        from .grading import pipeline

        if args.device:
            os.environ["COURSE_DEVICE"] = args.device
            from .devices import device

            device()  # fail now, with the flag's message, rather than in every notebook
        pipeline.demo(args.root, [n for n in args.lectures.split(",") if n] or None)
    elif args.command == "data":
        from .grading.pipeline import prepare_data

        prepare_data([])
        from .datasets import cache_root

        print(f"all data sets verified in {cache_root()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
