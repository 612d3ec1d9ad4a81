"""course.LivePlot: live curves on a real visdom server, the matplotlib fall-back, grading envs.

A real server (offline static files, temporary env_path, free port) is started by the
``visdom_server`` fixture; the points are read back through visdom's own ``get_window_data``.
"""
from __future__ import annotations

import math
import os
import socket
import threading

import pytest

import course
from course import context, liveplot

pytest.register_assert_rewrite("dashboard_fixtures")
pytest_plugins = ["dashboard_fixtures"]

from dashboard_fixtures import train_linear, use_server  # noqa: E402


def _xy(trace):
    return list(zip(trace["x"], trace["y"]))


def _check_against_history(window: dict, plot) -> None:
    traces = {t["name"]: t for t in window["content"]["data"]}
    assert set(traces) == set(plot.history), f"traces {set(traces)} != series {set(plot.history)}"
    for name, points in plot.history.items():
        got = _xy(traces[name])
        assert len(got) == len(points), f"{name}: {len(got)} points on the server, {len(points)} recorded"
        for (gx, gy), (x, y) in zip(got, points):
            assert gx == pytest.approx(x) and gy == pytest.approx(y)


# --------------------------------------------------------------------------- with a real server
def test_training_draws_into_the_lecture_env(visdom_server, plot_context):
    use_server(plot_context, visdom_server)
    course.start("97_live_test")
    plot = train_linear(steps=30, epochs_every=10)
    assert plot.backend == "visdom"
    assert plot.env == "97_live_test" and plot.win == "97_live_test: linear model, SGD lr=0.05"
    assert len(plot.history["loss"]) == 30 and len(plot.history["accuracy"]) == 3
    assert plot.last("loss") < plot.history["loss"][0][1], "the loss should fall over the run"

    window = visdom_server.window("97_live_test", plot.win)
    _check_against_history(window, plot)
    traces = {t["name"]: t for t in window["content"]["data"]}
    assert [x for x, _ in _xy(traces["loss"])] == list(range(30))
    assert [x for x, _ in _xy(traces["accuracy"])] == [1, 2, 3]
    assert traces["accuracy"].get("xaxis") == "x2" and traces["accuracy"].get("yaxis") == "y2"
    layout = window["content"]["layout"]
    assert layout["title"]["text"] == "linear model, SGD lr=0.05"
    assert layout["xaxis"]["title"]["text"] == "step" and layout["yaxis"]["title"]["text"] == "MSE loss"
    assert layout["xaxis2"]["title"]["text"] == "epoch" and layout["yaxis2"]["title"]["text"] == "accuracy"
    assert window["title"] == "linear model, SGD lr=0.05"


def test_one_window_per_run_and_appends_between_flushes(visdom_server, plot_context):
    use_server(plot_context, visdom_server)
    plot_context.setattr(liveplot, "SEND_SECONDS", 0.0)  # every add() goes out as an append
    course.start("96_two_runs")
    first = course.LivePlot("run 1", xlabel="step", ylabel="loss")
    for step in range(12):
        first.add(step, loss=1.0 / (step + 1), smooth=0.5)
    # before done(): the appended points are all there already
    _check_against_history(visdom_server.window("96_two_runs", first.win), first)
    first.done()
    second = course.LivePlot("run 2")
    second.add(0, loss=3.0)
    second.done()
    wins = visdom_server.windows("96_two_runs")
    assert set(wins) == {"96_two_runs: run 1", "96_two_runs: run 2"}
    _check_against_history(wins["96_two_runs: run 1"], first)
    _check_against_history(wins["96_two_runs: run 2"], second)


