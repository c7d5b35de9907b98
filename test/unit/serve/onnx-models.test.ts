/**
 * The model server with real ONNX models: scikit-learn pipelines (a ColumnTransformer over a numeric and a string
 * feature) trained and exported with skl2onnx in the test virtualenv — a binary classifier, a multiclass one and a
 * regressor. Each is staged, smoke-checked with features from its training profile (as the deploy step does) and
 * committed; its answers equal scikit-learn's on the same float32-cast inputs; its served rows record the
 * prediction by task; a request missing a feature or holding a mistyped one is a 400 naming it, and logs nothing.
 */
import type { ArtifactRef, FeatureRow, FeatureSpec, TrainerSignature } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileRows } from '../../../packages/activities/src/data/profile.js';
import { checkSmokeAnswer, smokeFeaturesFromProfile } from '../../../packages/activities/src/model-server/smoke.js';
import { onnxManifestFor } from '../../../packages/activities/src/train/index.js';
import { createModelServer, type ModelServer, type PredictAnswer } from '../../../packages/worker/src/serve/index.js';
import { runPython } from '../../support/python.js';
import {
  AUTH,
  PREDICTORS,
  TEST_TOKEN,
  openWorld,
  servedLines,
  tempDir,
  type Answer,
  type TestWorld,
} from './fixtures.js';

/** Trains and exports the three models; returns each one's ONNX bytes, signature, classes, and test predictions. */
const TRAIN_AND_EXPORT = `
import base64
import numpy as np, pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import FloatTensorType, StringTensorType

rng = np.random.default_rng(20261202)
n = 600
train = pd.DataFrame({'tenure': rng.uniform(0, 60, n), 'plan': rng.choice(['basic', 'pro', 'team'], n)})
pro = (train['plan'] == 'pro').to_numpy()
noise = rng.normal(0, 8, n)
targets = {
    'binary': np.where(train['tenure'].to_numpy() + 15 * pro + noise < 25, 'churn', 'stay'),
    'multiclass': np.select([train['tenure'] + noise < 20, train['tenure'] + noise < 40], ['short', 'mid'], 'long'),
    'regression': 1000 + 30 * train['tenure'].to_numpy() + 200 * pro + rng.normal(0, 20, n),
}
test = pd.DataFrame({'tenure': rng.uniform(0, 60, 40), 'plan': rng.choice(['basic', 'pro', 'team'], 40)})
cast = test.copy()
cast['tenure'] = cast['tenure'].to_numpy(dtype=np.float32).astype(np.float64)
kinds = {1: 'float', 11: 'double', 7: 'int', 8: 'string', 9: 'bool'}
initial = [('tenure', FloatTensorType([None, 1])), ('plan', StringTensorType([None, 1]))]
result = {'rows': test.to_dict(orient='records'), 'rowsFrame': train.head(300).to_dict(orient='records'), 'models': {}}
for task, y in targets.items():
    final = GradientBoostingRegressor(random_state=0, n_estimators=40) if task == 'regression' else LogisticRegression(max_iter=500)
    pre = ColumnTransformer([('num', StandardScaler(), ['tenure']), ('cat', OneHotEncoder(handle_unknown='ignore'), ['plan'])])
    model = Pipeline([('pre', pre), ('model', final)]).fit(train, y)
    options = None if task == 'regression' else {id(final): {'zipmap': False}}
    onx = convert_sklearn(model, initial_types=initial, options=options)
    port = lambda v: {'name': v.name, 'type': kinds[v.type.tensor_type.elem_type]}
    entry = {
        'onnx': base64.b64encode(onx.SerializeToString()).decode(),
        'signature': {'inputs': [port(v) for v in onx.graph.input], 'outputs': [port(v) for v in onx.graph.output]},
    }
    if task == 'regression':
        entry['expected'] = [float(v) for v in model.predict(cast)]
    else:
        entry['classes'] = [str(c) for c in model.classes_]
        entry['expected'] = [[float(p) for p in row] for row in model.predict_proba(cast)]
    result['models'][task] = entry
`;

