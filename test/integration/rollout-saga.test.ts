/**
 * The rollout saga's decisions on a real Temporal dev server and worker, against a scripted deploy target (see
 * `scripted-rollout.ts`; the readings are judged by the contract's `judgeStep`): a healthy canary goes 10 → 50 →
 * 100 and promotes once; an error or p99 breach stops at its step and compensates; no data holds, then aborts at
 * the deadline; a lost window is measured again in a new one; the default blue/green plan is one swap; operators
 * pause, resume, promote now and abort by signed Update, and an outsider is refused.
 */
import {
  rolloutVersion,
  type RolloutPlanInput,
  type RolloutResult,
  type RolloutState,
  type RolloutVersionInputRaw,
} from '@slipway/sdk';
import { ClientErrorCode } from '@slipway/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { clientError } from '../support/failures.js';
import { machineValues, recordFixture } from '../support/record-history.js';
import { scriptedRollout, startScriptedWorker } from '../support/scripted-rollout.js';
import { eventually } from '../support/waits.js';

const target = scriptedRollout();
let h: Harness;
let stopWorker: (() => Promise<void>) | undefined;

beforeAll(async () => {
  h = await startHarness({ name: 'rollout-saga', worker: false });
  stopWorker = await startScriptedWorker(h, await bundle(), target);
}, 300_000);
afterAll(async () => {
  await stopWorker?.();
  await h?.stop();
});

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const healthy = { candidate: { requests: 60 }, stable: { requests: 240 } };

/** Starts `rollout:<model>` for v2 of `model` under `plan`; maria may command it. */
async function startRollout(model: string, plan: RolloutPlanInput): Promise<string> {
  const input: RolloutVersionInputRaw = {
    version: { name: model, version: 2, digest: DIGEST },
    deploy: { serverUrl: h.modelServer.url },
    plan,
    approval: { approvers: ['maria'] },
  };
  const { runId } = await h.client.start(rolloutVersion, input, { runId: `rollout:${model}` });
  return runId;
}

function result(runId: string): Promise<RolloutResult> {
  return h.client.result(runId, rolloutVersion);
}

function stateWhen(model: string, what: string, ok: (s: RolloutState) => boolean): Promise<RolloutState> {
  return eventually(what, async () => {
    const state = await h.client.rolloutStatus(model);
    return ok(state) ? state : undefined;
  });
}

