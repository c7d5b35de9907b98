/**
 * Real ONNX models for the ONNX tests, made once per test file with scikit-learn and skl2onnx in the project's test
 * virtualenv: a binary ColumnTransformer (numeric + string inputs) + GradientBoostingClassifier, a multiclass
 * classifier with string classes, a regressor, and a linear regressor fed float64 (`double`) inputs. Each comes with held-out rows (numeric values cast to float32,
 * as the ONNX graph reads them) and scikit-learn's own `predict_proba` / `predict` on exactly those values.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClassLabel, ModelTask, TrainerSignature } from '../../../../packages/sdk/src/index.js';
import { runPython } from '../../../support/python.js';

/** Rows per model, and how many of them the test evaluates. */
export const MODEL_ROWS = 1000;

/** One generated model. */
export interface SklearnModel {
  task: ModelTask;
  onnx: Buffer;
  numeric: string[];
  categorical: string[];
  target: string;
  signature: TrainerSignature;
  classes?: ClassLabel[];
  rows: Record<string, string | number>[];
  /** `predict_proba` rows (classifiers) or `predict` values (regressor). */
  expected: number[][] | number[];
  /** The true target of each row (0/1, a class name, a price). */
  truth: (number | string)[];
}

const SCRIPT = String.raw`
import numpy as np, pandas as pd, os
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.pipeline import Pipeline
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor, RandomForestClassifier
from skl2onnx import to_onnx
from sklearn.linear_model import Ridge
from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType, StringTensorType

rng = np.random.default_rng(20261202)
n = data["rows"]
out = data["dir"]

def frame(size):
    return pd.DataFrame({
        "tenure": rng.gamma(2.0, 12.0, size).astype(np.float32),
        "charges": rng.normal(70.0, 25.0, size).astype(np.float32),
        "plan": rng.choice(["basic", "plus", "pro"], size),
        "region": rng.choice(["north", "south", "east", "west"], size),
    })

numeric, categorical = ["tenure", "charges"], ["plan", "region"]
def prep():
    return ColumnTransformer([("num", StandardScaler(), numeric),
                              ("cat", OneHotEncoder(handle_unknown="ignore"), categorical)])
types = [(c, FloatTensorType([None, 1])) for c in numeric] + [(c, StringTensorType([None, 1])) for c in categorical]
signature_inputs = [{"name": c, "type": "float"} for c in numeric] + [{"name": c, "type": "string"} for c in categorical]

def rows_of(df):
    return [{k: (float(v) if isinstance(v, (np.floating, float)) else str(v)) for k, v in r.items()} for r in df.to_dict("records")]

def save(name, pipe, classifier, initial_types=types):
    options = {id(pipe): {"zipmap": False}} if classifier else None
    onx = to_onnx(pipe, initial_types=initial_types, options=options, target_opset=17)
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(onx.SerializeToString())
    kind = {1: "float", 7: "int", 8: "string", 11: "double"}
    return [{"name": o.name, "type": kind[o.type.tensor_type.elem_type]} for o in onx.graph.output]

result = {}
train, test = frame(3000), frame(n)
def churn(df):
    logit = 0.05 * df.tenure.values - 0.03 * df.charges.values + (df.plan.values == "pro") * 1.2 + rng.normal(0, 0.7, len(df))
    return (logit > 0.05 * 24 - 0.03 * 70 + 0.4).astype(int)
y = churn(train)
pipe = Pipeline([("prep", prep()), ("model", GradientBoostingClassifier(n_estimators=60, max_depth=3, random_state=0))]).fit(train, y)
outputs = save("binary", pipe, True)
result["binary"] = {"task": "binary", "classes": [int(c) for c in pipe.classes_], "outputs": outputs,
                    "rows": rows_of(test), "expected": pipe.predict_proba(test), "truth": churn(test)}

def tier_of(df):
    score = 0.04 * df.tenure.values + (df.region.values == "east") * 1.0 - 0.02 * df.charges.values + rng.normal(0, 0.3, len(df))
    return np.where(score < -0.9, "bronze", np.where(score < -0.2, "silver", "gold"))
score = 0.04 * train.tenure.values + (train.region.values == "east") * 1.0 - 0.02 * train.charges.values
tier = tier_of(train)
pipe = Pipeline([("prep", prep()), ("model", RandomForestClassifier(n_estimators=40, max_depth=6, random_state=0))]).fit(train, tier)
outputs = save("multiclass", pipe, True)
result["multiclass"] = {"task": "multiclass", "classes": [str(c) for c in pipe.classes_], "outputs": outputs,
                        "rows": rows_of(test), "expected": pipe.predict_proba(test), "truth": tier_of(test)}

def price_of(df):
    return 3.0 * df.tenure.values + 1.5 * df.charges.values + (df.plan.values == "pro") * 40 + rng.normal(0, 10, len(df)) + 50
price = price_of(train)
pipe = Pipeline([("prep", prep()), ("model", GradientBoostingRegressor(n_estimators=80, max_depth=3, random_state=0))]).fit(train, price)
outputs = save("regression", pipe, False)
result["regression"] = {"task": "regression", "outputs": outputs, "rows": rows_of(test), "expected": pipe.predict(test), "truth": price_of(test)}
result["signature_inputs"] = signature_inputs

# A linear regressor fed float64 (DoubleTensorType): the signature says double, the values are not cast to float32.
wide = train.astype({"tenure": np.float64, "charges": np.float64})
wide["tenure"] += rng.normal(0, 1e-3, len(wide))
pipe = Pipeline([("prep", prep()), ("model", Ridge(alpha=1.0))]).fit(wide, price)
double_types = [(c, DoubleTensorType([None, 1])) for c in numeric] + [(c, StringTensorType([None, 1])) for c in categorical]
outputs = save("double", pipe, False, double_types)
held = test.astype({"tenure": np.float64, "charges": np.float64})
held["tenure"] += rng.normal(0, 1e-3, len(held))
result["double"] = {"task": "regression", "outputs": outputs, "rows": rows_of(held), "expected": pipe.predict(held),
                    "truth": price_of(held), "inputs": [{"name": c, "type": "double"} for c in numeric] + signature_inputs[2:]}
`;

