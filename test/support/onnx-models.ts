/**
 * Real ONNX models for tests, trained with scikit-learn and exported with skl2onnx (zipmap disabled) in the
 * project's Python environment, next to the CSV data they were trained on (generated with a fixed seed): a
 * regressor of house prices (numeric features), a binary churn classifier (a numeric and a categorical feature,
 * the target as `yes`/`no`) and a three-class iris-like classifier.
 */
import { join } from 'node:path';
import { runPython } from './python.js';

/** The files `writeOnnxModels` wrote into a directory. */
export interface OnnxModelFiles {
  housesOnnx: string;
  housesCsv: string;
  /** A worse regressor of the same prices (far higher rmse). */
  housesWorseOnnx: string;
  churnOnnx: string;
  churnCsv: string;
  /** Three classes `a`, `b`, `c`. */
  speciesOnnx: string;
  speciesCsv: string;
  /** scikit-learn's own numbers on the full CSVs, as an oracle. */
  sklearn: { housesRmse: number; churnAccuracy: number; speciesAccuracy: number };
}

const SCRIPT = String.raw`
import numpy as np, pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, StringTensorType
d = data["dir"]
rng = np.random.default_rng(7)
n = 400
sqft = rng.uniform(500, 3000, n).round(1)
rooms = rng.integers(1, 6, n).astype(float)
price = (100 * sqft + 5000 * rooms + rng.normal(0, 10000, n)).round(2)
houses = pd.DataFrame({"sqft": sqft, "rooms": rooms, "price": price})
houses.to_csv(f"{d}/houses.csv", index=False)
# One input per feature: the column transformer concatenates them.
pipe = Pipeline([("cols", ColumnTransformer([("num", "passthrough", ["sqft", "rooms"])])), ("model", LinearRegression())])
pipe.fit(houses[["sqft", "rooms"]].astype(np.float32), houses["price"])
onx = convert_sklearn(pipe, initial_types=[("sqft", FloatTensorType([None, 1])), ("rooms", FloatTensorType([None, 1]))], target_opset=17)
open(f"{d}/houses.onnx", "wb").write(onx.SerializeToString())
# A worse regressor of the same prices (fit to 70% of them): its rmse on the reference is far higher.
worse = Pipeline([("cols", ColumnTransformer([("num", "passthrough", ["sqft", "rooms"])])), ("model", LinearRegression())])
worse.fit(houses[["sqft", "rooms"]].astype(np.float32), houses["price"] * 0.7)
onx = convert_sklearn(worse, initial_types=[("sqft", FloatTensorType([None, 1])), ("rooms", FloatTensorType([None, 1]))], target_opset=17)
open(f"{d}/houses-worse.onnx", "wb").write(onx.SerializeToString())
tenure = rng.uniform(0, 60, n).round(1)
plan = rng.choice(["basic", "pro", "team"], n)
logit = -0.08 * tenure + np.where(plan == "basic", 1.5, -0.5)
churned = np.where(rng.uniform(0, 1, n) < 1 / (1 + np.exp(-logit)), "yes", "no")
churn = pd.DataFrame({"tenure": tenure, "plan": plan, "churned": churned})
churn.to_csv(f"{d}/churn.csv", index=False)
clf = Pipeline([("cols", ColumnTransformer([("num", StandardScaler(), ["tenure"]), ("cat", OneHotEncoder(handle_unknown="ignore"), ["plan"])])), ("model", LogisticRegression())])
clf.fit(churn[["tenure", "plan"]].astype({"tenure": np.float32}), churn["churned"])
onx = convert_sklearn(clf, initial_types=[("tenure", FloatTensorType([None, 1])), ("plan", StringTensorType([None, 1]))], options={id(clf): {"zipmap": False}}, target_opset=17)
open(f"{d}/churn.onnx", "wb").write(onx.SerializeToString())
x1 = rng.normal(0, 1, n).round(3)
x2 = rng.normal(0, 1, n).round(3)
species = np.where(x1 > 0.5, "c", np.where(x2 > 0, "b", "a"))
sp = pd.DataFrame({"x1": x1, "x2": x2, "species": species})
sp.to_csv(f"{d}/species.csv", index=False)
mc = Pipeline([("cols", ColumnTransformer([("num", "passthrough", ["x1", "x2"])])), ("model", LogisticRegression())])
mc.fit(sp[["x1", "x2"]].astype(np.float32), sp["species"])
onx = convert_sklearn(mc, initial_types=[("x1", FloatTensorType([None, 1])), ("x2", FloatTensorType([None, 1]))], options={id(mc): {"zipmap": False}}, target_opset=17)
open(f"{d}/species.onnx", "wb").write(onx.SerializeToString())
from sklearn.metrics import mean_squared_error, accuracy_score
houses_pred = pipe.predict(houses[["sqft", "rooms"]].astype(np.float32))
result = {"housesRmse": float(np.sqrt(mean_squared_error(houses["price"], houses_pred))),
          "churnAccuracy": float(accuracy_score(churn["churned"], clf.predict(churn[["tenure", "plan"]].astype({"tenure": np.float32})))),
          "speciesAccuracy": float(accuracy_score(sp["species"], mc.predict(sp[["x1", "x2"]].astype(np.float32))))}
`;

/** Trains and exports the models into `dir`; returns their paths. */
export async function writeOnnxModels(dir: string): Promise<OnnxModelFiles> {
  const sklearn = await runPython<OnnxModelFiles['sklearn']>(SCRIPT, { dir }, 300_000);
  return {
    sklearn,
    housesOnnx: join(dir, 'houses.onnx'),
    housesCsv: join(dir, 'houses.csv'),
    housesWorseOnnx: join(dir, 'houses-worse.onnx'),
    churnOnnx: join(dir, 'churn.onnx'),
    churnCsv: join(dir, 'churn.csv'),
    speciesOnnx: join(dir, 'species.onnx'),
    speciesCsv: join(dir, 'species.csv'),
  };
}
