"""export_sklearn with a Pipeline ending in XGBoost (onnxmltools' converter): answers equal XGBoost's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from xgboost import XGBClassifier, XGBRegressor

from slipway_trainer import Features, TrainerError
from slipway_trainer.onnx import MODEL_FILE, export_sklearn, float32_cast

from .conftest import churn_frame
from .test_onnx import FEATURES, ROWS, predict_onnx


def xgb_pipeline(estimator: object, numeric: object = "passthrough") -> Pipeline:
    columns = ColumnTransformer(
        [
            ("numeric", numeric, list(FEATURES.numeric)),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), list(FEATURES.categorical)),
        ]
    )
    return Pipeline([("columns", columns), ("model", estimator)])


def test_an_xgboost_classifier_answers_like_predict_proba(tmp_path: Path) -> None:
    train, heldout = churn_frame(1600, 1), churn_frame(ROWS, 2)
    model = xgb_pipeline(XGBClassifier(n_estimators=60, max_depth=3, random_state=0))
    model.fit(float32_cast(train, FEATURES), train[FEATURES.target])
    signature = export_sklearn(model, train, FEATURES, tmp_path, tolerance=1e-5)
    assert signature["outputs"] == [{"name": "label", "type": "int"}, {"name": "probabilities", "type": "float"}]
    assert [p["name"] for p in signature["inputs"]] == list(FEATURES.inputs)
    got = predict_onnx(tmp_path / MODEL_FILE, heldout, "probabilities")
    want = model.predict_proba(float32_cast(heldout, FEATURES))
    assert got.shape == (ROWS, 2)
    assert np.max(np.abs(got - want)) <= 1e-5
    assert np.std(want[:, 1]) > 0.05  # not a constant


def test_a_multiclass_xgboost_classifier_answers_like_predict_proba(tmp_path: Path) -> None:
    train, heldout = churn_frame(1600, 1), churn_frame(ROWS, 2)
    for frame in (train, heldout):  # three classes by tenure band
        frame["churned"] = np.digitize(frame["tenure_months"], [24, 48])
    model = xgb_pipeline(XGBClassifier(n_estimators=30, max_depth=3, random_state=0))
    model.fit(float32_cast(train, FEATURES), train[FEATURES.target])
    export_sklearn(model, train, FEATURES, tmp_path, tolerance=1e-5)
    got = predict_onnx(tmp_path / MODEL_FILE, heldout, "probabilities")
    assert got.shape == (ROWS, 3)
    assert np.max(np.abs(got - model.predict_proba(float32_cast(heldout, FEATURES)))) <= 1e-5


def test_an_xgboost_regressor_answers_like_predict(tmp_path: Path) -> None:
    train, heldout = churn_frame(1600, 1), churn_frame(ROWS, 2)
    rng = np.random.default_rng(3)
    for frame in (train, heldout):  # a price in thousands: tenure and plan raise it
        frame["churned"] = 150 + 2.0 * frame["tenure_months"] + np.where(frame["plan"] == "team", 70.0, 0.0)
        frame["churned"] += rng.normal(0, 10, len(frame))
    model = xgb_pipeline(XGBRegressor(n_estimators=80, max_depth=3, random_state=0))
    model.fit(float32_cast(train, FEATURES), train[FEATURES.target])
    signature = export_sklearn(model, train, FEATURES, tmp_path)
    assert signature["outputs"] == [{"name": "variable", "type": "float"}]
    got = predict_onnx(tmp_path / MODEL_FILE, heldout, "variable").reshape(-1)
    want = model.predict(float32_cast(heldout, FEATURES))
    assert np.max(np.abs(got - want) / np.abs(want)) <= 1e-4  # prices are above 100: relative, as the check is
    assert np.std(want) > 10


def test_refuses_scaled_inputs_to_xgboost_whose_splits_flip_in_float32(tmp_path: Path) -> None:
    # XGBoost splits at training values; the ONNX scaler's float32 arithmetic moves some values across a split.
    train = churn_frame(1600, 1)
    model = xgb_pipeline(XGBClassifier(n_estimators=60, max_depth=3, random_state=0), numeric=StandardScaler())
    model.fit(float32_cast(train, FEATURES), train[FEATURES.target])
    with pytest.raises(TrainerError, match=r"the ONNX model differs from scikit-learn by .* on 1000 rows"):
        export_sklearn(model, train, FEATURES, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_xgboost_pipeline_reads_the_features_by_name(tmp_path: Path) -> None:
    features = Features(numeric=("monthly_charges",), categorical=("plan",), target="churned")
    train = churn_frame(800, 1)
    columns = ColumnTransformer(
        [("n", "passthrough", ["monthly_charges"]), ("c", OneHotEncoder(handle_unknown="ignore"), ["plan"])]
    )
    model = Pipeline([("columns", columns), ("model", XGBClassifier(n_estimators=10, random_state=0))])
    model.fit(float32_cast(train, features), train["churned"])
    signature = export_sklearn(model, train, features, tmp_path, tolerance=1e-5)
    assert signature["inputs"] == [{"name": "monthly_charges", "type": "float"}, {"name": "plan", "type": "string"}]
