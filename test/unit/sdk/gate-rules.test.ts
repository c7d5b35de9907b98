import {
  ApprovalPolicy,
  GateRefusal,
  autoApprovalReason,
  checkDecision,
  describeEligible,
  resolveApprovers,
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
const directoryDigest = `sha256:${'d'.repeat(64)}`;
/** The directory the gate resolved its groups from: sam leads, mallory is in another group. */
const people = { sam: { groups: ['ml-leads'] }, mallory: { groups: ['interns'] }, lee: { groups: ['ml-leads'] } };
const resolved = resolveApprovers(policy, { people, digest: directoryDigest });
const open = (over: Partial<GateState> = {}): GateState => ({
  status: 'pending',
  model: 'churn',
  version: 2,
  evidence,
  approvers: policy.approvers,
  approverGroups: policy.approverGroups,
  eligible: resolved.approvers,
  directoryDigest,
  emptyGroups: resolved.emptyGroups,
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
  it('accepts an eligible approver: named by the policy, or a member of its group in the directory', () => {
    expect(checkDecision(open(), policy, decide('maria')).ok).toBe(true);
    expect(checkDecision(open(), policy, decide('sam')).ok).toBe(true);
  });

  it('refuses, with the reason, everything the policy forbids', () => {
    expect(refusal(null, decide('maria'))?.type).toBe(GateRefusal.GateClosed);
    expect(refusal(open({ status: 'approved' }), decide('maria'))?.message).toMatch(/closed: approved/);
    expect(refusal(open(), decide('mallory'))).toEqual({
      type: GateRefusal.ApproverNotAllowed,
      message: expect.stringContaining('allowed: maria, lee, sam (ml-leads)'),
    });
    expect(refusal(open({ startedBy: 'lee' }), decide('lee'))?.type).toBe(GateRefusal.SelfApproval);
    const once = open({ decisions: [{ decision: 'approve', approver: 'maria', at: 'now', via: 'update' }] });
    expect(refusal(once, decide('maria'))?.type).toBe(GateRefusal.DuplicateApproval);
    expect(refusal(open(), decide('maria', { evidenceDigest: `sha256:${'2'.repeat(64)}` }))?.type).toBe(
      GateRefusal.EvidenceMismatch,
    );
    expect(refusal(open(), { decision: 'maybe', approver: '' })?.type).toBe(GateRefusal.InvalidDecision);
  });

  it('takes groups from the resolved directory only: a decision declaring groups is refused', () => {
    // The old rules let mallory approve by claiming ml-leads; the directory says she is not a member.
    const claim = refusal(open(), decide('mallory', { groups: ['ml-leads'] }));
    expect(claim?.type).toBe(GateRefusal.InvalidDecision);
    expect(claim?.message).toContain('may not declare groups (this one names ml-leads)');
    expect(claim?.message).toContain('directory of people only');
    // Even a member may not declare groups, and a malformed list is refused the same way.
    expect(refusal(open(), decide('sam', { groups: ['ml-leads'] }))?.type).toBe(GateRefusal.InvalidDecision);
    expect(refusal(open(), decide('sam', { groups: 'ml-leads' }))?.message).toContain('names ml-leads');
    // An empty list (as older clients sent) claims nothing.
    expect(checkDecision(open(), policy, decide('sam', { groups: [] })).ok).toBe(true);
  });

  it('a person the directory does not list is not an approver, whatever their name suggests', () => {
    expect(refusal(open(), decide('nobody-in-the-directory'))?.type).toBe(GateRefusal.ApproverNotAllowed);
  });

  it('refuses self-approval by whoever started the run (startedBy from the caller identity)', () => {
    const byStarter = refusal(open({ startedBy: 'sam' }), decide('sam'));
    expect(byStarter).toEqual({
      type: GateRefusal.SelfApproval,
      message: 'sam started this run and may not decide on it',
    });
    const allowed = ApprovalPolicy.parse({ ...policy, allowSelfApproval: true });
    expect(checkDecision(open({ startedBy: 'sam' }), allowed, decide('sam')).ok).toBe(true);
  });

  it('replays decisions recorded before the upgrade by the old rules only when asked to', () => {
    const legacyGate = open({
      eligible: resolveApprovers({ approvers: policy.approvers, approverGroups: [] }).approvers,
      directoryDigest: null,
      emptyGroups: [],
      unresolvedGroups: ['ml-leads'],
    });
    const claim = decide('mallory', { groups: ['ml-leads'] });
    expect(checkDecision(legacyGate, policy, claim, { acceptDeclaredGroups: true }).ok).toBe(true);
    expect(checkDecision(legacyGate, policy, claim).ok).toBe(false);
    expect(refusal(legacyGate, decide('sam'))?.message).toContain(
      'allowed: maria, lee; group ml-leads was not resolved',
    );
  });
});

describe('resolving approvers from the directory', () => {
  it('lists named approvers (policy order) and group members (by name) with how they qualify, with the digest', () => {
    expect(resolved).toEqual({
      approvers: [
        { name: 'maria', named: true, groups: [] },
        { name: 'lee', named: true, groups: ['ml-leads'] },
        { name: 'sam', named: false, groups: ['ml-leads'] },
      ],
      directoryDigest,
      emptyGroups: [],
    });
  });

  it('reports a group with no member, and needs no directory for names alone', () => {
    const result = resolveApprovers(
      { approvers: ['maria'], approverGroups: ['ml-leads', 'risk'] },
      { people, digest: directoryDigest },
    );
    expect(result.emptyGroups).toEqual(['risk']);
    expect(describeEligible({ eligible: result.approvers, emptyGroups: result.emptyGroups })).toBe(
      'maria, lee (ml-leads), sam (ml-leads); group risk has no member in the directory',
    );
    expect(resolveApprovers({ approvers: ['maria'], approverGroups: [] })).toEqual({
      approvers: [{ name: 'maria', named: true, groups: [] }],
      directoryDigest: null,
      emptyGroups: [],
    });
  });

  it('refuses to resolve groups without a directory, naming the groups and the setting', () => {
    expect(() => resolveApprovers({ approvers: [], approverGroups: ['ml-leads'] })).toThrow(
      /names approver groups \(ml-leads\).*set `directory` in slipway.config.json \(or SLIPWAY_DIRECTORY\)/,
    );
  });

  it('is not fooled by names that are properties of every object', () => {
    const result = resolveApprovers(
      { approvers: ['constructor'], approverGroups: ['ml-leads'] },
      { people: {}, digest: directoryDigest },
    );
    expect(result.approvers).toEqual([{ name: 'constructor', named: true, groups: [] }]);
    expect(result.emptyGroups).toEqual(['ml-leads']);
  });
});

describe('auto-approval', () => {
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
