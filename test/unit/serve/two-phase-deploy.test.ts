/**
 * Nothing serves unchecked: a staged version serves no traffic, a restart between stage and commit abandons it (the
 * previous stable version serves, the status says when and why), and the state file of earlier versions is read.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ArtifactRef } from '@slipway/sdk';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
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

describe('two-phase deploy', () => {
  let world: TestWorld;
  let home: { path: string; cleanup: () => Promise<void> };
  let server: RunningModelServer | undefined;
  let v1: ArtifactRef;
  let v2: ArtifactRef;
  const statePath = () => join(home.path, 'serving', 'state.json');
  const churn = () => modelRoutes((server as RunningModelServer).url);
  const restart = async () => {
    await server?.close();
    server = await startModelServer({
      home: home.path,
      artifacts: world.artifacts,
      predictors: PREDICTORS,
      token: TEST_TOKEN,
    });
  };

  beforeEach(async () => {
    world = await openWorld('two-phase');
    home = await tempDir('two-phase-home');
    v1 = await world.artifacts.putJson(logisticModel(W1));
    v2 = await world.artifacts.putJson(logisticModel(W2));
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    await world?.close();
    await home?.cleanup();
  });

  it('a restart between stage and commit serves the previous version and reports the staged one as abandoned', async () => {
    await restart();
    await churn().deploy('d1', 1, v1);
    expect((await churn().stage('d2', 2, v2)).status).toBe(200);
    expect((await churn().smoke('d2', [{ tenure: 5, plan: 'pro' }])).body.version).toBe(2);

    await restart();
    const answer = await churn().predict([{ tenure: 5, plan: 'pro' }]);
    expect(answer.body).toMatchObject({ version: 1, deploymentId: 'd1' });
    expect(answer.body.predictions?.[0]?.score).toBeCloseTo(expectedScore(W1, 5, 'pro'), 12);
    const status = (await churn().status()).body;
    expect(status).toMatchObject({ status: 'serving', stable: { version: 1, deploymentId: 'd1' }, staged: null });
    expect(status.ended).toEqual([
      {
        version: 2,
        deploymentId: 'd2',
        stagedAt: expect.any(String),
        endedAt: expect.any(String),
        outcome: 'abandoned',
        reason: 'the model server restarted before the deployment was committed',
      },
    ]);
    expect(Date.parse(status.ended![0]!.endedAt)).toBeGreaterThanOrEqual(Date.parse(status.ended![0]!.stagedAt));

    // The abandoned deployment can neither be smoke-checked nor committed as it is...
    for (const refused of [await churn().smoke('d2', [{ tenure: 1, plan: 'pro' }]), await churn().commit('d2')]) {
      expect(refused.status).toBe(409);
      expect(refused.body.error?.code).toBe('StagedAbandoned');
      expect(refused.body.error?.message).toMatch(/"d2".*version 2.*abandoned.*restarted.*stage it again/);
    }
    expect((await churn().predict([{ tenure: 5, plan: 'pro' }])).body.version).toBe(1);
    // ...but staged again under the same id, smoke-checked and committed, it serves.
    expect((await churn().stage('d2', 2, v2)).body).toMatchObject({ status: 'staged', stable: { version: 1 } });
    expect((await churn().status()).body.ended).toEqual([]);
    expect((await churn().commit('d2')).body).toMatchObject({ version: 2, previous: { deploymentId: 'd1' } });
    expect((await churn().predict([{ tenure: 5, plan: 'pro' }])).body.version).toBe(2);
  });

  it('a discarded staging never serves, cannot be committed or staged again, and its discard replays', async () => {
    await restart();
    await churn().deploy('d1', 1, v1);
    expect((await churn().stage('d2', 2, v2)).status).toBe(200);
    const discarded = await churn().discard('d2', 'smoke check failed: score NaN');
    const expected = {
      model: 'churn',
      version: 2,
      deploymentId: 'd2',
      stagedAt: expect.any(String),
      endedAt: expect.any(String),
      outcome: 'discarded',
      reason: 'smoke check failed: score NaN',
      stable: { version: 1, deploymentId: 'd1' },
    };
    expect(discarded).toEqual({ status: 200, body: expected });
    expect((await churn().discard('d2', 'again')).body).toEqual(discarded.body);
    expect((await churn().commit('d2')).body.error?.code).toBe('DeploymentDiscarded');
    expect((await churn().stage('d2', 2, v2)).body.error?.code).toBe('DeploymentDiscarded');
    expect((await churn().smoke('d2', [{ tenure: 1, plan: 'pro' }])).body.error?.code).toBe('DeploymentDiscarded');
    expect((await churn().predict([{ tenure: 5, plan: 'pro' }])).body.version).toBe(1);
    expect((await churn().served(2)).body.total).toBe(0);
  });

  it('explains commits and discards it cannot honour: unknown ids 404, a committed id cannot be discarded', async () => {
    await restart();
    const unknown = await churn().commit('ghost');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'UnknownDeployment' });
    expect(unknown.body.error?.message).toMatch(/no deployment "ghost" \(stable: nothing; staged: nothing\)/);
    await churn().deploy('d1', 1, v1);
    const committed = await churn().discard('d1', 'too late');
    expect(committed.status).toBe(409);
    expect(committed.body.error?.code).toBe('NotStaged');
    expect(committed.body.error?.message).toContain('roll a committed one back');
    expect((await churn().discard('ghost', 'x')).status).toBe(404);
    expect((await churn().rollback('ghost')).status).toBe(404);
    expect((await churn().stage('d2', 2, v2)).status).toBe(200);
    const rollbackStaged = await churn().rollback('d2');
    expect(rollbackStaged.body.error?.code).toBe('NotCurrent');
    expect(rollbackStaged.body.error?.message).toContain('discard it instead');
  });

  it('serves a format 1 state file after an upgrade, and rewrites it as format 2 on the next change', async () => {
    const v1State = {
      format: 1,
      models: {
        churn: {
          current: {
            deploymentId: 'old-2',
            version: 2,
            artifact: v2,
            deployedAt: '2025-01-02T00:00:00.000Z',
            previous: { version: 1, deploymentId: 'old-1' },
          },
          history: [
            { deploymentId: 'old-1', version: 1, artifact: v1, deployedAt: '2025-01-01T00:00:00.000Z', previous: null },
          ],
          rolledBack: [],
        },
      },
    };
    await mkdir(join(home.path, 'serving'), { recursive: true });
    const text = JSON.stringify(v1State, null, 2);
    await writeFile(statePath(), text);
    await restart();
    expect((await churn().predict([{ tenure: 5, plan: 'pro' }])).body).toMatchObject({
      version: 2,
      deploymentId: 'old-2',
    });
    expect((await churn().status()).body).toMatchObject({
      stable: { version: 2, deploymentId: 'old-2' },
      previous: { version: 1, deploymentId: 'old-1' },
      staged: null,
      weights: { stable: 100, candidate: 0 },
    });
    // Reading changes nothing on disk.
    expect(await readFile(statePath(), 'utf8')).toBe(text);
    // Committing again the id that serves changes nothing either.
    expect((await churn().commit('old-2')).body).toMatchObject({ version: 2, previous: { deploymentId: 'old-1' } });
    expect(await readFile(statePath(), 'utf8')).toBe(text);

    // The next change writes format 2; the old history still rolls back.
    expect((await churn().rollback('old-2')).body.current).toEqual({ version: 1, deploymentId: 'old-1' });
    const after = JSON.parse(await readFile(statePath(), 'utf8')) as { format: number; models: Record<string, object> };
    expect(after.format).toBe(2);
    expect(after.models['churn']).toMatchObject({
      stable: { deploymentId: 'old-1' },
      candidate: null,
      staged: null,
      weights: { stable: 100, candidate: 0 },
      rolledBack: [{ deploymentId: 'old-2', restored: { deploymentId: 'old-1' } }],
      ended: [],
    });
    await restart();
    expect((await churn().predict([{ tenure: 5, plan: 'pro' }])).body.deploymentId).toBe('old-1');
  });

  it('gives a rollout candidate at weight 0 no traffic: it can be smoke-checked, not committed, discarded or re-staged', async () => {
    const entry = { version: 1, artifact: v1, deployedAt: '2025-01-01T00:00:00.000Z', previous: null };
    const state = {
      format: 2,
      models: {
        churn: {
          stable: { ...entry, deploymentId: 's1' },
          candidate: { ...entry, version: 2, artifact: v2, deploymentId: 'c2' },
          staged: null,
          weights: { stable: 100, candidate: 0 },
          history: [],
          rolledBack: [],
          ended: [],
        },
      },
    };
    await mkdir(join(home.path, 'serving'), { recursive: true });
    await writeFile(statePath(), JSON.stringify(state));
    await restart();
    expect((await churn().predict([{ tenure: 5, plan: 'pro' }])).body.deploymentId).toBe('s1');
    expect((await churn().status()).body).toMatchObject({
      candidate: { deploymentId: 'c2' },
      weights: { candidate: 0 },
    });
    expect((await churn().smoke('c2', [{ tenure: 5, plan: 'pro' }])).body).toMatchObject({
      version: 2,
      deploymentId: 'c2',
    });
    expect((await churn().commit('c2')).body.error?.code).toBe('NotStaged');
    expect((await churn().discard('c2', 'x')).body.error?.code).toBe('NotStaged');
    expect((await churn().stage('c2', 1, v1)).body.error?.code).toBe('DeploymentConflict');
  });

  it('refuses to start on a state file it cannot serve faithfully, naming the file', async () => {
    await mkdir(join(home.path, 'serving'), { recursive: true });
    await writeFile(statePath(), JSON.stringify({ format: 3, models: {} }));
    await expect(restart()).rejects.toThrow(
      new RegExp(`${statePath()} has format 3; this server reads formats 1 and 2`),
    );

    const entry = { version: 1, artifact: v1, deployedAt: '2025-01-01T00:00:00.000Z', previous: null };
    const split = {
      format: 2,
      models: {
        churn: {
          stable: { ...entry, deploymentId: 's' },
          candidate: { ...entry, deploymentId: 'c' },
          staged: null,
          weights: { stable: 70, candidate: 30 },
          history: [],
          rolledBack: [],
          ended: [],
        },
      },
    };
    const shadowAlone = {
      ...split,
      models: {
        churn: { ...split.models.churn, candidate: null, weights: { stable: 100, candidate: 0 }, mode: 'shadow' },
      },
    };
    await writeFile(statePath(), JSON.stringify(shadowAlone));
    await expect(restart()).rejects.toThrow(/not a serving state: .*mode.*shadow traffic needs a candidate/);

    const badWeights = {
      ...split,
      models: { churn: { ...split.models.churn, candidate: null, weights: { stable: 60, candidate: 30 } } },
    };
    await writeFile(statePath(), JSON.stringify(badWeights));
    await expect(restart()).rejects.toThrow(/not a serving state: .*weights.*sum to 100/);
  });
});