interface ScriptModel {
  task: ModelTask;
  classes?: ClassLabel[];
  outputs: TrainerSignature['outputs'];
  rows: Record<string, string | number>[];
  expected: number[][] | number[];
  truth: (number | string)[];
  inputs?: TrainerSignature['inputs'];
}

/** The models made: scikit-learn's float32 classifiers and regressor, and a float64 (`double`) linear regressor. */
export type SklearnModels = Record<'binary' | 'multiclass' | 'regression' | 'double', SklearnModel>;

/** The models (see {@link SklearnModels}), written to `dir` and read back. */
export async function makeSklearnModels(dir: string): Promise<SklearnModels> {
  const made = await runPython<Record<string, ScriptModel> & { signature_inputs: TrainerSignature['inputs'] }>(
    SCRIPT,
    { rows: MODEL_ROWS, dir },
    300_000,
  );
  const load = async (name: keyof SklearnModels): Promise<SklearnModel> => {
    const m = made[name] as ScriptModel;
    return {
      task: m.task,
      onnx: await readFile(join(dir, `${name}.onnx`)),
      numeric: ['tenure', 'charges'],
      categorical: ['plan', 'region'],
      target: 'y',
      signature: { inputs: m.inputs ?? made.signature_inputs, outputs: m.outputs },
      ...(m.classes ? { classes: m.classes } : {}),
      rows: m.rows,
      expected: m.expected,
      truth: m.truth,
    };
  };
  return {
    binary: await load('binary'),
    multiclass: await load('multiclass'),
    regression: await load('regression'),
    double: await load('double'),
  };
}
