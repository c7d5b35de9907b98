/**
 * `examples/house-prices` end to end on the dev server: the example's worker trains the XGBoost regressor in
 * Python, the version is registered with Slipway's own regression metrics (RMSE, MAE, R²) in the gate's evidence,
 * is approved and deployed as an ONNX model, and the model server's answers on 1,000 rows equal XGBoost's own
 * predictions of the trained booster on the same float32-cast inputs (relative difference within 1e-5).
 */
import { join, resolve } from 'node:path';
import { createModelServerClient } from '@slipway/activities';
import { trainAndPromote } from '@slipway/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
// The built modules: the worker's workflows path points at the built workflows next to it.
import { createHousePricesWorker } from '../../examples/house-prices/dist/house-prices-worker.js';
import { housePricesInput } from '../../examples/house-prices/dist/input.js';
import type { SlipwayWorker } from '../../packages/worker/src/worker/create-worker.js';
import { exampleRows } from '../support/example-rows.js';
import { startHarness, type Harness } from '../support/harness.js';
import { runPython } from '../support/python.js';
import { waitForGate } from '../support/waits.js';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'examples', 'house-prices');
const NUMERIC = ['sqft', 'bedrooms', 'bathrooms', 'age_years', 'lot_acres'];
const CATEGORICAL = ['neighborhood', 'condition'];
const ROWS = 1000;

let h: Harness;
let worker: SlipwayWorker;
let running: Promise<void>;

beforeAll(async () => {
  h = await startHarness({ name: 'house-prices', worker: false });
  worker = await createHousePricesWorker(h.config, { workerOptions: { shutdownGraceTime: '1s' } });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await h?.stop();
});

/**
 * XGBoost's answer: the trainer's last checkpoint (the booster after its last round, stored by the worker in the
 * artifact store) on the rows as the trainer's Pipeline encodes them (numbers float32, unscaled; categories one-hot
 * in sorted order, every category occurring in the training split).
 */
const XGBOOST_ORACLE = `
import glob
import numpy as np
import pandas as pd
import xgboost
from sklearn.preprocessing import OneHotEncoder
boosters = []
for path in glob.glob(data["artifacts"] + "/**/*.ubj", recursive=True):
    booster = xgboost.Booster()
    booster.load_model(path)
    boosters.append((booster.num_boosted_rounds(), booster))
rounds, booster = max(boosters, key=lambda pair: pair[0])
frame = pd.DataFrame(data["rows"])
numbers = frame[data["numeric"]].to_numpy(dtype=np.float32).astype(np.float64)
categories = OneHotEncoder(sparse_output=False).fit(data["categories"]).transform(frame[data["categorical"]].astype(str))
values = booster.predict(xgboost.DMatrix(np.hstack([numbers, categories])))
result = {"rounds": rounds, "values": values}
`;

it('trains XGBoost in Python, gates on RMSE/MAE/R², deploys ONNX and answers as XGBoost does', async () => {
  const { runId } = await h.client.start(trainAndPromote, housePricesInput({ serverUrl: h.modelServer.url }));
  const gate = await waitForGate(h.client, runId);
  const metrics = gate.evidence.candidate.metrics;
  expect(Object.keys(metrics)).toEqual(expect.arrayContaining(['rmse', 'mae', 'r2', 'mape']));
  expect(metrics.r2).toBeGreaterThan(0.8);
  expect(metrics.rmse).toBeGreaterThan(metrics.mae!);

  await h.client.approve(runId, { as: 'maria', comment: 'prices within the error we accept' });
  const result = await h.client.result(runId, trainAndPromote);
  expect(result).toMatchObject({ status: 'deployed', model: 'house-prices', version: { version: 1 } });

  const rows = await exampleRows(join(EXAMPLE, 'data', 'houses.csv'), [...NUMERIC, ...CATEGORICAL], ROWS);
  const served = await createModelServerClient(h.modelServer.url).predict('house-prices', rows);
  expect(served.predictions).toHaveLength(ROWS);
  const all = await exampleRows(join(EXAMPLE, 'data', 'houses.csv'), CATEGORICAL, 2000);
  const oracle = await runPython<{ rounds: number; values: number[] }>(XGBOOST_ORACLE, {
    artifacts: h.config.artifacts,
    numeric: NUMERIC,
    categorical: CATEGORICAL,
    categories: all.map((r) => CATEGORICAL.map((c) => String(r[c]))),
    rows,
  });
  expect(oracle.rounds).toBe(300); // the finished booster, not an earlier checkpoint
  let worst = 0;
  served.predictions.forEach((p, i) => {
    if (p.value === undefined) throw new Error(`prediction ${i} has no value: ${JSON.stringify(p)}`);
    const want = oracle.values[i]!;
    worst = Math.max(worst, Math.abs(p.value - want) / Math.max(1, Math.abs(want)));
  });
  expect(worst).toBeLessThanOrEqual(1e-5);
});
