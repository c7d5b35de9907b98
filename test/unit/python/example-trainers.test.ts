/**
 * The examples' Python trainers under the trainer protocol, without a server: each `train.py` is configured as the
 * example's worker configures it (`preparePythonTrainer`: the project's Python environment), run by the worker's
 * runner (`runTrainerProcess`) on split files of the example's data, resumed from a checkpoint it wrote (no step at
 * or before the checkpoint runs twice), and its ONNX model is loaded by Slipway's ONNX predictor, whose outputs
 * equal the trained model's own in Python (scikit-learn's `predict_proba`, XGBoost's `predict`) on the same
 * float32-cast rows.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createFsArtifactStore, loadOnnxModel, onnxManifestFor } from '@slipway/activities';
import { runTrainerProcess } from '@slipway/activities/train';
import type { ModelTask, TrainerProgressMessage } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preparePythonTrainer } from '../../../packages/worker/src/python/index.js';
import { exampleRows } from '../../support/example-rows.js';
import { PYTHON_VENV, TRAINER_PACKAGE, runPython } from '../../support/python.js';

const EXAMPLES = resolve(import.meta.dirname, '..', '..', '..', 'examples');
const TIMEOUT_MS = 600_000; // the Python environment may be installed first: a bound, not a timing

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-example-trainers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Example {
  name: string;
  csv: string;
  task: ModelTask;
  features: { numeric: string[]; categorical: string[]; target: string };
  params: Record<string, number>;
  extras: string[];
  /** Python: the model's own outputs on `data["rows"]`, loaded from the checkpoint at `data["checkpoint"]`. */
  oracle: string;
}

const SKLEARN_ORACLE = `
import pickle
import pandas as pd
from slipway_trainer import Features
from slipway_trainer.onnx import float32_cast
with open(data["checkpoint"], "rb") as handle:
    model = pickle.load(handle)
f = Features(numeric=tuple(data["numeric"]), categorical=tuple(data["categorical"]), target="t")
frame = pd.DataFrame(data["rows"])
for c in f.categorical:
    frame[c] = frame[c].map(lambda v: ("true" if v else "false") if isinstance(v, bool) else str(v))
result = model.predict_proba(float32_cast(frame, f))
`;

const XGBOOST_ORACLE = `
import numpy as np
import pandas as pd
import xgboost
from sklearn.preprocessing import OneHotEncoder
booster = xgboost.Booster()
booster.load_model(data["checkpoint"])
frame = pd.DataFrame(data["rows"])
numbers = frame[data["numeric"]].to_numpy(dtype=np.float32).astype(np.float64)
onehot = OneHotEncoder(sparse_output=False).fit(frame[data["categorical"]].astype(str))  # every category occurs
result = booster.predict(xgboost.DMatrix(np.hstack([numbers, onehot.transform(frame[data["categorical"]].astype(str))])))
`;

const EXAMPLE_CASES: Example[] = [
  {
    name: 'sklearn-churn',
    csv: 'data/churn.csv',
    task: 'binary',
    features: {
      numeric: ['tenure_months', 'monthly_charges', 'support_calls'],
      categorical: ['plan', 'contract', 'paperless'],
      target: 'churned',
    },
    params: { n_estimators: 40, checkpoint_every: 15 },
    extras: ['onnx'],
    oracle: SKLEARN_ORACLE,
  },
  {
    name: 'house-prices',
    csv: 'data/houses.csv',
    task: 'regression',
    features: {
      numeric: ['sqft', 'bedrooms', 'bathrooms', 'age_years', 'lot_acres'],
      categorical: ['neighborhood', 'condition'],
      target: 'price_k',
    },
    params: { n_estimators: 60, checkpoint_every: 25 },
    extras: ['xgboost'],
    oracle: XGBOOST_ORACLE,
  },
];

