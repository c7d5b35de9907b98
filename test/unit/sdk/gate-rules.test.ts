import {
  ApprovalPolicy,
  GateRefusal,
  autoApprovalReason,
  checkDecision,
  type EvidencePacket,
  type GateState,
} from '@slipway/sdk';
import { describe, expect, it } from 'vitest';

const digest = `sha256:${'1'.repeat(64)}`;
const evidence: EvidencePacket = {
  model: 'churn',
  candidate: { version: 2, metrics: { auc: 0.86, logLoss: 0.4 } },
  champion: { version: 1, metrics: { auc: 0.82, logLoss: 0.45 } },
  datasetUri: 'file:///d.csv',
  datasetDigest: digest,
  validationReportDigest: digest,
  codeVersion: 'git:abc',
  digest,
};
const policy = ApprovalPolicy.parse({ approvers: ['maria', 'lee'], approverGroups: ['ml-leads'], quorum: 2 });
const open = (over: Partial<GateState> = {}): GateState => ({
  status: 'pending',
  model: 'churn',
  version: 2,
  evidence,
  approvers: policy.approvers,
  approverGroups: policy.approverGroups,
  quorum: 2,
  startedBy: 'ci-bot',
  openedAt: '2026-11-25T00:00:00.000Z',
  deadline: '2026-12-02T00:00:00.000Z',
  decisions: [],
  refused: [],
  ...over,
});
const decide = (approver: string, extra: Record<string, unknown> = {}) => ({
  decision: 'approve',
  approver,
  evidenceDigest: digest,
  ...extra,
});
const refusal = (gate: GateState | null, raw: unknown) => {
  const check = checkDecision(gate, policy, raw);
  return check.ok ? undefined : check.refusal;
};

describe('approval gate rules', () => {
  it('accepts an allowed approver, by name or by group', () => {
    expect(checkDecision(open(), policy, decide('maria')).ok).toBe(true);
    expect(checkDecision(open(), policy, decide('sam', { groups: ['ml-leads'] })).ok).toBe(true);
  });

  it('refuses, with the reason, everything the policy forbids', () => {
    expect(refusal(null, decide('maria'))?.type).toBe(GateRefusal.GateClosed);
    expect(refusal(open({ status: 'approved' }), decide('maria'))?.message).toMatch(/closed: approved/);
    expect(refusal(open(), decide('mallory'))).toEqual({
      type: GateRefusal.ApproverNotAllowed,
      message: expect.stringContaining('allowed: maria, lee, group:ml-leads'),
    });
    expect(refusal(open({ startedBy: 'lee' }), decide('lee'))?.type).toBe(GateRefusal.SelfApproval);
    const once = open({ decisions: [{ decision: 'approve', approver: 'maria', at: 'now', via: 'update' }] });
    expect(refusal(once, decide('maria'))?.type).toBe(GateRefusal.DuplicateApproval);
    expect(refusal(open(), decide('maria', { evidenceDigest: `sha256:${'2'.repeat(64)}` }))?.type).toBe(
      GateRefusal.EvidenceMismatch,
    );
    expect(refusal(open(), { decision: 'maybe', approver: '' })?.type).toBe(GateRefusal.InvalidDecision);
  });

  it('auto-approves only when the candidate beats the champion by the margin', () => {
    const auto = (rule: object) =>
      autoApprovalReason(ApprovalPolicy.parse({ approvers: [], autoApprove: rule }), evidence);
    expect(auto({ metric: 'auc', minImprovement: 0.03 })).toMatch(/improvement 0.0400/);
    expect(auto({ metric: 'auc', minImprovement: 0.05 })).toBeUndefined();
    expect(auto({ metric: 'logLoss', minImprovement: 0.04, lowerIsBetter: true })).toMatch(/logLoss/);
    expect(
      autoApprovalReason(ApprovalPolicy.parse({ approvers: [], autoApprove: { metric: 'auc', minImprovement: 0 } }), {
        ...evidence,
        champion: null,
      }),
    ).toBeUndefined();
  });

  it('refuses a policy nobody could ever satisfy', () => {
    expect(ApprovalPolicy.safeParse({ approvers: [] }).success).toBe(false);
  });
});
