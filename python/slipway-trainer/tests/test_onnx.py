"""export_sklearn: a fitted Pipeline to model.onnx whose onnxruntime answers equal scikit-learn's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from slipway_trainer import Features, TrainerError
from slipway_trainer.onnx import MODEL_FILE, export_sklearn, float32_cast, onnx_feeds

from .conftest import churn_frame

FEATURES = Features(numeric=("tenure_months", "monthly_charges"), categorical=("plan",), target="churned")
ROWS = 1000


def pipeline(estimator: object) -> Pipeline:
    numeric = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    columns = ColumnTransformer(
        [
            ("numeric", numeric, list(FEATURES.numeric)),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), list(FEATURES.categorical)),
        ]
    )
    return Pipeline([("columns", columns), ("model", estimator)])


def predict_onnx(path: Path, frame: pd.DataFrame, output: str) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return np.asarray(session.run([output], onnx_feeds(frame, FEATURES))[0], dtype=np.float64)


def test_a_gradient_boosting_classifier_answers_like_predict_proba(tmp_path: Path) -> None:
    train, heldout = churn_frame(1600, 1), churn_frame(ROWS, 2)
    model = pipeline(GradientBoostingClassifier(n_estimators=60, max_depth=3, random_state=0))
    model.fit(float32_cast(train, FEATURES), train[FEATURES.target])
    signature = export_sklearn(model, train, FEATURES, tmp_path, tolerance=1e-5)
    assert signature == {
        "inputs": [
            {"name": "tenure_months", "type": "float"},
            {"name": "monthly_charges", "type": "float"},
            {"name": "plan", "type": "string"},
        ],
        "outputs": [{"name": "label", "type": "int"}, {"name": "probabilities", "type": "float"}],
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == [MODEL_FILE]
    got = predict_onnx(tmp_path / MODEL_FILE, heldout, "probabilities")
    want = model.predict_proba(float32_cast(heldout, FEATURES))
    assert got.shape == (ROWS, 2)
    assert np.max(np.abs(got - want)) <= 1e-5
    assert 0.05 < want[:, 1].mean() < 0.95  # the model learned something other than a constant


def test_a_gradient_boosting_regressor_answers_like_predict(tmp_path: Path) -> None:
    train, heldout = churn_frame(1600, 1), churn_frame(ROWS, 2)
    # a house-price-like target in units of 100k: tenure and plan raise it
    rng = np.random.default_rng(3)
    for frame in (train, heldout):
        frame["churned"] = 1.5 + 0.02 * frame["tenure_months"] + np.where(frame["plan"] == "team", 0.7, 0.0)
        frame["churned"] += rng.normal(0, 0.1, len(frame))
    model = pipeline(GradientBoostingRegressor(n_estimators=80, max_depth=3, random_state=0))
    model.fit(float32_cast(train, FEATURES), train[FEATURES.target])
    signature = export_sklearn(model, train, FEATURES, tmp_path)
    assert signature["outputs"] == [{"name": "variable", "type": "float"}]
    got = predict_onnx(tmp_path / MODEL_FILE, heldout, "variable").reshape(-1)
    want = model.predict(float32_cast(heldout, FEATURES))
    assert got.shape == (ROWS,)
    assert np.max(np.abs(got - want)) <= 1e-4
    assert np.std(want) > 0.1


def test_missing_numeric_values_reach_the_imputer(tmp_path: Path) -> None:
    train = churn_frame(400, 1)
    train.loc[::7, "monthly_charges"] = np.nan
    model = pipeline(GradientBoostingClassifier(n_estimators=20, random_state=0))
    model.fit(float32_cast(train, FEATURES), train[FEATURES.target])
    export_sklearn(model, train, FEATURES, tmp_path, tolerance=1e-5)
    got = predict_onnx(tmp_path / MODEL_FILE, train, "probabilities")
    assert np.max(np.abs(got - model.predict_proba(float32_cast(train, FEATURES)))) <= 1e-5


def test_refuses_a_frame_without_a_feature(tmp_path: Path) -> None:
    train = churn_frame(200, 1)
    model = pipeline(GradientBoostingClassifier(n_estimators=5, random_state=0))
    model.fit(train[list(FEATURES.inputs)], train[FEATURES.target])
    with pytest.raises(TrainerError, match="export_sklearn: the frame has no column 'plan'"):
        export_sklearn(model, train.drop(columns=["plan"]), FEATURES, tmp_path)
    assert not (tmp_path / MODEL_FILE).exists()


def test_refuses_an_export_whose_answers_differ_and_leaves_no_file(tmp_path: Path) -> None:
    train = churn_frame(400, 1)
    model = pipeline(GradientBoostingClassifier(n_estimators=20, random_state=0))
    model.fit(train[list(FEATURES.inputs)], train[FEATURES.target])
    with pytest.raises(TrainerError, match=r"the ONNX model differs from scikit-learn by .* \(tolerance 0\)"):
        export_sklearn(model, train, FEATURES, tmp_path, tolerance=0.0)  # float32 trees round: these rows differ by ~1e-7
    assert list(tmp_path.iterdir()) == []


def test_refuses_a_model_skl2onnx_cannot_convert(tmp_path: Path) -> None:
    class Opaque:
        def predict(self, frame: pd.DataFrame) -> np.ndarray:
            return np.zeros(len(frame))

    with pytest.raises(TrainerError, match="export_sklearn: skl2onnx cannot convert Opaque: "):
        export_sklearn(Opaque(), churn_frame(10, 1), FEATURES, tmp_path)
    assert list(tmp_path.iterdir()) == []
