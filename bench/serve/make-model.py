"""Trains the churn model of bench/serve: a scikit-learn Pipeline (ColumnTransformer: scaled numeric columns,
one-hot categorical ones; gradient boosting) on examples/churn/data/churn.csv, converted with skl2onnx to ONNX
(one [N, 1] input per feature, float or string; `label` and `probabilities` outputs, zipmap off).

usage: python make-model.py <churn.csv> <out.onnx>   (prints {"classes": [...]} as JSON)
"""
import json
import sys

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType, StringTensorType

NUMERIC = ["tenure_months", "monthly_charges", "support_calls"]
CATEGORICAL = ["plan", "contract", "paperless"]

data_path, out_path = sys.argv[1], sys.argv[2]
frame = pd.read_csv(data_path, dtype={c: str for c in CATEGORICAL})
features = frame[NUMERIC + CATEGORICAL]
pipe = Pipeline([
    ("prep", ColumnTransformer([
        ("num", StandardScaler(), NUMERIC),
        ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
    ])),
    ("model", GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=0)),
]).fit(features, frame["churned"])
types = [(c, FloatTensorType([None, 1])) for c in NUMERIC] + [(c, StringTensorType([None, 1])) for c in CATEGORICAL]
onx = to_onnx(pipe, initial_types=types, options={id(pipe.steps[-1][1]): {"zipmap": False}}, target_opset=17)
with open(out_path, "wb") as f:
    f.write(onx.SerializeToString())
print(json.dumps({"classes": [int(c) for c in pipe.classes_]}))
