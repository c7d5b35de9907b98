/**
 * The model server's rollout over HTTP: a staged version becomes the candidate with a share of the traffic, the
 * split survives a restart (the candidate keeps serving its share, sticky keys stay where they were), promote makes
 * it stable (a rollback restores the old one), abort puts all traffic back on stable and records why; repeats
 * answer the same, and every refusal names what was wrong and changes nothing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactRef } from '@slipway/sdk';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
import { routeBucket } from '../../../packages/worker/src/serve/routing.js';
import {
  PREDICTORS,
  TEST_TOKEN,
  expectedScore,
  logisticModel,
  modelRoutes,
  openWorld,
  tempDir,
  type LinearWeights,
  type TestWorld,
} from './fixtures.js';

const W1: LinearWeights = { bias: -1, tenure: 0.5, basic: 0.2, pro: -0.3 };
const W2: LinearWeights = { bias: 1, tenure: -0.8, basic: 0, pro: 0.6 };
const ROW = { tenure: 5, plan: 'pro' };

/** The first route keys (`user-<n>`) whose bucket for candidate `c2` is below / at or above `percent`. */
function keysFor(percent: number): { inShare: string; outOfShare: string } {
  let inShare: string | undefined;
  let outOfShare: string | undefined;
  for (let n = 0; !(inShare && outOfShare); n++) {
    const key = `user-${n}`;
    if (routeBucket(key, 'c2') < percent) inShare ??= key;
    else outOfShare ??= key;
  }
  return { inShare, outOfShare };
}

