"""Live training curves: visdom when a server answers, an inline matplotlib figure otherwise.

>>> import course
>>> plot = course.LivePlot("SGD, lr=0.01", xlabel="step", ylabel="loss")
>>> for step in range(3):
...     plot.add(step, loss=1.0 / (step + 1))
>>> plot.history["loss"]
[(0, 1.0), (1, 0.5), (2, 0.3333333333333333)]
>>> plot.done()

A training loop calls ``add`` every step or epoch with one or more named series; each
``LivePlot`` is one window (one training run).  Nothing here ever fails a notebook:
with no server, or a server that stops answering, it draws with matplotlib instead.
"""
from __future__ import annotations

import math
import os
import socket
import time

from . import context

HOST_VAR, PORT_VAR = "VISDOM_SERVER", "VISDOM_PORT"
REDRAW_SECONDS = 1.0  # inline figures redraw at most once a second


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


def _visdom_client():
    if os.environ.get("COURSE_NO_VISDOM") or not server_answers():
        return None
    try:
        import visdom

        host, port = visdom_address()
        client = visdom.Visdom(server=f"http://{host}", port=port, env=context.visdom_env(),
                               raise_exceptions=True, use_incoming_socket=False)
        return client if client.check_connection(timeout_seconds=2) else None
    except Exception:
        return None


class LivePlot:
    """One training run's curves, drawn live.  See the module doc for an example."""

    def __init__(self, title: str, xlabel: str = "step", ylabel: str = "loss"):
        self.title, self.xlabel, self.ylabel = title, xlabel, ylabel
        self.history: dict[str, list[tuple[float, float]]] = {}
        self.env = context.visdom_env()
        self.win = f"{context.lecture()}: {title}"
        self._vis = _visdom_client()
        self._handle = None
        self._fig = None
        self._last_draw = 0.0

    @property
    def backend(self) -> str:
        return "visdom" if self._vis is not None else "matplotlib"

    def add(self, x: float, **series: float) -> None:
        """Append one point to each named series, e.g. ``plot.add(step, loss=loss.item())``."""
        for name, y in series.items():
            y = float(y)  # also turns a 0-d tensor into a number, so no graph is kept alive
            self.history.setdefault(name, []).append((x, y))
            if self._vis is not None:
                self._send(x, name, y)
        if self._vis is None:
            self._draw_inline(force=False)

    def _send(self, x: float, name: str, y: float) -> None:
        first = len(self.history[name]) == 1
        try:
            self._vis.line(
                X=[x], Y=[y], win=self.win, env=self.env, name=name,
                update=None if first and len(self.history) == 1 else "append",
                opts=dict(title=self.title, xlabel=self.xlabel, ylabel=self.ylabel, showlegend=True),
            )
        except Exception:  # the server went away: keep going inline
            self._vis = None

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
        if self._fig is None:
            self._fig, self._ax = plt.subplots(figsize=(6, 3.5))
            plt.close(self._fig)  # we display it ourselves, not at the cell's end
        ax = self._ax
        ax.clear()
        for name, points in self.history.items():
            xs, ys = zip(*points)
            ax.plot(xs, ys, label=name)
        ax.set(title=self.title, xlabel=self.xlabel, ylabel=self.ylabel)
        if any(math.isfinite(y) and y > 0 for pts in self.history.values() for _, y in pts):
            ax.legend(loc="best")
        if not _in_notebook():
            return
        if self._handle is None:
            self._handle = display(self._fig, display_id=True)
        else:
            self._handle.update(self._fig)

    def done(self) -> None:
        """Draw the final state (call after the loop)."""
        if self._vis is None:
            self._draw_inline(force=True)

    def last(self, name: str = "loss") -> float:
        """The last value of series ``name``."""
        return self.history[name][-1][1]


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython

        shell = get_ipython()
        return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"
    except Exception:
        return False
