"""input.json: what start() accepts and how it refuses the rest, naming the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slipway_trainer import INPUT_ENV, TrainerError, start

from .conftest import MakeInput


def edit(path: Path, change: Any) -> None:
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def test_reads_a_valid_input(make_input: MakeInput, work_dir: Path) -> None:
    make_input(resumeFrom={"path": str(work_dir / "resume" / "step-12.pkl"), "step": 12})
    trainer = start(watch_stdin=False)
    assert trainer.task == "binary"
    assert trainer.features.numeric == ("tenure_months", "monthly_charges")
    assert trainer.features.categorical == ("plan",)
    assert trainer.features.target == "churned"
    assert trainer.features.columns == ("tenure_months", "monthly_charges", "plan", "churned")
    assert trainer.params == {"max_depth": 3}
    assert trainer.seed == 42
    assert trainer.output_dir == work_dir / "out"
    assert trainer.resume_from is not None
    assert trainer.resume_from.step == 12
    assert trainer.resume_from.path == work_dir / "resume" / "step-12.pkl"
    assert trainer.work_dir == work_dir.resolve()


def test_params_are_a_copy(make_input: MakeInput) -> None:
    make_input()
    trainer = start(watch_stdin=False)
    trainer.params["max_depth"] = 99
    assert trainer.params == {"max_depth": 3}


def test_refuses_an_unset_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(INPUT_ENV, raising=False)
    with pytest.raises(TrainerError, match=INPUT_ENV):
        start(watch_stdin=False)


def test_refuses_a_missing_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(INPUT_ENV, str(tmp_path / "nope.json"))
    with pytest.raises(TrainerError, match="cannot read the trainer input .*nope.json"):
        start(watch_stdin=False)


def test_refuses_text_that_is_not_json(make_input: MakeInput) -> None:
    path = make_input()
    path.write_text('{"protocol": 1,\n  "task": }')
    with pytest.raises(TrainerError, match=r"input.json: not valid JSON \(line 2, column 11\)"):
        start(watch_stdin=False)


CASES = [
    ("protocol", lambda d: d.update(protocol=2), "expected 1, got 2"),
    ("protocol", lambda d: d.update(protocol=True), "expected 1, got true"),
    ("protocol", lambda d: d.update(protocol=1.0), "expected 1, got 1.0"),
    ("task", lambda d: d.update(task="ranking"), 'expected one of binary, multiclass, regression, got "ranking"'),
    ("seed", lambda d: d.pop("seed"), "missing"),
    ("seed", lambda d: d.update(seed="42"), 'expected an integer, got string "42"'),
    ("params", lambda d: d.update(params=[1]), "expected an object, got an array"),
    ("colour", lambda d: d.update(colour="blue"), "unknown field"),
    ("outputDir", lambda d: d.update(outputDir="out"), "expected an absolute path, got 'out'"),
    ("features.target", lambda d: d["features"].pop("target"), "expected a non-empty string, got null"),
    ("features.numeric[1]", lambda d: d["features"]["numeric"].__setitem__(1, 7), "expected a non-empty string"),
    ("features.weights", lambda d: d["features"].update(weights=[]), "unknown field"),
    ("features", lambda d: d["features"].update(numeric=[], categorical=[]), "no feature columns"),
    ("features", lambda d: d["features"].update(target="plan"), "column 'plan' is named twice"),
    ("splits.heldout", lambda d: d["splits"].pop("heldout"), "missing"),
    ("splits.extra", lambda d: d["splits"].update(extra={}), "unknown split"),
    ("splits.train.format", lambda d: d["splits"]["train"].update(format="tsv"), 'expected csv or parquet, got "tsv"'),
    ("splits.train.digest", lambda d: d["splits"]["train"].update(digest="sha256:ABC"), "64 lowercase hex digits"),
    ("splits.train.path", lambda d: d["splits"]["train"].update(path="splits/train.csv"), "absolute path"),
    ("splits.heldout.rows", lambda d: d["splits"]["heldout"].update(rows=-1), "integer >= 0, got -1"),
    ("resumeFrom.step", lambda d: d.update(resumeFrom={"path": "/abs/ckpt", "step": 1.5}), "expected an integer"),
    ("resumeFrom.path", lambda d: d.update(resumeFrom={"path": "ckpt", "step": 1}), "absolute path"),
]


@pytest.mark.parametrize(("field", "change", "problem"), CASES, ids=[f"{c[0]}:{c[2][:30]}" for c in CASES])
def test_refuses_an_invalid_field_naming_it(make_input: MakeInput, field: str, change: Any, problem: str) -> None:
    path = make_input()
    edit(path, change)
    with pytest.raises(TrainerError) as caught:
        start(watch_stdin=False)
    message = str(caught.value)
    assert message.startswith(f'{path}: field "{field}": ')
    assert problem in message
    assert caught.value.final is True
