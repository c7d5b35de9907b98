"""Protocol lines on stdout: one JSON object per line, flushed, never interleaved between threads."""

from __future__ import annotations

import json
import math
import sys
import threading
from typing import Any, Literal, Mapping

from ._errors import TrainerError

Level = Literal["debug", "info", "warn", "error"]
LEVELS = ("debug", "info", "warn", "error")

# Reentrant: a SIGTERM callback (see _stop) runs in the main thread and may print while it holds the lock.
_lock = threading.RLock()


def emit(line: Mapping[str, Any]) -> None:
    """Prints one JSON object as one line on stdout and flushes."""
    text = json.dumps(line, allow_nan=False, separators=(",", ":"))
    with _lock:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def count(value: object, what: str) -> int:
    """An integer >= 0 (a step or an epoch); numpy integers are accepted, booleans and floats are not."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TrainerError(f"{what} must be an integer >= 0, got {value!r}")
    number = int(value.__index__())
    if number < 0:
        raise TrainerError(f"{what} must be an integer >= 0, got {number}")
    return number


def finite(metrics: Mapping[str, object], what: str) -> dict[str, float]:
    """Metrics as plain floats; a metric that is not a finite real number is refused, naming it."""
    out: dict[str, float] = {}
    for name, value in metrics.items():
        if not isinstance(name, str) or name == "":
            raise TrainerError(f"{what}: a metric name must be a non-empty string, got {name!r}")
        if isinstance(value, bool):
            raise TrainerError(f"{what}: metric {name!r} must be a finite number, got {value!r}")
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise TrainerError(f"{what}: metric {name!r} must be a finite number, got {value!r}") from None
        if not math.isfinite(number):
            raise TrainerError(f"{what}: metric {name!r} must be a finite number, got {number}")
        out[name] = number
    return out
