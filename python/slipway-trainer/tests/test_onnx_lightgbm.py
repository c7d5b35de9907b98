"""export_sklearn with a Pipeline ending in LightGBM (onnxmltools' converter): answers equal LightGBM's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pandas as pd
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from slipway_trainer import Features
from slipway_trainer._trees import float32_thresholds
from slipway_trainer.onnx import MODEL_FILE, export_sklearn, float32_cast, onnx_feeds

from .conftest import churn_frame
from .test_onnx import FEATURES, ROWS, predict_onnx


def lgbm_pipeline(estimator: object) -> Pipeline:
    columns = ColumnTransformer(
        [
            ("numeric", "passthrough", list(FEATURES.numeric)),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), list(FEATURES.categorical)),
        ]
    )
    return Pipeline([("columns", columns), ("model", estimator)])


def predict_onnx_rows(path: Path, frame: pd.DataFrame, features: Features) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return np.asarray(session.run(["probabilities"], onnx_feeds(frame, features))[0], dtype=np.float64)


def test_a_lightgbm_classifier_answers_like_predict_proba(tmp_path: Path) -> None:
    train, heldout = churn_frame(1600, 1), churn_frame(ROWS, 2)
    model = lgbm_pipeline(LGBMClassifier(n_estimators=60, num_leaves=15, random_state=0, verbose=-1))
    model.fit(float32_cast(train, FEATURES), train[FEATURES.target])
    signature = export_sklearn(model, train, FEATURES, tmp_path, tolerance=1e-5)
    assert signature["outputs"] == [{"name": "label", "type": "int"}, {"name": "probabilities", "type": "float"}]
    assert [p["name"] for p in signature["inputs"]] == list(FEATURES.inputs)
    assert sorted(p.name for p in tmp_path.iterdir()) == [MODEL_FILE]
    got = predict_onnx(tmp_path / MODEL_FILE, heldout, "probabilities")
    want = model.predict_proba(float32_cast(heldout, FEATURES))
    assert got.shape == (ROWS, 2)
    assert np.max(np.abs(got - want)) <= 1e-5
    assert np.std(want[:, 1]) > 0.05  # not a constant


def test_a_multiclass_lightgbm_classifier_answers_like_predict_proba(tmp_path: Path) -> None:
    train, heldout = churn_frame(1600, 1), churn_frame(ROWS, 2)
    for frame in (train, heldout):  # three classes by tenure band
        frame["churned"] = np.digitize(frame["tenure_months"], [24, 48])
    model = lgbm_pipeline(LGBMClassifier(n_estimators=30, num_leaves=15, random_state=0, verbose=-1))
    model.fit(float32_cast(train, FEATURES), train[FEATURES.target])
    export_sklearn(model, train, FEATURES, tmp_path, tolerance=1e-5)
    got = predict_onnx(tmp_path / MODEL_FILE, heldout, "probabilities")
    assert got.shape == (ROWS, 3)
    assert np.max(np.abs(got - model.predict_proba(float32_cast(heldout, FEATURES)))) <= 1e-5


def test_a_lightgbm_regressor_answers_like_predict(tmp_path: Path) -> None:
    train, heldout = churn_frame(1600, 1), churn_frame(ROWS, 2)
    rng = np.random.default_rng(3)
    for frame in (train, heldout):  # a price in thousands: tenure and plan raise it
        frame["churned"] = 150 + 2.0 * frame["tenure_months"] + np.where(frame["plan"] == "team", 70.0, 0.0)
        frame["churned"] += rng.normal(0, 10, len(frame))
    model = lgbm_pipeline(LGBMRegressor(n_estimators=80, num_leaves=15, random_state=0, verbose=-1))
    model.fit(float32_cast(train, FEATURES), train[FEATURES.target])
    signature = export_sklearn(model, train, FEATURES, tmp_path, tolerance=1e-5)
    assert signature["outputs"] == [{"name": "variable", "type": "float"}]
    got = predict_onnx(tmp_path / MODEL_FILE, heldout, "variable").reshape(-1)
    want = model.predict(float32_cast(heldout, FEATURES))
    assert np.max(np.abs(got - want) / np.abs(want)) <= 1e-5  # prices are above 100: relative, as the check is
    assert np.std(want) > 10


def test_a_lightgbm_split_halfway_between_two_float32_values_keeps_its_sides(tmp_path: Path) -> None:
    # Two adjacent float32 values, the lower with an odd mantissa: LightGBM splits halfway between them, in double,
    # and that midpoint's nearest float32 is the upper value, which `x <= t` would then send to the lower's side.
    low = np.nextafter(np.float32(1.0), np.float32(2.0))
    high = np.nextafter(low, np.float32(2.0))
    frame = pd.DataFrame({"x": np.repeat([low, high], 200).astype(np.float64), "y": np.repeat([0, 1], 200)})
    features = Features(numeric=("x",), categorical=(), target="y")
    model = LGBMClassifier(n_estimators=5, min_child_samples=5, random_state=0, verbose=-1)
    model.fit(frame[["x"]], frame["y"])
    threshold = model.booster_.dump_model()["tree_info"][0]["tree_structure"]["threshold"]
    assert float(low) < threshold < float(high) and np.float32(threshold) == high  # the case is real
    export_sklearn(model, frame, features, tmp_path, tolerance=1e-5)
    both = frame.iloc[[0, -1]]
    session_answers = predict_onnx_rows(tmp_path / MODEL_FILE, both, features)
    assert np.max(np.abs(session_answers - model.predict_proba(both[["x"]]))) <= 1e-5
    assert session_answers[0, 1] < 0.5 < session_answers[1, 1]


def test_float32_thresholds_round_towards_the_side_that_keeps_each_branch() -> None:
    one = 1.0
    up = float(np.nextafter(np.float32(1.0), np.float32(2.0)))
    near_up = (one + up) / 2 + 1e-12  # nearest float32: up
    near_one = (one + up) / 2 - 1e-12  # nearest float32: 1.0
    modes = ["BRANCH_LEQ", "BRANCH_LEQ", "BRANCH_GT", "BRANCH_LT", "BRANCH_GTE", "BRANCH_LT", "BRANCH_EQ", "LEAF"]
    values = [near_up, near_one, near_up, near_one, near_one, up, near_up, near_up]
    assert float32_thresholds(values, modes) == [one, one, one, up, up, up, up, up]