describe('traffic split', () => {
  let world: TestWorld;
  let home: { path: string; cleanup: () => Promise<void> };
  let server: RunningModelServer | undefined;
  let v1: ArtifactRef;
  let v2: ArtifactRef;
  const churn = () => modelRoutes((server as RunningModelServer).url);
  const statePath = () => join(home.path, 'serving', 'state.json');
  const restart = async () => {
    await server?.close();
    server = await startModelServer({
      home: home.path,
      artifacts: world.artifacts,
      predictors: PREDICTORS,
      token: TEST_TOKEN,
    });
  };
  const answeredBy = async (key: string) =>
    (await churn().predict([ROW], { 'x-slipway-route-key': key })).body.deploymentId;

  beforeEach(async () => {
    world = await openWorld('split');
    home = await tempDir('split-home');
    v1 = await world.artifacts.putJson(logisticModel(W1));
    v2 = await world.artifacts.putJson(logisticModel(W2));
    await restart();
    await churn().deploy('s1', 1, v1);
    expect((await churn().stage('c2', 2, v2)).status).toBe(200);
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    await world?.close();
    await home?.cleanup();
  });

  it('gives the staged version its share; a restart restores the split and the candidate keeps serving it', async () => {
    const set = await churn().traffic('c2', { stable: 90, candidate: 10 });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      model: 'churn',
      stable: { version: 1, deploymentId: 's1' },
      candidate: { version: 2, deploymentId: 'c2' },
      weights: { stable: 90, candidate: 10 },
      mode: 'split',
    });
    const keys = keysFor(10);
    expect(await answeredBy(keys.inShare)).toBe('c2');
    expect(await answeredBy(keys.outOfShare)).toBe('s1');
    const candidateAnswer = (await churn().predict([ROW], { 'x-slipway-route-key': keys.inShare })).body;
    expect(candidateAnswer.version).toBe(2);
    expect(candidateAnswer.predictions?.[0]?.score).toBeCloseTo(expectedScore(W2, 5, 'pro'), 12);

    await restart();
    expect((await churn().getTraffic()).body).toEqual(set.body);
    expect((await churn().status()).body).toMatchObject({
      status: 'serving',
      stable: { deploymentId: 's1' },
      candidate: { deploymentId: 'c2', version: 2 },
      staged: null,
      weights: { stable: 90, candidate: 10 },
      mode: 'split',
      ended: [],
    });
    expect(await answeredBy(keys.inShare)).toBe('c2');
    expect(await answeredBy(keys.outOfShare)).toBe('s1');
    // The candidate can still be smoke-checked through its own route.
    expect((await churn().smoke('c2', [ROW])).body.deploymentId).toBe('c2');
  });

  it('after a restart, a candidate that cannot be loaded gets no traffic and the status says why', async () => {
    await churn().traffic('c2', { stable: 10, candidate: 90 });
    const saved = JSON.parse(await readFile(statePath(), 'utf8')) as {
      models: { churn: { candidate: { artifact: { digest: string } } } };
    };
    saved.models.churn.candidate.artifact.digest = `sha256:${'e'.repeat(64)}`;
    await writeFile(statePath(), JSON.stringify(saved));
    await restart();
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f']) expect(await answeredBy(key)).toBe('s1');
    const status = (await churn().status()).body as { status?: string; error?: string };
    expect(status.status).toBe('serving');
    expect(status.error).toMatch(/the candidate could not be loaded \(it gets no traffic\)/);
    expect((await churn().smoke('c2', [ROW])).body.error?.code).toBe('ModelUnavailable');
    // Aborting it still works, and clears the error.
    expect((await churn().abort('c2', 'could not be loaded')).status).toBe(200);
    expect(((await churn().status()).body as { error?: string }).error).toBeUndefined();
  });

  it('keeps a shadow split across a restart: stable answers every request', async () => {
    expect((await churn().traffic('c2', { stable: 0, candidate: 100 }, 'shadow')).status).toBe(200);
    await restart();
    expect((await churn().getTraffic()).body).toMatchObject({ mode: 'shadow', weights: { candidate: 100 } });
    for (const key of ['a', 'b', 'c', 'd']) expect(await answeredBy(key)).toBe('s1');
  });

  it('a repeated split changes nothing on disk; new weights are persisted', async () => {
    await churn().traffic('c2', { stable: 90, candidate: 10 });
    const text = await readFile(statePath(), 'utf8');
    const again = await churn().traffic('c2', { stable: 90, candidate: 10 });
    expect(again.body.weights).toEqual({ stable: 90, candidate: 10 });
    expect(await readFile(statePath(), 'utf8')).toBe(text);
    await churn().traffic('c2', { stable: 50, candidate: 50 });
    const saved = JSON.parse(await readFile(statePath(), 'utf8')) as { format: number; models: Record<string, object> };
    expect(saved.format).toBe(2);
    expect(saved.models['churn']).toMatchObject({ weights: { stable: 50, candidate: 50 }, mode: 'split' });
  });

  it('promotes the candidate: all traffic on it, a repeat answers the same, a rollback restores the old stable', async () => {
    await churn().traffic('c2', { stable: 50, candidate: 50 });
    const promoted = await churn().promote('c2');
    expect(promoted.status).toBe(200);
    expect(promoted.body).toEqual({
      model: 'churn',
      stable: { version: 2, deploymentId: 'c2' },
      previous: { version: 1, deploymentId: 's1' },
    });
    expect((await churn().promote('c2')).body).toEqual(promoted.body);
    for (const key of ['a', 'b', 'c', 'd', 'e']) expect(await answeredBy(key)).toBe('c2');
    expect((await churn().status()).body).toMatchObject({
      stable: { deploymentId: 'c2' },
      candidate: null,
      weights: { stable: 100, candidate: 0 },
      mode: 'split',
      previous: { deploymentId: 's1' },
    });
    await restart();
    expect((await churn().predict([ROW])).body.deploymentId).toBe('c2');
    expect((await churn().rollback('c2')).body.current).toEqual({ version: 1, deploymentId: 's1' });
    expect((await churn().predict([ROW])).body.deploymentId).toBe('s1');
  });

  it('aborts the candidate: all traffic back on stable, recorded as rolled back with the reason', async () => {
    await churn().traffic('c2', { stable: 50, candidate: 50 });
    const aborted = await churn().abort('c2', 'error rate 12 % > 1 %');
    expect(aborted.status).toBe(200);
    expect(aborted.body).toEqual({
      model: 'churn',
      rolledBack: { version: 2, deploymentId: 'c2' },
      stable: { version: 1, deploymentId: 's1' },
    });
    expect((await churn().abort('c2', 'again')).body).toEqual(aborted.body);
    for (const key of ['a', 'b', 'c', 'd', 'e']) expect(await answeredBy(key)).toBe('s1');
    const saved = JSON.parse(await readFile(statePath(), 'utf8')) as { models: Record<string, object> };
    expect(saved.models['churn']).toMatchObject({
      candidate: null,
      weights: { stable: 100, candidate: 0 },
      rolledBack: [{ deploymentId: 'c2', reason: 'error rate 12 % > 1 %', restored: { deploymentId: 's1' } }],
    });
    await restart();
    expect((await churn().predict([ROW], { 'x-slipway-route-key': keysFor(50).inShare })).body.deploymentId).toBe('s1');
    const restage = await churn().stage('c2', 2, v2);
    expect(restage).toMatchObject({ status: 409, body: { error: { code: 'DeploymentRolledBack' } } });
    expect((await churn().traffic('c2', { stable: 50, candidate: 50 })).body.error?.code).toBe('DeploymentRolledBack');
  });

  it('refuses a second candidate, a commit or a rollback while a candidate is set, naming both; nothing changes', async () => {
    await churn().traffic('c2', { stable: 90, candidate: 10 });
    const v3 = await world.artifacts.putJson(logisticModel({ ...W2, bias: 3 }));
    expect((await churn().stage('c3', 3, v3)).status).toBe(200);
    const before = await readFile(statePath(), 'utf8');
    const second = await churn().traffic('c3', { stable: 90, candidate: 10 });
    expect(second.status).toBe(409);
    expect(second.body.error?.code).toBe('CandidateConflict');
    expect(second.body.error?.message).toMatch(/candidate "c2" \(version 2\).*deployment "c3" must wait/);
    const commit = await churn().commit('c3');
    expect(commit).toMatchObject({ status: 409, body: { error: { code: 'CandidateConflict' } } });
    const rollback = await churn().rollback('s1');
    expect(rollback).toMatchObject({ status: 409, body: { error: { code: 'CandidateConflict' } } });
    const rollbackCandidate = await churn().rollback('c2');
    expect(rollbackCandidate.body.error?.message).toMatch(/abort it instead/);
    expect(await readFile(statePath(), 'utf8')).toBe(before);
    expect((await churn().getTraffic()).body.candidate).toEqual({ version: 2, deploymentId: 'c2' });
  });

  it('refuses a split naming an unknown deployment, the stable one, or bad weights, and promote/abort of the wrong one', async () => {
    const before = await readFile(statePath(), 'utf8');
    const unknown = await churn().traffic('ghost', { stable: 90, candidate: 10 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error?.code).toBe('UnknownDeployment');
    expect(unknown.body.error?.message).toContain('"ghost"');
    const stable = await churn().traffic('s1', { stable: 90, candidate: 10 });
    expect(stable).toMatchObject({ status: 409, body: { error: { code: 'NotCandidate' } } });
    expect(stable.body.error?.message).toMatch(/"s1".*stable.*staged: "c2"/);
    const sum = await churn().traffic('c2', { stable: 90, candidate: 20 });
    expect(sum.status).toBe(400);
    expect(sum.body.error?.message).toMatch(/Invalid body: .*weights.*sum to 100/);
    const mode = await churn().traffic('c2', { stable: 90, candidate: 10 }, 'mirror' as 'shadow');
    expect(mode.status).toBe(400);
    expect(mode.body.error?.message).toMatch(/Invalid body: mode/);
    const otherModel = await modelRoutes(server!.url, 'nothing-here').traffic('c2', { stable: 90, candidate: 10 });
    expect(otherModel).toMatchObject({ status: 404, body: { error: { code: 'UnknownModel' } } });
    expect((await churn().promote('c2')).body.error?.code).toBe('NotCandidate');
    expect((await churn().promote('ghost')).status).toBe(404);
    expect((await churn().abort('s1', 'no')).body.error?.code).toBe('NotCandidate');
    expect((await churn().abort('ghost', 'no')).status).toBe(404);
    expect((await churn().abort('c2', '')).status).toBe(400);
    expect(await readFile(statePath(), 'utf8')).toBe(before);
    expect((await churn().getTraffic()).body).toMatchObject({ candidate: null, weights: { candidate: 0 } });
  });

  it('aborts a staged deployment that never got traffic', async () => {
    const aborted = await churn().abort('c2', 'smoke check failed');
    expect(aborted.body).toMatchObject({ rolledBack: { deploymentId: 'c2' }, stable: { deploymentId: 's1' } });
    expect((await churn().status()).body).toMatchObject({ staged: null, candidate: null });
    expect((await churn().smoke('c2', [ROW])).body.error?.code).toBe('DeploymentRolledBack');
  });
});