def test_grading_draws_per_student_and_one_comparison_window(visdom_server, plot_context, tmp_path):
    use_server(plot_context, visdom_server)
    course.start("95_graded")
    finals = {}
    for student, lr in (("ada", 0.05), ("ben", 0.2), ("carol", 1.5)):  # carol's lr diverges
        plot_context.setenv("COURSE_STUDENT", student)
        train_linear("warm-up run", steps=5)  # an earlier run of the lecture: replaced by the last one
        finals[student] = train_linear(f"SGD lr={lr}", steps=20, lr=lr)
        assert finals[student].env == f"{student}.95_graded"
    # the student also comes from nbgrader's folder autograded/<student>/<lecture>
    plot_context.delenv("COURSE_STUDENT")
    folder = tmp_path / "autograded" / "dan" / "95_graded"
    folder.mkdir(parents=True)
    plot_context.chdir(folder)
    assert context.student() == "dan" and context.visdom_env() == "dan.95_graded"
    finals["dan"] = train_linear("SGD lr=0.05", steps=8)

    for student, plot in finals.items():
        _check_against_history(visdom_server.window(f"{student}.95_graded", plot.win), plot)
        if student != "dan":
            assert "95_graded: warm-up run" in visdom_server.windows(f"{student}.95_graded")
    compare = visdom_server.window(liveplot.compare_env("95_graded"), liveplot.compare_window("95_graded"))
    traces = {t["name"]: t for t in compare["content"]["data"]}
    assert set(traces) == {"ada", "ben", "carol", "dan"}
    assert traces["carol"]["y"][-1] > 10 * traces["ada"]["y"][0], "carol's run should have diverged"
    for student, plot in finals.items():  # each student's final run, not the warm-up, and not appended to it
        assert traces[student]["x"] == [x for x, _ in plot.history["loss"]]
        assert traces[student]["y"] == pytest.approx([y for _, y in plot.history["loss"]])
    assert compare["content"]["layout"]["xaxis"]["title"]["text"] == "step"
    assert liveplot.compare_env("95_graded") == "compare.95_graded"
    assert list(visdom_server.windows("compare.95_graded")) == [liveplot.compare_window("95_graded")]


def test_runs_saved_without_network_are_published_by_the_grader(visdom_server, plot_context, tmp_path):
    """A sandboxed grading kernel reaches no server: it saves its runs, the grader draws them later."""
    curves = tmp_path / "curves"
    curves.mkdir()
    plot_context.setenv("COURSE_CURVES_DIR", str(curves))
    plot_context.setenv("COURSE_STUDENT", "erin")
    course.start("93_sandboxed")
    first = train_linear("warm-up", steps=4)
    final = train_linear("SGD lr=0.05", steps=12)
    assert first.backend == final.backend == "matplotlib", "no server was reachable from the 'sandbox'"
    saved = sorted(curves.glob("*.json"))
    assert len(saved) == 2

    use_server(plot_context, visdom_server)  # the grader, outside the sandbox, reaches the server
    import json

    for path in saved:
        assert liveplot.publish(json.loads(path.read_text()))
    _check_against_history(visdom_server.window("erin.93_sandboxed", final.win), final)
    _check_against_history(visdom_server.window("erin.93_sandboxed", first.win), first)
    compare = visdom_server.window(liveplot.compare_env("93_sandboxed"), liveplot.compare_window("93_sandboxed"))
    (trace,) = compare["content"]["data"]
    assert trace["name"] == "erin" and trace["y"] == pytest.approx([y for _, y in final.history["loss"]])


def test_publish_without_a_server_says_so(plot_context):
    course.start("92_no_server")
    plot_context.setenv("COURSE_STUDENT", "finn")
    plot = train_linear(steps=3)
    assert liveplot.publish(plot.record()) is False


def test_student_at_work_adds_nothing_to_the_comparison(visdom_server, plot_context):
    use_server(plot_context, visdom_server)
    course.start("94_no_compare")
    train_linear(steps=4)
    assert "compare.94_no_compare" not in visdom_server.client().get_env_list()


def test_nothing_fails_when_the_server_dies_mid_run(own_visdom_server, plot_context):
    from course import dashboard

    use_server(plot_context, own_visdom_server)
    plot_context.setattr(liveplot, "SEND_SECONDS", 0.0)
    course.start("93_dies")
    plot = course.LivePlot("server dies", xlabel="step", ylabel="loss")
    for step in range(5):
        plot.add(step, loss=5.0 - step)
    assert plot.backend == "visdom"
    assert len(own_visdom_server.window("93_dies", plot.win)["content"]["data"][0]["x"]) == 5
    dashboard.stop(own_visdom_server.proc)
    for step in range(5, 10):
        plot.add(step, loss=5.0 - step)
    plot.add_epoch(1, accuracy=0.5)
    plot.done()
    assert plot.backend == "matplotlib"
    assert [x for x, _ in plot.history["loss"]] == list(range(10))
    assert plot.figure is not None, "the fall-back should have drawn the curves"


