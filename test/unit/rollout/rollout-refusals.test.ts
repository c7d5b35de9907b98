/**
 * What the rollout activities refuse, on a real model server: a stage without an approval or with another artifact,
 * a version that fails its smoke check (withdrawn, recorded failed), a second candidate, a read naming another
 * candidate, a promotion without an approval, a server that is not the configured one, the compensation of a
 * promoted candidate; and the deploy target a worker chooses. Each refusal names what was wrong and leaves the
 * server and the registry as they were.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { SlipwayErrorType, type ModelVersionRef } from '@slipway/sdk';
import { createModelServerClient } from '../../../packages/activities/src/model-server/index.js';
import { FIXED_SCORE_KIND, TEST_TOKEN, logisticModel } from '../serve/fixtures.js';
import { GUARDS, refusal, useRolloutWorld } from './rollout-world.js';

const W1 = { bias: -0.5, tenure: 0.7, basic: 0.4, pro: -0.2 };
const W2 = { bias: 0.3, tenure: -0.4, basic: 0.1, pro: 0.9 };

const {
  registry,
  serverUrl: currentUrl,
  client,
  activities,
  runActivity,
  run,
  register,
  proofOf,
  expectAgree,
  firstRollout,
  canary,
  traffic,
} = useRolloutWorld('rollout-refusals');

describe('refusals', () => {
  let v1: ModelVersionRef;
  let v2: ModelVersionRef;
  let v3: ModelVersionRef;
  const model = 'refusals';

  beforeAll(async () => {
    v1 = await register(model, logisticModel(W1));
    v2 = await register(model, logisticModel(W2));
    v3 = await register(model, { kind: FIXED_SCORE_KIND, score: 1.5 });
    await firstRollout(v1);
  });

  it('stage refuses a version without an approval proof, or whose artifact is not the one named, touching nothing', async () => {
    const before = await client().status(model);
    const bare = await refusal(
      run('wf-r1', 'stage', 'slipway.rollout.stage', { version: v2, serverUrl: currentUrl() }),
    );
    expect(bare).toMatchObject({ type: SlipwayErrorType.NotApproved, nonRetryable: true });
    const proof = await proofOf(v2, 'wf-r1');
    const wrongDigest = { ...v2, digest: v1.digest };
    const mismatch = await refusal(
      run('wf-r1', 'stage', 'slipway.rollout.stage', { version: wrongDigest, serverUrl: currentUrl(), proof }),
    );
    expect(mismatch.type).toBe(SlipwayErrorType.DigestMismatch);
    expect(await client().status(model)).toEqual(before);
  });

  it('stage withdraws a version that fails its smoke check and records the failure; stable keeps serving', async () => {
    const proof = await proofOf(v3, 'wf-r2');
    const failed = await refusal(
      run('wf-r2', 'stage', 'slipway.rollout.stage', { version: v3, serverUrl: currentUrl(), proof }),
    );
    expect(failed).toMatchObject({ type: SlipwayErrorType.DeployFailed, nonRetryable: true });
    expect(failed.message).toContain('smoke check failed');
    expect(failed.message).toContain('the staged version was withdrawn and never served; version 1 keeps serving');
    const status = await client().status(model);
    expect(status).toMatchObject({ staged: null, candidate: null, stable: { version: 1 } });
    const records = (await registry().getVersion(model, 3))?.deployments ?? [];
    expect(records.map((d) => [d.status, d.previousVersion])).toEqual([['failed', 1]]);
    await expectAgree(model, 1);
  });

  it('traffic refuses a second candidate while one holds traffic, naming both; nothing changes', async () => {
    const c = await canary('wf-r3', v2, 10);
    const other = await run('wf-r3b', 'stage', 'slipway.rollout.stage', {
      version: v2,
      serverUrl: currentUrl(),
      proof: await proofOf(v2, 'wf-r3b'),
    });
    const refused = await refusal(
      run('wf-r3b', 'traffic-0', 'slipway.rollout.traffic', {
        version: v2,
        serverUrl: currentUrl(),
        deploymentId: other.deploymentId,
        percent: 50,
        mode: 'split',
        windowId: 'wf-r3b-s0-1',
      }),
    );
    expect(refused.nonRetryable).toBe(true);
    expect(refused.message).toContain(c.deploymentId);
    expect(refused.message).toContain(other.deploymentId);
    expect(await client().status(model)).toMatchObject({
      candidate: { deploymentId: c.deploymentId },
      weights: { stable: 90, candidate: 10 },
    });

    // A read naming another candidate than the one the window measured is refused, naming both.
    await traffic(model, 100);
    const misread = await refusal(
      run('wf-r3', 'read-x', 'slipway.rollout.read', {
        version: v2,
        serverUrl: currentUrl(),
        deploymentId: other.deploymentId,
        windowId: c.windowId,
        guards: GUARDS,
      }),
    );
    expect(misread.type).toBe(SlipwayErrorType.InvalidOutput);
    expect(misread.message).toContain(`measured candidate "${c.deploymentId}"`);
    expect(misread.message).toContain(`not the rollout's candidate "${other.deploymentId}"`);

    // Promote refuses without a proof, before it touches the server.
    const bare = await refusal(
      run('wf-r3', 'promote', 'slipway.rollout.promote', {
        version: v2,
        serverUrl: currentUrl(),
        deploymentId: c.deploymentId,
      }),
    );
    expect(bare.type).toBe(SlipwayErrorType.NotApproved);
    expect((await client().status(model)).candidate?.deploymentId).toBe(c.deploymentId);
    await c.compensate('refusal test done');
    await expectAgree(model, 1);
  });

  it('refuses a serverUrl that is not the configured model server before it sends the token anywhere', async () => {
    const refused = await refusal(
      run('wf-r4', 'traffic-0', 'slipway.rollout.traffic', {
        version: v2,
        serverUrl: 'http://127.0.0.1:9',
        deploymentId: 'refusals-v2-x',
        percent: 10,
        mode: 'split',
        windowId: 'wf-r4-s0-1',
      }),
    );
    expect(refused).toMatchObject({ type: SlipwayErrorType.InvalidInput, nonRetryable: true });
    expect(refused.message).toContain(
      'serverUrl http://127.0.0.1:9 is not the model server this worker is configured for',
    );
  });

  it('compensation of a candidate that was already promoted is refused: roll it back as a command', async () => {
    const c = await canary('wf-r5', v2, 100);
    await run('wf-r5', 'promote', 'slipway.rollout.promote', {
      version: v2,
      serverUrl: currentUrl(),
      deploymentId: c.deploymentId,
      proof: c.proof,
    });
    await expectAgree(model, 2);
    const refused = await refusal(c.compensate('too late'));
    expect(refused).toMatchObject({ type: SlipwayErrorType.RolloutAborted, nonRetryable: true });
    expect(refused.message).toContain(`already serves "${c.deploymentId}" as stable`);
    await expectAgree(model, 2);
  });
});

describe("a deploy target of the worker's choosing", () => {
  it('acts through the configured factory, given the token for the configured model server only', async () => {
    const model = 'targeted';
    const v1 = await register(model, logisticModel(W1));
    await firstRollout(v1);
    const built: { url: string; token: string | undefined }[] = [];
    const custom = activities({
      deployTarget: (url, options) => {
        built.push({ url, token: options.token });
        return createModelServerClient(url, options);
      },
    });
    const input = {
      version: v1,
      serverUrl: currentUrl(),
      deploymentId: 'unused',
      windowId: 'never-opened',
      guards: GUARDS,
    };
    expect(await runActivity('wf-targeted', 'read', custom['slipway.rollout.read'], input)).toMatchObject({
      lost: true,
    });
    expect(built).toEqual([{ url: currentUrl(), token: TEST_TOKEN.value }]);
  });
});
