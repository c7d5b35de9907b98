/**
 * The rollout saga's pure parts: its window ids (valid for the traffic protocol, unique per rollout run, step and
 * attempt), its accounts of a verdict, and the `rollout` field of the pipelines that start it.
 */
import {
  TrainAndPromoteInput,
  WindowId,
  judgeStep,
  rolloutVersion,
  rolloutWorkflowId,
  type GuardReadings,
} from '@slipway/sdk';
import { describeReadings, describeVerdict, rolloutWindowId } from '@slipway/sdk/workflow';
import { describe, expect, it } from 'vitest';
import { churnInput } from '../../../examples/churn/src/input.js';

const run = { workflowId: rolloutWorkflowId('churn'), runId: '01a23884-0093-71c0-841e-0f2c723522ce' };

describe('rollout window ids', () => {
  it('name the rollout run, the step and the attempt, and are valid window ids', () => {
    const id = rolloutWindowId(run, 2, 1);
    expect(id).toBe('rollout:churn-01a23884-0093-71c0-841e-0f2c723522ce-s2-1');
    expect(WindowId.safeParse(id).success).toBe(true);
  });

  it('differ between two rollouts of a model, two steps and two attempts', () => {
    const ids = [
      rolloutWindowId(run, 0, 0),
      rolloutWindowId(run, 0, 1),
      rolloutWindowId(run, 1, 0),
      rolloutWindowId({ ...run, runId: '01a23884-0093-71c0-841e-0f2c723522cf' }, 0, 0),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('replace characters a window id may not hold, and keep the unique end of an id too long', () => {
    const odd = rolloutWindowId({ workflowId: 'rollout:a b/c', runId: 'r1' }, 0, 0);
    expect(odd).toBe('rollout:a_b_c-r1-s0-0');
    const long = rolloutWindowId({ workflowId: `rollout:${'m'.repeat(300)}`, runId: 'r1' }, 3, 2);
    expect(long).toHaveLength(200);
    expect(long.endsWith('-r1-s3-2')).toBe(true);
    expect(WindowId.safeParse(long).success).toBe(true);
  });
});

describe('accounts of a step', () => {
  const readings = (requests: number, errors: number): GuardReadings => ({
    windowId: 'w',
    readAt: '2026-12-02T10:00:00.000Z',
    candidate: { version: 2, requests, errors, errorRate: requests ? errors / requests : null, p99Ms: 12.34 },
    stable: null,
    baseline: null,
    p99Ratio: null,
    scorePsi: null,
  });
  const guards = { maxErrorRate: 0.01, minRequests: 20 };

  it('name the guards that decided: the breach, else the hold', () => {
    const breach = describeVerdict(judgeStep(guards, readings(50, 9)));
    expect(breach).toMatch(/^maxErrorRate: 9 errors in 50 requests/);
    expect(breach).not.toContain('minRequests');
    expect(describeVerdict(judgeStep(guards, readings(3, 0)))).toMatch(/^minRequests: only 3 of the 20/);
  });

  it('say what the candidate and stable did', () => {
    expect(describeReadings(readings(50, 1))).toBe(
      'candidate v2: 50 requests, 1 errors, p99 12.3 ms; stable: no requests',
    );
  });
});

describe('the rollout field of a pipeline', () => {
  const base = churnInput({ serverUrl: 'http://127.0.0.1:8765', modelName: 'churn' });

  it('is optional (one swap), and a plan gets its defaults', () => {
    expect(TrainAndPromoteInput.parse(base).rollout).toBeUndefined();
    const plan = TrainAndPromoteInput.parse({ ...base, rollout: { strategy: 'canary' } }).rollout;
    expect(plan).toMatchObject({
      strategy: 'canary',
      onBreach: 'rollback',
      deadline: '24h',
      guards: { minRequests: 20 },
    });
  });

  it('refuses a bad plan, naming the field', () => {
    const bad = TrainAndPromoteInput.safeParse({ ...base, rollout: { strategy: 'canary', steps: [10, 5, 100] } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['rollout', 'steps', 1] });
    expect(bad.error?.issues[0]?.message).toContain('steps must increase: 5 follows 10');
  });

  it('defaults rolloutVersion to the one-step blue/green plan', () => {
    const input = rolloutVersion.input.parse({
      version: { name: 'churn', version: 2, digest: `sha256:${'ab'.repeat(32)}` },
      deploy: { serverUrl: 'http://127.0.0.1:8765' },
    });
    expect(input.plan).toMatchObject({ strategy: 'blueGreen', drain: '0s' });
    expect(input.deploy.alias).toBe('champion');
  });
});
