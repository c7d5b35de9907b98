/**
 * How predictions are routed while a candidate holds a share: by weight (counts over many requests within a
 * binomial bound, with a seeded draw), sticky by route key (a key always reaches the same version, also after a
 * restart, and stays on the candidate as its share grows), and in shadow mode (stable always answers; the
 * candidate scores a copy that is logged as shadow and whose failure never fails the request).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactRef, PredictAnswer, ServeErrorBody, WindowAnswer } from '@slipway/sdk';
import type { PredictorLoader } from '../../../packages/activities/src/ports.js';
import { createModelServer, type ModelServer } from '../../../packages/worker/src/serve/index.js';
import { routeBucket } from '../../../packages/worker/src/serve/routing.js';
import { mulberry32 } from '@slipway/activities/train';
import {
  AUTH,
  FEATURES,
  PREDICTORS,
  TEST_TOKEN,
  logisticModel,
  openWorld,
  servedLines,
  tempDir,
  type TestWorld,
} from './fixtures.js';

/** Test-only kind: a candidate that fails every request (a 500), to check what its failures reach. */
const FAILING_KIND = 'test-failing';
const loadFailing: PredictorLoader = () => ({
  kind: FAILING_KIND,
  task: 'binary',
  classes: [0, 1],
  features: FEATURES,
  predict: () => Promise.reject(new Error('feature pipeline mismatch')),
});
const LOADERS = { ...PREDICTORS, [FAILING_KIND]: loadFailing };
const ROW = { tenure: 7, plan: 'basic' };
const JSON_AUTH = { ...AUTH, 'content-type': 'application/json' };

/**
 * The widest a count of `n` draws with chance `p` may stray from `n·p` in these tests: five standard deviations
 * of the binomial, √(n·p·(1−p)) each; a correct router fails it with a chance below one in a million.
 */
function binomialBound(n: number, p: number): { low: number; high: number } {
  const spread = 5 * Math.sqrt(n * p * (1 - p));
  return { low: n * p - spread, high: n * p + spread };
}

