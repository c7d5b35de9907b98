/**
 * The model server client is the local model server's `DeployTarget`: a rollout's calls (stage, smoke, set the
 * split, open/read/close a window, promote, abort, status) against a real server, each answer checked with the
 * protocol's schemas, and each refusal typed (a window the server does not hold is `SlipwayNotFound` with code
 * `UnknownWindow`; a missing token is a final rejection).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayErrorType, failureType, type ArtifactRef } from '@slipway/sdk';
import {
  ModelServerFailureType,
  createModelServerClient,
  modelServerFailureDetail,
  type ModelServerClient,
} from '../../../packages/activities/src/model-server/index.js';
import type { DeployTarget } from '../../../packages/activities/src/ports.js';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
import { routeBucket } from '../../../packages/worker/src/serve/routing.js';
import { PREDICTORS, TEST_TOKEN, logisticModel, openWorld, tempDir, type TestWorld } from './fixtures.js';

const ROW = { tenure: 12, plan: 'basic' };

/** The error `promise` rejects with. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('model server client as a deploy target', () => {
  let world: TestWorld;
  let home: { path: string; cleanup: () => Promise<void> };
  let server: RunningModelServer;
  let client: ModelServerClient;
  let v1: ArtifactRef;
  let v2: ArtifactRef;
  let v3: ArtifactRef;

  beforeAll(async () => {
    world = await openWorld('target');
    home = await tempDir('target-home');
    v1 = await world.artifacts.putJson(logisticModel({ bias: 0, tenure: 1, basic: 0, pro: 1 }));
    v2 = await world.artifacts.putJson(logisticModel({ bias: 1, tenure: 1, basic: 0, pro: 1 }));
    v3 = await world.artifacts.putJson(logisticModel({ bias: 2, tenure: 1, basic: 0, pro: 1 }));
    server = await startModelServer({
      home: home.path,
      artifacts: world.artifacts,
      predictors: PREDICTORS,
      token: TEST_TOKEN,
    });
    client = createModelServerClient(server.url, { token: TEST_TOKEN.value });
    await client.stage('churn', 's1', { version: 1, artifact: v1 });
    await client.commit('churn', 's1');
  });

  afterAll(async () => {
    await server?.close();
    await world?.close();
    await home?.cleanup();
  });

  it('runs a canary through the DeployTarget port: split, window, promote', async () => {
    const target: DeployTarget = client;
    await target.stage('churn', 'c2', { version: 2, artifact: v2 });
    expect((await target.smoke('churn', 'c2', [ROW])).deploymentId).toBe('c2');
    const split = await target.setTraffic('churn', {
      candidate: 'c2',
      weights: { stable: 50, candidate: 50 },
      mode: 'split',
    });
    expect(split).toMatchObject({ candidate: { deploymentId: 'c2' }, weights: { candidate: 50 }, mode: 'split' });
    const opened = await target.openWindow('churn', 'rollout-1-s0-1');
    expect(opened).toMatchObject({ windowId: 'rollout-1-s0-1', closedAt: null, stable: null, candidate: null });

    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const toCandidate = keys.filter((k) => routeBucket(k, 'c2') < 50).length;
    for (const key of keys) {
      const answer = await client.predict('churn', [ROW], { routeKey: key });
      expect(answer.deploymentId).toBe(routeBucket(key, 'c2') < 50 ? 'c2' : 's1');
    }
    const read = await target.readWindow('churn', 'rollout-1-s0-1');
    expect(read.candidate).toMatchObject({
      deploymentId: 'c2',
      version: 2,
      requests: toCandidate,
      errors: 0,
      rows: toCandidate,
    });
    expect(read.stable).toMatchObject({ deploymentId: 's1', requests: keys.length - toCandidate });
    const closed = await target.closeWindow('churn', 'rollout-1-s0-1');
    expect(closed.closedAt).not.toBeNull();
    await client.predict('churn', [ROW]);
    expect(await target.closeWindow('churn', 'rollout-1-s0-1')).toEqual(closed);

    const promoted = await target.promote('churn', 'c2');
    expect(promoted).toEqual({
      model: 'churn',
      stable: { version: 2, deploymentId: 'c2' },
      previous: { version: 1, deploymentId: 's1' },
    });
    expect(await target.promote('churn', 'c2')).toEqual(promoted);
    expect(await target.status('churn')).toMatchObject({
      stable: { deploymentId: 'c2' },
      candidate: null,
      mode: 'split',
    });
  });

  it('aborts a candidate through the port, and a repeat answers the same', async () => {
    await client.stage('churn', 'c3', { version: 3, artifact: v3 });
    await client.setTraffic('churn', { candidate: 'c3', weights: { stable: 90, candidate: 10 }, mode: 'shadow' });
    expect((await client.traffic('churn')).mode).toBe('shadow');
    const aborted = await client.abort('churn', 'c3', 'p99 1.9x stable');
    expect(aborted).toEqual({
      model: 'churn',
      rolledBack: { version: 3, deploymentId: 'c3' },
      stable: { version: 2, deploymentId: 'c2' },
    });
    expect(await client.abort('churn', 'c3', 'p99 1.9x stable')).toEqual(aborted);
    expect(await client.traffic('churn')).toMatchObject({ candidate: null, weights: { stable: 100, candidate: 0 } });
  });

  it('types the refusals: an unknown window, a conflicting split, a missing token', async () => {
    const unknown = await failure(client.readWindow('churn', 'never-opened'));
    expect(failureType(unknown)).toBe(SlipwayErrorType.NotFound);
    expect(modelServerFailureDetail(unknown)).toMatchObject({ status: 404, code: 'UnknownWindow' });
    const badId = await failure(client.openWindow('churn', 'no spaces allowed'));
    expect(failureType(badId)).toBe(ModelServerFailureType.Rejected);
    expect(modelServerFailureDetail(badId)).toMatchObject({ status: 400, code: 'InvalidRequest' });
    const stableSplit = await failure(
      client.setTraffic('churn', { candidate: 'c2', weights: { stable: 90, candidate: 10 }, mode: 'split' }),
    );
    expect(modelServerFailureDetail(stableSplit)).toMatchObject({ status: 409, code: 'NotCandidate' });
    const anonymous = createModelServerClient(server.url);
    const noToken = await failure(anonymous.openWindow('churn', 'w'));
    expect(failureType(noToken)).toBe(ModelServerFailureType.Rejected);
    expect(modelServerFailureDetail(noToken)).toMatchObject({ status: 401, code: 'Unauthorized' });
  });
});
