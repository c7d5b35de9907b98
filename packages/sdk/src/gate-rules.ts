import { GateRefusal } from './errors.js';
import { describeIssues } from './step.js';
import { GateDecisionRequest, type ApprovalPolicy, type EvidencePacket, type GateState } from './schemas/approval.js';

/** Why a decision was refused: a `GateRefusal` type and a sentence for the approver. */
export interface Refusal {
  type: GateRefusal;
  message: string;
}

/** The result of checking a decision against the gate: the parsed request, or the refusal. */
export type DecisionCheck = { ok: true; request: GateDecisionRequest } | { ok: false; refusal: Refusal };

/**
 * Checks a decision against the gate's state and policy: well-formed, gate open, approver allowed, not the
 * person who started the run (unless allowed), not a second approval by the same person, and bound to the
 * evidence packet the gate published. Pure, so it runs in update validators, signal handlers and tests.
 */
export function checkDecision(gate: GateState | null, policy: ApprovalPolicy, raw: unknown): DecisionCheck {
  const parsed = GateDecisionRequest.safeParse(raw);
  if (!parsed.success) return refuse(GateRefusal.InvalidDecision, `invalid decision: ${describeIssues(parsed.error)}`);
  const request = parsed.data;
  if (gate === null) return refuse(GateRefusal.GateClosed, 'no approval gate is open yet in this run');
  if (gate.status !== 'pending') return refuse(GateRefusal.GateClosed, closedMessage(gate));
  if (!isAllowedApprover(policy, request.approver, request.groups)) {
    return refuse(GateRefusal.ApproverNotAllowed, notAllowedMessage(policy, request.approver));
  }
  if (!policy.allowSelfApproval && gate.startedBy !== undefined && gate.startedBy === request.approver) {
    return refuse(GateRefusal.SelfApproval, `${request.approver} started this run and may not decide on it`);
  }
  if (gate.decisions.some((d) => d.approver === request.approver)) {
    return refuse(GateRefusal.DuplicateApproval, `${request.approver} has already decided on this gate`);
  }
  if (request.evidenceDigest !== gate.evidence.digest) {
    return refuse(
      GateRefusal.EvidenceMismatch,
      `the decision names evidence ${request.evidenceDigest} but the gate published ${gate.evidence.digest}`,
    );
  }
  return { ok: true, request };
}

/** Whether a person (or one of their groups) may decide under a policy. */
export function isAllowedApprover(policy: ApprovalPolicy, approver: string, groups: readonly string[]): boolean {
  return policy.approvers.includes(approver) || groups.some((g) => policy.approverGroups.includes(g));
}

/**
 * Whether the candidate beats the champion by the policy's auto-approve margin; returns the reason, or
 * undefined when the rule does not apply (no rule, no champion, metric missing, margin not met).
 */
export function autoApprovalReason(policy: ApprovalPolicy, evidence: EvidencePacket): string | undefined {
  const rule = policy.autoApprove;
  if (!rule || !evidence.champion) return undefined;
  const candidate = evidence.candidate.metrics[rule.metric];
  const champion = evidence.champion.metrics[rule.metric];
  if (candidate === undefined || champion === undefined) return undefined;
  const improvement = rule.lowerIsBetter ? champion - candidate : candidate - champion;
  if (improvement < rule.minImprovement) return undefined;
  return `${rule.metric} ${candidate.toFixed(4)} vs champion v${evidence.champion.version} ${champion.toFixed(4)}: improvement ${improvement.toFixed(4)} ≥ ${rule.minImprovement}`;
}

function refuse(type: GateRefusal, message: string): DecisionCheck {
  return { ok: false, refusal: { type, message } };
}

function closedMessage(gate: GateState): string {
  const last = gate.decisions.at(-1);
  const by = last ? ` (last decision: ${last.decision} by ${last.approver} at ${last.at})` : '';
  return `the gate for ${gate.model} v${gate.version} is closed: ${gate.status}${by}`;
}

function notAllowedMessage(policy: ApprovalPolicy, approver: string): string {
  const who = [...policy.approvers, ...policy.approverGroups.map((g) => `group:${g}`)];
  return `${approver} is not allowed to approve this promotion (allowed: ${who.join(', ') || 'nobody'})`;
}