describe('traffic routing', () => {
  let world: TestWorld;
  let home: { path: string; cleanup: () => Promise<void> };
  let server: ModelServer;
  let v1: ArtifactRef;
  let v2: ArtifactRef;

  const open = async (seed = 1) => {
    server = await createModelServer({
      home: home.path,
      artifacts: world.artifacts,
      predictors: LOADERS,
      token: TEST_TOKEN,
      random: mulberry32(seed),
    });
  };
  const send = async (method: string, path: string, body?: unknown, headers: Record<string, string> = JSON_AUTH) => {
    const init = { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
    const response = await server.app.request(`http://127.0.0.1/v1/models/churn${path}`, init);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const must = async (method: string, path: string, body?: unknown) => {
    const answer = await send(method, path, body);
    if (answer.status !== 200) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const predict = async (key?: string) => {
    const headers = {
      'content-type': 'application/json',
      ...(key === undefined ? {} : { 'x-slipway-route-key': key }),
    };
    const answer = await send('POST', '/predict', { instances: [ROW] }, headers);
    return answer as { status: number; body: PredictAnswer & Partial<ServeErrorBody> };
  };
  const split = (candidate: number, mode: 'split' | 'shadow' = 'split', id = 'c2') =>
    must('PUT', '/traffic', { candidate: id, weights: { stable: 100 - candidate, candidate }, mode });

  beforeEach(async () => {
    world = await openWorld('routing');
    home = await tempDir('routing-home');
    v1 = await world.artifacts.putJson(logisticModel({ bias: -1, tenure: 0.5, basic: 0.2, pro: -0.3 }));
    v2 = await world.artifacts.putJson(logisticModel({ bias: 1, tenure: -0.8, basic: 0, pro: 0.6 }));
    await open();
    await must('PUT', '/deployments/s1', { version: 1, artifact: v1 });
    await must('POST', '/deployments/s1/commit', {});
    await must('PUT', '/deployments/c2', { version: 2, artifact: v2 });
  });

  afterEach(async () => {
    await server?.flush();
    await world?.close();
    await home?.cleanup();
  });

  it('sends the candidate its weight of the requests without a route key, within the binomial bound', async () => {
    for (const [percent, n] of [
      [10, 2000],
      [50, 1000],
    ] as const) {
      await split(percent);
      let toCandidate = 0;
      for (let i = 0; i < n; i++) {
        const answer = await predict();
        expect(answer.status).toBe(200);
        if (answer.body.deploymentId === 'c2') toCandidate += 1;
      }
      const { low, high } = binomialBound(n, percent / 100);
      expect(toCandidate, `${percent} % of ${n}`).toBeGreaterThanOrEqual(low);
      expect(toCandidate, `${percent} % of ${n}`).toBeLessThanOrEqual(high);
    }
  });

  it('sends nothing to a candidate at 0 % and everything at 100 %', async () => {
    await split(0);
    for (let i = 0; i < 50; i++) expect((await predict()).body.deploymentId).toBe('s1');
    await split(100);
    for (let i = 0; i < 50; i++) expect((await predict(`k${i}`)).body.deploymentId).toBe('c2');
  });

  it('keeps each route key on one version, also after a restart, and on the candidate as its share grows', async () => {
    await split(30);
    const keys = Array.from({ length: 300 }, (_, i) => `customer-${i}`);
    const first = new Map<string, string>();
    for (const key of keys) first.set(key, (await predict(key)).body.deploymentId);
    for (const key of keys) expect((await predict(key)).body.deploymentId, key).toBe(first.get(key));
    const onCandidate = keys.filter((k) => first.get(k) === 'c2');
    expect(onCandidate).toEqual(keys.filter((k) => routeBucket(k, 'c2') < 30));
    const { low, high } = binomialBound(keys.length, 0.3);
    expect(onCandidate.length).toBeGreaterThanOrEqual(low);
    expect(onCandidate.length).toBeLessThanOrEqual(high);

    await server.flush();
    await open(99); // another seed: keyed requests do not depend on the draw
    for (const key of keys) expect((await predict(key)).body.deploymentId, key).toBe(first.get(key));
    await split(60);
    for (const key of onCandidate) expect((await predict(key)).body.deploymentId, key).toBe('c2');
  });

  it('shadow: stable answers every request; the candidate scores copies, logged as shadow and counted', async () => {
    await split(100, 'shadow');
    await must('PUT', '/windows/shadow-1', {});
    for (let i = 0; i < 40; i++) {
      const answer = await predict(`k${i}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ version: 1, deploymentId: 's1' });
    }
    const window = (await must('POST', '/windows/shadow-1/close', {})) as unknown as WindowAnswer;
    expect(window.stable).toMatchObject({ deploymentId: 's1', requests: 40, errors: 0 });
    expect(window.candidate).toMatchObject({ deploymentId: 'c2', requests: 40, errors: 0, rows: 40 });
    await server.flush();
    const stableRows = await servedLines(home.path, 'churn', 1);
    const shadowRows = await servedLines(home.path, 'churn', 2);
    expect(stableRows).toHaveLength(40);
    expect(stableRows.every((r) => r['shadow'] === false && r['deploymentId'] === 's1')).toBe(true);
    expect(shadowRows).toHaveLength(40);
    expect(shadowRows.every((r) => r['shadow'] === true && r['deploymentId'] === 'c2')).toBe(true);
    const served = await send('GET', '/versions/2/served?limit=5', undefined, AUTH);
    expect((served.body['rows'] as { shadow: boolean }[]).map((r) => r.shadow)).toEqual([true, true, true, true, true]);
  });

  it('shadow: a failing candidate never fails a request; its failures are counted as its errors', async () => {
    const broken = await world.artifacts.putJson({ kind: FAILING_KIND, version: 1 });
    await must('POST', '/deployments/c2/abort', { reason: 'replaced by a broken candidate' });
    await must('PUT', '/deployments/c3', { version: 3, artifact: broken });
    await split(100, 'shadow', 'c3');
    await must('PUT', '/windows/w', {});
    for (let i = 0; i < 30; i++) {
      const answer = await predict();
      expect(answer.status).toBe(200);
      expect(answer.body.deploymentId).toBe('s1');
    }
    const window = (await must('GET', '/windows/w')) as unknown as WindowAnswer;
    expect(window.stable).toMatchObject({ requests: 30, errors: 0 });
    expect(window.candidate).toMatchObject({ deploymentId: 'c3', requests: 30, errors: 30, rows: 0 });
    await server.flush();
    expect(await servedLines(home.path, 'churn', 3)).toEqual([]);
  });

  it('split: a failing candidate fails only its own share; stable answers the rest', async () => {
    const broken = await world.artifacts.putJson({ kind: FAILING_KIND, version: 1 });
    await must('POST', '/deployments/c2/abort', { reason: 'replaced by a broken candidate' });
    await must('PUT', '/deployments/c3', { version: 3, artifact: broken });
    await split(20, 'split', 'c3');
    await must('PUT', '/windows/w', {});
    const keys = Array.from({ length: 100 }, (_, i) => `u${i}`);
    let failed = 0;
    for (const key of keys) {
      const answer = await predict(key);
      if (routeBucket(key, 'c3') < 20) {
        expect(answer.status).toBe(500);
        expect(answer.body.error?.code).toBe('PredictionFailed');
        failed += 1;
      } else {
        expect(answer.status).toBe(200);
        expect(answer.body.deploymentId).toBe('s1');
      }
    }
    const window = (await must('GET', '/windows/w')) as unknown as WindowAnswer;
    expect(window.candidate).toMatchObject({ requests: failed, errors: failed });
    expect(window.stable).toMatchObject({ requests: keys.length - failed, errors: 0 });
  });
});