describe('the rollout saga', () => {
  it('takes a healthy canary 10 → 50 → 100, reading each window, and promotes once', async () => {
    target.script('canary-ok', () => healthy);
    const runId = await startRollout('canary-ok', { strategy: 'canary', bakeTime: '1s' });
    const done = await result(runId);
    expect(done).toMatchObject({ status: 'promoted', reason: null, step: 2, previousVersion: 1, smokeScore: 0.7 });
    const log = target.log('canary-ok');
    expect(log.stages).toHaveLength(1);
    expect(log.traffic.map((t) => [t.percent, t.mode])).toEqual([
      [10, 'split'],
      [50, 'split'],
      [100, 'split'],
    ]);
    expect(new Set(log.traffic.map((t) => t.windowId)).size).toBe(3);
    expect(done.records.map((r) => [r.step, r.percent, r.verdict])).toEqual([
      [0, 10, 'pass'],
      [1, 50, 'pass'],
      [2, 100, 'pass'],
    ]);
    // Each final verdict is read again with the window closed (frozen).
    expect(log.reads.filter((r) => r.close)).toHaveLength(3);
    expect(log.promotes).toHaveLength(1);
    expect(log.compensations).toHaveLength(0);
    const state = await h.client.rolloutStatus('canary-ok');
    expect(state).toMatchObject({ phase: 'promoted', percent: 100, outcome: { status: 'promoted' } });
    // The promoted canary as a replay fixture: the saga's timers, reads and promote replay as they ran.
    const history = await h.client.temporal.workflow.getHandle(runId).fetchHistory();
    const fixture = await recordFixture(h, history, 'rollout-version-canary-promoted.json');
    for (const value of machineValues(h)) expect(fixture.json, value).not.toContain(value);
    expect(fixture.json).toContain('"name": "slipway.rollout.read"');
  });

  it('stops an error breach at its step: no later step starts, and the rollout compensates', async () => {
    target.script('canary-errors', ({ step }) =>
      step === 1 ? { candidate: { requests: 60, errors: 9 }, stable: { requests: 60 } } : healthy,
    );
    const done = await result(await startRollout('canary-errors', { strategy: 'canary', bakeTime: '1s' }));
    expect(done.status).toBe('rolled_back');
    expect(done.reason).toContain('breach at step 2 (50 %)');
    expect(done.reason).toContain('maxErrorRate');
    expect(done.step).toBe(1);
    const log = target.log('canary-errors');
    expect(log.traffic.map((t) => t.percent)).toEqual([10, 50]);
    expect(log.promotes).toHaveLength(0);
    expect(log.compensations).toHaveLength(1);
    expect(log.compensations[0]).toMatchObject({ step: 1, readings: { candidate: { errors: 9, requests: 60 } } });
    expect(done.records.at(-1)).toMatchObject({ step: 1, verdict: 'breach' });
  });

  it('rolls back a slow candidate on the p99 guard', async () => {
    target.script('slow', () => ({ candidate: { requests: 60, p99Ms: 900 }, stable: { requests: 200, p99Ms: 8 } }));
    const plan = { strategy: 'canary' as const, bakeTime: '1s', guards: { maxP99Ms: 250 } };
    const done = await result(await startRollout('slow', plan));
    expect(done).toMatchObject({ status: 'rolled_back', step: 0 });
    expect(done.reason).toContain('maxP99Ms');
    expect(target.log('slow').traffic.map((t) => t.percent)).toEqual([10]);
  });

  it('holds a step without enough requests, reads it again, and aborts at the deadline', async () => {
    target.script('no-traffic', () => ({ candidate: { requests: 3 }, stable: { requests: 0 } }));
    const plan = { strategy: 'canary' as const, bakeTime: '1s', deadline: '4s' };
    const done = await result(await startRollout('no-traffic', plan));
    expect(done.status).toBe('rolled_back');
    expect(done.reason).toContain('still held at the deadline');
    expect(done.reason).toContain('only 3 of the 20 requests');
    const log = target.log('no-traffic');
    expect(log.traffic.map((t) => t.percent)).toEqual([10]);
    // The held window was read more than once and never closed; the record says how often.
    expect(log.reads.length).toBeGreaterThan(1);
    expect(new Set(log.reads.map((r) => r.windowId)).size).toBe(1);
    expect(done.records).toHaveLength(1);
    expect(done.records[0]).toMatchObject({ verdict: 'hold', reads: log.reads.length });
    expect(log.compensations).toHaveLength(1);
  });

  it('measures a step again in a new window when the target lost the first', async () => {
    target.script('lost-window', ({ attempt }) =>
      attempt === 0 ? { lost: true, candidate: { requests: 0 } } : healthy,
    );
    const done = await result(
      await startRollout('lost-window', { strategy: 'linear', steps: [50, 100], bakeTime: '1s' }),
    );
    expect(done.status).toBe('promoted');
    const windows = target.log('lost-window').traffic.map((t) => [t.percent, t.windowId.slice(-5)]);
    expect(windows).toEqual([
      [50, '-s0-0'],
      [50, '-s0-1'],
      [100, '-s1-0'],
      [100, '-s1-1'],
    ]);
    expect(done.records.map((r) => r.verdict)).toEqual(['lost', 'pass', 'lost', 'pass']);
  });

  it('runs the default plan as one blue/green swap without reading guards', async () => {
    target.script('blue-green', () => {
      throw new Error('a blue/green swap with no bake time reads no window');
    });
    const done = await result(await startRollout('blue-green', {}));
    expect(done).toMatchObject({ status: 'promoted', step: 0 });
    const log = target.log('blue-green');
    expect(log.traffic.map((t) => t.percent)).toEqual([100]);
    expect(log.reads).toHaveLength(0);
    expect(done.records).toMatchObject([{ verdict: 'unread', percent: 100 }]);
  });

  it('retires the replaced version after the drain, once; a first version goes to all traffic and retires nothing', async () => {
    target.script('retired', () => healthy);
    const plan = { strategy: 'linear' as const, steps: [50, 100], bakeTime: '1s', drain: '2s' };
    const runId = await startRollout('retired', plan);
    const done = await result(runId);
    expect(done).toMatchObject({ status: 'promoted', previousVersion: 1 });
    expect(done.retirement).toEqual({ retired: { version: 1, deploymentId: 'stable-d1' }, kept: null });
    expect((await h.client.rolloutStatus('retired')).outcome?.retirement).toEqual(done.retirement);
    expect(target.log('retired').retires).toMatchObject([
      { retire: { version: 1, deploymentId: 'stable-d1' }, deploymentId: 'retired-v2', drain: '2s', alias: 'champion' },
    ]);
    const progress = await h.client.status(runId);
    expect(progress.progress?.steps.map((s) => [s.step, s.status])).toEqual([
      ['stage', 'completed'],
      ['rollout', 'completed'],
      ['promote', 'completed'],
      ['retire', 'completed'],
    ]);
    // In the history the retire step is scheduled after the promotion, once the drain's timer fired.
    const history = await h.client.temporal.workflow.getHandle(runId).fetchHistory();
    const events = (history.events ?? []).map((e) => ({
      fired: e.timerFiredEventAttributes != null,
      activity: e.activityTaskScheduledEventAttributes?.activityType?.name ?? undefined,
    }));
    const at = (found: (e: (typeof events)[number]) => boolean) => events.findIndex(found);
    const promoteAt = at((e) => e.activity === 'slipway.rollout.promote');
    const retireAt = at((e) => e.activity === 'slipway.rollout.retire');
    const drainFiredAt = events.findLastIndex((e, i) => e.fired && i > promoteAt);
    expect(promoteAt).toBeGreaterThan(0);
    expect(drainFiredAt).toBeGreaterThan(promoteAt);
    expect(retireAt).toBeGreaterThan(drainFiredAt);
    expect(events.filter((e) => e.activity === 'slipway.rollout.retire')).toHaveLength(1);
    // The retiring rollout as a replay fixture: the patch marker and the retire step replay as they ran.
    const fixture = await recordFixture(h, history, 'rollout-version-canary-retired.json');
    for (const value of machineValues(h)) expect(fixture.json, value).not.toContain(value);
    expect(fixture.json).toContain('"name": "slipway.rollout.retire"');

    target.script('first', () => healthy);
    target.firstDeployment('first');
    const first = await result(await startRollout('first', { strategy: 'linear', steps: [50, 100], bakeTime: '1s' }));
    expect(first).toMatchObject({ status: 'promoted', retirement: { retired: null, kept: null } });
    expect(target.log('first').retires).toHaveLength(0);
    // With nothing stable there is nothing to split with: the first version takes all the traffic in one step,
    // unread, and the result says why the plan's steps were not taken.
    expect(target.log('first').traffic.map((t) => t.percent)).toEqual([100]);
    expect(target.log('first').reads).toHaveLength(0);
    expect(first.records).toMatchObject([{ verdict: 'unread', percent: 100, step: 0 }]);
    expect(first.reason).toContain('nothing served this model before');
    expect((await h.client.rolloutStatus('first')).steps).toEqual([100]);
  });

  it('keeps the promotion when the retire step fails: the progress shows it failed, the result says why', async () => {
    target.script('retire-fails', () => healthy);
    target.failRetire('retire-fails');
    const runId = await startRollout('retire-fails', { strategy: 'linear', steps: [50, 100], bakeTime: '1s' });
    const done = await result(runId);
    expect(done).toMatchObject({ status: 'promoted', previousVersion: 1 });
    expect(done.retirement).toEqual({
      retired: null,
      kept: expect.stringContaining('v1 (stable-d1) not retired: ') as string,
    });
    expect(done.retirement?.kept).toContain('the registry refused the record of stable-d1');
    expect(target.log('retire-fails').retires).toHaveLength(1);
    const retire = (await h.client.status(runId)).progress?.steps.find((s) => s.step === 'retire');
    expect(retire).toMatchObject({ status: 'failed', summary: expect.stringContaining('refused') as string });
    const outcome = (await h.client.rolloutStatus('retire-fails')).outcome;
    expect(outcome).toMatchObject({ status: 'promoted', retirement: done.retirement });
  });
});