type Task = 'binary' | 'multiclass' | 'regression';
interface Exported {
  onnx: string;
  signature: TrainerSignature;
  classes?: string[];
  expected: number[] | number[][];
}
interface Trained {
  rows: { tenure: number; plan: string }[];
  rowsFrame: { tenure: number; plan: string }[];
  models: Record<Task, Exported>;
}

const TARGETS: Record<Task, string> = { binary: 'churned', multiclass: 'segment', regression: 'price' };
const TOLERANCE = 1e-5;

describe('model server with ONNX models', () => {
  let world: TestWorld;
  let home: { path: string; cleanup: () => Promise<void> };
  let server: ModelServer;
  let trained: Trained;

  async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const init: RequestInit = { method, headers: { 'content-type': 'application/json', ...headers } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const response = await server.app.request(path, init);
    return { status: response.status, body: (await response.json()) as Answer };
  }

  /** Stores the ONNX file and its manifest, then stages, smoke-checks (profile features) and commits version 1. */
  async function deploy(task: Task): Promise<{ features: FeatureSpec; smoke: PredictAnswer }> {
    const exported = trained.models[task];
    const features: FeatureSpec = { numeric: ['tenure'], categorical: ['plan'], target: TARGETS[task] };
    const onnx: ArtifactRef = await world.artifacts.putBytes(Buffer.from(exported.onnx, 'base64'));
    const manifest = onnxManifestFor({
      task,
      features,
      signature: exported.signature,
      classes: exported.classes,
      model: onnx,
    });
    const artifact = await world.artifacts.putJson(manifest);
    const deployment = `/v1/models/${task}/deployments/${task}-1`;
    const staged = await request('PUT', deployment, { version: 1, artifact }, AUTH);
    expect(staged.status, JSON.stringify(staged.body)).toBe(200);
    const schema = {
      columns: {
        tenure: { type: 'number', nullable: false, integer: false },
        plan: { type: 'string', nullable: false },
      },
      allowExtraColumns: true,
    } as const;
    const smokeRow = smokeFeaturesFromProfile(profileRows(schema, trained.rowsFrame), features, 'memory:profile');
    const smoke = await request('POST', `${deployment}/predict`, { instances: [smokeRow] }, AUTH);
    expect(smoke.status, JSON.stringify(smoke.body)).toBe(200);
    const checked = checkSmokeAnswer(smoke.body as PredictAnswer, { version: 1, deploymentId: `${task}-1`, task });
    expect(checked, JSON.stringify(smoke.body)).toMatchObject({ ok: true });
    const committed = await request('POST', `${deployment}/commit`, {}, AUTH);
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    return { features, smoke: smoke.body as PredictAnswer };
  }

  const predict = (task: Task, instances: unknown[]) => request('POST', `/v1/models/${task}/predict`, { instances });

  beforeAll(async () => {
    trained = await runPython<Trained>(TRAIN_AND_EXPORT, null, 300_000);
    world = await openWorld('onnx-serve');
    home = await tempDir('onnx-serve-home');
    server = await createModelServer({
      home: home.path,
      artifacts: world.artifacts,
      predictors: PREDICTORS,
      token: TEST_TOKEN,
    });
  }, 600_000);

  afterAll(async () => {
    await server?.flush();
    await world?.close();
    await home?.cleanup();
  });

  it('serves a binary classifier: the positive class score, the label and class scores equal predict_proba', async () => {
    const { smoke } = await deploy('binary');
    expect(smoke).toMatchObject({ task: 'binary', classes: ['churn', 'stay'] });
    const answer = await predict('binary', trained.rows);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ task: 'binary', classes: ['churn', 'stay'] });
    expect(answer.body.predictions).toHaveLength(trained.rows.length);
    const expected = trained.models.binary.expected as number[][];
    answer.body.predictions?.forEach((p, i) => {
      const [churn, stay] = expected[i] as [number, number];
      expect(Math.abs((p.score as number) - stay)).toBeLessThanOrEqual(TOLERANCE);
      expect(Math.abs((p.scores?.['churn'] as number) - churn)).toBeLessThanOrEqual(TOLERANCE);
      expect(p.label).toBe(stay >= 0.5 ? 'stay' : 'churn');
    });
    const logged = await servedLines(home.path, 'binary', 1);
    expect(logged).toHaveLength(trained.rows.length);
    expect(logged[0]).toEqual({
      ts: expect.any(String),
      deploymentId: 'binary-1',
      version: 1,
      features: trained.rows[0],
      prediction: { task: 'binary', ...answer.body.predictions?.[0] },
      shadow: false,
    });
  });

  it('serves a multiclass classifier: the most probable class and every class score', async () => {
    const { smoke } = await deploy('multiclass');
    expect(smoke).toMatchObject({ task: 'multiclass', classes: ['long', 'mid', 'short'] });
    const answer = await predict('multiclass', trained.rows);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.predictions).toHaveLength(trained.rows.length);
    const expected = trained.models.multiclass.expected as number[][];
    answer.body.predictions?.forEach((p, i) => {
      const probabilities = expected[i] as number[];
      ['long', 'mid', 'short'].forEach((c, k) =>
        expect(Math.abs((p.scores?.[c] as number) - (probabilities[k] as number))).toBeLessThanOrEqual(TOLERANCE),
      );
      expect(p.label).toBe(['long', 'mid', 'short'][probabilities.indexOf(Math.max(...probabilities))]);
      expect(p.score).toBeUndefined();
    });
    const [first] = await servedLines(home.path, 'multiclass', 1);
    expect(first?.['prediction']).toEqual({ task: 'multiclass', ...answer.body.predictions?.[0] });
  });

  it('serves a regressor: values far outside [0, 1] equal predict', async () => {
    const { smoke } = await deploy('regression');
    expect(smoke.task).toBe('regression');
    expect(smoke.classes).toBeUndefined();
    expect(smoke.predictions[0]?.value).toBeGreaterThan(1000);
    const answer = await predict('regression', trained.rows);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.predictions).toHaveLength(trained.rows.length);
    const expected = trained.models.regression.expected as number[];
    answer.body.predictions?.forEach((p, i) => {
      // float32 inside the graph: compare relative to the value's size.
      expect(Math.abs((p.value as number) - (expected[i] as number))).toBeLessThanOrEqual(
        TOLERANCE * Math.abs(expected[i] as number),
      );
      expect(p.score).toBeUndefined();
    });
    const [first] = await servedLines(home.path, 'regression', 1);
    expect(first?.['prediction']).toEqual({ task: 'regression', value: answer.body.predictions?.[0]?.value });
  });

  it('answers a request missing a feature or holding a mistyped one with a 400 naming it, and logs nothing', async () => {
    const before = (await servedLines(home.path, 'binary', 1)).length;
    const bad: [FeatureRow | Record<string, unknown>, RegExp][] = [
      [{ tenure: 12 }, /instances\.0: missing features "plan"/],
      [{ plan: 'pro' }, /instances\.0: missing features "tenure"/],
      [{ tenure: 'twelve', plan: 'pro' }, /instances\.0: .*"tenure"/],
      [{ tenure: 12, plan: { name: 'pro' } }, /instances\.0\.plan: expected a string, a number, a boolean or null/],
      [{ tenure: 12, plan: ['pro'] }, /instances\.0\.plan: expected a string, a number, a boolean or null/],
      [{ tenure: 12, plan: 'pro', tenur: 3 }, /instances\.0: unknown features "tenur"/],
    ];
    for (const [row, message] of bad) {
      const answer = await predict('binary', [{ tenure: 3, plan: 'basic' }, row].reverse());
      expect(answer.status, JSON.stringify(row)).toBe(400);
      expect(answer.body.error?.code).toBe('InvalidRequest');
      expect(answer.body.error?.message).toMatch(message);
    }
    await server.flush();
    expect(await servedLines(home.path, 'binary', 1)).toHaveLength(before);
  });
});
