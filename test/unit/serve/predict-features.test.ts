/**
 * The model server holds every prediction request to the model's features (through `app.request()`, no socket):
 * a row with missing or unknown features is a 400 naming each bad row and its features, and nothing is scored or
 * logged; a model that fails while scoring is a 500 `PredictionFailed`; a model that declares imputation values
 * fills in exactly those, names them in the answer and marks the logged row.
 */
import type { ArtifactRef, FeatureRow } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PredictorLoader, SerializedModel } from '../../../packages/activities/src/ports.js';
import { createModelServer, type ModelServer } from '../../../packages/worker/src/serve/index.js';
import {
  AUTH,
  FEATURES,
  PREDICTORS,
  TEST_TOKEN,
  TENURE_MEAN,
  expectedScore,
  logisticModel,
  openWorld,
  servedLines,
  tempDir,
  type Answer,
  type LinearWeights,
  type TestWorld,
} from './fixtures.js';

const W: LinearWeights = { bias: -0.5, tenure: 0.7, basic: 0.4, pro: -0.2 };

/** Test-only kind: a model that throws inside `predict`, as a broken model would. */
const THROWS_KIND = 'test-throws';
const loadThrowing: PredictorLoader = () => ({
  kind: THROWS_KIND,
  task: 'binary',
  classes: [0, 1],
  features: FEATURES,
  predict: () => {
    throw new RangeError('weights went missing');
  },
});

/** The logistic test model with an imputation section: tenure's training mean, plan's most frequent category. */
function imputingModel(): SerializedModel {
  return { ...logisticModel(W), imputation: { strategy: 'mean', values: { tenure: TENURE_MEAN, plan: 'basic' } } };
}

