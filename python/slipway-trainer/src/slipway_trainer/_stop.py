"""SIGTERM: the worker's request to stop (cancellation or heartbeat timeout), followed by SIGKILL after a grace
period (30 s unless the worker configuration says otherwise). A trainer uses the grace period to write a last
checkpoint, so the retry resumes from it.

Two ways to use it, mixable:

- poll: read :attr:`TrainerRun.stopping` between steps; once it is true, checkpoint and return from ``main``;
- callback: :meth:`TrainerRun.on_stop` registers a function that runs (in the main thread) when SIGTERM arrives,
  after which the process exits with :data:`EXIT_STOPPED`.

A trainer that does neither is ended at once by SIGTERM, with :data:`EXIT_STOPPED`, as without this package.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import traceback
from types import FrameType
from typing import Callable

EXIT_STOPPED = 128 + signal.SIGTERM
"""The exit code of a trainer that stopped because the worker asked it to (128 + SIGTERM, the shell's convention)."""


class StopState:
    """Whether SIGTERM has arrived, the callbacks to run when it does, and whether the trainer polls for it."""

    def __init__(self) -> None:
        self._requested = threading.Event()
        self._callbacks: list[Callable[[], object]] = []
        self.polled = False

    @property
    def requested(self) -> bool:
        """True once SIGTERM has arrived."""
        return self._requested.is_set()

    def add(self, callback: Callable[[], object]) -> None:
        """Registers a callback; callbacks run once each, in the order they were registered."""
        self._callbacks.append(callback)

    def install(self) -> bool:
        """Installs the SIGTERM handler; returns False (and installs nothing) outside the main thread, where Python
        cannot install signal handlers."""
        if threading.current_thread() is not threading.main_thread():
            return False
        signal.signal(signal.SIGTERM, self._on_sigterm)
        return True

    def _on_sigterm(self, _signum: int, _frame: FrameType | None) -> None:
        if self._requested.is_set():
            return  # a second SIGTERM changes nothing: the first one's work is under way
        self._requested.set()
        callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # noqa: BLE001 - one failing callback must not keep the others from running
                sys.stderr.write("slipway-trainer: a stop callback failed:\n" + traceback.format_exc())
        if callbacks or not self.polled:
            exit_stopped()


def exit_stopped() -> None:
    """Ends the process with :data:`EXIT_STOPPED`, after flushing what was printed."""
    try:
        sys.stdout.flush()
        sys.stderr.write("slipway-trainer: stopped on SIGTERM\n")
        sys.stderr.flush()
    finally:
        os._exit(EXIT_STOPPED)
