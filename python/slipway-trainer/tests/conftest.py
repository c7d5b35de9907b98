"""Fixtures: a working directory with split files and an input.json, as the worker makes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest

from slipway_trainer import INPUT_ENV
from slipway_trainer._splits import file_digest

NUMERIC = ["tenure_months", "monthly_charges"]
CATEGORICAL = ["plan"]
TARGET = "churned"


def churn_frame(rows: int, seed: int) -> pd.DataFrame:
    """A small churn-like frame: churn falls with tenure and is higher on the basic plan."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(0, 72, rows).astype(np.float64)
    charges = np.round(rng.normal(70, 20, rows), 2)
    plan = rng.choice(["basic", "pro", "team"], rows)
    logit = 1.0 - 0.06 * tenure + 0.01 * (charges - 70) + np.where(plan == "basic", 0.8, 0.0)
    churned = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return pd.DataFrame({"tenure_months": tenure, "monthly_charges": charges, "plan": plan, "churned": churned})


MakeInput = Callable[..., Path]


@pytest.fixture
def work_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory, made the cwd."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def make_input(work_dir: Path, monkeypatch: pytest.MonkeyPatch) -> MakeInput:
    """Writes the splits (csv or parquet) and input.json into the working directory, points the environment
    variable at it and returns its path. ``changes`` replace top-level fields of the document (``None`` values
    remove them)."""

    def make(fmt: str = "csv", rows: int = 40, **changes: Any) -> Path:
        splits_dir = work_dir / "splits"
        splits_dir.mkdir(exist_ok=True)
        splits: dict[str, Any] = {}
        for name, seed in (("train", 1), ("heldout", 2)):
            path = splits_dir / f"{name}.{fmt}"
            frame = churn_frame(rows, seed)
            if fmt == "csv":
                frame.to_csv(path, index=False)
            else:
                frame.to_parquet(path, engine="pyarrow", index=False)
            splits[name] = {"path": str(path), "format": fmt, "digest": file_digest(path), "rows": rows}
        doc: dict[str, Any] = {
            "protocol": 1,
            "task": "binary",
            "features": {"numeric": NUMERIC, "categorical": CATEGORICAL, "target": TARGET},
            "params": {"max_depth": 3},
            "seed": 42,
            "splits": splits,
            "outputDir": str(work_dir / "out"),
            "resumeFrom": None,
        }
        for key, value in changes.items():
            if value is None and key != "resumeFrom":
                doc.pop(key, None)
            else:
                doc[key] = value
        (work_dir / "out").mkdir(exist_ok=True)
        target = work_dir / "input.json"
        target.write_text(json.dumps(doc), encoding="utf-8")
        monkeypatch.setenv(INPUT_ENV, str(target))
        return target

    return make