describe('predictions held to the model features', () => {
  let world: TestWorld;
  let home: { path: string; cleanup: () => Promise<void> };
  let server: ModelServer;

  async function request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Answer }> {
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json', ...headers };
    }
    const response = await server.app.request(path, init);
    return { status: response.status, body: (await response.json()) as Answer };
  }
  const predict = (model: string, instances: FeatureRow[]) =>
    request('POST', `/v1/models/${model}/predict`, { instances });
  const logged = (model: string) => servedLines(home.path, model, 1);

  /** Makes `artifact` the live version 1 of `model` (the one place that knows how a deployment goes live). */
  async function deployLive(model: string, artifact: ArtifactRef): Promise<void> {
    const deployment = `/v1/models/${model}/deployments/${model}-1`;
    const staged = await request('PUT', deployment, { version: 1, artifact }, AUTH);
    expect(staged.status, JSON.stringify(staged.body)).toBe(200);
    const committed = await request('POST', `${deployment}/commit`, {}, AUTH);
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
  }

  beforeAll(async () => {
    world = await openWorld('predict-features');
    home = await tempDir('predict-features-home');
    server = await createModelServer({
      home: home.path,
      artifacts: world.artifacts,
      predictors: { ...PREDICTORS, [THROWS_KIND]: loadThrowing },
      token: TEST_TOKEN,
    });
    await deployLive('strict', await world.artifacts.putJson(logisticModel(W)));
    await deployLive('imputing', await world.artifacts.putJson(imputingModel()));
    await deployLive('broken', await world.artifacts.putJson({ kind: THROWS_KIND }));
  });

  afterAll(async () => {
    await server?.flush();
    await world?.close();
    await home?.cleanup();
  });

  it('answers {"instances": [{"foo": 1}, {}]} with a 400 naming both rows, and logs nothing', async () => {
    const answer = await predict('strict', [{ foo: 1 }, {}]);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe('InvalidRequest');
    const message = answer.body.error?.message ?? '';
    expect(message).toContain('2 of 2 instances cannot be scored by model version 1, nothing was scored');
    expect(message).toContain(
      'instances.0: no value for any of the model\'s features ("tenure", "plan"); unknown features "foo"',
    );
    expect(message).toContain('instances.1: no value for any of the model\'s features ("tenure", "plan")');
    await server.flush();
    expect(await logged('strict')).toEqual([]);
  });

  it('refuses the whole request when one row lacks a feature or holds an unknown one, scoring and logging none', async () => {
    const answer = await predict('strict', [
      { tenure: 10, plan: 'basic' },
      { tenure: 12 },
      { tenure: 3, plan: 'pro', tenure_months: 3 },
    ]);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.message).toContain('2 of 3 instances cannot be scored');
    expect(answer.body.error?.message).toContain('instances.1: missing features "plan"');
    expect(answer.body.error?.message).toContain('instances.2: unknown features "tenure_months"');
    expect(answer.body.error?.message).not.toContain('instances.0');
    await server.flush();
    expect(await logged('strict')).toEqual([]);
  });

  it('refuses a feature given an object, an array or a non-numeric number, naming the row and feature', async () => {
    const answer = await request('POST', '/v1/models/strict/predict', {
      instances: [
        { tenure: 1, plan: { name: 'pro' } },
        { tenure: 2, plan: ['pro'] },
      ],
    });
    expect(answer.status).toBe(400);
    const message = answer.body.error?.message ?? '';
    expect(message).toContain('instances.0.plan: expected a string, a number, a boolean or null');
    expect(message).toContain('instances.1.plan: expected a string, a number, a boolean or null');
    const mistyped = await predict('strict', [{ tenure: 'twelve', plan: 'pro' }]);
    expect(mistyped.status).toBe(400);
    expect(mistyped.body.error?.message).toMatch(/instances\.0: .*"tenure"/);
    await server.flush();
    expect(await logged('strict')).toEqual([]);
  });

  it('scores complete rows with no imputed mark, and logs them', async () => {
    const answer = await predict('strict', [{ tenure: 30, plan: 'pro' }]);
    expect(answer.status).toBe(200);
    const [prediction] = answer.body.predictions ?? [];
    expect(prediction?.score).toBeCloseTo(expectedScore(W, 30, 'pro'), 12);
    expect(Object.keys(prediction ?? {})).toEqual(['score', 'label', 'scores']);
    await server.flush();
    expect(await logged('strict')).toEqual([
      {
        ts: expect.any(String),
        deploymentId: 'strict-1',
        version: 1,
        features: { tenure: 30, plan: 'pro' },
        prediction: { task: 'binary', score: prediction?.score, label: prediction?.label, scores: prediction?.scores },
        shadow: false,
      },
    ]);
  });

  it('answers a model that throws while scoring with a 500 PredictionFailed, and logs nothing', async () => {
    const answer = await predict('broken', [{ tenure: 1, plan: 'basic' }]);
    expect(answer.status).toBe(500);
    expect(answer.body.error?.code).toBe('PredictionFailed');
    expect(answer.body.error?.message).toBe('model version 1 failed to score the instances: weights went missing');
    await server.flush();
    expect(await logged('broken')).toEqual([]);
  });

  it('fills in what an imputing model declares, says so per prediction, and marks the logged row', async () => {
    const answer = await predict('imputing', [{ tenure: 35 }, { tenure: 8, plan: 'pro' }, { plan: 'pro' }]);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const predictions = answer.body.predictions as { score: number; label: number; imputed?: string[] }[];
    const expected = [expectedScore(W, 35, 'basic'), expectedScore(W, 8, 'pro'), expectedScore(W, TENURE_MEAN, 'pro')];
    predictions.forEach((p, i) => expect(p.score).toBeCloseTo(expected[i] as number, 12));
    expect(predictions.map((p) => p.imputed)).toEqual([['plan'], undefined, ['tenure']]);
    expect(Object.keys(predictions[1] ?? {})).toEqual(['score', 'label', 'scores']);
    await server.flush();
    const lines = (await logged('imputing')) as { features: FeatureRow; imputed?: string[] }[];
    expect(lines.map(({ features, imputed }) => ({ features, imputed }))).toEqual([
      { features: { tenure: 35 }, imputed: ['plan'] },
      { features: { tenure: 8, plan: 'pro' }, imputed: undefined },
      { features: { plan: 'pro' }, imputed: ['tenure'] },
    ]);
    const served = await request('GET', '/v1/models/imputing/versions/1/served', undefined, AUTH);
    expect(served.body.rows?.map((r) => (r as { imputed?: string[] }).imputed)).toEqual([
      ['plan'],
      undefined,
      ['tenure'],
    ]);
  });

  it('still refuses unknown features and rows with no feature for an imputing model', async () => {
    const answer = await predict('imputing', [{ tenure: 5, plam: 'pro' }, { foo: 1 }]);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.message).toContain('instances.0: unknown features "plam"');
    expect(answer.body.error?.message).toContain("instances.1: no value for any of the model's features");
  });
});