/** Writes the first 1,600 rows as the training split and the other 400 as the held-out split (CSV). */
async function splitFiles(example: Example, into: string) {
  const { numeric, categorical, target } = example.features;
  const columns = [...numeric, ...categorical, target];
  const rows = await exampleRows(join(EXAMPLES, example.name, example.csv), columns, 2000);
  const csv = (part: typeof rows) =>
    [columns.join(','), ...part.map((r) => columns.map((c) => String(r[c])).join(','))].join('\n') + '\n';
  const split = async (name: string, part: typeof rows) => {
    const path = join(into, `${example.name}-${name}.csv`);
    const text = csv(part);
    await writeFile(path, text);
    return {
      path,
      format: 'csv' as const,
      digest: `sha256:${createHash('sha256').update(text).digest('hex')}`,
      rows: part.length,
    };
  };
  return {
    rows,
    splits: { train: await split('train', rows.slice(0, 1600)), heldout: await split('heldout', rows.slice(1600)) },
  };
}

describe.each(EXAMPLE_CASES)('examples/$name/train.py', (example) => {
  it(
    'trains under the protocol, resumes from its checkpoint, and its ONNX model answers as the model does',
    async () => {
      const spec = await preparePythonTrainer({
        name: example.name,
        dir: join(EXAMPLES, example.name),
        envDir: PYTHON_VENV,
        editable: [{ path: TRAINER_PACKAGE, extras: example.extras }],
      });
      const { rows, splits } = await splitFiles(example, dir);
      const request = { task: example.task, features: example.features, params: example.params, seed: 7, splits };
      const run = async (resumeFrom?: { path: string; step: number }) => {
        const steps: number[] = [];
        const checkpoints: { path: string; step: number }[] = [];
        const done = await runTrainerProcess({
          trainer: example.name,
          command: spec.command,
          request,
          workRoot: dir,
          ...(resumeFrom ? { resumeFrom } : {}),
          onProgress: (p: TrainerProgressMessage) => void steps.push(p.step),
          storeCheckpoint: async (path, step) => {
            const kept = join(dir, `${example.name}-${step}-${checkpoints.length}${path.slice(path.lastIndexOf('.'))}`);
            await writeFile(kept, await readFile(path));
            checkpoints.push({ path: kept, step });
            return kept;
          },
        });
        return { done, steps, checkpoints };
      };

      const first = await run();
      const total = example.params.n_estimators!;
      expect(first.steps).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(first.checkpoints.map((c) => c.step)).toContain(total);
      const middle = first.checkpoints.find((c) => c.step < total)!;
      const resumed = await run(middle);
      // a retry from the checkpoint runs only the steps after it
      expect(resumed.steps).toEqual(Array.from({ length: total - middle.step }, (_, i) => middle.step + i + 1));
      expect(resumed.done.result.metrics).toEqual(first.done.result.metrics);

      const artifacts = createFsArtifactStore(join(dir, `${example.name}-artifacts`));
      const { result, modelPath } = first.done;
      const model = await artifacts.putFile(modelPath, { extension: '.onnx' });
      const manifest = onnxManifestFor({
        task: example.task,
        features: example.features,
        signature: result.signature,
        classes: result.classes,
        model,
      });
      const predictor = await loadOnnxModel(manifest, { artifacts });
      const sample = rows.slice(0, 1000);
      const outputs = await predictor.predict(sample);
      const want = await runPython<number[] | number[][]>(example.oracle, {
        checkpoint: first.checkpoints.find((c) => c.step === total)!.path,
        numeric: example.features.numeric,
        categorical: example.features.categorical,
        rows: sample,
      });
      let worst = 0;
      outputs.forEach((output, i) => {
        if ('probabilities' in output) {
          const row = (want as number[][])[i]!;
          output.probabilities.forEach((p, k) => (worst = Math.max(worst, Math.abs(p - row[k]!))));
        } else {
          const value = (want as number[])[i]!;
          worst = Math.max(worst, Math.abs(output.value - value) / Math.max(1, Math.abs(value)));
        }
      });
      expect(outputs).toHaveLength(1000);
      expect(worst).toBeLessThanOrEqual(1e-5);
      await first.done.dispose();
      await resumed.done.dispose();
    },
    TIMEOUT_MS,
  );
});
