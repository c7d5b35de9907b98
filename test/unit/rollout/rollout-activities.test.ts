/**
 * The five rollout activities, as `createActivities` registers them, against a real model server: a healthy canary,
 * a candidate that errors on part of the traffic, a slow one, one that gets no traffic, shadow traffic, a server
 * restart. Traffic is a bounded number of loopback predict requests; every assertion is about what was served,
 * measured and recorded, never about timing. After every step the registry's alias and the server's stable version
 * agree.
 */
import { describe, expect, it, vi } from 'vitest';
import { rolloutWorkflowId } from '@slipway/sdk';
import { logisticModel } from '../serve/fixtures.js';
import { failingModel, slowModel } from './rollout-fixtures.js';
import { GUARDS, refusal, useRolloutWorld } from './rollout-world.js';

const W1 = { bias: -0.5, tenure: 0.7, basic: 0.4, pro: -0.2 };
const W2 = { bias: 0.3, tenure: -0.4, basic: 0.1, pro: 0.9 };

const {
  registry,
  serverUrl: currentUrl,
  client,
  run,
  register,
  proofOf,
  recordApproval,
  expectAgree,
  firstRollout,
  canary,
  traffic,
  auditLines,
  restartServer,
} = useRolloutWorld('rollout-activities');

describe('a healthy canary', () => {
  it('stages, splits 10 % then 100 %, reads each window exactly, promotes once: the alias moves at the promotion only', async () => {
    const model = 'healthy';
    const v1 = await register(model, logisticModel(W1));
    const v2 = await register(model, logisticModel(W2));
    const stableId = await firstRollout(v1);

    // The rollout runs in the model's rollout workflow, on the approval the promotion recorded.
    const promotion = 'wf-promote-healthy';
    const proof = await proofOf(v2, promotion);
    await recordApproval(v2, proof);
    const wf = rolloutWorkflowId(model);
    const serverUrl = currentUrl();
    const staged = await run(wf, 'stage', 'slipway.rollout.stage', { version: v2, serverUrl, proof });
    expect(staged.deploymentId).toMatch(/^healthy-v2-[0-9a-f]{16}$/);
    expect(staged.stable).toEqual({ version: 1, deploymentId: stableId });
    expect(staged.smokePrediction.score).toBeGreaterThan(0);
    await expectAgree(model, 1);
    const { deploymentId } = staged;
    const step = (percent: number, index: number) =>
      run(wf, `traffic-${index}`, 'slipway.rollout.traffic', {
        version: v2,
        serverUrl,
        deploymentId,
        percent,
        mode: 'split',
        windowId: `${wf}-s${index}-1`,
      });

    const ten = await step(10, 0);
    expect(ten.traffic).toMatchObject({
      weights: { stable: 90, candidate: 10 },
      mode: 'split',
      candidate: { version: 2, deploymentId },
      stable: { version: 1, deploymentId: stableId },
    });
    const first = await traffic(model, 300);
    expect(first.failed).toBe(0);
    const read0 = await run(wf, 'read-0', 'slipway.rollout.read', {
      version: v2,
      serverUrl,
      deploymentId,
      windowId: `${wf}-s0-1`,
      guards: { ...GUARDS, maxP99Ratio: 1000 },
      close: true,
    });
    if (read0.lost) throw new Error(`window lost: ${read0.reason}`);
    // The window counts exactly what each version answered after the split was set.
    expect(read0.readings.candidate).toMatchObject({
      version: 2,
      requests: first.byVersion[2],
      errors: 0,
      errorRate: 0,
    });
    expect(read0.readings.stable).toMatchObject({ version: 1, requests: first.byVersion[1], errors: 0 });
    expect((first.byVersion[1] ?? 0) + (first.byVersion[2] ?? 0)).toBe(300);
    expect(read0.readings.candidate.p99Ms).not.toBeNull();
    expect(read0.readings.p99Ratio).not.toBeNull();
    expect(read0.verdict.verdict).toBe('pass');
    await expectAgree(model, 1);

    await step(100, 1);
    const second = await traffic(model, 40);
    expect(second).toEqual({ byVersion: { 2: 40 }, failed: 0 });
    const read1 = await run(wf, 'read-1', 'slipway.rollout.read', {
      version: v2,
      serverUrl,
      deploymentId,
      windowId: `${wf}-s1-1`,
      baselineWindowId: `${wf}-s0-1`,
      guards: { ...GUARDS, maxP99Ratio: 1000 },
      close: true,
    });
    if (read1.lost) throw new Error(`window lost: ${read1.reason}`);
    // Stable served nothing at 100 %: the relative guard compares with the last window where it served enough.
    expect(read1.readings.candidate.requests).toBe(40);
    expect(read1.readings.stable).toBeNull();
    expect(read1.readings.baseline).toMatchObject({ version: 1, requests: first.byVersion[1] });
    expect(read1.verdict.verdict).toBe('pass');
    // Until the promotion the alias names the stable version, which the server still calls stable.
    await expectAgree(model, 1);

    const promoted = await run(wf, 'promote', 'slipway.rollout.promote', {
      version: v2,
      serverUrl,
      deploymentId,
      proof,
    });
    expect(promoted).toEqual({ previousVersion: 1, live: { version: 2, deploymentId } });
    await expectAgree(model, 2);
    // A retried promotion answers the same and moves the alias once.
    const again = await run(wf, 'promote', 'slipway.rollout.promote', { version: v2, serverUrl, deploymentId, proof });
    expect(again).toEqual(promoted);
    expect((await auditLines(model, 'alias')).map((e) => e.version)).toEqual([1, 2]);
    const deployments = (await registry().getVersion(model, 2))?.deployments ?? [];
    expect(deployments.map((d) => [d.deploymentId, d.status, d.previousVersion])).toEqual([
      [deploymentId, 'deployed', 1],
    ]);
  });
});

