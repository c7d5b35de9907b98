/**
 * The approvals table and the evidence `slipway approve` shows use the task's metrics: a regression candidate's
 * cell shows rmse, mae and r2 (the old table showed only auc, accuracy and logLoss, so it was blank), and the
 * evidence says whether each change is better or worse by the metric's goal.
 */
import { stripVTControlCharacters } from 'node:util';
import { compareTaskMetrics, gateListing, type EvidencePacket, type GateState } from '@slipway/sdk';
import type { PendingApproval } from '@slipway/sdk/client';
import { describe, expect, it } from 'vitest';
import { renderEvidence, renderPending } from '../../../packages/worker/src/cli/render.js';

const digest = `sha256:${'1'.repeat(64)}`;
// Strip colours whatever the terminal: the assertions are about the text.
const plain = (text: string) => stripVTControlCharacters(text);

function evidence(
  task: 'regression' | 'multiclass' | undefined,
  candidate: Record<string, number>,
  champion: Record<string, number> | null,
): EvidencePacket {
  const base = {
    model: 'houses',
    candidate: { version: 2, metrics: candidate },
    champion: champion && { version: 1, metrics: champion },
    datasetUri: 'file:///houses.csv',
    datasetDigest: digest,
    validationReportDigest: digest,
    codeVersion: 'git:abc',
    digest,
  };
  return task === undefined ? base : { ...base, task, comparison: compareTaskMetrics(task, candidate, champion) };
}

function gate(packet: EvidencePacket): GateState {
  return {
    status: 'pending',
    model: packet.model,
    version: packet.candidate.version,
    evidence: packet,
    approvers: ['maria'],
    approverGroups: [],
    eligible: [{ name: 'maria', named: true, groups: [] }],
    directoryDigest: null,
    emptyGroups: [],
    quorum: 1,
    openedAt: '2026-12-01T00:00:00.000Z',
    deadline: '2026-12-08T00:00:00.000Z',
    decisions: [],
    refused: [],
  };
}

const pending = (packet: EvidencePacket): PendingApproval[] => [
  { runId: 'run-1', pipeline: 'trainAndPromote', startTime: new Date(0), listing: gateListing(gate(packet)) },
];

describe('the approvals table shows the task metrics from the gate listing', () => {
  it('shows a regression candidate by rmse, mae and r2, with the change and better or worse, against v1', () => {
    const table = plain(
      renderPending(pending(evidence('regression', { rmse: 10, mae: 8, r2: 0.7 }, { rmse: 12, mae: 7, r2: 0.7 }))),
    );
    expect(table).toContain('rmse 10.000 (-2.000 better) mae 8.000 (+1.000 worse) r2 0.700 (0.000 same) vs v1');
    expect(table).toContain('0/1');
    expect(table).toContain('2026-12-08T00:00:00.000Z');
  });

  it('shows a multiclass candidate by accuracy and macroF1, with no champion', () => {
    const table = plain(
      renderPending(pending(evidence('multiclass', { accuracy: 0.9, macroF1: 0.85, logLoss: 0.3 }, null))),
    );
    expect(table).toContain('accuracy 0.900 macroF1 0.850 logLoss 0.300 vs no champion');
  });

  it('says when the list reached its limit, and not before: more gates may be waiting', () => {
    const one = pending(evidence(undefined, { auc: 0.81 }, null));
    expect(plain(renderPending(one, 1))).toContain('this list stops at 1 gates, the most recently started');
    expect(plain(renderPending(one, 2))).not.toContain('this list stops at');
  });

  it('shows a candidate of an old packet (no task) as a binary classifier, and one without task metrics by its own', () => {
    expect(plain(renderPending(pending(evidence(undefined, { auc: 0.81, accuracy: 0.8 }, null))))).toContain(
      'auc 0.810 accuracy 0.800',
    );
    expect(plain(renderPending(pending(evidence(undefined, { custom: 2.5 }, null))))).toContain('custom 2.500');
  });

  it('shows who may decide and the escalation still to come, then done', () => {
    const waiting = { ...gate(evidence(undefined, { auc: 0.81 }, null)), escalateTo: ['risk'] };
    const row = (g: GateState) =>
      plain(renderPending([{ runId: 'run-1', pipeline: 'p', startTime: new Date(0), listing: gateListing(g) }]));
    expect(row(waiting).replace(/[│\s]+/g, ' ')).toContain('maria; escalates to risk');
    const escalated = { ...waiting, escalatedAt: '2026-12-02T00:00:00.000Z' };
    expect(row(escalated).replace(/[│\s]+/g, ' ')).toContain('escalated to risk at 2026-12-02T00:00:00.000Z');
  });
});

describe('the evidence shows the change by the metric goal', () => {
  it('marks a fall in rmse better and a fall in r2 worse, then the candidate’s other metrics', () => {
    const text = plain(
      renderEvidence(gate(evidence('regression', { rmse: 10, r2: 0.6, trainSeconds: 4 }, { rmse: 12, r2: 0.7 }))),
    );
    expect(text).toMatch(/metric \(regression\)\s*│\s*candidate v2\s*│\s*champion v1\s*│\s*change/);
    expect(text).toMatch(/rmse ↓\s*│\s*10\.0000\s*│\s*12\.0000\s*│\s*-2\.0000 better/);
    expect(text).toMatch(/r2 ↑\s*│\s*0\.6000\s*│\s*0\.7000\s*│\s*-0\.1000 worse/);
    expect(text).toMatch(/trainSeconds\s*│\s*4\.0000\s*│\s*—/);
  });
});
