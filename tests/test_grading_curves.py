"""While the instructor grades with visdom running, each student's curves reach the dashboard.

The student's kernel runs in the sandbox, which has no network: its ``course.LivePlot`` saves
each run, and the grader (outside) draws the saved runs into ``<student>.<lecture>`` and the
lecture's comparison window.  A forged student name in the saved file changes nothing.
"""
from __future__ import annotations

import json

import nbformat
import pytest

from course import liveplot
from course.grading import executor, sandbox

pytest.register_assert_rewrite("dashboard_fixtures")
pytest_plugins = ["dashboard_fixtures"]

from dashboard_fixtures import use_server  # noqa: E402

TRAINING = """
import course, torch
course.start("91_graded_curves")
plot = course.LivePlot("SGD lr=0.1", xlabel="step", ylabel="MSE loss")
w = torch.zeros(1, requires_grad=True)
for step in range(12):
    loss = ((torch.tensor([1.0, 2.0, 3.0]) * w - torch.tensor([2.0, 4.0, 6.0])) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.05 * w.grad
        w.grad.zero_()
    plot.add(step, loss=loss.item())
plot.done()
print(plot.backend, len(plot.history["loss"]))
"""


def _grade(code: str, student: str, tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    runtime = executor.runtime_dir_for(student)
    cfg = sandbox.SandboxConfig(cell_timeout=120, notebook_timeout=180, memory_mb=8192, cpu_seconds=120)
    executor.execute(nb, cfg, student=student, runtime_dir=runtime, submission_dir=None, data_dir=None,
                     slot=0, jobs=1, uid=None, tampered={})
    return nb, runtime


def test_sandboxed_runs_reach_the_students_env_and_the_comparison(visdom_server, plot_context, tmp_path):
    use_server(plot_context, visdom_server)
    nb, runtime = _grade(TRAINING, "gina", tmp_path)
    try:
        out = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream")
        assert "matplotlib 12" in out, f"the sandboxed kernel should have had no server: {nb.cells[0].outputs}"
        saved = sorted(executor.curves_dir(runtime).glob("run-*.json"))
        assert len(saved) == 1
        # a student who forges another name in the saved file still draws only into their own env
        record = json.loads(saved[0].read_text())
        record["student"], record["env"] = "ada", "ada.91_graded_curves"
        saved[0].write_text(json.dumps(record))
        assert executor.publish_curves(runtime, "gina", "91_graded_curves") == 1
    finally:
        import shutil

        shutil.rmtree(runtime, ignore_errors=True)
    window = visdom_server.window("gina.91_graded_curves", "91_graded_curves: SGD lr=0.1")
    (trace,) = window["content"]["data"]
    assert trace["name"] == "loss" and len(trace["y"]) == 12 and trace["y"][-1] < trace["y"][0]
    assert "ada.91_graded_curves" not in visdom_server.client().get_env_list()
    compare = visdom_server.window(liveplot.compare_env("91_graded_curves"), liveplot.compare_window("91_graded_curves"))
    assert [t["name"] for t in compare["content"]["data"]] == ["gina"]


def test_malformed_saved_runs_cost_nothing(visdom_server, plot_context, tmp_path):
    use_server(plot_context, visdom_server)
    runtime = tmp_path / "rt"
    executor.curves_dir(runtime).mkdir(parents=True)
    (executor.curves_dir(runtime) / "run-001.json").write_text("{not json")
    (executor.curves_dir(runtime) / "run-002.json").write_text(json.dumps({"title": 3}))
    assert executor.publish_curves(runtime, "hal", "90_bad_curves") == 0