describe('a candidate that errors on part of the traffic', () => {
  it('breaches at its step; the compensation puts all traffic on stable, restores nothing it need not, records the rollback', async () => {
    const model = 'erroring';
    const v1 = await register(model, logisticModel(W1));
    const v2 = await register(model, failingModel(30));
    const stableId = await firstRollout(v1);
    const c = await canary('wf-erroring', v2, 50);

    const sent = await traffic(model, 200);
    const read = await c.read(GUARDS);
    if (read.lost) throw new Error(`window lost: ${read.reason}`);
    // Every failed request was the candidate's: stable's share failed none.
    expect(sent.failed).toBeGreaterThan(0);
    expect(read.readings.candidate.errors).toBe(sent.failed);
    expect(read.readings.candidate.requests).toBe((sent.byVersion[2] ?? 0) + sent.failed);
    expect(read.readings.stable).toMatchObject({ requests: sent.byVersion[1], errors: 0 });
    expect(read.verdict.verdict).toBe('breach');
    expect(read.verdict.checks.filter((k) => k.outcome === 'breach').map((k) => k.guard)).toEqual(['maxErrorRate']);
    await expectAgree(model, 1);

    const reason = 'maxErrorRate breached at step 1';
    const compensated = await c.compensate(reason, read.readings);
    expect(compensated).toEqual({ live: { version: 1, deploymentId: stableId }, aliasVersion: 1 });
    expect(await client().status(model)).toMatchObject({
      stable: { version: 1, deploymentId: stableId },
      candidate: null,
      weights: { stable: 100, candidate: 0 },
    });
    await expectAgree(model, 1);
    expect(await traffic(model, 40)).toEqual({ byVersion: { 1: 40 }, failed: 0 });

    // Recorded once, with the reason, the step and the readings; the audit log has the rollback.
    const again = await c.compensate(reason, read.readings);
    expect(again).toEqual(compensated);
    const records = (await registry().getVersion(model, 2))?.deployments ?? [];
    expect(records.map((d) => [d.deploymentId, d.status, d.previousVersion])).toEqual([
      [c.deploymentId, 'rolled_back', 1],
    ]);
    expect(records[0]?.detail).toContain(`${reason} (at step 1); readings: {`);
    expect(records[0]?.detail).toContain(`"errors":${sent.failed}`);
    const rollbacks = await auditLines(model, 'rollback');
    expect(rollbacks.map((e) => [e.version, e.data['status'], e.data['deploymentId']])).toEqual([
      [2, 'rolled_back', c.deploymentId],
    ]);

    // A rolled-back candidate cannot be promoted afterwards.
    const late = await refusal(
      run('wf-erroring', 'promote', 'slipway.rollout.promote', {
        version: v2,
        serverUrl: currentUrl(),
        deploymentId: c.deploymentId,
        proof: c.proof,
      }),
    );
    expect(late.nonRetryable).toBe(true);
    expect(late.message).toContain(c.deploymentId);
    await expectAgree(model, 1);
  });
});

