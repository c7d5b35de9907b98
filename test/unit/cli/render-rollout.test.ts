/**
 * `slipway status rollout:<model>` and `slipway rollout status` render a rollout: where it is (phase, step, split,
 * stable), why it is paused, each window's verdict with both versions' readings and the guards that held or
 * breached, the operators' commands, and how it ended with what the target says serves.
 */
import { stripVTControlCharacters } from 'node:util';
import { judgeStep, type GuardReadings, type RolloutState } from '@slipway/sdk';
import type { RunStatus } from '@slipway/sdk/client';
import { describe, expect, it } from 'vitest';
import { renderStatus } from '../../../packages/worker/src/cli/render.js';
import { renderRollout } from '../../../packages/worker/src/cli/render-rollout.js';

const plain = (text: string) => stripVTControlCharacters(text);
const guards = { maxErrorRate: 0.01, minRequests: 20, maxP99Ms: 100 };

function readings(requests: number, errors: number, p99Ms: number): GuardReadings {
  return {
    windowId: 'w',
    readAt: '2026-12-02T10:00:00.000Z',
    candidate: { version: 2, requests, errors, errorRate: errors / requests, p99Ms },
    stable: { version: 1, requests: 400, errors: 0, errorRate: 0, p99Ms: 8 },
    baseline: null,
    p99Ratio: p99Ms / 8,
    scorePsi: null,
  };
}

function record(step: number, percent: number, r: GuardReadings) {
  const verdict = judgeStep(guards, r);
  return {
    step,
    percent,
    mode: 'split' as const,
    windowId: `w${step}`,
    verdict: verdict.verdict,
    reads: 2,
    readings: r,
    checks: verdict.checks,
    at: '2026-12-02T10:00:00.000Z',
  };
}

const state: RolloutState = {
  model: 'churn',
  version: 2,
  strategy: 'canary',
  steps: [10, 50, 100],
  phase: 'paused',
  step: 1,
  percent: 50,
  mode: 'split',
  deploymentId: 'churn-v2',
  stable: { version: 1, deploymentId: 'churn-v1' },
  pausedBy: 'maria: checking the error budget',
  startedAt: '2026-12-02T09:00:00.000Z',
  deadline: '2026-12-03T09:00:00.000Z',
  nonce: 'n'.repeat(36),
  operators: ['maria', 'lee'],
  records: [record(0, 10, readings(60, 0, 12)), record(1, 50, readings(300, 0, 240))],
  droppedRecords: 0,
  commands: [
    {
      command: 'pause',
      operator: 'maria',
      reason: 'checking the error budget',
      at: '2026-12-02T10:01:00.000Z',
      signedAt: '2026-12-02T10:01:00.000Z',
      signature: 's',
    },
  ],
  outcome: null,
};

describe('rendering a rollout', () => {
  it('shows the phase, the split, the pause, each window and the guard that breached', () => {
    const text = plain(renderRollout(state));
    expect(text).toContain('rollout churn v2  canary 10 → 50 → 100  paused, step 2/3; 50 % on v2, stable v1');
    expect(text).toContain('paused: maria: checking the error budget');
    expect(text).toMatch(/1\s*│\s*10 %\s*│\s*pass/);
    expect(text).toMatch(/2\s*│\s*50 %\s*│\s*breach/);
    expect(text).toContain('v2: 300 req, 0 err, p99 240.0 ms');
    expect(text).toContain('v1: 400 req, 0 err, p99 8.0 ms');
    expect(text).toContain('p99 ms 240 (at most 100)');
    expect(text).toContain('pause by maria: checking the error budget');
    expect(text).toContain('may command it: maria, lee');
  });

  it('says how it ended and what the target says serves', () => {
    const ended: RolloutState = {
      ...state,
      phase: 'rolled_back',
      pausedBy: null,
      outcome: {
        status: 'rolled_back',
        reason: 'breach at step 2 (50 %): maxP99Ms: p99 ms 240 (at most 100)',
        live: { version: 1, deploymentId: 'churn-v1' },
        at: '2026-12-02T10:05:00.000Z',
      },
    };
    const text = plain(renderRollout(ended));
    expect(text).toContain('rolled back: breach at step 2 (50 %)');
    expect(text).toContain('the target says v1 (churn-v1) serves');
    expect(text).not.toContain('may command it');
  });

  it('says what a promotion retired after the drain, or why it kept the version it replaced', () => {
    const promoted = (retirement: NonNullable<RolloutState['outcome']>['retirement']): RolloutState => ({
      ...state,
      phase: 'promoted',
      pausedBy: null,
      outcome: {
        status: 'promoted',
        reason: null,
        live: { version: 2, deploymentId: 'churn-v2' },
        at: '2026-12-02T10:05:00.000Z',
        ...(retirement ? { retirement } : {}),
      },
    });
    const retired = plain(renderRollout(promoted({ retired: { version: 1, deploymentId: 'churn-v1' }, kept: null })));
    expect(retired).toContain('promoted; the target says v2 (churn-v2) serves');
    expect(retired).toContain('v1 (churn-v1) retired after the drain');
    const kept = 'v1 (churn-v1) serves again as stable: not retired';
    expect(plain(renderRollout(promoted({ retired: null, kept })))).toContain(kept);
    // A rollout that replaced nothing, or ran before retiring existed, says nothing about it.
    expect(plain(renderRollout(promoted({ retired: null, kept: null })))).not.toMatch(/retired|kept/);
    expect(plain(renderRollout(promoted(undefined)))).not.toMatch(/retired|kept/);
  });

  it('is part of `slipway status` for a rollout run', () => {
    const status: RunStatus = {
      runId: 'rollout:churn',
      pipeline: 'rolloutVersion',
      status: 'RUNNING',
      startTime: new Date('2026-12-02T09:00:00.000Z'),
      progress: {
        pipeline: 'rolloutVersion',
        model: 'churn',
        steps: [{ step: 'stage', status: 'completed', summary: 'churn-v2 staged' }],
        gate: null,
        rollout: state,
      },
    };
    const text = plain(renderStatus(status));
    expect(text).toContain('rollout:churn  rolloutVersion');
    expect(text).toContain('rollout churn v2');
  });
});
