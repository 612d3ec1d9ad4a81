"""Accuracy margins: what the reference reaches, in the mode that grades, over seeds and layer-creation orders.

    .venv/bin/python benchmarks/accuracy_margins.py [--lectures 08_softmax_classifier] [--seeds 0,1,2,3,4]
    make bench-margins [LECTURES=09_cnn_basics]

An accuracy test is fair when a correct solution passes it whatever its seed and whatever order
it creates its layers in (that order changes the random initial weights).  For each accuracy
threshold in ``SPECS``, the lecture's reference solution runs in fast mode (``COURSE_FAST=1``,
the mode the grader uses) in one kernel: the cells before the training cell once, then, for each
layer-creation order (the lecture's own model cell, and the catalogue's alternative that creates
its layers in another order) and each seed: the model cell, the training cell with its
``course.seed_everything(0)`` replaced by that seed, and the test cell (errors allowed); the
metric is read from the test's own variables.  The table goes to docs/results.md in its
``accuracy-margins`` section; the margin is the
lowest value minus the target and must be at least one percentage point (the script exits 1
otherwise).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
import results_md  # noqa: E402

SECTION = "accuracy-margins"
MARKER = "@@metrics@@ "
SEED_CALL = "course.seed_everything(0)"


@dataclass
class Metric:
    label: str
    variable: str   # set by the test cell before its assert
    target: float   # the fast-mode threshold, as written in the test cell (checked)


@dataclass
class Spec:
    models: dict[str, str]  # grade_id of each answer cell that creates layers -> catalogue student creating them in another order
    train: str              # a line only the training cell holds
    test: str               # grade_id of the accuracy test
    metrics: list[Metric]


SPECS = {
    "08_softmax_classifier": [Spec({"net": "a2"}, "mnist_model = Net()", "test_mnist_accuracy",
                                   [Metric("MNIST test accuracy (2,000 images, 2 epochs on 6,000)", "acc", 0.89)])],
    "09_cnn_basics": [Spec({"net": "a1"}, "net = Net().to(DEVICE)", "test_net_accuracy",
                           [Metric("Net test accuracy (visible test)", "net_acc", 0.94),
                            Metric("Net accuracy recomputed on 1,000 test images (hidden test)", "_acc", 0.93)])],
    "10_cnn_advanced": [
        Spec({"inception": "a10-2", "inception_net": "a10-1"}, "inception_net = InceptionNet()", "test_inception_accuracy",
             [Metric("InceptionNet test accuracy (visible test)", "incep_acc", 0.95),
              Metric("InceptionNet accuracy recomputed on 1,000 test images (hidden test)", "_acc", 0.94)]),
        Spec({"residual": "a10-2", "resnet": "a10-1"}, "res_net = ResNet()", "test_resnet_accuracy",
             [Metric("ResNet test accuracy (visible test)", "res_acc", 0.95),
              Metric("ResNet accuracy recomputed on 1,000 test images (hidden test)", "_acc", 0.94)])],
}


def _gid(cell) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")


def _is_test(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def _alternative_code(lecture: str, cell: str, student: str) -> str:
    from course.grading import catalogue

    for entry in catalogue.parse(catalogue.catalogue_file(ROOT, lecture), lecture):
        if entry.kind == "alternative" and entry.cell == cell and entry.student == student:
            return entry.code
    raise SystemExit(f"{lecture}: no alternative {student!r} for cell {cell!r} in the catalogue")


def build(lecture: str, specs: list[Spec], seeds: list[int]) -> nbformat.NotebookNode:
    """The reference notebook up to its first training cell, then for each spec one (models, training, test,
    metrics) run per layer-creation order and seed."""
    nb = nbformat.read(ROOT / "source" / lecture / f"{lecture}.ipynb", as_version=4)
    cells = nb.cells
    trains = [next(i for i, c in enumerate(cells) if c.cell_type == "code" and spec.train in c.source) for spec in specs]
    out = [nbformat.v4.new_code_cell(c.source) for c in cells[:min(trains)] if c.cell_type == "code" and not _is_test(c)]
    for spec, train in zip(specs, trains):
        test = next(c for c in cells if _gid(c) == spec.test)
        if SEED_CALL not in cells[train].source:
            raise SystemExit(f"{lecture}: the training cell of {spec.test} does not call {SEED_CALL}")
        for m in spec.metrics:
            if m.target not in [float(v) for v in re.findall(r"fast=([0-9.]+)", test.source)]:
                raise SystemExit(f"{lecture}: {spec.test} no longer says fast={m.target}; update SPECS")
        own = {cell: next(c.source for c in cells if _gid(c) == cell) for cell in spec.models}
        other = {cell: _alternative_code(lecture, cell, student) for cell, student in spec.models.items()}
        names = ", ".join(f"{cell} {student}" for cell, student in spec.models.items())
        variables = ", ".join(f"{m.variable!r}: float({m.variable})" for m in spec.metrics)
        for order, codes in {"the lecture's order": own, f"another order (catalogue {names})": other}.items():
            for seed in seeds:
                out += [nbformat.v4.new_code_cell(code) for code in codes.values()]
                out.append(nbformat.v4.new_code_cell(
                    cells[train].source.replace(SEED_CALL, f"course.seed_everything({seed})")))
                out.append(nbformat.v4.new_code_cell(test.source))
                out.append(nbformat.v4.new_code_cell(
                    f"import json as _json\nprint({MARKER!r} + _json.dumps({{'test': {spec.test!r}, 'order': {order!r}, "
                    f"'seed': {seed}, {variables}}}))"))
    nb.cells = out
    return nb


def measure(lecture: str, specs: list[Spec], seeds: list[int]) -> list[dict]:
    nb = build(lecture, specs, seeds)
    work = Path(tempfile.mkdtemp(prefix="bench-margins-"))
    try:
        shutil.copytree(ROOT / "source" / lecture, work / lecture)
        os.environ.update(COURSE_FAST="1", COURSE_NO_VISDOM="1")
        NotebookClient(nb, timeout=1800, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(work / lecture)}}).execute()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    runs = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                runs += [json.loads(line[len(MARKER):]) for line in o.text.splitlines() if line.startswith(MARKER)]
            if o.get("output_type") == "error" and "AssertionError" not in o.ename:
                print(f"[margins] {lecture}: {o.ename}: {o.evalue}", flush=True)
    if len(runs) != 2 * len(seeds) * len(specs):
        raise SystemExit(f"{lecture}: {len(runs)} of {2 * len(seeds) * len(specs)} runs printed their metrics")
    return runs


def rows_for(lecture: str, specs: list[Spec], runs: list[dict]) -> tuple[list[str], bool]:
    rows, ok = [], True
    for spec, m in [(spec, m) for spec in specs for m in spec.metrics]:
        mine = [r for r in runs if r["test"] == spec.test]
        values = [r[m.variable] for r in mine]
        by_order = {}
        for r in mine:
            by_order.setdefault(r["order"], []).append(r[m.variable])
        spread = "; ".join(f"{o}: {min(v):.4f}–{max(v):.4f}" for o, v in by_order.items())
        margin = min(values) - m.target
        ok &= margin >= 0.01 - 1e-9
        rows.append(f"| `{lecture}` | {m.label} | {m.target:.2f} | {min(values):.4f} | {max(values):.4f} | "
                    f"{margin * 100:+.1f} pp | {spread} |")
    return rows, ok


def write(rows: dict[str, list[str]], seeds: list[int]) -> None:
    kept: dict[str, list[str]] = {}
    for line in results_md.section(SECTION).splitlines():
        match = re.match(r"\| `([0-9]{2}_[a-z_]+)` \|", line)
        if match:
            kept.setdefault(match.group(1), []).append(line)
    kept.update(rows)
    body = ["## Accuracy margins (benchmarks/accuracy_margins.py)", "",
            f"The reference solution in fast mode (`COURSE_FAST=1`, the mode that grades), seeds "
            f"{', '.join(map(str, seeds))}, each with the lecture's layer-creation order and with the catalogue's "
            f"alternative that creates its layers in another order ({os.cpu_count()} CPU cores, "
            f"{platform.platform()}, {time.strftime('%Y-%m-%d')}). Every target sits at least one percentage point "
            "below the lowest run.", "",
            "| lecture | accuracy | target (fast) | lowest | highest | margin | per order |",
            "|---|---|---|---|---|---|---|"]
    body += [line for lecture in sorted(kept) for line in kept[lecture]]
    body += ["", "Re-run: `make bench-margins [LECTURES=08_softmax_classifier]`."]
    results_md.replace_section(SECTION, "\n".join(body))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lectures", default=",".join(SPECS))
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    rows, all_ok = {}, True
    for lecture in args.lectures.split(","):
        t0 = time.monotonic()
        runs = measure(lecture, SPECS[lecture], seeds)
        rows[lecture], ok = rows_for(lecture, SPECS[lecture], runs)
        all_ok &= ok
        print("\n".join(rows[lecture]), f"\n[margins] {lecture}: {time.monotonic() - t0:.0f} s", flush=True)
    if not args.no_write:
        write(rows, seeds)
    if not all_ok:
        print("[margins] a target is less than one percentage point below the lowest run", flush=True)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