def test_a_hung_server_costs_one_timeout_then_falls_back(plot_context, monkeypatch):
    """Something listens on the port but never answers: no hang, matplotlib takes over."""
    monkeypatch.setattr(liveplot, "HTTP_TIMEOUT", 0.5)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        monkeypatch.setenv("VISDOM_SERVER", "127.0.0.1")
        monkeypatch.setenv("VISDOM_PORT", str(listener.getsockname()[1]))
        plot = course.LivePlot("hung server")
        plot.add(0, loss=1.0)
        plot.done()
        assert plot.backend == "matplotlib"
    finally:
        stop.set()
        thread.join(2)
        for conn in accepted:
            conn.close()
        listener.close()


# --------------------------------------------------------------------------- no server
def test_the_same_training_falls_back_to_matplotlib(plot_context):
    course.start("92_offline")
    plot = train_linear(steps=30, epochs_every=10)
    assert plot.backend == "matplotlib"
    assert len(plot.history["loss"]) == 30 and len(plot.history["accuracy"]) == 3
    fig = plot.figure
    assert fig is not None and len(fig.axes) == 2, "loss per step and accuracy per epoch: two panels"
    steps_ax, epochs_ax = fig.axes
    assert steps_ax.get_xlabel() == "step" and steps_ax.get_ylabel() == "MSE loss"
    assert epochs_ax.get_xlabel() == "epoch" and epochs_ax.get_ylabel() == "accuracy"
    assert fig._suptitle.get_text() == "linear model, SGD lr=0.05"
    (loss_line,) = steps_ax.get_lines()
    assert list(loss_line.get_xdata()) == list(range(30))
    assert list(loss_line.get_ydata()) == pytest.approx([y for _, y in plot.history["loss"]])
    (acc_line,) = epochs_ax.get_lines()
    assert list(acc_line.get_xdata()) == [1, 2, 3]


def test_matplotlib_fallback_single_panel_and_legacy_calls(plot_context):
    plot_context.setenv("COURSE_NO_VISDOM", "1")
    plot = course.LivePlot("legacy", xlabel="epoch", ylabel="value")
    for epoch in range(4):
        plot.add(epoch, loss=1.0 / (epoch + 1), accuracy=0.25 * epoch)  # the original API, one axis
    plot.add(4, loss=float("nan"))  # a diverged run must not break the drawing
    plot.done()
    assert plot.backend == "matplotlib"
    assert plot.history["accuracy"] == [(0, 0.0), (1, 0.25), (2, 0.5), (3, 0.75)]
    assert plot.last("accuracy") == 0.75 and math.isnan(plot.last())
    (ax,) = plot.figure.axes
    assert {line.get_label() for line in ax.get_lines()} == {"loss", "accuracy"}
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "value")


def test_fallback_figure_redraws_at_most_once_a_second(plot_context, monkeypatch):
    import matplotlib.figure

    draws = []
    original = matplotlib.figure.Figure.tight_layout
    monkeypatch.setattr(matplotlib.figure.Figure, "tight_layout",
                        lambda self, *a, **k: (draws.append(1), original(self, *a, **k)))
    now = [100.0]
    monkeypatch.setattr(liveplot.time, "monotonic", lambda: now[0])
    plot = course.LivePlot("throttle")
    for step in range(50):  # time stands still: one draw only
        plot.add(step, loss=1.0)
    assert len(draws) == 1
    now[0] += 1.5
    plot.add(50, loss=1.0)
    assert len(draws) == 2
    plot.done()  # the final state is always drawn
    assert len(draws) == 3
    assert len(plot.figure.axes[0].get_lines()[0].get_xdata()) == 51


def test_context_names(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_STUDENT", raising=False)
    monkeypatch.setattr(context, "_lecture", "03_back_propagation")
    monkeypatch.chdir(tmp_path)
    assert context.student() is None and context.visdom_env() == "03_back_propagation"
    monkeypatch.setenv("COURSE_STUDENT", "li wei/2")
    assert context.visdom_env() == "li_wei_2.03_back_propagation", "env names become safe file names"
    monkeypatch.setenv("COURSE_STUDENT", "  ")
    assert context.student() is None
    monkeypatch.setattr(context, "_lecture", None)
    folder = tmp_path / "autograded" / "ada" / "05_logistic_regression"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    assert context.lecture() == "05_logistic_regression" and context.student() == "ada"
    assert liveplot.compare_env() == "compare.05_logistic_regression"


def test_doc_example_runs_without_a_server(plot_context):
    import doctest

    result = doctest.testmod(liveplot, raise_on_error=False)
    assert result.failed == 0 and result.attempted >= 3
