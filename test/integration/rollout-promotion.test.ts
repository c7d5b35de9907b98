/**
 * `trainAndPromote` with a `rollout` plan on a real Temporal dev server and worker: validate, train, register and the
 * gate are the real steps; the approved version is rolled out by the child workflow `rollout:<model>` against a
 * scripted deploy target (`scripted-rollout.ts`). A promoted rollout ends the run `deployed`; a rolled-back one ends
 * it `rolled_back` (never `deployed`), with the rollout's reason; a second rollout of a model waits for the first.
 */
import { rolloutVersion, type TrainAndPromoteResult } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { recordFixture } from '../support/record-history.js';
import { scriptedRollout, startScriptedWorker } from '../support/scripted-rollout.js';
import { eventually, waitForGate } from '../support/waits.js';

const target = scriptedRollout();
let h: Harness;
let stopWorker: (() => Promise<void>) | undefined;

beforeAll(async () => {
  h = await startHarness({ name: 'rollout-promotion', worker: false });
  stopWorker = await startScriptedWorker(h, await bundle(), target);
}, 300_000);
afterAll(async () => {
  await stopWorker?.();
  await h?.stop();
});

const healthy = { candidate: { requests: 60 }, stable: { requests: 240 } };
const canary = { strategy: 'canary' as const, bakeTime: '1s' };

async function approvedRun(model: string, plan: object): Promise<string> {
  const input = { ...churnInput({ serverUrl: h.modelServer.url, modelName: model }), rollout: plan };
  const { runId } = await h.client.start('trainAndPromote', input);
  await waitForGate(h.client, runId);
  await h.client.approve(runId, { as: 'maria', comment: 'roll it out' });
  return runId;
}

describe('trainAndPromote with a rollout plan', () => {
  it('rolls the approved version out as rollout:<model> and ends deployed', async () => {
    target.script('roll-ok', () => healthy);
    const runId = await approvedRun('roll-ok', canary);
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result.status).toBe('deployed');
    expect(result.deployment).toMatchObject({ version: 1, previousVersion: 1, serverUrl: h.modelServer.url });
    expect(result.rollout).toMatchObject({ status: 'promoted', step: 2 });
    expect(target.log('roll-ok').traffic.map((t) => t.percent)).toEqual([10, 50, 100]);
    // The child carried the gate's proof to the steps that change what serves.
    expect(target.log('roll-ok').promotes[0]?.proof?.outcome).toBe('approved');
    const child = await h.client.status('rollout:roll-ok');
    expect(child).toMatchObject({ pipeline: 'rolloutVersion', status: 'COMPLETED' });
    const status = await h.client.status(runId);
    expect(status.progress?.steps.find((s) => s.step === 'deploy')).toMatchObject({ status: 'completed' });
    // The run as a replay fixture: the rollout patch marker and the child workflow replay as they ran.
    const history = await h.client.temporal.workflow.getHandle(runId).fetchHistory();
    const fixture = await recordFixture(h, history, 'train-and-promote-rollout-deployed.json');
    expect(fixture.json).toContain('EVENT_TYPE_MARKER_RECORDED');
    expect(fixture.json).toContain('"name": "rolloutVersion"');
  });

  it('ends rolled_back, not deployed, when the rollout breaches, and says why', async () => {
    target.script('roll-bad', ({ step }) =>
      step === 1 ? { candidate: { requests: 60, errors: 12 }, stable: { requests: 60 } } : healthy,
    );
    const runId = await approvedRun('roll-bad', canary);
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result.status).toBe('rolled_back');
    expect(result.deployment).toBeNull();
    expect(result.rollout?.reason).toContain('breach at step 2 (50 %)');
    const deploy = (await h.client.status(runId)).progress?.steps.find((s) => s.step === 'deploy');
    expect(deploy?.status).toBe('failed');
    expect(deploy?.summary).toContain('rolled back: breach at step 2');
    expect(target.log('roll-bad').compensations).toHaveLength(1);
  });

  it('waits for a running rollout of the same model, says so, and rolls out once it has ended', async () => {
    target.script('serial', ({ version }) => (version === 9 ? { candidate: { requests: 0 } } : healthy));
    const first = await h.client.start(
      rolloutVersion,
      {
        version: { name: 'serial', version: 9, digest: `sha256:${'cd'.repeat(32)}` },
        deploy: { serverUrl: h.modelServer.url },
        plan: { strategy: 'canary', bakeTime: '1s', deadline: '30m' },
        approval: { approvers: ['maria'] },
      },
      { runId: 'rollout:serial' },
    );
    const runId = await approvedRun('serial', canary);
    const waiting = await eventually('the pipeline waiting for the running rollout', async () => {
      const deploy = (await h.client.status(runId)).progress?.steps.find((s) => s.step === 'deploy');
      return deploy?.summary?.startsWith('waiting: another rollout of serial is running') ? deploy : undefined;
    });
    expect(waiting.status).toBe('running');
    expect(target.log('serial').stages.map((s) => s.version.version)).toEqual([9]);
    await h.client.rolloutCommand('serial', 'abort', { as: 'maria', reason: 'make way for the retrain' });
    expect(await h.client.result(first.runId, rolloutVersion)).toMatchObject({ status: 'rolled_back' });
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result).toMatchObject({ status: 'deployed', rollout: { status: 'promoted' } });
    expect(target.log('serial').stages.map((s) => s.version.version)).toEqual([9, 1]);
  });
});
