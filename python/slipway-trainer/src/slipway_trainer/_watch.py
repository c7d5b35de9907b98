"""The stdin watcher: the worker keeps the trainer's stdin open for its whole life; EOF means the worker is gone."""

from __future__ import annotations

import os
import sys
import threading

EXIT_ORPHANED = 3
"""The exit code when stdin closes (nobody reads it: the worker that started the trainer is gone)."""


def watch_stdin() -> threading.Thread:
    """Starts a daemon thread that reads stdin until end of file, then ends the process at once.

    Nothing is ever written to the pipe; whatever is read is discarded. ``os._exit`` is used so that no thread or
    cleanup handler keeps an orphaned trainer alive.
    """
    thread = threading.Thread(target=_watch, name="slipway-stdin-watcher", daemon=True)
    thread.start()
    return thread


def _watch() -> None:
    try:
        fd = sys.stdin.fileno() if sys.stdin is not None else 0
        while os.read(fd, 65536):
            pass
    except (OSError, ValueError):
        pass  # a closed or missing stdin is the same as end of file
    try:
        sys.stderr.write("slipway-trainer: stdin closed (the worker is gone); exiting\n")
        sys.stderr.flush()
    finally:
        os._exit(EXIT_ORPHANED)
