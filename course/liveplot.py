"""Live training curves: visdom when a server answers, an inline matplotlib figure otherwise.

>>> import course
>>> plot = course.LivePlot("SGD, lr=0.01", xlabel="step", ylabel="loss")
>>> for step in range(3):
...     plot.add(step, loss=1.0 / (step + 1))
>>> plot.history["loss"]
[(0, 1.0), (1, 0.5), (2, 0.3333333333333333)]
>>> plot.done()

Each ``LivePlot`` is one window: one training run.  ``add(step, loss=...)`` draws the per-step
series (any names, one trace each) against ``xlabel``/``ylabel``; ``add_epoch(epoch,
accuracy=...)`` draws per-epoch series in a second panel of the same window (x: ``epoch_label``,
y: ``epoch_ylabel``)::

    plot = course.LivePlot("MNIST, SGD lr=0.01", xlabel="step", ylabel="cross-entropy loss")
    for epoch in range(1, epochs + 1):
        for x, y in loader:
            ...
            plot.add(step, loss=loss.item())
        plot.add_epoch(epoch, accuracy=test_accuracy(model))
    plot.done()

Where it draws:

* a student at work: visdom env ``<lecture>`` (the name given to ``course.start``);
* while the instructor autogrades (``COURSE_STUDENT`` set, or run inside
  ``autograded/<student>/<lecture>/``): env ``<student>.<lecture>``; and on ``done()`` the run's
  loss curve also goes, as a trace named after the student, to the lecture's one comparison
  window in env ``compare.<lecture>``, so every student's final curve lies on one plot;
* no server (or ``COURSE_NO_VISDOM=1``): an inline matplotlib figure, redrawn at most once a second.

The server is ``localhost:8097`` unless ``VISDOM_SERVER``/``VISDOM_PORT`` say otherwise.  Nothing
here ever fails a notebook: a server that stops answering mid-run just hands over to matplotlib.
"""
from __future__ import annotations

import itertools
import json
import logging
import math
import os
import socket
import time
import warnings
from pathlib import Path

from . import context

HOST_VAR, PORT_VAR = "VISDOM_SERVER", "VISDOM_PORT"
REDRAW_SECONDS = 1.0  # inline figures redraw at most once a second
SEND_SECONDS = 0.5  # visdom gets the new points at most twice a second (and on done())
HTTP_TIMEOUT = 5.0  # a server that hangs costs at most this, once: then matplotlib takes over
COMPARE_PREFIX = "compare."
# A sandboxed grading kernel has no network: it saves each run here and the grader, outside the
# sandbox, draws the saved runs on the server (``publish``).
CURVES_VAR = "COURSE_CURVES_DIR"
SAVE_SECONDS = 2.0
_run_numbers = itertools.count(1)


def visdom_address() -> tuple[str, int]:
    host = os.environ.get(HOST_VAR, "localhost")
    host = host.split("://", 1)[-1]
    return host, int(os.environ.get(PORT_VAR, "8097"))


def server_answers(timeout: float = 0.3) -> bool:
    """True when something listens on the visdom address (a cheap check before importing visdom)."""
    host, port = visdom_address()
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def compare_env(lecture: str | None = None) -> str:
    """The env that holds the lecture's comparison window: ``compare.<lecture>``."""
    return context._clean(COMPARE_PREFIX + (lecture or context.lecture()))


def compare_window(lecture: str | None = None) -> str:
    """The id of the lecture's comparison window (one per lecture)."""
    return f"{lecture or context.lecture()}: every student's training loss"


def _visdom_client(env: str):
    if os.environ.get("COURSE_NO_VISDOM") or not server_answers():
        return None
    try:
        import visdom

        class _Client(visdom.Visdom):
            def _handle_post(self, url, data=None):  # visdom posts with no timeout: a hung server would hang us
                response = self.session.post(url, data=data if data is not None else {}, timeout=HTTP_TIMEOUT)
                return response.text

        host, port = visdom_address()
        logger = logging.getLogger("visdom")
        level = logger.level
        logger.setLevel(logging.ERROR)  # no "Setting up a new session..." in every notebook
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # visdom's own DeprecationWarning (logger.warn)
                client = _Client(server=f"http://{host}", port=port, env=env,
                                 raise_exceptions=True, use_incoming_socket=False)
        finally:
            logger.setLevel(level)
        return client if client.check_connection(timeout_seconds=0) else None
    except Exception:
        return None


def _axis(title: str, **extra) -> dict:
    return {"title": {"text": title}, **extra}


def _trace(name: str, xs: list, ys: list, panel: int) -> dict:
    trace = {"x": list(xs), "y": [None if not math.isfinite(y) else y for y in ys], "name": name,
             "type": "scatter", "mode": "lines+markers" if panel == 2 else "lines"}
    if panel == 2:
        trace.update(xaxis="x2", yaxis="y2")
    return trace


