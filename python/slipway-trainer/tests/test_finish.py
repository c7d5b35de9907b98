"""finish(): result.json, written atomically, valid by protocol 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from slipway_trainer import Signature, TrainerError, TrainerRun, start

from .conftest import MakeInput

SIGNATURE: Signature = {
    "inputs": [{"name": "tenure_months", "type": "float"}, {"name": "plan", "type": "string"}],
    "outputs": [{"name": "label", "type": "int"}, {"name": "probabilities", "type": "float"}],
}


@pytest.fixture
def trainer(make_input: MakeInput, work_dir: Path) -> TrainerRun:
    make_input()
    (work_dir / "out" / "model.onnx").write_bytes(b"onnx bytes")
    return start(watch_stdin=False)


def test_writes_a_valid_result(trainer: TrainerRun, work_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = trainer.finish(work_dir / "out" / "model.onnx", "onnx", SIGNATURE, {"auc": 0.83, "n": 3})
    assert target == (work_dir / "out" / "result.json").resolve()
    assert json.loads(target.read_text()) == {
        "protocol": 1,
        "model": {"path": "model.onnx", "format": "onnx"},
        "signature": SIGNATURE,
        "metrics": {"auc": 0.83, "n": 3.0},
    }
    assert trainer.finished
    assert sorted(p.name for p in target.parent.iterdir()) == ["model.onnx", "result.json"]  # no temporary left
    assert capsys.readouterr().out == ""


def test_accepts_a_path_relative_to_the_output_dir(trainer: TrainerRun) -> None:
    result = json.loads(trainer.finish("model.onnx", "onnx", SIGNATURE, {}).read_text())
    assert result["model"] == {"path": "model.onnx", "format": "onnx"}


def bad_signature(change: Any) -> Any:
    signature = json.loads(json.dumps(SIGNATURE))
    change(signature)
    return signature


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("missing.onnx", "onnx", SIGNATURE, {}), "the model file .*missing.onnx does not exist"),
        (("../input.json", "onnx", SIGNATURE, {}), "is not inside the output directory"),
        ((".", "onnx", SIGNATURE, {}), "is not inside the output directory"),
        (("model.onnx", "pickle", SIGNATURE, {}), "format must be onnx or slipway-json, got 'pickle'"),
        (("model.onnx", "onnx", SIGNATURE, {"auc": float("nan")}), "metric 'auc' must be a finite number"),
        (("model.onnx", "onnx", {"inputs": []}, {}), "signature must be an object with exactly inputs and outputs"),
        (("model.onnx", "onnx", bad_signature(lambda s: s.update(outputs=[])), {}), "signature.outputs must be"),
        (
            ("model.onnx", "onnx", bad_signature(lambda s: s["inputs"][1].update(type="text")), {}),
            r"signature.inputs\[1\].type must be one of float, double, int, string, bool, got 'text'",
        ),
        (
            ("model.onnx", "onnx", bad_signature(lambda s: s["inputs"][1].update(name="tenure_months")), {}),
            r"signature.inputs\[1\].name must be a non-empty, unique string",
        ),
        (
            ("model.onnx", "onnx", bad_signature(lambda s: s["outputs"][0].update(shape=[1])), {}),
            r"signature.outputs\[0\] must be an object with exactly name and type",
        ),
    ],
)
def test_refuses_a_bad_result_and_writes_nothing(
    trainer: TrainerRun, work_dir: Path, args: tuple[Any, ...], problem: str
) -> None:
    with pytest.raises(TrainerError, match=f"finish: .*{problem}"):
        trainer.finish(*args)
    assert not (work_dir / "out" / "result.json").exists()
    assert not trainer.finished


def test_records_the_classes_in_the_order_of_the_probabilities(trainer: TrainerRun) -> None:
    import numpy as np

    result = json.loads(trainer.finish("model.onnx", "onnx", SIGNATURE, {}, classes=np.array([0, 1])).read_text())
    assert result["classes"] == [0, 1]
    result = json.loads(trainer.finish("model.onnx", "onnx", SIGNATURE, {}, classes=["stay", "leave"]).read_text())
    assert result["classes"] == ["stay", "leave"]


@pytest.mark.parametrize(
    ("classes", "problem"),
    [
        ("ab", "classes must be a list, got 'ab'"),
        ([1], "classes must name at least two classes, got 1"),
        ([0, 0], r"classes\[1\] must be a unique, non-empty string, integer or boolean, got 0"),
        (["a", 0.5], r"classes\[1\] must be a unique, non-empty string, integer or boolean, got 0.5"),
    ],
)
def test_refuses_bad_classes(trainer: TrainerRun, classes: Any, problem: str) -> None:
    with pytest.raises(TrainerError, match=problem):
        trainer.finish("model.onnx", "onnx", SIGNATURE, {}, classes=classes)
    assert not trainer.finished
