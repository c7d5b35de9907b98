"""slipway-trainer: write Slipway trainers in Python.

A trainer is a program the Slipway worker starts for one attempt of a train step (trainer protocol 1). It reads its
input with :func:`start` (or, better, wraps its ``main`` in :func:`run`), trains on :meth:`TrainerRun.train_frame`,
reports progress and checkpoints as JSON lines on stdout, and ends with :meth:`TrainerRun.finish`, which writes
``result.json``. :mod:`slipway_trainer.onnx` exports scikit-learn pipelines to ONNX.
"""

from ._errors import TrainerError
from ._input import PROTOCOL, Features, Resume, Split, Task
from ._lines import Level
from ._run import INPUT_ENV, ModelFormat, Port, Signature, TrainerRun, ValueType, fail, run, start
from ._stop import EXIT_STOPPED
from ._watch import EXIT_ORPHANED

__version__ = "0.1.0"

__all__ = [
    "EXIT_ORPHANED",
    "EXIT_STOPPED",
    "INPUT_ENV",
    "PROTOCOL",
    "Features",
    "Level",
    "ModelFormat",
    "Port",
    "Resume",
    "Signature",
    "Split",
    "Task",
    "TrainerError",
    "TrainerRun",
    "ValueType",
    "fail",
    "run",
    "start",
]
