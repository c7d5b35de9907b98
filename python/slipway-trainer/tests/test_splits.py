"""Split files: read as DataFrames after their digest is checked against input.json."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from slipway_trainer import TrainerError, start

from .conftest import MakeInput, churn_frame


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_reads_both_splits_with_the_protocol_columns(make_input: MakeInput, fmt: str) -> None:
    make_input(fmt=fmt, rows=40)
    trainer = start(watch_stdin=False)
    train = trainer.train_frame()
    heldout = trainer.heldout_frame()
    assert list(train.columns) == ["tenure_months", "monthly_charges", "plan", "churned"]
    assert len(train) == 40
    assert len(heldout) == 40
    assert str(train["tenure_months"].dtype) == "float64"
    assert train["plan"].map(type).eq(str).all()
    expected = churn_frame(40, 1)
    pd.testing.assert_series_equal(train["monthly_charges"], expected["monthly_charges"])
    assert train["plan"].tolist() == expected["plan"].tolist()
    assert train["churned"].tolist() == expected["churned"].tolist()
    assert heldout["plan"].tolist() == churn_frame(40, 2)["plan"].tolist()


def test_regression_targets_are_floats(make_input: MakeInput) -> None:
    make_input(task="regression")
    assert str(start(watch_stdin=False).train_frame()["churned"].dtype) == "float64"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_refuses_a_split_whose_bytes_are_not_the_pinned_ones(make_input: MakeInput, fmt: str) -> None:
    path = make_input(fmt=fmt)
    doc = json.loads(path.read_text())
    train = Path(doc["splits"]["train"]["path"])
    data = bytearray(train.read_bytes())
    data[-2] ^= 1  # one flipped bit
    train.write_bytes(bytes(data))
    trainer = start(watch_stdin=False)
    with pytest.raises(TrainerError) as caught:
        trainer.train_frame()
    assert f"split train: {train} has digest sha256:" in str(caught.value)
    assert f"but the input pins {doc['splits']['train']['digest']}" in str(caught.value)
    assert caught.value.final is False
    assert len(trainer.heldout_frame()) == 40  # the other split is untouched


def test_refuses_a_missing_split_file(make_input: MakeInput) -> None:
    path = make_input()
    heldout = Path(json.loads(path.read_text())["splits"]["heldout"]["path"])
    heldout.unlink()
    with pytest.raises(TrainerError, match=f"split heldout: cannot read {heldout}"):
        start(watch_stdin=False).heldout_frame()


def test_refuses_a_split_without_a_declared_column(make_input: MakeInput) -> None:
    path = make_input()
    doc = json.loads(path.read_text())
    doc["features"]["numeric"].append("age")
    path.write_text(json.dumps(doc))
    with pytest.raises(TrainerError, match="split train: .*train.csv has no column 'age'"):
        start(watch_stdin=False).train_frame()


def test_refuses_a_row_count_that_is_not_the_declared_one(make_input: MakeInput) -> None:
    path = make_input(rows=40)
    doc = json.loads(path.read_text())
    doc["splits"]["train"]["rows"] = 41
    path.write_text(json.dumps(doc))
    with pytest.raises(TrainerError, match="has 40 rows, but the input declares 41"):
        start(watch_stdin=False).train_frame()


def test_refuses_a_numeric_column_that_holds_text(make_input: MakeInput, work_dir: Path) -> None:
    path = make_input()
    doc = json.loads(path.read_text())
    train = Path(doc["splits"]["train"]["path"])
    frame = churn_frame(40, 1).astype({"tenure_months": object})
    frame.loc[3, "tenure_months"] = "twelve"
    frame.to_csv(train, index=False)
    from slipway_trainer._splits import file_digest

    doc["splits"]["train"]["digest"] = file_digest(train)
    path.write_text(json.dumps(doc))
    with pytest.raises(TrainerError, match="split train: .*train.csv: .*twelve"):
        start(watch_stdin=False).train_frame()
