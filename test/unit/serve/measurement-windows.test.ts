/**
 * Measurement windows count only what happens between their open and close: requests, errors, rejected requests,
 * rows, latency quantiles and a sample of scores per version; an earlier step's window or a restarted server never
 * leaks into a reading. Every refusal (unknown window, bad id, unknown model) names what was wrong.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WINDOW_SCORE_SAMPLE, type ArtifactRef, type WindowAnswer } from '@slipway/sdk';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
import { mulberry32 } from '@slipway/activities/train';
import { VersionTally, windowScore } from '../../../packages/worker/src/serve/window-reading.js';
import {
  AUTH,
  PREDICTORS,
  TEST_TOKEN,
  call,
  expectedScore,
  logisticModel,
  modelRoutes,
  openWorld,
  tempDir,
  type LinearWeights,
  type TestWorld,
} from './fixtures.js';

const W1: LinearWeights = { bias: -1, tenure: 0.5, basic: 0.2, pro: -0.3 };

describe('measurement windows', () => {
  let world: TestWorld;
  let home: { path: string; cleanup: () => Promise<void> };
  let server: RunningModelServer | undefined;
  let v1: ArtifactRef;
  const churn = () => modelRoutes((server as RunningModelServer).url);
  const windowUrl = (id: string, model = 'churn') =>
    `${(server as RunningModelServer).url}/v1/models/${model}/windows/${encodeURIComponent(id)}`;
  const openW = async (id: string) =>
    (await call(windowUrl(id), 'PUT', {}, AUTH)) as unknown as { status: number; body: WindowAnswer };
  const readW = async (id: string) =>
    (await call(windowUrl(id), 'GET', undefined, AUTH)) as unknown as {
      status: number;
      body: WindowAnswer & { error?: { code: string; message: string } };
    };
  const closeW = async (id: string) =>
    (await call(`${windowUrl(id)}/close`, 'POST', {}, AUTH)) as unknown as { status: number; body: WindowAnswer };
  const restart = async () => {
    await server?.close();
    server = await startModelServer({
      home: home.path,
      artifacts: world.artifacts,
      predictors: PREDICTORS,
      token: TEST_TOKEN,
    });
  };
  const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ tenure: i % 40, plan: i % 2 ? 'pro' : 'basic' }));

  beforeEach(async () => {
    world = await openWorld('windows');
    home = await tempDir('windows-home');
    v1 = await world.artifacts.putJson(logisticModel(W1));
    await restart();
    await churn().deploy('s1', 1, v1);
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    await world?.close();
    await home?.cleanup();
  });

  it('counts only the requests between open and close; a closed window is frozen, the next one starts at zero', async () => {
    await churn().predict(rows(1)); // before any window: counted nowhere
    const opened = await openW('roll-s0-1');
    expect(opened.status).toBe(200);
    expect(opened.body).toMatchObject({
      model: 'churn',
      windowId: 'roll-s0-1',
      closedAt: null,
      stable: null,
      candidate: null,
    });
    for (let i = 0; i < 5; i++) expect((await churn().predict(rows(2))).status).toBe(200);
    const first = await closeW('roll-s0-1');
    expect(first.body.stable).toMatchObject({
      deploymentId: 's1',
      version: 1,
      requests: 5,
      errors: 0,
      rejected: 0,
      rows: 10,
    });
    expect(first.body.closedAt).not.toBeNull();

    await openW('roll-s1-1');
    for (let i = 0; i < 7; i++) await churn().predict(rows(1));
    const second = await readW('roll-s1-1');
    expect(second.body.stable).toMatchObject({ requests: 7, rows: 7 });
    expect((await readW('roll-s0-1')).body).toEqual(first.body);
    expect((await closeW('roll-s0-1')).body).toEqual(first.body);
    // Opening a window again answers it as it is.
    expect((await openW('roll-s1-1')).body.stable?.requests).toBe(7);
  });

  it('counts rejected requests (400) apart from requests and errors, and reads latency and scores', async () => {
    await openW('w');
    const bad = await churn().predict([{ tenure: 'long', plan: 'pro' }]);
    expect(bad.status).toBe(400);
    const instances = [
      { tenure: 3, plan: 'pro' },
      { tenure: 30, plan: 'basic' },
      { tenure: 12, plan: 'pro' },
    ];
    await churn().predict(instances);
    const reading = (await readW('w')).body.stable;
    expect(reading).toMatchObject({ requests: 1, errors: 0, rejected: 1, rows: 3 });
    const expected = instances.map((r) => expectedScore(W1, r.tenure, r.plan));
    expect(reading?.scores).toHaveLength(3);
    reading?.scores.forEach((s, i) => expect(s).toBeCloseTo(expected[i] as number, 12));
    expect(reading?.latency.p50Ms).not.toBeNull();
    expect(reading?.latency.p99Ms).toBeGreaterThanOrEqual(reading?.latency.p50Ms as number);
  });

  it('keeps exact counts and a bounded sample of scores', async () => {
    await openW('big');
    await churn().predict(rows(WINDOW_SCORE_SAMPLE + 500));
    const reading = (await readW('big')).body.stable;
    expect(reading).toMatchObject({ requests: 1, rows: WINDOW_SCORE_SAMPLE + 500 });
    expect(reading?.scores).toHaveLength(WINDOW_SCORE_SAMPLE);
    const possible = new Set(rows(80).map((r) => expectedScore(W1, r.tenure, r.plan).toFixed(9)));
    expect(reading?.scores.every((s) => possible.has(s.toFixed(9)))).toBe(true);
  });

  it('loses its windows at a restart: reading one is a 404 UnknownWindow', async () => {
    await openW('before-restart');
    await churn().predict(rows(1));
    await restart();
    const lost = await readW('before-restart');
    expect(lost.status).toBe(404);
    expect(lost.body.error?.code).toBe('UnknownWindow');
    expect(lost.body.error?.message).toMatch(/"churn" has no measurement window "before-restart".*open a new window/);
    expect((await call(`${windowUrl('before-restart')}/close`, 'POST', {}, AUTH)).status).toBe(404);
    await openW('after-restart');
    await churn().predict(rows(1));
    expect((await readW('after-restart')).body.stable?.requests).toBe(1);
  });

  it('refuses a bad window id, a body other than {}, and a model never deployed', async () => {
    const bad = await call(windowUrl('has spaces'), 'PUT', {}, AUTH);
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/Invalid window id: .*letters, digits/);
    const long = await call(windowUrl('x'.repeat(201)), 'GET', undefined, AUTH);
    expect(long.status).toBe(400);
    const body = await call(windowUrl('w'), 'PUT', { steps: 3 }, AUTH);
    expect(body.status).toBe(400);
    expect(body.body.error?.message).toMatch(/Invalid body/);
    const model = await call(windowUrl('w', 'nobody'), 'PUT', {}, AUTH);
    expect(model).toMatchObject({ status: 404, body: { error: { code: 'UnknownModel' } } });
  });
});

describe('window readings', () => {
  it('samples the score of each task: binary positive score, multiclass top probability, regression value', () => {
    expect(windowScore({ score: 0.3, label: 0, scores: { '0': 0.7, '1': 0.3 } })).toBe(0.3);
    expect(windowScore({ label: 'b', scores: { a: 0.2, b: 0.5, c: 0.3 } })).toBe(0.5);
    expect(windowScore({ value: -4.5 })).toBe(-4.5);
    expect(windowScore({})).toBeUndefined();
  });

  it('gives null quantiles without requests, and quantiles of the recorded latencies', () => {
    const tally = new VersionTally({ version: 1, deploymentId: 'd' }, mulberry32(1));
    expect(tally.reading().latency).toEqual({ p50Ms: null, p99Ms: null });
    tally.record({ kind: 'rejected' });
    expect(tally.reading()).toMatchObject({ requests: 0, rejected: 1, latency: { p50Ms: null } });
    for (let ms = 1; ms <= 100; ms++) {
      tally.record(ms % 10 === 0 ? { kind: 'failed', ms } : { kind: 'scored', ms, rows: 1, scores: [0.5] });
    }
    const reading = tally.reading();
    expect(reading).toMatchObject({ requests: 100, errors: 10, rows: 90 });
    expect(reading.latency.p50Ms).toBeCloseTo(50, 0);
    expect(reading.latency.p99Ms).toBeGreaterThanOrEqual(98);
    expect(reading.latency.p99Ms).toBeLessThanOrEqual(100);
  });
});
