import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtifactRef } from '@slipway/sdk';
import {
  createModelServer,
  isLoopbackHost,
  startModelServer,
  type RunningModelServer,
} from '../../../packages/worker/src/serve/index.js';
import {
  AUTH,
  FIXED_SCORE_KIND,
  PREDICTORS,
  TEST_TOKEN,
  call,
  expectedScore,
  logisticModel,
  modelRoutes,
  openWorld,
  servedLines,
  tempDir,
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
  const churn = () => modelRoutes(server.url);
  const start = () =>
    startModelServer({ home: home.path, artifacts: world.artifacts, predictors: PREDICTORS, token: TEST_TOKEN });

  beforeAll(async () => {
    world = await openWorld('serve');
    home = await tempDir('serve-home');
    v1 = await world.artifacts.putJson(logisticModel(W1));
    v2 = await world.artifacts.putJson(logisticModel(W2));
    server = await start();
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

  it('stages v1 without serving it, smoke-checks it, commits it, then scores and logs served features', async () => {
    const staged = await churn().stage('d1', 1, v1);
    expect(staged).toEqual({
      status: 200,
      body: { model: 'churn', version: 1, deploymentId: 'd1', status: 'staged', stable: null },
    });
    // Staged: ordinary predictions do not reach it; the smoke route does, and logs nothing.
    expect((await churn().predict([{ tenure: 1, plan: 'basic' }])).body.error?.message).toMatch(
      /staged, not committed/,
    );
    const smoke = await churn().smoke('d1', [{ tenure: 30, plan: 'basic' }]);
    expect(smoke.body).toMatchObject({ model: 'churn', version: 1, deploymentId: 'd1' });
    expect(smoke.body.predictions?.[0]?.score).toBeCloseTo(expectedScore(W1, 30, 'basic'), 12);
    expect((await churn().status()).body).toMatchObject({
      status: 'idle',
      stable: null,
      staged: { version: 1, deploymentId: 'd1', artifact: v1 },
    });

    const committed = await churn().commit('d1');
    expect(committed).toEqual({
      status: 200,
      body: { model: 'churn', version: 1, deploymentId: 'd1', previous: null },
    });
    const answer = await churn().predict([
      { tenure: 30, plan: 'basic' },
      { tenure: 5, plan: 'pro' },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ model: 'churn', version: 1, deploymentId: 'd1' });
    const [first, second] = answer.body.predictions ?? [];
    expect(first?.score).toBeCloseTo(expectedScore(W1, 30, 'basic'), 12);
    expect(second?.score).toBeCloseTo(expectedScore(W1, 5, 'pro'), 12);
    expect(first?.label).toBe(expectedScore(W1, 30, 'basic') >= 0.5);

    expect(answer.body).toMatchObject({ task: 'binary', classes: [false, true] });

    const log = await servedLines(home.path, 'churn', 1);
    expect(log).toHaveLength(2);
    const score = expectedScore(W1, 30, 'basic');
    expect(log[0]).toEqual({
      ts: expect.any(String),
      deploymentId: 'd1',
      version: 1,
      features: { tenure: 30, plan: 'basic' },
      prediction: {
        task: 'binary',
        score: first?.score,
        label: score >= 0.5,
        scores: { false: first?.scores?.['false'], true: first?.score },
      },
      shadow: false,
    });
    expect(Number.isNaN(Date.parse(log[0]?.['ts'] as string))).toBe(false);
  });

  it('never logs smoke predictions, and ignores the old x-slipway-smoke header on ordinary ones', async () => {
    const before = (await churn().served(1)).body.total ?? -1;
    expect((await churn().smoke('d1', [{ tenure: 1, plan: 'basic' }])).status).toBe(200);
    expect((await churn().served(1)).body.total).toBe(before);
    expect((await churn().predict([{ tenure: 1, plan: 'basic' }], { 'x-slipway-smoke': '1' })).status).toBe(200);
    expect((await churn().served(1)).body.total).toBe(before + 1);
  });

  it('stages and commits v2 over v1; the same stage and commit again answer the same', async () => {
    expect((await churn().stage('d2', 2, v2)).body).toMatchObject({ status: 'staged', stable: { version: 1 } });
    expect((await churn().stage('d2', 2, v2)).body).toMatchObject({ status: 'staged', stable: { version: 1 } });
    // While d2 is staged, v1 still answers every ordinary prediction.
    expect((await churn().predict([{ tenure: 30, plan: 'pro' }])).body.version).toBe(1);
    const commit = await churn().commit('d2');
    const expected = { model: 'churn', version: 2, deploymentId: 'd2', previous: { version: 1, deploymentId: 'd1' } };
    expect(commit).toEqual({ status: 200, body: expected });
    expect(await churn().commit('d2')).toEqual({ status: 200, body: expected });
    expect((await churn().stage('d2', 2, v2)).body).toMatchObject({ status: 'committed', stable: { version: 2 } });
    const reused = await churn().stage('d2', 1, v1);
    expect(reused.status).toBe(409);
    expect(reused.body.error?.code).toBe('DeploymentConflict');

    const answer = await churn().predict([{ tenure: 30, plan: 'pro' }]);
    expect(answer.body.version).toBe(2);
    expect(answer.body.predictions?.[0]?.score).toBeCloseTo(expectedScore(W2, 30, 'pro'), 12);
    expect((await churn().status()).body).toMatchObject({
      status: 'serving',
      stable: { version: 2, deploymentId: 'd2' },
      staged: null,
      previous: { version: 1 },
      weights: { stable: 100, candidate: 0 },
      candidate: null,
    });
  });

  it('rolls v2 back to v1, idempotently, and refuses to stage the rolled-back id again', async () => {
    const rollback = await churn().rollback('d2');
    const expected = {
      model: 'churn',
      rolledBack: { version: 2, deploymentId: 'd2' },
      current: { version: 1, deploymentId: 'd1' },
    };
    expect(rollback).toEqual({ status: 200, body: expected });
    expect(await churn().rollback('d2')).toEqual({ status: 200, body: expected });
    expect((await churn().predict([{ tenure: 30, plan: 'pro' }])).body).toMatchObject({
      version: 1,
      deploymentId: 'd1',
    });

    const again = await churn().stage('d2', 2, v2);
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe('DeploymentRolledBack');
    const commitAgain = await churn().commit('d2');
    expect(commitAgain.body.error?.code).toBe('DeploymentRolledBack');
  });

  it('explains rollback requests it cannot honour', async () => {
    const unknown = await churn().rollback('nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'UnknownDeployment' });
    expect(unknown.body.error?.message).toContain('"nope"');
    const otherModel = await modelRoutes(server.url, 'other').rollback('d1');
    expect(otherModel.status).toBe(404);
    expect(otherModel.body.error?.code).toBe('UnknownModel');
    const missing = await call(`${churn().base}/rollback`, 'POST', {}, AUTH);
    expect(missing.status).toBe(400);
    expect(missing.body.error?.message).toContain('deploymentId');
  });

  it('refuses to stage a corrupted artifact and keeps serving the stable version', async () => {
    const v3 = await world.artifacts.putJson(logisticModel({ ...W2, bias: 3 }));
    const path = fileURLToPath(v3.uri);
    const bytes = await readFile(path);
    bytes[bytes.length - 2] = bytes[bytes.length - 2] === 0x31 ? 0x32 : 0x31;
    await writeFile(path, bytes);

    const put = await churn().stage('d3', 3, v3);
    expect(put.status).toBe(422);
    expect(put.body.error?.code).toBe('ArtifactDigestMismatch');
    expect(put.body.error?.message).toContain(v3.uri);
    expect((await churn().commit('d3')).status).toBe(404);
    expect((await churn().predict([{ tenure: 3, plan: 'basic' }])).body).toMatchObject({
      version: 1,
      deploymentId: 'd1',
    });
    expect((await churn().status()).body.staged).toBeNull();
  });

  it('validates control requests: deployment id length, commit and discard bodies', async () => {
    const long = await churn().stage('x'.repeat(201), 8, v1);
    expect(long.status).toBe(400);
    expect(long.body.error?.message).toMatch(/Invalid deployment id/);
    const noReason = await call(`${churn().base}/deployments/d1/discard`, 'POST', {}, AUTH);
    expect(noReason.status).toBe(400);
    expect(noReason.body.error?.message).toContain('reason');
    const arrayBody = await call(`${churn().base}/deployments/d1/commit`, 'POST', [], AUTH);
    expect(arrayBody.status).toBe(400);
    const noArtifact = await call(`${churn().base}/deployments/d9`, 'PUT', { version: 9 }, AUTH);
    expect(noArtifact.status).toBe(400);
    expect(noArtifact.body.error?.message).toContain('artifact');
    expect((await churn().status()).body).toMatchObject({ stable: { deploymentId: 'd1' }, staged: null });
  });

  it('refuses a model kind it has no loader for, and an artifact that is not a model', async () => {
    const unknownKind = await world.artifacts.putJson({ kind: 'xgboost', trees: [] });
    const put = await churn().stage('d4', 4, unknownKind);
    expect(put.status).toBe(422);
    expect(put.body.error?.code).toBe('UnknownModelKind');
    expect(put.body.error?.message).toMatch(/kind "xgboost".*known kinds: logistic-regression, onnx, test-fixed-score/);

    const notModel = await world.artifacts.putBytes(new TextEncoder().encode('not json'));
    const put2 = await churn().stage('d5', 5, notModel);
    expect(put2.status).toBe(422);
    expect(put2.body.error?.code).toBe('InvalidModel');

    const badWeights = await world.artifacts.putJson({ ...logisticModel(W1), weights: [1] });
    const put3 = await churn().stage('d6', 6, badWeights);
    expect(put3.status).toBe(422);
    expect(put3.body.error?.message).toContain('weights');
    expect((await churn().status()).body.stable).toMatchObject({ version: 1, deploymentId: 'd1' });
  });

  it('validates predict requests and names the failing field path', async () => {
    const noInstances = await call(`${churn().base}/predict`, 'POST', { rows: [] });
    expect(noInstances.status).toBe(400);
    expect(noInstances.body.error?.message).toContain('instances');
    const badValue = await churn().predict([
      { tenure: 1, plan: 'basic' },
      { tenure: { nested: true }, plan: 'pro' },
    ]);
    expect(badValue.status).toBe(400);
    expect(badValue.body.error?.message).toContain('instances.1.tenure');
    const notNumber = await churn().predict([{ tenure: 'long', plan: 'pro' }]);
    expect(notNumber.status).toBe(400);
    expect(notNumber.body.error?.message).toMatch(/instances\.0: .*tenure/);
    const notJson = await fetch(`${churn().base}/predict`, {
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
    const before = (await churn().served(1, '?limit=1')).body.total ?? -1;
    expect(before).toBeGreaterThan(0);
    await churn().predict([1, 2, 3, 4, 5].map((t) => ({ tenure: t, plan: 'basic' })));
    const served = await churn().served(1, '?limit=3');
    expect(served.status).toBe(200);
    expect(served.body.total).toBe(before + 5);
    expect(served.body.rows?.map((r) => r.features['tenure'])).toEqual([3, 4, 5]);
    const none = await churn().served(9);
    expect(none.body).toMatchObject({ model: 'churn', version: 9, total: 0, rows: [] });
    const bad = await call(`${churn().base}/versions/x/served?limit=0`, 'GET', undefined, AUTH);
    expect(bad.status).toBe(400);
  });

  it('reads served rows after a cursor, and refuses a cursor it did not give out for that version', async () => {
    const tail = await churn().served(1, '?limit=1');
    expect(tail.body.cursor).toEqual(expect.any(String));
    await churn().predict([41, 42].map((t) => ({ tenure: t, plan: 'pro' })));
    const after = (cursor: string, version = 1) =>
      churn().served(version, `?limit=10&after=${encodeURIComponent(cursor)}`);
    const next = await after(tail.body.cursor as string);
    expect(next.status).toBe(200);
    expect(next.body.rows?.map((r) => r.features['tenure'])).toEqual([41, 42]);
    expect((await after(next.body.cursor as string)).body.rows).toEqual([]);
    const fromStart = await churn().served(1, '?limit=1&after=start');
    expect(fromStart.body.rows).toHaveLength(1);
    expect(fromStart.body.rows?.[0]).toMatchObject({ version: 1, shadow: false });
    for (const [cursor, version, message] of [
      ['forged', 1, /Invalid query: after: the cursor is not one this server gave out/],
      [`${(tail.body.cursor as string).split('.')[0]}.AAAA`, 1, /seal does not match/],
      [tail.body.cursor as string, 2, /belongs to model "churn" version 1, not "churn" version 2/],
    ] as const) {
      const refused = await after(cursor, version);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'InvalidRequest', message: expect.stringMatching(message) });
    }
  });

  it('rejects a score outside [0, 1] as a server error, in a smoke check and in serving', async () => {
    const fixedModel = modelRoutes(server.url, 'fixed');
    const fixed = await world.artifacts.putJson({ kind: FIXED_SCORE_KIND, score: 1.5 });
    expect((await fixedModel.stage('f1', 1, fixed)).status).toBe(200);
    const smoke = await fixedModel.smoke('f1', [{ tenure: 1, plan: 'basic' }]);
    expect(smoke.status).toBe(500);
    expect(smoke.body.error).toMatchObject({ code: 'PredictionFailed' });
    expect((await fixedModel.commit('f1')).status).toBe(200);
    const answer = await fixedModel.predict([{ tenure: 1, plan: 'basic' }]);
    expect(answer.status).toBe(500);
    expect(answer.body.error?.message).toContain('1.5');
    expect((await fixedModel.served(1)).body.total).toBe(0);
  });

  it('rolling back the first deployment leaves the model idle', async () => {
    const fixedModel = modelRoutes(server.url, 'fixed');
    const rollback = await fixedModel.rollback('f1');
    expect(rollback.body).toEqual({ model: 'fixed', rolledBack: { version: 1, deploymentId: 'f1' }, current: null });
    const answer = await fixedModel.predict([{ tenure: 1 }]);
    expect(answer.status).toBe(404);
    expect(answer.body.error?.code).toBe('NoDeployment');
    expect((await fixedModel.status()).body).toMatchObject({ status: 'idle', stable: null });
  });

  it('serves the same versions after a restart from the same home', async () => {
    await server.close();
    server = await start();
    const status = await churn().status();
    expect(status.body).toMatchObject({ status: 'serving', stable: { version: 1, deploymentId: 'd1' } });
    expect((await churn().predict([{ tenure: 12, plan: 'pro' }])).body.predictions?.[0]?.score).toBeCloseTo(
      expectedScore(W1, 12, 'pro'),
      12,
    );
    // The rollback history survived too: repeating it gives the same answer.
    expect((await churn().rollback('d2')).body.current).toEqual({ version: 1, deploymentId: 'd1' });
    const files = await readdir(join(home.path, 'serving'));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('starts with a model whose artifact went bad marked unavailable, until a new commit', async () => {
    await server.close();
    const state = JSON.parse(await readFile(join(home.path, 'serving', 'state.json'), 'utf8')) as {
      models: Record<string, { stable: { artifact: ArtifactRef } }>;
    };
    const path = fileURLToPath(state.models['churn']!.stable.artifact.uri);
    const original = await readFile(path);
    await writeFile(path, Buffer.from(original.toString('utf8').replace('basic', 'basix')));
    try {
      server = await start();
      const status = await churn().status();
      expect(status.body).toMatchObject({ status: 'unavailable', stable: { version: 1 } });
      expect((status.body as { error?: string }).error).toContain('digest');
      expect((await churn().predict([{ tenure: 1, plan: 'pro' }])).status).toBe(503);
      const fresh = await world.artifacts.putJson(logisticModel({ ...W2, bias: -2 }));
      await churn().deploy('d7', 7, fresh);
      expect((await churn().predict([{ tenure: 1, plan: 'pro' }])).body.version).toBe(7);
    } finally {
      await writeFile(path, original);
    }
  });

  it('serializes concurrent stagings: the last stays staged, each earlier one is discarded naming its replacement', async () => {
    const refs = await Promise.all([1, 2, 3, 4].map((b) => world.artifacts.putJson(logisticModel({ ...W1, bias: b }))));
    const ids = ['c0', 'c1', 'c2', 'c3'];
    const answers = await Promise.all(refs.map((artifact, i) => churn().stage(ids[i]!, 10 + i, artifact)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const status = (await churn().status()).body;
    const staged = status.staged?.deploymentId ?? '';
    expect(ids).toContain(staged);
    const ended = (status.ended ?? []).filter((e) => ids.includes(e.deploymentId));
    expect(ended.map((e) => e.deploymentId).sort()).toEqual(ids.filter((id) => id !== staged));
    expect(ended.every((e) => e.outcome === 'discarded')).toBe(true);
    // Each was replaced by the next one processed: three distinct replacements, the last of them still staged.
    const replacedBy = ended.map((e) => /replaced by deployment "(c\d)"/.exec(e.reason)?.[1]);
    expect(new Set(replacedBy).size).toBe(3);
    expect(replacedBy).toContain(staged);
    expect((await churn().predict([{ tenure: 1, plan: 'pro' }])).body.version).toBe(7);

    const discarded = ended[0]!.deploymentId;
    expect((await churn().commit(discarded)).body.error?.code).toBe('DeploymentDiscarded');
    expect((await churn().commit(staged)).body).toMatchObject({
      deploymentId: staged,
      previous: { deploymentId: 'd7' },
    });
    expect((await churn().status()).body.stable?.deploymentId).toBe(staged);
  });

  it('treats a model named like an Object method as any other name', async () => {
    const ctor = modelRoutes(server.url, 'constructor');
    expect((await ctor.status()).status).toBe(404);
    expect((await ctor.rollback('x')).body.error?.code).toBe('UnknownModel');
    await ctor.deploy('k1', 1, v1);
    expect((await ctor.predict([{ tenure: 1, plan: 'pro' }])).body.version).toBe(1);
  });

  it('answers the one-step deploy route of earlier versions with 410 Gone, naming the two-phase routes', async () => {
    const old = await call(`${churn().base}/deployment`, 'PUT', { deploymentId: 'o1', version: 1, artifact: v1 }, AUTH);
    expect(old.status).toBe(410);
    expect(old.body.error?.message).toMatch(/deployments\/:id.*commit/);
  });

  it('refuses a token shorter than 16 characters, and an empty host', async () => {
    const options = { home: home.path, artifacts: world.artifacts, predictors: PREDICTORS, token: TEST_TOKEN };
    await expect(startModelServer({ ...options, host: ' ' })).rejects.toThrow(/host is empty/);
    await expect(startModelServer({ ...options, token: { value: 'short', source: 'a test' } })).rejects.toThrow(
      /from a test holds a model server token shorter than 16 characters/,
    );
  });

  it('in the bind mode for non-loopback addresses, every route needs the token', async () => {
    expect(['127.0.0.1', '::1', 'localhost'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '10.1.2.3', '::', 'serving.internal'].some(isLoopbackHost)).toBe(false);
    const exposedHome = await tempDir('serve-exposed');
    const exposed = await createModelServer({
      home: exposedHome.path,
      artifacts: world.artifacts,
      predictors: PREDICTORS,
      token: TEST_TOKEN,
      tokenEverywhere: true,
    });
    const open = ['/health', '/metrics', '/v1/models', '/v1/models/churn'];
    for (const path of open) {
      const refused = await exposed.app.request(path);
      expect(refused.status, path).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code, path).toBe('Unauthorized');
      const allowed = await exposed.app.request(path, { headers: AUTH });
      expect(allowed.status === 200 || allowed.status === 404, path).toBe(true);
    }
    const predict = await exposed.app.request('/v1/models/churn/predict', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [{ tenure_months: 3 }] }),
    });
    expect(predict.status).toBe(401);
    await exposed.flush();
    await exposedHome.cleanup();
  });
});
