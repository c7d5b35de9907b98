"""Protocol lines: report, checkpoint and log each print exactly one JSON line on stdout."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from slipway_trainer import TrainerError, TrainerRun, start

from .conftest import MakeInput


@pytest.fixture
def trainer(make_input: MakeInput) -> TrainerRun:
    make_input()
    return start(watch_stdin=False)


def lines(out: str) -> list[dict[str, object]]:
    assert out.endswith("\n")
    return [json.loads(line) for line in out.splitlines()]


def test_report_prints_one_progress_line(trainer: TrainerRun, capsys: pytest.CaptureFixture[str]) -> None:
    trainer.report(12, epoch=3, loss=0.41, auc=np.float32(0.75))
    trainer.report(np.int64(13))
    out = capsys.readouterr().out
    assert lines(out) == [
        {"type": "progress", "step": 12, "epoch": 3, "metrics": {"loss": 0.41, "auc": 0.75}},
        {"type": "progress", "step": 13, "metrics": {}},
    ]


@pytest.mark.parametrize(
    ("call", "problem"),
    [
        (lambda t: t.report(-1), "report: step must be an integer >= 0, got -1"),
        (lambda t: t.report(1.5), "report: step must be an integer >= 0, got 1.5"),
        (lambda t: t.report(True), "report: step must be an integer >= 0, got True"),
        (lambda t: t.report(1, epoch=-2), "report: epoch must be an integer >= 0, got -2"),
        (lambda t: t.report(1, loss=math.nan), "report: metric 'loss' must be a finite number, got nan"),
        (lambda t: t.report(1, loss=math.inf), "report: metric 'loss' must be a finite number, got inf"),
        (lambda t: t.report(1, loss="low"), "report: metric 'loss' must be a finite number, got 'low'"),
        (lambda t: t.log("hi", level="fatal"), "log: level must be one of debug, info, warn, error, got 'fatal'"),
    ],
)
def test_refuses_a_bad_call_and_prints_nothing(
    trainer: TrainerRun, capsys: pytest.CaptureFixture[str], call: object, problem: str
) -> None:
    with pytest.raises(TrainerError) as caught:
        call(trainer)  # type: ignore[operator]
    assert str(caught.value) == problem
    assert capsys.readouterr().out == ""


def test_log_prints_one_log_line(trainer: TrainerRun, capsys: pytest.CaptureFixture[str]) -> None:
    trainer.log('fitting "gb"\nwith 3 trees')
    trainer.log("slow", level="warn")
    assert lines(capsys.readouterr().out) == [
        {"type": "log", "level": "info", "message": 'fitting "gb"\nwith 3 trees'},
        {"type": "log", "level": "warn", "message": "slow"},
    ]


def test_checkpoint_prints_the_path_relative_to_the_working_dir(
    trainer: TrainerRun, work_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work_dir / "ckpt").mkdir()
    (work_dir / "ckpt" / "step-12.pkl").write_bytes(b"state")
    trainer.checkpoint("ckpt/step-12.pkl", step=12)
    trainer.checkpoint(work_dir / "ckpt" / "step-12.pkl", step=12)
    assert lines(capsys.readouterr().out) == [
        {"type": "checkpoint", "path": "ckpt/step-12.pkl", "step": 12},
        {"type": "checkpoint", "path": "ckpt/step-12.pkl", "step": 12},
    ]


def test_checkpoint_refuses_a_file_that_does_not_exist_yet(
    trainer: TrainerRun, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(TrainerError, match="checkpoint: .*step-1.pkl does not exist"):
        trainer.checkpoint("ckpt/step-1.pkl", step=1)
    assert capsys.readouterr().out == ""


def test_checkpoint_refuses_a_file_outside_the_working_dir(
    trainer: TrainerRun, work_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = work_dir.parent / "elsewhere.pkl"
    outside.write_bytes(b"state")
    (work_dir / "link.pkl").symlink_to(outside)
    for path in (outside, "../elsewhere.pkl", "link.pkl"):
        with pytest.raises(TrainerError, match="is not inside the working directory"):
            trainer.checkpoint(path, step=1)
    with pytest.raises(TrainerError, match="not a regular file"):
        trainer.checkpoint(".", step=1)
    assert capsys.readouterr().out == ""
