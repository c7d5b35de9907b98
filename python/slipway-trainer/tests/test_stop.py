"""SIGTERM (the worker's request to stop): polling ``stopping``, ``on_stop`` callbacks, and the default."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from slipway_trainer import EXIT_STOPPED

from .conftest import MakeInput
from .test_process import WAIT_S, trainer_process


@pytest.fixture(autouse=True)
def _input(make_input: MakeInput) -> None:
    make_input()


def stop_after_ready(work_dir: Path, body: str) -> tuple[int, list[dict[str, object]], str]:
    """Starts the trainer, waits for its ``ready`` log line, sends SIGTERM; returns the exit code, the protocol
    lines after ``ready`` and stderr."""
    child = trainer_process(work_dir, body)
    assert child.stdout is not None and child.stdin is not None and child.stderr is not None
    assert json.loads(child.stdout.readline()) == {"type": "log", "level": "info", "message": "ready"}
    child.send_signal(signal.SIGTERM)
    code = child.wait(timeout=WAIT_S)
    lines = [json.loads(line) for line in child.stdout.read().splitlines()]
    stderr = child.stderr.read()
    child.stdin.close()
    return code, lines, stderr


def test_a_polling_trainer_checkpoints_and_exits_stopped(work_dir: Path) -> None:
    code, lines, stderr = stop_after_ready(
        work_dir,
        """
        import time
        def main(t):
            step = 0
            t.stopping  # polls from now on
            t.log("ready")
            while not t.stopping:
                step += 1
                time.sleep(0.01)
            (t.work_dir / "last.ckpt").write_text(str(step))
            t.checkpoint("last.ckpt", step)
        st.run(main)
        """,
    )
    assert code == EXIT_STOPPED == 143, stderr
    assert len(lines) == 1 and lines[0]["type"] == "checkpoint" and lines[0]["path"] == "last.ckpt"
    assert (work_dir / "last.ckpt").read_text() == str(lines[0]["step"])
    assert "stopped on SIGTERM" in stderr


def test_on_stop_callbacks_run_in_order_then_the_process_exits(work_dir: Path) -> None:
    code, lines, stderr = stop_after_ready(
        work_dir,
        """
        import time
        def main(t):
            def save():
                (t.work_dir / "ckpt.json").write_text("{}")
                t.checkpoint("ckpt.json", 7)
            def broken():
                raise RuntimeError("disk full")
            t.on_stop(broken)
            t.on_stop(save)
            t.log("ready")
            while True:  # trains until stopped
                time.sleep(0.01)
        st.run(main)
        """,
    )
    assert code == EXIT_STOPPED
    assert lines == [{"type": "checkpoint", "path": "ckpt.json", "step": 7}]
    assert "a stop callback failed" in stderr and "RuntimeError: disk full" in stderr


def test_a_trainer_that_neither_polls_nor_registers_is_ended_at_once(work_dir: Path) -> None:
    code, lines, _ = stop_after_ready(
        work_dir,
        """
        import time
        t = st.start()
        t.log("ready")
        while True:
            time.sleep(0.01)
        """,
    )
    assert code == EXIT_STOPPED
    assert lines == []


def test_returning_without_finish_after_stop_is_not_a_final_error(work_dir: Path) -> None:
    code, _, stderr = stop_after_ready(
        work_dir,
        """
        import time
        def main(t):
            t.stopping  # polls from now on
            t.log("ready")
            while not t.stopping:
                time.sleep(0.01)
        st.run(main)
        """,
    )
    assert code == EXIT_STOPPED  # not 2: the run is retried (or was cancelled), it did not fail for good
    assert "returned without calling finish()" not in stderr


def test_on_stop_refuses_what_is_not_a_function(work_dir: Path) -> None:
    from slipway_trainer import TrainerError, start

    t = start(watch_stdin=False)
    with pytest.raises(TrainerError, match="on_stop: expected a function, got 'save'"):
        t.on_stop("save")  # type: ignore[arg-type]
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # leave pytest's process as it was
