/**
 * A metric's goal in one place: the evidence comparison and the auto-approve rule read it (rmse must fall by the
 * margin), a rule naming an unknown metric is refused, and today's decisions on higher-is-better metrics and the
 * legacy reading of old gates do not change.
 */
import {
  ApprovalPolicy,
  METRIC_GOALS,
  TASK_METRICS,
  autoApprovalReason,
  autoApproveRuleProblem,
  compareTaskMetrics,
  metricGoal,
  type EvidencePacket,
} from '@slipway/sdk';
import { checkPipelineInput, ClientErrorCode } from '@slipway/sdk/client';
import { trainAndPromote } from '@slipway/sdk';
import { describe, expect, it } from 'vitest';

const digest = `sha256:${'1'.repeat(64)}`;
const packet = (candidate: Record<string, number>, champion: Record<string, number> | null): EvidencePacket => ({
  model: 'houses',
  candidate: { version: 2, metrics: candidate },
  champion: champion && { version: 1, metrics: champion },
  datasetUri: 'file:///d.csv',
  datasetDigest: digest,
  validationReportDigest: digest,
  codeVersion: 'git:abc',
  digest,
});
const rule = (autoApprove: object) => ApprovalPolicy.parse({ approvers: ['maria'], autoApprove });

describe('metric goals', () => {
  it('knows the direction of every metric of every task', () => {
    for (const metric of ['auc', 'accuracy', 'f1', 'precision', 'recall', 'macroF1', 'r2']) {
      expect(metricGoal(metric)).toBe('higher');
    }
    for (const metric of ['logLoss', 'rmse', 'mae', 'mape']) expect(metricGoal(metric)).toBe('lower');
    for (const metrics of Object.values(TASK_METRICS)) {
      for (const metric of metrics) expect(METRIC_GOALS[metric]).toBeDefined();
    }
    expect(metricGoal('toString')).toBeUndefined();
    expect(metricGoal('customScore')).toBeUndefined();
  });

  it('compares a regression candidate with the champion: lower rmse is better, lower r2 is worse', () => {
    const comparison = compareTaskMetrics(
      'regression',
      { rmse: 10, mae: 8, r2: 0.7, loss: 3 },
      { rmse: 12, mae: 8, r2: 0.75 },
    );
    expect(comparison.map((c) => [c.metric, c.verdict])).toEqual([
      ['rmse', 'better'],
      ['mae', 'same'],
      ['r2', 'worse'],
    ]);
    expect(comparison[0]).toEqual({
      metric: 'rmse',
      goal: 'lower',
      candidate: 10,
      champion: 12,
      delta: -2,
      verdict: 'better',
    });
  });

  it('shows a metric only one side has, without a verdict; no champion means no verdicts', () => {
    const [logLoss] = compareTaskMetrics('multiclass', { logLoss: 0.5 }, { accuracy: 0.9 }).filter(
      (c) => c.metric === 'logLoss',
    );
    expect(logLoss).toEqual({
      metric: 'logLoss',
      goal: 'lower',
      candidate: 0.5,
      champion: null,
      delta: null,
      verdict: null,
    });
    expect(compareTaskMetrics('binary', { auc: 0.8 }, null)).toEqual([
      { metric: 'auc', goal: 'higher', candidate: 0.8, champion: null, delta: null, verdict: null },
    ]);
  });
});

describe('the auto-approve rule follows the metric', () => {
  it('approves a regression candidate only when rmse falls by the margin (old code: rmse rising approved)', () => {
    const policy = rule({ metric: 'rmse', minImprovement: 1 });
    expect(autoApprovalReason(policy, packet({ rmse: 10 }, { rmse: 12 }))).toMatch(
      /rmse 10.0000 vs champion v1 12.0000 \(lower is better\): improvement 2.0000 ≥ 1/,
    );
    expect(autoApprovalReason(policy, packet({ rmse: 11.5 }, { rmse: 12 }))).toBeUndefined();
    // Worse by 2: the old rule (lowerIsBetter left out) read this as an improvement of 2 and approved it.
    expect(autoApprovalReason(policy, packet({ rmse: 14 }, { rmse: 12 }))).toBeUndefined();
    expect(autoApprovalReason(policy, packet({ rmse: 14 }, { rmse: 12 }), { legacy: true })).toMatch(/improvement 2/);
  });

  it('decides higher-is-better metrics exactly as before', () => {
    const policy = rule({ metric: 'auc', minImprovement: 0.03 });
    const evidence = packet({ auc: 0.86 }, { auc: 0.82 });
    const reason = autoApprovalReason(policy, evidence);
    expect(reason).toMatch(/improvement 0.0400 ≥ 0.03/);
    expect(autoApprovalReason(policy, evidence, { legacy: true })).toBe(
      'auc 0.8600 vs champion v1 0.8200: improvement 0.0400 ≥ 0.03',
    );
    expect(autoApprovalReason(rule({ metric: 'auc', minImprovement: 0.05 }), evidence)).toBeUndefined();
  });

  it('never approves on a missing metric, a missing champion or an unknown metric', () => {
    const policy = rule({ metric: 'rmse', minImprovement: 0 });
    expect(autoApprovalReason(policy, packet({ mae: 1 }, { rmse: 2 }))).toBeUndefined();
    expect(autoApprovalReason(policy, packet({ rmse: 1 }, null))).toBeUndefined();
    expect(
      autoApprovalReason(rule({ metric: 'custom', minImprovement: 0 }), packet({ custom: 2 }, { custom: 1 })),
    ).toBeUndefined();
  });

  it('refuses an unknown metric and a contradicting lowerIsBetter, naming the field', () => {
    expect(autoApproveRuleProblem({ metric: 'rmsee', lowerIsBetter: false })).toMatch(
      /^approval\.autoApprove\.metric: "rmsee" is not a metric Slipway knows.*known: accuracy, auc, f1, logLoss, macroF1, mae, mape/,
    );
    expect(autoApproveRuleProblem({ metric: 'auc', lowerIsBetter: true })).toMatch(
      /^approval\.autoApprove\.lowerIsBetter: auc is a higher-is-better metric/,
    );
    expect(autoApproveRuleProblem({ metric: 'rmse', lowerIsBetter: false })).toBeUndefined();
    expect(autoApproveRuleProblem({ metric: 'logLoss', lowerIsBetter: true })).toBeUndefined();
  });

  it('refuses such a policy before a run starts', () => {
    const input = {
      modelName: 'houses',
      dataset: { uri: 'file:///d.csv' },
      features: { numeric: ['x'], target: 'y' },
      approval: { approvers: ['maria'], autoApprove: { metric: 'RMSE', minImprovement: 1 } },
      deploy: { serverUrl: 'http://127.0.0.1:7071' },
    };
    let error: unknown;
    try {
      checkPipelineInput(trainAndPromote, input, 'pipeline.json');
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({
      code: ClientErrorCode.InvalidInput,
      message: expect.stringMatching(/^pipeline\.json: approval\.autoApprove\.metric: "RMSE" is not a metric/),
      issues: [{ path: ['approval', 'autoApprove', 'metric'] }],
    });
    const fine = { ...input, approval: { approvers: ['maria'], autoApprove: { metric: 'rmse', minImprovement: 1 } } };
    expect(checkPipelineInput(trainAndPromote, fine).approval.autoApprove?.metric).toBe('rmse');
  });
});
