/**
 * The model server killed mid-rollout restores the split from its state: `slipway serve` runs as its own process
 * (as the demo starts it), a candidate gets its share, and the process is killed with SIGKILL right after a split
 * change was answered, and again after a promote. The restarted server answers the same split, every route key
 * reaches the same version as before the crash, the old measurement window is gone (`UnknownWindow`: a reading
 * never mixes two processes), and a new window counts each version's share of the traffic exactly.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayErrorType, failureType } from '@slipway/sdk';
import { createModelServerClient, type ActivityDeps, type ModelServerClient } from '@slipway/activities';
import { modelServerFailureDetail } from '../../packages/activities/src/model-server/index.js';
import { startModelServerProcess, type ModelServerProcess } from '../../examples/churn/demo/model-server-process.js';
import { freePort } from '../../packages/worker/src/dev-server/index.js';
import { loadConfig, resolveModelServerToken } from '../../packages/worker/src/config/index.js';
import { routeBucket } from '../../packages/worker/src/serve/routing.js';
import { embeddedDeps } from '../../packages/worker/src/worker/create-worker.js';
import { logisticModel, type LinearWeights } from '../unit/serve/fixtures.js';

const MODEL = 'churn';
const W: LinearWeights = { bias: -0.5, tenure: 0.7, basic: 0.4, pro: -0.2 };
const ROW = { tenure: 12, plan: 'pro' };
const KEYS = Array.from({ length: 60 }, (_, i) => `customer-${i}`);

let home: string;
let port: number;
let deps: ActivityDeps;
let server: ModelServerProcess;
let client: ModelServerClient;

/** Which deployment answers each route key. */
async function routes(): Promise<Map<string, string>> {
  const answered = new Map<string, string>();
  for (const key of KEYS) answered.set(key, (await client.predict(MODEL, [ROW], { routeKey: key })).deploymentId);
  return answered;
}

async function crashAndRestart(): Promise<void> {
  await server.kill();
  server = await startModelServerProcess({ home, port });
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-split-crash-'));
  port = await freePort();
  const config = loadConfig({
    env: {},
    cwd: home,
    overrides: { home, modelServer: { port, url: `http://127.0.0.1:${port}` } },
  });
  deps = embeddedDeps(config);
  server = await startModelServerProcess({ home, port });
  client = createModelServerClient(server.url, { token: (await resolveModelServerToken(config)).value });
  const v1 = await deps.artifacts.putJson(logisticModel(W));
  const v2 = await deps.artifacts.putJson(logisticModel({ ...W, bias: 0.5 }));
  await client.stage(MODEL, 's1', { version: 1, artifact: v1 });
  await client.commit(MODEL, 's1');
  await client.stage(MODEL, 'c2', { version: 2, artifact: v2 });
});

afterAll(async () => {
  await server?.stop();
  await deps?.registry.close();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('the model server killed mid-rollout', () => {
  it('restores the split and the candidate from its state; windows of the old process are gone', async () => {
    await client.setTraffic(MODEL, { candidate: 'c2', weights: { stable: 90, candidate: 10 }, mode: 'split' });
    await client.openWindow(MODEL, 'rollout-s0-1');
    const split = await client.setTraffic(MODEL, {
      candidate: 'c2',
      weights: { stable: 70, candidate: 30 },
      mode: 'split',
    });
    const before = await routes();
    expect([...before.values()].filter((d) => d === 'c2')).toHaveLength(
      KEYS.filter((k) => routeBucket(k, 'c2') < 30).length,
    );

    await crashAndRestart();
    expect(await client.traffic(MODEL)).toEqual(split);
    expect(await client.status(MODEL)).toMatchObject({
      status: 'serving',
      stable: { deploymentId: 's1' },
      candidate: { deploymentId: 'c2' },
      weights: { stable: 70, candidate: 30 },
      mode: 'split',
    });
    expect(await routes()).toEqual(before);

    const lost = await client.readWindow(MODEL, 'rollout-s0-1').catch((err: unknown) => err);
    expect(failureType(lost)).toBe(SlipwayErrorType.NotFound);
    expect(modelServerFailureDetail(lost)?.code).toBe('UnknownWindow');
    await client.openWindow(MODEL, 'rollout-s0-2');
    await routes();
    const reading = await client.closeWindow(MODEL, 'rollout-s0-2');
    const onCandidate = [...before.values()].filter((d) => d === 'c2').length;
    expect(reading.candidate).toMatchObject({ deploymentId: 'c2', requests: onCandidate, errors: 0 });
    expect(reading.stable).toMatchObject({ deploymentId: 's1', requests: KEYS.length - onCandidate, errors: 0 });
  });

  it('keeps a promote made just before the crash', async () => {
    const promoted = await client.promote(MODEL, 'c2');
    await crashAndRestart();
    expect(await client.promote(MODEL, 'c2')).toEqual(promoted);
    expect(await client.status(MODEL)).toMatchObject({
      stable: { deploymentId: 'c2' },
      candidate: null,
      weights: { stable: 100, candidate: 0 },
      previous: { deploymentId: 's1' },
    });
    expect(new Set((await routes()).values())).toEqual(new Set(['c2']));
  });
});