describe('operators command a rollout by signed Update', () => {
  const holding = () => ({ candidate: { requests: 0 } });
  const command = (model: string, kind: 'pause' | 'resume' | 'promote' | 'abort', as = 'maria') =>
    h.client.rolloutCommand(model, kind, { as, reason: `${kind} for the test` });

  it('refuses an outsider and a command that does not apply; pauses, resumes and promotes now', async () => {
    target.script('commanded', holding);
    const runId = await startRollout('commanded', { strategy: 'canary', bakeTime: '1s', deadline: '10m' });
    await stateWhen('commanded', 'a held step', (s) => s.records.some((r) => r.verdict === 'hold'));
    const outsider = await clientError(command('commanded', 'abort', 'lee'));
    expect(outsider.code).toBe(ClientErrorCode.OperatorNotAllowed);
    expect(outsider.message).toContain('lee may not command this rollout');
    expect((await clientError(command('commanded', 'resume'))).code).toBe(ClientErrorCode.CommandNotApplicable);

    const paused = await command('commanded', 'pause');
    expect(paused.pausedBy).toBe('maria: pause for the test');
    await stateWhen('commanded', 'the paused phase', (s) => s.phase === 'paused');
    expect((await command('commanded', 'resume')).pausedBy).toBeNull();
    await command('commanded', 'promote');
    const done = await result(runId);
    expect(done).toMatchObject({ status: 'promoted', step: 0, reason: 'promoted by maria: promote for the test' });
    expect(target.log('commanded').traffic.map((t) => t.percent)).toEqual([10]);
    expect(target.log('commanded').promotes).toHaveLength(1);
    const state = await h.client.rolloutStatus('commanded');
    expect(state.commands.map((c) => [c.command, c.operator])).toEqual([
      ['pause', 'maria'],
      ['resume', 'maria'],
      ['promote', 'maria'],
    ]);
    expect((await clientError(command('commanded', 'abort'))).code).toBe(ClientErrorCode.RolloutClosed);
    // Pause, resume and promote-now as a replay fixture: the accepted Updates replay as they were applied.
    const history = await h.client.temporal.workflow.getHandle(runId).fetchHistory();
    const fixture = await recordFixture(h, history, 'rollout-version-commanded-promoted.json');
    expect(fixture.json).toContain('slipway.rollout.command');
  });

  it('aborts on command: the rollout compensates with the operator and the reason', async () => {
    target.script('aborted', holding);
    const runId = await startRollout('aborted', { strategy: 'canary', bakeTime: '1s', deadline: '10m' });
    await stateWhen('aborted', 'the first step', (s) => s.step === 0 && s.phase === 'baking');
    await command('aborted', 'abort');
    const done = await result(runId);
    expect(done).toMatchObject({ status: 'rolled_back', reason: 'aborted by maria: abort for the test' });
    expect(target.log('aborted').compensations).toMatchObject([{ reason: 'aborted by maria: abort for the test' }]);
  });

  it('pauses at a breach with onBreach "pause", and a resume measures the step again', async () => {
    target.script('breach-pause', ({ step, attempt }) =>
      step === 0 && attempt === 0 ? { candidate: { requests: 50, errors: 20 }, stable: { requests: 50 } } : healthy,
    );
    const plan = { strategy: 'linear' as const, steps: [50, 100], bakeTime: '1s', onBreach: 'pause' as const };
    const runId = await startRollout('breach-pause', plan);
    const paused = await stateWhen('breach-pause', 'the pause at the breach', (s) => s.phase === 'paused');
    expect(paused.pausedBy).toContain('breach at step 1 (50 %)');
    expect(target.log('breach-pause').compensations).toHaveLength(0);
    await command('breach-pause', 'resume');
    const done = await result(runId);
    expect(done.status).toBe('promoted');
    expect(done.records.map((r) => [r.step, r.verdict])).toEqual([
      [0, 'breach'],
      [0, 'pass'],
      [1, 'pass'],
    ]);
  });
});
