import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactRef } from '@slipway/sdk';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
import {
  FIXED_SCORE_KIND,
  PREDICTORS,
  call,
  expectedScore,
  logisticModel,
  openWorld,
  tempDir,
  type Answer,
  type LinearWeights,
  type TestWorld,
} from './fixtures.js';

const W1: LinearWeights = { bias: -1, tenure: 0.5, basic: 0.2, pro: -0.3 };
const W2: LinearWeights = { bias: 1, tenure: -0.8, basic: 0, pro: 0.6 };

describe('model server', () => {
  let world: TestWorld;
  let home: { path: string; cleanup: () => Promise<void> };
  let server: RunningModelServer;
  let v1: ArtifactRef;
  let v2: ArtifactRef;
  const model = (path = '') => `${server.url}/v1/models/churn${path}`;
  const predict = (instances: unknown[], headers?: Record<string, string>) =>
    call(model('/predict'), 'POST', { instances }, headers);

  beforeAll(async () => {
    world = await openWorld('serve');
    home = await tempDir('serve-home');
    v1 = await world.artifacts.putJson(logisticModel(W1));
    v2 = await world.artifacts.putJson(logisticModel(W2));
    server = await startModelServer({ home: home.path, artifacts: world.artifacts, predictors: PREDICTORS, port: 0 });
  });

  afterAll(async () => {
    await server?.close();
    await world?.close();
    await home?.cleanup();
  });

  it('listens on 127.0.0.1 and answers /health', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await call(`${server.url}/health`, 'GET');
    expect(health).toEqual({ status: 200, body: { status: 'ok', models: [] } });
  });

  it('deploys v1 and scores rows with it, logging the served features', async () => {
    const put = await call(model('/deployment'), 'PUT', { deploymentId: 'd1', version: 1, artifact: v1 });
    expect(put).toEqual({ status: 200, body: { model: 'churn', version: 1, deploymentId: 'd1', previous: null } });

    const answer = await predict([
      { tenure: 30, plan: 'basic' },
      { tenure: 5, plan: 'pro' },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ model: 'churn', version: 1, deploymentId: 'd1' });
    const [first, second] = answer.body.predictions ?? [];
    expect(first?.score).toBeCloseTo(expectedScore(W1, 30, 'basic'), 12);
    expect(second?.score).toBeCloseTo(expectedScore(W1, 5, 'pro'), 12);
    expect(first?.label).toBe(expectedScore(W1, 30, 'basic') >= 0.5 ? 1 : 0);
    expect(second?.label).toBe(expectedScore(W1, 5, 'pro') >= 0.5 ? 1 : 0);

    const log = (await readFile(join(home.path, 'serving', 'churn', 'v1.jsonl'), 'utf8')).trim().split('\n');
    expect(log).toHaveLength(2);
    const line = JSON.parse(log[0]!) as { ts: string; deploymentId: string; features: object };
    expect(line).toMatchObject({ deploymentId: 'd1', features: { tenure: 30, plan: 'basic' } });
    expect(Number.isNaN(Date.parse(line.ts))).toBe(false);
  });

  it('does not log smoke requests', async () => {
    const before = await call(model('/versions/1/served'), 'GET');
    const smoke = await predict([{ tenure: 1, plan: 'basic' }], { 'x-slipway-smoke': '1' });
    expect(smoke.status).toBe(200);
    const after = await call(model('/versions/1/served'), 'GET');
    expect(after.body.total).toBe(before.body.total);
  });

  it('deploys v2 over v1, and the same deployment id again is a no-op', async () => {
    const put = await call(model('/deployment'), 'PUT', { deploymentId: 'd2', version: 2, artifact: v2 });
    const expected = { model: 'churn', version: 2, deploymentId: 'd2', previous: { version: 1, deploymentId: 'd1' } };
    expect(put).toEqual({ status: 200, body: expected });
    expect(await call(model('/deployment'), 'PUT', { deploymentId: 'd2', version: 2, artifact: v2 })).toEqual({
      status: 200,
      body: expected,
    });
    const reused = await call(model('/deployment'), 'PUT', { deploymentId: 'd2', version: 1, artifact: v1 });
    expect(reused.status).toBe(409);
    expect(reused.body.error?.code).toBe('DeploymentConflict');

    const answer = await predict([{ tenure: 30, plan: 'pro' }]);
    expect(answer.body.version).toBe(2);
    expect(answer.body.predictions?.[0]?.score).toBeCloseTo(expectedScore(W2, 30, 'pro'), 12);
    const status = await call(model(), 'GET');
    expect(status.body).toMatchObject({
      status: 'serving',
      current: { version: 2, deploymentId: 'd2' },
      previous: { version: 1 },
    });
  });

  it('rolls v2 back to v1, idempotently, and refuses to redeploy the rolled-back id', async () => {
    const rollback = await call(model('/rollback'), 'POST', { deploymentId: 'd2' });
    const expected = {
      model: 'churn',
      rolledBack: { version: 2, deploymentId: 'd2' },
      current: { version: 1, deploymentId: 'd1' },
    };
    expect(rollback).toEqual({ status: 200, body: expected });
    expect(await call(model('/rollback'), 'POST', { deploymentId: 'd2' })).toEqual({ status: 200, body: expected });
    expect((await predict([{ tenure: 30, plan: 'pro' }])).body).toMatchObject({ version: 1, deploymentId: 'd1' });

    const again = await call(model('/deployment'), 'PUT', { deploymentId: 'd2', version: 2, artifact: v2 });
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe('DeploymentRolledBack');
  });

  it('explains rollback requests it cannot honour', async () => {
    const unknown = await call(model('/rollback'), 'POST', { deploymentId: 'nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'UnknownDeployment' });
    expect(unknown.body.error?.message).toContain('"nope"');
    const otherModel = await call(`${server.url}/v1/models/other/rollback`, 'POST', { deploymentId: 'd1' });
    expect(otherModel.status).toBe(404);
    expect(otherModel.body.error?.code).toBe('UnknownModel');
    const missing = await call(model('/rollback'), 'POST', {});
    expect(missing.status).toBe(400);
    expect(missing.body.error?.message).toContain('deploymentId');
  });

  it('keeps serving the previous version when an artifact is corrupted', async () => {
    const v3 = await world.artifacts.putJson(logisticModel({ ...W2, bias: 3 }));
    const path = fileURLToPath(v3.uri);
    const bytes = await readFile(path);
    bytes[bytes.length - 2] = bytes[bytes.length - 2] === 0x31 ? 0x32 : 0x31;
    await writeFile(path, bytes);

    const put = await call(model('/deployment'), 'PUT', { deploymentId: 'd3', version: 3, artifact: v3 });
    expect(put.status).toBe(422);
    expect(put.body.error?.code).toBe('ArtifactDigestMismatch');
    expect(put.body.error?.message).toContain(v3.uri);
    expect((await predict([{ tenure: 3, plan: 'basic' }])).body).toMatchObject({ version: 1, deploymentId: 'd1' });
  });

  it('refuses a model kind it has no loader for, and an artifact that is not a model', async () => {
    const unknownKind = await world.artifacts.putJson({ kind: 'xgboost', trees: [] });
    const put = await call(model('/deployment'), 'PUT', { deploymentId: 'd4', version: 4, artifact: unknownKind });
    expect(put.status).toBe(422);
    expect(put.body.error?.code).toBe('UnknownModelKind');
    expect(put.body.error?.message).toMatch(/kind "xgboost".*known kinds: logistic-regression, test-fixed-score/);

    const notModel = await world.artifacts.putBytes(new TextEncoder().encode('not json'));
    const put2 = await call(model('/deployment'), 'PUT', { deploymentId: 'd5', version: 5, artifact: notModel });
    expect(put2.status).toBe(422);
    expect(put2.body.error?.code).toBe('InvalidModel');

    const badWeights = await world.artifacts.putJson({ ...logisticModel(W1), weights: [1] });
    const put3 = await call(model('/deployment'), 'PUT', { deploymentId: 'd6', version: 6, artifact: badWeights });
    expect(put3.status).toBe(422);
    expect(put3.body.error?.message).toContain('weights');
    expect((await call(model(), 'GET')).body.current).toMatchObject({ version: 1, deploymentId: 'd1' });
  });

  it('validates predict requests and names the failing field path', async () => {
    const noInstances = await call(model('/predict'), 'POST', { rows: [] });
    expect(noInstances.status).toBe(400);
    expect(noInstances.body.error?.message).toContain('instances');
    const badValue = await predict([
      { tenure: 1, plan: 'basic' },
      { tenure: { nested: true }, plan: 'pro' },
    ]);
    expect(badValue.status).toBe(400);
    expect(badValue.body.error?.message).toContain('instances.1.tenure');
    const notNumber = await predict([{ tenure: 'long', plan: 'pro' }]);
    expect(notNumber.status).toBe(400);
    expect(notNumber.body.error?.message).toMatch(/instances\.0: .*tenure/);
    const notJson = await fetch(model('/predict'), {
      method: 'POST',
      body: '{',
      headers: { 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    const badName = await call(`${server.url}/v1/models/Bad Name!/predict`, 'POST', { instances: [{}] });
    expect(badName.status).toBe(400);
    const unknownModel = await call(`${server.url}/v1/models/ghost/predict`, 'POST', { instances: [{}] });
    expect(unknownModel.status).toBe(404);
  });

  it('returns served rows newest last, limited, with the total count', async () => {
    const before = (await call(model('/versions/1/served?limit=1'), 'GET')).body.total ?? -1;
    expect(before).toBeGreaterThan(0);
    await predict([1, 2, 3, 4, 5].map((t) => ({ tenure: t, plan: 'basic' })));
    const served = await call(model('/versions/1/served?limit=3'), 'GET');
    expect(served.status).toBe(200);
    expect(served.body.total).toBe(before + 5);
    expect(served.body.rows?.map((r) => r.features['tenure'])).toEqual([3, 4, 5]);
    const none = await call(model('/versions/9/served'), 'GET');
    expect(none.body).toEqual({ model: 'churn', version: 9, total: 0, rows: [] });
    const bad = await call(model('/versions/x/served?limit=0'), 'GET');
    expect(bad.status).toBe(400);
  });

  it('rejects a score outside [0, 1] as a server error', async () => {
    const fixed = await world.artifacts.putJson({ kind: FIXED_SCORE_KIND, score: 1.5 });
    expect(
      (
        await call(`${server.url}/v1/models/fixed/deployment`, 'PUT', {
          deploymentId: 'f1',
          version: 1,
          artifact: fixed,
        })
      ).status,
    ).toBe(200);
    const answer = await call(`${server.url}/v1/models/fixed/predict`, 'POST', {
      instances: [{ tenure: 1, plan: 'basic' }],
    });
    expect(answer.status).toBe(500);
    expect(answer.body.error).toMatchObject({ code: 'PredictionFailed' });
    expect(answer.body.error?.message).toContain('1.5');
    expect((await call(`${server.url}/v1/models/fixed/versions/1/served`, 'GET')).body.total).toBe(0);
  });

  it('rolling back the first deployment leaves the model idle', async () => {
    const rollback = await call(`${server.url}/v1/models/fixed/rollback`, 'POST', { deploymentId: 'f1' });
    expect(rollback.body).toEqual({ model: 'fixed', rolledBack: { version: 1, deploymentId: 'f1' }, current: null });
    const answer = await call(`${server.url}/v1/models/fixed/predict`, 'POST', { instances: [{ tenure: 1 }] });
    expect(answer.status).toBe(404);
    expect(answer.body.error?.code).toBe('NoDeployment');
    expect((await call(`${server.url}/v1/models/fixed`, 'GET')).body).toMatchObject({ status: 'idle', current: null });
  });

  it('serves the same versions after a restart from the same home', async () => {
    await server.close();
    server = await startModelServer({ home: home.path, artifacts: world.artifacts, predictors: PREDICTORS, port: 0 });
    const status = await call(model(), 'GET');
    expect(status.body).toMatchObject({ status: 'serving', current: { version: 1, deploymentId: 'd1' } });
    expect((await predict([{ tenure: 12, plan: 'pro' }])).body.predictions?.[0]?.score).toBeCloseTo(
      expectedScore(W1, 12, 'pro'),
      12,
    );
    // The rollback history survived too: repeating it gives the same answer.
    expect((await call(model('/rollback'), 'POST', { deploymentId: 'd2' })).body.current).toEqual({
      version: 1,
      deploymentId: 'd1',
    });
    const files = await readdir(join(home.path, 'serving'));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('starts with a model whose artifact went bad marked unavailable, until a new deploy', async () => {
    await server.close();
    const state = JSON.parse(await readFile(join(home.path, 'serving', 'state.json'), 'utf8')) as {
      models: Record<string, { current: { artifact: ArtifactRef } }>;
    };
    const path = fileURLToPath(state.models['churn']!.current.artifact.uri);
    const original = await readFile(path);
    await writeFile(path, Buffer.from(original.toString('utf8').replace('basic', 'basix')));
    try {
      server = await startModelServer({ home: home.path, artifacts: world.artifacts, predictors: PREDICTORS, port: 0 });
      const status = await call(model(), 'GET');
      expect(status.body).toMatchObject({ status: 'unavailable', current: { version: 1 } });
      expect(status.body.error).toContain('digest');
      expect((await predict([{ tenure: 1, plan: 'pro' }])).status).toBe(503);
      const fresh = await world.artifacts.putJson(logisticModel({ ...W2, bias: -2 }));
      expect(
        (await call(model('/deployment'), 'PUT', { deploymentId: 'd7', version: 7, artifact: fresh })).status,
      ).toBe(200);
      expect((await predict([{ tenure: 1, plan: 'pro' }])).body.version).toBe(7);
    } finally {
      await writeFile(path, original);
    }
  });

  it('serializes concurrent deploys: one wins, the others are in the history', async () => {
    const refs = await Promise.all([1, 2, 3, 4].map((b) => world.artifacts.putJson(logisticModel({ ...W1, bias: b }))));
    const answers = await Promise.all(
      refs.map((artifact, i) =>
        call(model('/deployment'), 'PUT', { deploymentId: `c${i}`, version: 10 + i, artifact }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    // Each answer names the one before it: together they form one chain.
    const previous = answers.map((a) => a.body.previous?.deploymentId).sort();
    expect(previous).toEqual(['c0', 'c1', 'c2', 'c3', 'd7'].filter((id) => id !== lastDeployed(answers)).sort());
    const status = await call(model(), 'GET');
    expect(status.body.current?.deploymentId).toBe(lastDeployed(answers));
  });

  it('treats a model named like an Object method as any other name', async () => {
    const url = `${server.url}/v1/models/constructor`;
    expect((await call(url, 'GET')).status).toBe(404);
    expect((await call(`${url}/rollback`, 'POST', { deploymentId: 'x' })).body.error?.code).toBe('UnknownModel');
    expect((await call(`${url}/deployment`, 'PUT', { deploymentId: 'k1', version: 1, artifact: v1 })).status).toBe(200);
    expect((await call(`${url}/predict`, 'POST', { instances: [{ tenure: 1, plan: 'pro' }] })).body.version).toBe(1);
  });

  it('refuses to bind anything but a loopback address', async () => {
    await expect(
      startModelServer({
        home: home.path,
        artifacts: world.artifacts,
        predictors: PREDICTORS,
        host: '0.0.0.0' as '127.0.0.1',
      }),
    ).rejects.toThrow(/not a loopback address/);
  });
});

/** The deployment no other answer names as its previous one: the last to be deployed. */
function lastDeployed(answers: { body: Answer }[]): string {
  const previous = new Set(answers.map((a) => a.body.previous?.deploymentId));
  const last = answers.map((a) => a.body.deploymentId).filter((id) => !previous.has(id));
  expect(last).toHaveLength(1);
  return last[0]!;
}
