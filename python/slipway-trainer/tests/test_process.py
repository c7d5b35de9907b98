"""The process: exit codes (0, 2 final, 1 retryable) and the stdin watcher, in real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import IO

import pytest

from slipway_trainer import EXIT_ORPHANED, INPUT_ENV

from .conftest import MakeInput

WAIT_S = 60  # a bound on a hang, not a synchronisation


def trainer_process(
    work_dir: Path, body: str, stdout: IO[str] | int = subprocess.PIPE, stderr: IO[str] | int = subprocess.PIPE
) -> subprocess.Popen[str]:
    """Starts ``python -c`` with the trainer body as the worker would: cwd the working dir, stdin a pipe."""
    script = "import slipway_trainer as st\n" + textwrap.dedent(body)
    return subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=work_dir,
        env={**os.environ, INPUT_ENV: str(work_dir / "input.json")},
        stdin=subprocess.PIPE,
        stdout=stdout,
        stderr=stderr,
        text=True,
    )


def finish_run(work_dir: Path, body: str) -> subprocess.CompletedProcess[str]:
    """Runs a trainer to its end with stdin kept open all along, as the worker keeps it."""
    out_path, err_path = work_dir.parent / "stdout", work_dir.parent / "stderr"
    with out_path.open("w") as out, err_path.open("w") as err:
        child = trainer_process(work_dir, body, out, err)
        try:
            code = child.wait(timeout=WAIT_S)
        finally:
            assert child.stdin is not None
            child.stdin.close()
    return subprocess.CompletedProcess(child.args, code, out_path.read_text(), err_path.read_text())


@pytest.fixture(autouse=True)
def _input(make_input: MakeInput) -> None:
    make_input()


def test_a_trainer_that_finishes_exits_0_with_its_lines_and_result(work_dir: Path) -> None:
    done = finish_run(
        work_dir,
        """
        def main(t):
            t.report(0, epoch=0, loss=0.5)
            (t.output_dir / "model.json").write_text("{}")
            t.finish("model.json", "slipway-json",
                     {"inputs": [{"name": "plan", "type": "string"}], "outputs": [{"name": "score", "type": "float"}]},
                     {"rows": len(t.train_frame())})
        st.run(main)
        """,
    )
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == [
        {"type": "progress", "step": 0, "epoch": 0, "metrics": {"loss": 0.5}}
    ]
    assert json.loads((work_dir / "out" / "result.json").read_text())["metrics"] == {"rows": 40.0}


def test_fail_exits_2_with_the_message_on_stderr(work_dir: Path) -> None:
    done = finish_run(
        work_dir,
        """
        def main(t):
            t.log("checking params")
            st.fail(f"max_depth must be at most 2, got {t.params['max_depth']}")
        st.run(main)
        """,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == "max_depth must be at most 2, got 3"
    assert json.loads(done.stdout) == {"type": "log", "level": "info", "message": "checking params"}


def test_an_uncaught_exception_exits_1_with_the_traceback(work_dir: Path) -> None:
    done = finish_run(
        work_dir,
        """
        def main(t):
            raise RuntimeError("the GPU fell over")
        st.run(main)
        """,
    )
    assert done.returncode == 1
    assert "Traceback (most recent call last):" in done.stderr
    assert done.stderr.strip().splitlines()[-1] == "RuntimeError: the GPU fell over"


def test_an_invalid_input_exits_2_naming_the_field(work_dir: Path) -> None:
    doc = json.loads((work_dir / "input.json").read_text())
    doc["task"] = "ranking"
    (work_dir / "input.json").write_text(json.dumps(doc))
    done = finish_run(work_dir, "st.run(lambda t: None)")
    assert done.returncode == 2
    assert 'field "task": expected one of binary, multiclass, regression, got "ranking"' in done.stderr


def test_a_split_that_is_not_the_pinned_one_exits_1(work_dir: Path) -> None:
    train = work_dir / "splits" / "train.csv"
    train.write_text(train.read_text() + "1,2,basic,0\n")
    done = finish_run(work_dir, "st.run(lambda t: t.train_frame())")
    assert done.returncode == 1
    assert "TrainerError: split train:" in done.stderr
    assert "the file is not the pinned split" in done.stderr


def test_returning_without_finish_exits_2(work_dir: Path) -> None:
    done = finish_run(work_dir, "st.run(lambda t: t.train_frame())")
    assert done.returncode == 2
    assert "returned without calling finish()" in done.stderr
    assert not (work_dir / "out" / "result.json").exists()


def test_the_trainer_exits_when_its_stdin_closes(work_dir: Path) -> None:
    child = trainer_process(
        work_dir,
        """
        import threading
        t = st.start()
        t.log("ready")
        threading.Event().wait()  # trains forever
        """,
    )
    assert child.stdout is not None and child.stdin is not None
    assert json.loads(child.stdout.readline()) == {"type": "log", "level": "info", "message": "ready"}
    child.stdin.close()  # the worker died
    assert child.wait(timeout=WAIT_S) == EXIT_ORPHANED
    assert "stdin closed (the worker is gone)" in (child.stderr.read() if child.stderr else "")


def test_without_the_watcher_a_closed_stdin_does_not_end_the_trainer(work_dir: Path) -> None:
    child = trainer_process(
        work_dir,
        """
        import sys
        t = st.start(watch_stdin=False)
        t.log("ready")
        sys.stdin.read()  # returns at end of file
        t.log("still here")
        """,
    )
    assert child.stdout is not None and child.stdin is not None
    assert json.loads(child.stdout.readline())["message"] == "ready"
    child.stdin.close()
    assert json.loads(child.stdout.readline())["message"] == "still here"
    assert child.wait(timeout=WAIT_S) == 0