class LivePlot:
    """One training run's curves, drawn live.  See the module doc for an example."""

    def __init__(self, title: str, xlabel: str = "step", ylabel: str = "loss", *,
                 epoch_label: str = "epoch", epoch_ylabel: str = "accuracy"):
        self.title, self.xlabel, self.ylabel = title, xlabel, ylabel
        self.epoch_label, self.epoch_ylabel = epoch_label, epoch_ylabel
        self.history: dict[str, list[tuple[float, float]]] = {}
        self.panel: dict[str, int] = {}  # series name -> 1 (per step) or 2 (per epoch)
        self.lecture = context.lecture()
        self.student = context.student()
        self.env = context.visdom_env()
        self.win = f"{self.lecture}: {title}"
        self._vis = _visdom_client(self.env)
        self._pending: dict[str, list[tuple[float, float]]] = {}
        self._drawn_layout: bool | None = None  # the visdom window's two-panel state, None: not drawn
        self._last_send = 0.0
        self._handle = None
        self._fig = None
        self._last_draw = 0.0
        self._run = next(_run_numbers)
        self._last_save = 0.0

    @property
    def backend(self) -> str:
        return "visdom" if self._vis is not None else "matplotlib"

    # ------------------------------------------------------------------ recording
    def add(self, x: float, **series: float) -> None:
        """Append one point to each named per-step series, e.g. ``plot.add(step, loss=loss.item())``."""
        self._record(1, x, series)

    def add_epoch(self, epoch: float, **series: float) -> None:
        """Append one point to each named per-epoch series, e.g. ``plot.add_epoch(epoch, accuracy=acc)``."""
        self._record(2, epoch, series)

    def _record(self, panel: int, x: float, series: dict) -> None:
        x = x if isinstance(x, int) else float(x.detach() if hasattr(x, "detach") else x)
        for name, y in series.items():
            y = float(y.detach() if hasattr(y, "detach") else y)  # also turns a 0-d tensor into a number, so no graph is kept alive
            self.panel.setdefault(name, panel)
            self.history.setdefault(name, []).append((x, y))
            self._pending.setdefault(name, []).append((x, y))
        if self._vis is not None:
            now = time.monotonic()
            if self._drawn_layout is None or now - self._last_send >= SEND_SECONDS:
                self._flush()
        if self._vis is None:
            self._draw_inline(force=False)
        self._save(force=False)

    def last(self, name: str = "loss") -> float:
        """The last value of series ``name``."""
        return self.history[name][-1][1]

    def done(self) -> None:
        """Draw the final state (call after the loop); while grading, add the curve to the comparison."""
        if self._vis is not None:
            self._flush(full=True)
            if self.student and self._vis is not None:
                self._send_comparison()
        if self._vis is None:
            self._draw_inline(force=True)
        self._save(force=True)

    # ------------------------------------------------------------------ saved runs (sandboxed grading)
    def record(self) -> dict:
        """Everything needed to draw this run again elsewhere (see ``publish``)."""
        return {"title": self.title, "xlabel": self.xlabel, "ylabel": self.ylabel,
                "epoch_label": self.epoch_label, "epoch_ylabel": self.epoch_ylabel,
                "lecture": self.lecture, "student": self.student, "env": self.env, "run": self._run,
                "history": self.history, "panel": self.panel}

    def _save(self, force: bool) -> None:
        folder = os.environ.get(CURVES_VAR)
        now = time.monotonic()
        if not folder or not self.student or (not force and now - self._last_save < SAVE_SECONDS):
            return
        self._last_save = now
        try:  # never fail a notebook over a dashboard
            path = Path(folder) / f"run-{self._run:03d}.json"
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.record()))
            os.replace(tmp, path)
        except Exception:
            pass

    # ------------------------------------------------------------------ visdom
    def _two_panels(self) -> bool:
        return 2 in self.panel.values()

    def _layout(self) -> dict:
        layout = {"title": {"text": self.title}, "showlegend": True,
                  "margin": {"l": 60, "r": 30, "t": 50, "b": 50},
                  "xaxis": _axis(self.xlabel), "yaxis": _axis(self.ylabel)}
        if self._two_panels():
            layout["xaxis"]["domain"] = [0.0, 0.55]
            layout["xaxis2"] = _axis(self.epoch_label, domain=[0.68, 1.0], anchor="y2")
            layout["yaxis2"] = _axis(self.epoch_ylabel, anchor="x2")
            layout["legend"] = {"orientation": "h", "y": -0.2}
        return layout

    def _opts(self) -> dict:
        return {"title": self.title, "width": 760 if self._two_panels() else 520, "height": 380}

    def _flush(self, full: bool = False) -> None:
        """Send what visdom has not seen: the whole window at first or on a layout change, else appends."""
        self._last_send = time.monotonic()
        try:
            if full or self._drawn_layout != self._two_panels():
                traces = [_trace(n, [p[0] for p in pts], [p[1] for p in pts], self.panel[n])
                          for n, pts in self.history.items()]
                self._vis._send({"data": traces, "win": self.win, "eid": self.env,
                                 "layout": self._layout(), "opts": self._opts()}, endpoint="events")
                self._drawn_layout = self._two_panels()
            else:
                for name, pts in self._pending.items():
                    trace = _trace(name, [p[0] for p in pts], [p[1] for p in pts], self.panel[name])
                    self._vis._send({"data": [trace], "win": self.win, "eid": self.env, "name": name,
                                     "append": True, "layout": {}, "opts": {}}, endpoint="update")
            self._pending.clear()
        except Exception:  # the server went away or hangs: keep going inline
            self._vis = None

    def _comparison_series(self) -> str | None:
        steps = [n for n, p in self.panel.items() if p == 1]
        if not steps:
            return None
        return "loss" if "loss" in steps else steps[0]

    def _send_comparison(self) -> None:
        """Put this run's loss curve, named after the student, on the lecture's comparison window."""
        series = self._comparison_series()
        if series is None:
            return
        pts = self.history[series]
        trace = _trace(self.student, [p[0] for p in pts], [p[1] for p in pts], 1)
        env, win = compare_env(self.lecture), compare_window(self.lecture)
        layout = {"title": {"text": f"{self.lecture}: {series} of each student's last training run"},
                  "showlegend": True, "margin": {"l": 60, "r": 30, "t": 50, "b": 50},
                  "xaxis": _axis(self.xlabel), "yaxis": _axis(self.ylabel)}
        try:
            self._vis._send({"eid": env}, endpoint=f"env/{env}")  # creates the env when missing
            exists = self._vis._send({"win": win, "eid": env}, endpoint="win_exists") == "true"
            # append=True creates the window when missing; append=False replaces the student's trace
            # (a student graded again, or a lecture's later run, replaces rather than extends the curve)
            self._vis._send({"data": [trace], "win": win, "eid": env, "name": self.student,
                             "append": not exists, "layout": layout,
                             "opts": {"title": f"{self.lecture}: every student", "width": 620, "height": 420}},
                            endpoint="update")
        except Exception:
            self._vis = None

    # ------------------------------------------------------------------ matplotlib
    def _draw_inline(self, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._last_draw < REDRAW_SECONDS:
            return
        self._last_draw = now
        try:
            import matplotlib

            if not _in_notebook():
                matplotlib.use("Agg", force=False)
            import matplotlib.pyplot as plt
            from IPython.display import display
        except Exception:
            return
        try:
            two = self._two_panels()
            if self._fig is None or len(self._fig.axes) != (2 if two else 1):
                self._fig, axes = plt.subplots(1, 2 if two else 1, figsize=(10 if two else 6, 3.5),
                                               squeeze=False)
                plt.close(self._fig)  # we display it ourselves, not at the cell's end
            axes = self._fig.axes
            for ax in axes:
                ax.clear()
            self._fig.suptitle(self.title)
            axes[0].set(xlabel=self.xlabel, ylabel=self.ylabel)
            if two:
                axes[1].set(xlabel=self.epoch_label, ylabel=self.epoch_ylabel)
            for name, points in self.history.items():
                xs, ys = zip(*points)
                panel = self.panel[name]
                axes[panel - 1].plot(xs, ys, label=name, marker="o" if panel == 2 else None)
            for ax in axes:
                if ax.lines:
                    ax.legend(loc="best")
            self._fig.tight_layout()
        except Exception:
            return
        if not _in_notebook():
            return
        if self._handle is None:
            self._handle = display(self._fig, display_id=True)
        else:
            self._handle.update(self._fig)

    @property
    def figure(self):
        """The matplotlib figure of the fall-back (None until it has drawn)."""
        return self._fig


def publish(record: dict) -> bool:
    """Draw a run saved by a sandboxed kernel (``LivePlot.record``) on the visdom server.

    The grader calls this outside the sandbox, in the order the runs were made, so the student's
    last run is the one left on the comparison window.  Returns False when no server answers.
    """
    plot = LivePlot.__new__(LivePlot)
    plot.title, plot.xlabel, plot.ylabel = record["title"], record["xlabel"], record["ylabel"]
    plot.epoch_label, plot.epoch_ylabel = record["epoch_label"], record["epoch_ylabel"]
    plot.lecture, plot.student, plot.env = record["lecture"], record["student"], record["env"]
    plot.history = {name: [tuple(p) for p in pts] for name, pts in record["history"].items()}
    plot.panel = dict(record["panel"])
    plot.win = f"{plot.lecture}: {plot.title}"
    plot._pending, plot._drawn_layout, plot._last_send = {}, None, 0.0
    plot._vis = _visdom_client(plot.env)
    if plot._vis is None:
        return False
    plot._flush(full=True)
    if plot.student and plot._vis is not None:
        plot._send_comparison()
    return plot._vis is not None


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"
    except Exception:
        return False
