"""Helpers for the PyTorch course notebooks: device, fast mode, data, live plots, seeds.

A lecture starts with::

    import course
    DEVICE = course.start("01_linear_model")   # seeds, prints device and mode

and then uses ``course.device()``, ``course.pick(fast=..., full=...)``,
``course.datasets``, ``course.LivePlot``, ``course.progress`` and ``course.report``.
No reference solution lives in this package.
"""
from . import datasets
from .context import lecture, start
from .devices import DeviceError, device, use_device
from .liveplot import LivePlot
from .metrics import report
from .modes import is_fast, pick
from .progress import progress
from .seeding import seed_everything

__all__ = [
    "DeviceError", "LivePlot", "datasets", "device", "is_fast", "lecture", "pick",
    "progress", "report", "seed_everything", "start", "use_device",
]
