"""The course's one CUDA switch.

Every exercise asks ``course.device()`` for the device to use.  The choice comes
from the environment variable ``COURSE_DEVICE`` (or ``course.use_device`` in a
notebook):

* ``cpu``  (the default, so that grades repeat on every machine)
* ``cuda`` (fails loudly when no GPU is visible: never a silent fall-back)
* ``auto`` (``cuda`` when a GPU is visible, else ``cpu``)

>>> import course
>>> course.use_device("cpu")
device(type='cpu')
>>> course.device()
device(type='cpu')
"""
from __future__ import annotations

import os

import torch

ENV_VAR = "COURSE_DEVICE"
CHOICES = ("cpu", "cuda", "auto")

_override: str | None = None


class DeviceError(RuntimeError):
    """The requested device cannot be used on this machine."""


def _resolve(choice: str) -> torch.device:
    choice = choice.strip().lower()
    if choice not in CHOICES:
        raise DeviceError(
            f"{ENV_VAR}={choice!r} is not one of {', '.join(CHOICES)}. "
            f"Set it to 'cpu' (default), 'cuda' or 'auto'."
        )
    if choice == "cpu":
        return torch.device("cpu")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if choice == "auto":
        return torch.device("cpu")
    raise DeviceError(
        f"{ENV_VAR}=cuda asks for the GPU, but torch sees none "
        f"(torch.cuda.is_available() is False; torch {torch.__version__}). "
        f"Run on the CPU with {ENV_VAR}=cpu, or let the course choose with {ENV_VAR}=auto."
    )


def use_device(choice: str) -> torch.device:
    """Choose the device for the rest of this kernel; returns it (errors like ``device()``)."""
    global _override
    dev = _resolve(choice)
    _override = choice
    return dev


def device() -> torch.device:
    """The ``torch.device`` every exercise puts its model and batches on."""
    choice = _override if _override is not None else os.environ.get(ENV_VAR, "cpu")
    return _resolve(choice or "cpu")
