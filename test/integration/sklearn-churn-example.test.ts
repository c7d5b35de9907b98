/**
 * `examples/sklearn-churn` end to end on the dev server: the example's worker (which installs its Python packages
 * into the project's Python environment and configures the trainer) trains the scikit-learn Pipeline in Python,
 * the version is registered, waits at the gate, is approved and deployed as an ONNX model, and the model server's
 * answers on 1,000 rows equal scikit-learn's `predict_proba` of the trained Pipeline on the same float32-cast inputs
 * within 1e-5.
 */
import { join, resolve } from 'node:path';
import { createModelServerClient, type ModelRegistry } from '@slipway/activities';
import { trainAndPromote } from '@slipway/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
// The built modules: the worker's workflows path points at the built workflows next to it.
import { createSklearnChurnWorker } from '../../examples/sklearn-churn/dist/sklearn-churn-worker.js';
import { sklearnChurnInput } from '../../examples/sklearn-churn/dist/input.js';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import type { SlipwayWorker } from '../../packages/worker/src/worker/create-worker.js';
import { exampleRows } from '../support/example-rows.js';
import { startHarness, type Harness } from '../support/harness.js';
import { runPython } from '../support/python.js';
import { waitForGate } from '../support/waits.js';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'examples', 'sklearn-churn');
const NUMERIC = ['tenure_months', 'monthly_charges', 'support_calls'];
const CATEGORICAL = ['plan', 'contract', 'paperless'];
const ROWS = 1000;

let h: Harness;
let worker: SlipwayWorker;
let running: Promise<void>;
let registry: ModelRegistry;

beforeAll(async () => {
  h = await startHarness({ name: 'sklearn-churn', worker: false });
  registry = openConfiguredRegistry(h.config);
  worker = await createSklearnChurnWorker(h.config, { workerOptions: { shutdownGraceTime: '1s' } });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await registry?.close();
  await h?.stop();
});

/**
 * scikit-learn's answer: the trainer's last checkpoint (the fitted Pipeline after its last stage, stored by the
 * worker in the artifact store), loaded and asked for `predict_proba` on the float32-cast rows.
 */
const SKLEARN_ORACLE = `
import glob, pickle
import pandas as pd
from slipway_trainer import Features
from slipway_trainer.onnx import float32_cast
fitted = []
for path in glob.glob(data["artifacts"] + "/**/*.pkl", recursive=True):
    with open(path, "rb") as handle:
        model = pickle.load(handle)
    fitted.append((len(model.named_steps["boosting"].estimators_), model))
stages, model = max(fitted, key=lambda pair: pair[0])
f = Features(numeric=tuple(data["numeric"]), categorical=tuple(data["categorical"]), target="churned")
frame = pd.DataFrame(data["rows"])
for c in f.categorical:  # as the split files hold them
    frame[c] = frame[c].map(lambda v: ("true" if v else "false") if isinstance(v, bool) else str(v))
result = {"stages": stages, "classes": model.classes_.tolist(), "proba": model.predict_proba(float32_cast(frame, f))}
`;

it('trains in Python, registers, waits at the gate, deploys ONNX and answers as predict_proba does', async () => {
  const { runId } = await h.client.start(trainAndPromote, sklearnChurnInput({ serverUrl: h.modelServer.url }));
  const gate = await waitForGate(h.client, runId);
  // Slipway's own held-out metrics of the ONNX model, by task (binary)
  const metrics = gate.evidence.candidate.metrics;
  expect(Object.keys(metrics)).toEqual(
    expect.arrayContaining(['auc', 'accuracy', 'logLoss', 'f1', 'precision', 'recall']),
  );
  expect(metrics.auc).toBeGreaterThan(0.7);

  await h.client.approve(runId, { as: 'maria', comment: 'the sklearn model holds up' });
  const result = await h.client.result(runId, trainAndPromote);
  expect(result).toMatchObject({ status: 'deployed', model: 'churn-sklearn', version: { version: 1 } });
  const champion = await registry.resolve('churn-sklearn', 'champion');
  expect(champion?.version).toBe(1);

  const rows = await exampleRows(join(EXAMPLE, 'data', 'churn.csv'), [...NUMERIC, ...CATEGORICAL], ROWS);
  const served = await createModelServerClient(h.modelServer.url).predict('churn-sklearn', rows);
  expect(served.version).toBe(1);
  expect(served.predictions).toHaveLength(ROWS);
  const oracle = await runPython<{ stages: number; classes: number[]; proba: number[][] }>(SKLEARN_ORACLE, {
    artifacts: h.config.artifacts,
    numeric: NUMERIC,
    categorical: CATEGORICAL,
    rows,
  });
  expect(oracle.stages).toBe(150); // the finished Pipeline, not an earlier checkpoint
  expect(oracle.classes).toEqual([0, 1]);
  const positive = oracle.classes.indexOf(1);
  let worst = 0;
  served.predictions.forEach((p, i) => {
    const score = p.score;
    if (score === undefined) throw new Error(`prediction ${i} has no score: ${JSON.stringify(p)}`);
    worst = Math.max(worst, Math.abs(score - oracle.proba[i]![positive]!));
  });
  expect(worst).toBeLessThanOrEqual(1e-5);
  const spread = new Set(served.predictions.map((p) => p.label));
  expect(spread).toEqual(new Set([0, 1])); // the model tells customers apart
});
