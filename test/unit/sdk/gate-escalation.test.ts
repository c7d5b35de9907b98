/**
 * Escalation at the gate, applied directly: a member of the escalation groups only is refused until the gate
 * escalates (and told when they may decide), then eligible, marked `escalated`; the policy refuses escalation
 * without groups or not before its timeout; the gate's listing and its notifications say what happened.
 */
import {
  ApprovalPolicy,
  GateRefusal,
  NotificationEvent,
  checkDecision,
  gateListing,
  resolveApprovers,
  type EvidencePacket,
  type GateState,
} from '@slipway/sdk';
import { describe, expect, it } from 'vitest';
import { escalatedEligible } from '../../../packages/sdk/src/workflow/gate-escalation.js';
import { gateNotice } from '../../../packages/sdk/src/workflow/gate-notices.js';

const digest = `sha256:${'1'.repeat(64)}`;
const evidence: EvidencePacket = {
  model: 'churn',
  candidate: { version: 2, metrics: { auc: 0.86 } },
  champion: { version: 1, metrics: { auc: 0.82 } },
  datasetUri: 'file:///d.csv',
  datasetDigest: digest,
  validationReportDigest: digest,
  codeVersion: 'git:abc',
  digest,
};
const policy = ApprovalPolicy.parse({
  approverGroups: ['ml-leads'],
  escalateAfter: '24h',
  escalateTo: ['risk'],
  timeout: '72h',
});
const directory = {
  people: { maria: { groups: ['ml-leads'] }, rita: { groups: ['risk'] }, sam: { groups: ['ml-leads', 'risk'] } },
  digest: `sha256:${'d'.repeat(64)}`,
};
const atOpening = resolveApprovers({ approvers: [], approverGroups: ['ml-leads'] }, directory);
const widened = resolveApprovers({ approvers: [], approverGroups: ['ml-leads'], escalateTo: ['risk'] }, directory);

function gate(over: Partial<GateState> = {}): GateState {
  return {
    status: 'pending',
    model: 'churn',
    version: 2,
    evidence,
    approvers: [],
    approverGroups: ['ml-leads'],
    eligible: atOpening.approvers,
    directoryDigest: directory.digest,
    emptyGroups: [],
    quorum: 1,
    startedBy: 'ci-bot',
    openedAt: '2026-12-01T00:00:00.000Z',
    deadline: '2026-12-04T00:00:00.000Z',
    decisions: [],
    refused: [],
    escalateTo: ['risk'],
    ...over,
  };
}
const rita = { decision: 'approve', approver: 'rita', evidenceDigest: digest };

describe('escalation at the gate', () => {
  it('refuses a member of the escalation groups only before the gate escalates, saying when they may', () => {
    const check = checkDecision(gate(), policy, rita);
    expect(check).toEqual({
      ok: false,
      refusal: {
        type: GateRefusal.ApproverNotAllowed,
        message:
          'rita is not allowed to approve this promotion (allowed: maria (ml-leads), sam (ml-leads); the members of risk may decide once the gate escalates)',
      },
    });
  });

  it('adds only the people the escalation brings (sam already decides through ml-leads), then accepts rita', () => {
    const added = escalatedEligible(gate(), widened);
    expect(added).toEqual([{ name: 'rita', named: false, groups: ['risk'], escalated: true }]);
    const escalated = gate({ eligible: [...atOpening.approvers, ...added], escalatedAt: '2026-12-02T00:00:00.000Z' });
    expect(checkDecision(escalated, policy, rita).ok).toBe(true);
  });

  it('refuses a policy that escalates without groups, or not before its timeout', () => {
    expect(ApprovalPolicy.safeParse({ approvers: ['maria'], escalateAfter: '1h' }).error?.issues[0]?.message).toBe(
      'escalateAfter and escalateTo go together: when to escalate, and to which groups',
    );
    const late = ApprovalPolicy.safeParse({ approvers: ['maria'], escalateAfter: '8d', escalateTo: ['risk'] });
    expect(late.error?.issues[0]?.message).toContain('escalateAfter must be shorter than timeout');
  });
});

describe("the gate's listing and notifications", () => {
  const escalated = gate({
    eligible: [...atOpening.approvers, ...escalatedEligible(gate(), widened)],
    escalatedAt: '2026-12-02T00:00:00.000Z',
  });

  it('lists status, evidence, deadline, who may decide and the escalation, with a headline', () => {
    expect(gateListing(escalated)).toEqual({
      status: 'pending',
      model: 'churn',
      version: 2,
      evidenceDigest: digest,
      openedAt: '2026-12-01T00:00:00.000Z',
      deadline: '2026-12-04T00:00:00.000Z',
      quorum: 1,
      approvals: 0,
      approvers: ['maria', 'sam', 'rita'],
      approverGroups: ['ml-leads'],
      escalateTo: ['risk'],
      escalatedAt: '2026-12-02T00:00:00.000Z',
      startedBy: 'ci-bot',
      headline: 'auc 0.860 (+0.040 better) vs v1',
    });
  });

  it('notifies each event with a stable id, the evidence digest, the deadline and who decided', () => {
    const escalation = NotificationEvent.parse(gateNotice('gate_escalated', escalated, 'run-7'));
    expect(escalation).toMatchObject({
      id: 'run-7:2:gate_escalated',
      at: '2026-12-02T00:00:00.000Z',
      summary: expect.stringContaining('churn v2: nobody decided in time; escalated to risk: rita may now decide'),
      details: { evidenceDigest: digest, deadline: '2026-12-04T00:00:00.000Z', escalatedTo: ['rita'] },
    });
    const decided = gate({
      status: 'approved',
      closedAt: '2026-12-02T01:00:00.000Z',
      decisions: [{ decision: 'approve', approver: 'maria', at: 'x', via: 'update', signedBy: 'approvals-page' }],
    });
    expect(NotificationEvent.parse(gateNotice('gate_decided', decided, 'run-7'))).toMatchObject({
      id: 'run-7:2:gate_decided',
      summary: 'churn v2: approved (approve by maria (via approvals-page))',
      at: '2026-12-02T01:00:00.000Z',
    });
    const expired = gate({ status: 'expired', closedAt: '2026-12-04T00:00:00.000Z' });
    expect(NotificationEvent.parse(gateNotice('gate_expired', expired, 'run-7')).summary).toBe(
      'churn v2: approval gate expired at 2026-12-04T00:00:00.000Z without a decision',
    );
  });
});
