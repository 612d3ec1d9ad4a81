"""Class-scale benchmark: memory and throughput of ``course autograde`` as the class grows.

    .venv/bin/python benchmarks/grading_scale.py --students 30,300 --jobs 1,2 [--lecture 01_linear_model]
    make bench-grading STUDENTS=300 [LECTURE=09_cnn_basics]

For each class size and each ``--jobs`` it grades a synthetic class (copies of ada, ben and
carol, straight into ``submitted/``) with the real command line and samples, every 0.25 s:

* the resident memory (RSS) of the whole process tree of the grader (its session: the grader,
  its workers, every sandbox and kernel), the peak kept;
* the machine's used memory (MemTotal - MemAvailable, which also counts tmpfs pages) above the
  level before the run, the peak kept.

Students per minute is class size / wall time.  Rows are kept in docs/results.md between
its ``grading-scale`` section, one per (lecture, students,
jobs), so runs of different sizes add up; ``--no-write`` only prints.  The 1-minute load average
before each run is recorded: compare rows taken on an idle machine only.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
import results_md  # noqa: E402

SECTION = "grading-scale"
HEADER = ("| lecture | students | jobs | wall time | students / min | peak RSS of the grader's process tree "
          "| peak machine memory used (above idle) | graded / failed | load before | date |")


def _meminfo() -> dict[str, int]:
    out = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        key, value = line.split(":", 1)
        out[key] = int(value.split()[0]) * 1024
    return out


def _used() -> int:
    info = _meminfo()
    return info["MemTotal"] - info["MemAvailable"]


def _tree_rss(session: int) -> int:
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[3]) != session:  # field 6 of stat: the session id
                continue
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
        except (OSError, IndexError, ValueError):
            continue
    return total


def measure(course: Path, lecture: str, jobs: int) -> dict:
    env = dict(os.environ)
    idle = _used()
    load = os.getloadavg()[0]
    peak = {"rss": 0, "used": 0}
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "course", "autograde", lecture, "--jobs", str(jobs), "--no-progress",
                             "--restart"], cwd=course, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak["rss"] = max(peak["rss"], _tree_rss(proc.pid))
            peak["used"] = max(peak["used"], _used() - idle)
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    seconds = time.monotonic() - t0
    done.set()
    sampler.join()
    line = next((l for l in out.splitlines() if " graded, " in l), "")
    graded = int(line.split(": ", 1)[1].split(" graded")[0]) if line else 0
    failed = int(line.split(" graded, ")[1].split(" failed")[0]) if line else -1
    return {"seconds": seconds, "rss": peak["rss"], "used": peak["used"], "graded": graded, "failed": failed,
            "load": load}


def _gib(line: str, column: int) -> float:
    return float(line.strip().strip("|").split("|")[column].strip().split()[0])


def _growth(kept: dict[tuple, str]) -> list[str]:
    """How the peak RSS of each larger class compares with the smallest class of the same lecture and jobs."""
    out = []
    for (lecture, size, jobs), line in sorted(kept.items()):
        smallest = min((s for (l, s, j) in kept if l == lecture and j == jobs), default=size)
        if smallest == size:
            continue
        base, peak = _gib(kept[(lecture, smallest, jobs)], 5), _gib(line, 5)
        out.append(f"- `{lecture}`, {jobs} job(s): peak RSS at {size} students is {100 * (peak / base - 1):+.0f}% "
                   f"of the peak at {smallest} ({peak:.2f} against {base:.2f} GiB).")
    return out


def write_rows(rows: dict[tuple, str]) -> None:
    kept: dict[tuple, str] = {}
    for line in results_md.section(SECTION).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[1].isdigit():
            kept[(cells[0].strip("`"), int(cells[1]), int(cells[2]))] = line
    kept.update(rows)
    body = ["## Class-scale grading benchmark (benchmarks/grading_scale.py)", "",
            "A synthetic class (copies of ada, ben and carol) graded by `python -m course autograde --jobs N`, fast "
            f"mode, {os.cpu_count()} CPU cores, {platform.platform()}. Peak RSS sums every process of the grader's "
            "session (grader, workers, sandboxes, kernels); machine memory also counts tmpfs pages. Kernels end with "
            "their student, so the peak does not grow with the class size (the lines under the table compare each size "
            "with the smallest).", "", HEADER,
            "|---|---|---|---|---|---|---|---|---|---|"]
    body += [kept[k] for k in sorted(kept)]
    body += [""] + _growth(kept)
    body += ["", "Re-run: `make bench-grading STUDENTS=300 [LECTURE=09_cnn_basics]` (also measures 30 students)."]
    results_md.replace_section(SECTION, "\n".join(body))


def _wait_idle(max_load: float, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while os.getloadavg()[0] > max_load and time.monotonic() < deadline:
        time.sleep(5)


def main() -> int:
    from grading import make_class

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", default="30,300", help="class sizes, comma-separated")
    parser.add_argument("--jobs", default="1,2")
    parser.add_argument("--lecture", default="01_linear_model")
    parser.add_argument("--max-load", type=float, default=1.0,
                        help="refuse to record a row whose 1-minute load average before the run was above this")
    parser.add_argument("--wait-idle", type=float, default=600,
                        help="before each run, wait up to this many seconds for the load to fall to --max-load "
                             "(the previous run's load takes a minute or two to decay)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("COURSE_FAST", "1")
    os.environ.setdefault("COURSE_NO_VISDOM", "1")
    os.environ.pop("COURSE_GRADEBOOK", None)
    sizes = sorted(int(n) for n in args.students.split(","))
    rows = {}
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        for size in sizes:
            course = work / f"course{size}"
            course.mkdir()
            students = make_class(course, args.lecture, (size + 2) // 3)[:size]
            for extra in sorted((course / "submitted").iterdir())[len(students):]:
                shutil.rmtree(extra)
            for jobs in (int(j) for j in args.jobs.split(",")):
                _wait_idle(args.max_load, args.wait_idle)
                m = measure(course, args.lecture, jobs)
                rate = size / m["seconds"] * 60
                line = (f"| `{args.lecture}` | {size} | {jobs} | {m['seconds']:.0f} s | {rate:.1f} | "
                        f"{m['rss'] / 2**30:.2f} GiB | {m['used'] / 2**30:.2f} GiB | {m['graded']} / {m['failed']} | "
                        f"{m['load']:.2f} | {time.strftime('%Y-%m-%d')} |")
                print(line, flush=True)
                if m["load"] > args.max_load:
                    print(f"[bench] not recorded: the load average was {m['load']:.2f} before the run "
                          f"(over {args.max_load}); run it on an idle machine", flush=True)
                    continue
                rows[(args.lecture, size, jobs)] = line
                if not args.no_write:  # each row as soon as it is measured: a long run stopped early keeps it
                    write_rows(rows)
            shutil.rmtree(course, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