describe('a slow candidate', () => {
  it('breaches the p99 guard', async () => {
    const model = 'slow';
    const v1 = await register(model, logisticModel(W1));
    const v2 = await register(model, slowModel(100));
    await firstRollout(v1);
    const c = await canary('wf-slow', v2, 50);
    const sent = await traffic(model, 30);
    expect(sent.failed).toBe(0);
    const read = await c.read({ ...GUARDS, maxP99Ms: 50, maxP99Ratio: 3 });
    if (read.lost) throw new Error(`window lost: ${read.reason}`);
    expect(read.readings.candidate.p99Ms).toBeGreaterThanOrEqual(99);
    expect(read.readings.p99Ratio).not.toBeNull();
    expect(read.verdict.verdict).toBe('breach');
    expect(read.verdict.checks.find((k) => k.guard === 'maxP99Ms')?.outcome).toBe('breach');
    const compensated = await c.compensate('p99 over 50 ms', read.readings);
    expect(compensated.live?.version).toBe(1);
    await expectAgree(model, 1);
  });
});

describe('a candidate that gets no traffic', () => {
  it('holds (no data is never a pass) and reads the same open window again later', async () => {
    const model = 'idle';
    const v1 = await register(model, logisticModel(W1));
    const v2 = await register(model, logisticModel(W2));
    await firstRollout(v1);
    const c = await canary('wf-idle', v2, 10);
    const first = await c.read(GUARDS, false);
    if (first.lost) throw new Error(`window lost: ${first.reason}`);
    expect(first.readings.candidate).toEqual({ version: 2, requests: 0, errors: 0, errorRate: null, p99Ms: null });
    expect(first.verdict.verdict).toBe('hold');
    // The open window keeps counting: traffic sent after the first read is in the second.
    const sent = await traffic(model, 100);
    const second = await c.read(GUARDS, false);
    if (second.lost) throw new Error(`window lost: ${second.reason}`);
    expect(second.readings.candidate.requests).toBe(sent.byVersion[2] ?? 0);
    await c.compensate('held past the deadline');
    await expectAgree(model, 1);
  });
});

describe('shadow traffic', () => {
  it('never answers with the candidate, and the window counts the copies it scored', async () => {
    const model = 'shadowed';
    const v1 = await register(model, logisticModel(W1));
    const v2 = await register(model, logisticModel(W2));
    await firstRollout(v1);
    const c = await canary('wf-shadow', v2, 100, 'shadow');
    expect(await traffic(model, 30)).toEqual({ byVersion: { 1: 30 }, failed: 0 });
    // Copies are scored after the answer: wait for the window to have counted all 30.
    await vi.waitFor(
      async () => {
        const read = await c.read(GUARDS, false);
        expect(read.lost === false && read.readings.candidate.requests).toBe(30);
      },
      { timeout: 10_000 },
    );
    await expectAgree(model, 1);
    await c.compensate('shadow test done');
  });
});

describe('a model server restart', () => {
  it('loses the open window (read as lost) but keeps the split; a new window measures again', async () => {
    const model = 'restarted';
    const v1 = await register(model, logisticModel(W1));
    const v2 = await register(model, logisticModel(W2));
    await firstRollout(v1);
    const c = await canary('wf-restart', v2, 10);
    await restartServer();
    const lost = await c.read(GUARDS);
    expect(lost).toMatchObject({ lost: true });
    expect(lost.lost && lost.reason).toContain(`no longer holds window ${c.windowId}`);
    expect(await client().status(model)).toMatchObject({
      candidate: { version: 2, deploymentId: c.deploymentId },
      weights: { stable: 90, candidate: 10 },
    });
    const retried = await run('wf-restart', 'traffic-0-2', 'slipway.rollout.traffic', {
      version: v2,
      serverUrl: currentUrl(),
      deploymentId: c.deploymentId,
      percent: 10,
      mode: 'split',
      windowId: 'wf-restart-s0-2',
    });
    expect(retried.traffic.weights).toEqual({ stable: 90, candidate: 10 });
    await c.compensate('restart test done');
    await expectAgree(model, 1);
  });
});
