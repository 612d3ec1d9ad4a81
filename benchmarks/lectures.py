"""Execute every lecture's source notebook (with its solutions) and tabulate time, loss and accuracy.

    .venv/bin/python benchmarks/lectures.py            # fast mode (COURSE_FAST=1)
    .venv/bin/python benchmarks/lectures.py --full     # full training (slow on a CPU)
    .venv/bin/python benchmarks/lectures.py --lectures 08_softmax_classifier --full

Figures are kept per (lecture, mode, device) in benchmarks/results/lectures.json, so a fast run
does not erase full-mode figures, and docs/results.md's "lectures" section is rewritten from it.
Each notebook reports its headline figures with ``course.report(...)``; the last report wins.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from course.lectures import LECTURES  # noqa: E402
import results_md  # noqa: E402

STORE = ROOT / "benchmarks" / "results" / "lectures.json"
RESULTS = ROOT / "docs" / "results.md"

# What the original course's code reached (../shared/tooling-notes.md) and this course's targets.
REFERENCE = {
    "03_back_propagation": ("w1, w2, b within 0.05 of least squares", ""),
    "04_linear_regression": ("w within 0.01 of 2, b within 0.02 of 0", ""),
    "06_multiple_dimension_input": ("about 77% held-out", "≥ 0.74 full, ≥ 0.70 fast"),
    "07_dataset_and_dataloader": ("Titanic 78-85% held-out", "≥ 0.77 full, ≥ 0.74 fast"),
    "08_softmax_classifier": ("MNIST FC 97.7% (10 epochs)", "≥ 0.975 full, ≥ 0.89 fast"),
    "09_cnn_basics": ("MNIST CNN 98.7%", "≥ 0.975 full, ≥ 0.94 fast"),
    "10_cnn_advanced": ("Inception 98.9%", "≥ 0.98 full, ≥ 0.95 fast"),
    "11_rnn_basics": ("prints ohlol", ""),
    "12_rnn_classifier": ("bi-GRU 83.1% (epoch 8), 84.1% (epoch 11)", "≥ 0.83 full, ≥ 0.70 fast"),
}


def run_notebook(lecture: str, full: bool, device: str) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"bench-{lecture}-"))
    metrics = work / "metrics.jsonl"
    shutil.copy(ROOT / "source" / lecture / f"{lecture}.ipynb", work)
    nb = nbformat.read(work / f"{lecture}.ipynb", as_version=4)
    env_before = dict(os.environ)
    os.environ.update(COURSE_FAST="0" if full else "1", COURSE_DEVICE=device, COURSE_METRICS_FILE=str(metrics),
                      COURSE_NO_VISDOM="1")
    try:
        start = time.perf_counter()
        error = ""
        try:
            NotebookClient(nb, timeout=None if full else 600, kernel_name="python3",
                           resources={"metadata": {"path": str(work)}}).execute()
        except Exception as exc:  # record the failure in the table instead of stopping the benchmark
            error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1][:120]}"
        seconds = time.perf_counter() - start
    finally:
        os.environ.clear()
        os.environ.update(env_before)
    figures = {}
    if metrics.exists():
        for line in metrics.read_text().splitlines():
            figures.update({k: v for k, v in json.loads(line).items() if k != "lecture"})
    shutil.rmtree(work, ignore_errors=True)
    return {"seconds": round(seconds, 1), "figures": figures, "error": error,
            "when": time.strftime("%Y-%m-%d"), "machine": machine()}


def wait_for_idle(max_load: float, patience: float) -> float:
    """The 1-minute load average, once it is below ``max_load`` or ``patience`` seconds passed."""
    deadline = time.monotonic() + patience
    while True:
        load = os.getloadavg()[0]
        if load <= max_load or time.monotonic() > deadline:
            return load
        time.sleep(5)


def machine() -> str:
    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return f"{platform.machine()}, {os.cpu_count()} cores, {gpu}, torch {torch.__version__}"


def fmt(entry: dict | None, key: str) -> str:
    if not entry:
        return "not run"
    if key == "seconds":
        load = f" (load {entry['load']:.2f})" if "load" in entry else " (load not recorded)"
        return f"{entry['seconds']:.0f} s{load}" + (" (failed)" if entry["error"] else "")
    value = entry["figures"].get(key)
    return "—" if value is None else f"{value:.4g}"


def write_table(store: dict) -> None:
    lines = [
             "## Lectures: execution time and headline figures",
             "",
             "Written by `benchmarks/lectures.py` (the source notebooks with their solutions, executed top to",
             "bottom with nbclient). Fast = `COURSE_FAST=1`; full = the real training. Device `cpu` unless noted.",
             "Beside each time, the machine's 1-minute load average just before the run: the script refuses to",
             "record a run that started under load (`--max-load`, default 0.5), so the times are an idle machine's.",
             "",
             "| lecture | device | fast: time | fast: loss | fast: accuracy | full: time | full: loss | full: accuracy | reference (original course) | target |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    devices = sorted({key.split("|")[2] for key in store}) or ["cpu"]
    for lecture in LECTURES:
        for device in devices:
            fast, full = store.get(f"{lecture}|fast|{device}"), store.get(f"{lecture}|full|{device}")
            if not fast and not full:
                continue
            ref, target = REFERENCE.get(lecture, ("", ""))
            lines.append(f"| {lecture} | {device} | {fmt(fast, 'seconds')} | {fmt(fast, 'loss')} | "
                         f"{fmt(fast, 'accuracy')} | {fmt(full, 'seconds')} | {fmt(full, 'loss')} | "
                         f"{fmt(full, 'accuracy')} | {ref} | {target} |")
    failures = [f"- {key}: {entry['error']}" for key, entry in sorted(store.items()) if entry["error"]]
    # key = "lecture|mode|device": say which run each figure comes from
    extra = sorted({"{} ({}, {}): ".format(*k.split("|")) + ", ".join(
                        f"{n}={v:.4g}" for n, v in e["figures"].items() if n not in ("loss", "accuracy"))
                    for k, e in store.items() if set(e["figures"]) - {"loss", "accuracy"}})
    if extra:
        lines += ["", "Other figures the notebooks report:", ""] + [f"- {e}" for e in extra]
    if failures:
        lines += ["", "Runs that failed:", ""] + failures
    machines = sorted({e["machine"] for e in store.values()})
    lines += ["", "Measured on: " + "; ".join(machines), ]
    results_md.replace_section("lectures", "\n".join(lines), RESULTS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="full training instead of fast mode")
    parser.add_argument("--lectures", default="", help="comma-separated lecture names (default: all present)")
    parser.add_argument("--device", default=os.environ.get("COURSE_DEVICE", "cpu"))
    parser.add_argument("--max-load", type=float, default=0.5,
                        help="record no run that starts while the 1-minute load average is above this")
    parser.add_argument("--wait-idle", type=float, default=300,
                        help="seconds to wait for the load to fall below --max-load before each run")
    args = parser.parse_args()
    wanted = [n for n in args.lectures.split(",") if n] or list(LECTURES)
    store = json.loads(STORE.read_text()) if STORE.exists() else {}
    mode = "full" if args.full else "fast"
    for lecture in wanted:
        if not (ROOT / "source" / lecture / f"{lecture}.ipynb").exists():
            print(f"skipped {lecture}: not written yet")
            continue
        print(f"{lecture} ({mode}, {args.device}) ...", flush=True)
        load = wait_for_idle(args.max_load, args.wait_idle)
        if load > args.max_load:
            print(f"  not recorded: the load average is {load:.2f} (over {args.max_load}); "
                  "a time taken on a busy machine is not the lecture's", flush=True)
            continue
        entry = run_notebook(lecture, args.full, args.device)
        entry["load"] = round(load, 2)
        print(f"  {entry['seconds']} s {entry['figures']} {entry['error']}", flush=True)
        store[f"{lecture}|{mode}|{args.device}"] = entry
        STORE.parent.mkdir(parents=True, exist_ok=True)
        STORE.write_text(json.dumps(store, indent=1, sort_keys=True) + "\n")
        write_table(store)
    print(f"table written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
