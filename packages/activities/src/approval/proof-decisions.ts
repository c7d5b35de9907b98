/**
 * The decisions of an approval proof, each checked where the approval acts: a person's decision must come from
 * someone the policy and the directory allow, carry a signature that verifies with their key over this gate, and
 * have been signed while the gate was open; a decision the policy made (auto-approve, approve on timeout) must
 * really follow from the policy and the evidence.
 */
import {
  AUTO_APPROVER,
  SIGNING_CLOCK_SKEW_MS,
  TIMEOUT_APPROVER,
  autoApprovalReason,
  describeEligible,
  durationMs,
  type ApprovalProof,
  type ApproverResolution,
  type GateDecision,
} from '@slipway/sdk';
import type { LoadedDirectory } from '../directory/load-directory.js';
import { decisionKeyOf, decisionSignatureProblem } from './signatures.js';

/** What the decisions of a proof add up to, once each verified. */
export interface DecisionTally {
  /** People whose signed approval verified (each once). */
  approvers: Set<string>;
  /** People whose signed rejection verified (each once). */
  rejecters: Set<string>;
  /** The policy's auto-approve rule holds for the evidence, and the proof holds its decision. */
  autoApproved: boolean;
  /** The policy approves on timeout, and the proof holds that decision made at or after the deadline. */
  timedOut: boolean;
}

/** What the decisions are checked against. */
export interface DecisionCheckContext {
  proof: ApprovalProof;
  directory: LoadedDirectory;
  /** Who may decide, recomputed from the proof's policy and the directory. */
  eligible: ApproverResolution;
  /** The worker's clock, in milliseconds. */
  now: number;
}

/** Checks every decision of the proof; returns the tally, or the first problem (naming the decision). */
export function tallyDecisions(ctx: DecisionCheckContext): { tally: DecisionTally } | { problem: string } {
  const tally: DecisionTally = { approvers: new Set(), rejecters: new Set(), autoApproved: false, timedOut: false };
  const times = gateTimes(ctx.proof);
  if (typeof times === 'string') return { problem: times };
  for (const [index, decision] of ctx.proof.decisions.entries()) {
    const problem =
      decision.via === 'policy'
        ? policyDecisionProblem(decision, ctx, times, tally)
        : personDecisionProblem(decision, ctx, times, tally);
    if (problem !== undefined) return { problem: `${describeDecision(decision, index)} ${problem}` };
  }
  return { tally };
}

interface GateTimes {
  openedAt: number;
  deadline: number;
}

function gateTimes(proof: ApprovalProof): GateTimes | string {
  const openedAt = Date.parse(proof.openedAt);
  const deadline = Date.parse(proof.deadline);
  if (Number.isNaN(openedAt)) return `the gate's openedAt (${JSON.stringify(proof.openedAt)}) is not a time`;
  if (Number.isNaN(deadline)) return `the gate's deadline (${JSON.stringify(proof.deadline)}) is not a time`;
  const timeout = durationMs(proof.policy.timeout);
  // ISO times keep whole milliseconds; a fractional duration such as `1.1s` may differ below one.
  if (Math.abs(deadline - openedAt - timeout) >= 1) {
    return (
      `the gate's deadline ${proof.deadline} is not its opening ${proof.openedAt} plus the policy's timeout ` +
      `${proof.policy.timeout}`
    );
  }
  return { openedAt, deadline };
}

function personDecisionProblem(
  decision: GateDecision,
  ctx: DecisionCheckContext,
  times: GateTimes,
  tally: DecisionTally,
): string | undefined {
  const { approver } = decision;
  if (!ctx.eligible.approvers.some((a) => a.name === approver)) {
    const allowed = describeEligible({ eligible: ctx.eligible.approvers, emptyGroups: ctx.eligible.emptyGroups });
    return `is not valid: ${approver} may not decide under the proof's policy and the directory ${ctx.directory.location} (allowed: ${allowed})`;
  }
  const key = decisionKeyOf(ctx.directory.directory, decision, ctx.directory.location);
  if ('problem' in key) return `cannot be verified: ${key.problem}`;
  const { proof } = ctx;
  const gate = { workflowId: proof.workflowId, gateNonce: proof.gateNonce, evidenceDigest: proof.evidence.digest };
  const signature = decisionSignatureProblem(decision, gate, key.publicKey);
  if (signature !== undefined) return `does not verify: ${signature}`;
  const window = signedTimeProblem(decision.signedAt as string, times, ctx.now);
  if (window !== undefined) return `is out of its window: ${window}`;
  const escalated = escalationProblem(decision, ctx, times);
  if (escalated !== undefined) return `is not valid: ${escalated}`;
  (decision.decision === 'approve' ? tally.approvers : tally.rejecters).add(approver);
  return undefined;
}

/**
 * A person eligible only through escalation (a member of the policy's `escalateTo` groups, not of its approvers)
 * may decide only once the gate escalated: their decision must be signed at or after the gate's opening plus the
 * policy's `escalateAfter` (minus the clock skew).
 */
function escalationProblem(decision: GateDecision, ctx: DecisionCheckContext, times: GateTimes): string | undefined {
  const { escalateAfter } = ctx.proof.policy;
  const approver = ctx.eligible.approvers.find((a) => a.name === decision.approver);
  if (escalateAfter === undefined || approver?.escalated !== true) return undefined;
  const escalatedAt = times.openedAt + durationMs(escalateAfter);
  if (Date.parse(decision.signedAt as string) >= escalatedAt - SIGNING_CLOCK_SKEW_MS) return undefined;
  const groups = approver.groups.join(', ');
  return `${decision.approver} may decide only through escalation (${groups}), which the policy allows from ${new Date(escalatedAt).toISOString()} (opened ${ctx.proof.openedAt} + escalateAfter ${escalateAfter}), but signed at ${decision.signedAt as string}`;
}

/** A signed time must fall while the gate was open (with clock skew), and not after the worker's own clock. */
function signedTimeProblem(signedAt: string, times: GateTimes, now: number): string | undefined {
  const at = Date.parse(signedAt);
  const iso = (ms: number) => new Date(ms).toISOString();
  if (at < times.openedAt - SIGNING_CLOCK_SKEW_MS) {
    return `it was signed at ${signedAt}, more than 5 minutes before the gate opened (${iso(times.openedAt)})`;
  }
  if (at > times.deadline + SIGNING_CLOCK_SKEW_MS) {
    return `it was signed at ${signedAt}, more than 5 minutes after the gate's deadline (${iso(times.deadline)})`;
  }
  if (at > now + SIGNING_CLOCK_SKEW_MS)
    return `it was signed at ${signedAt}, in the future of this worker (${iso(now)})`;
  return undefined;
}

function policyDecisionProblem(
  decision: GateDecision,
  ctx: DecisionCheckContext,
  times: GateTimes,
  tally: DecisionTally,
): string | undefined {
  const { policy, evidence } = ctx.proof;
  if (decision.decision !== 'approve') return 'is not valid: the policy never rejects on its own';
  if (decision.approver === AUTO_APPROVER) {
    // Evidence built before tasks (no `comparison`) came from a gate that read the direction from `lowerIsBetter`.
    const legacy = evidence.comparison === undefined;
    if (autoApprovalReason(policy, evidence, { legacy }) === undefined) {
      return "is not valid: the policy's auto-approve rule does not hold for the evidence (no rule, no champion, a missing or unknown metric, or the margin is not met in the metric's better direction)";
    }
    tally.autoApproved = true;
    return undefined;
  }
  if (decision.approver === TIMEOUT_APPROVER) {
    if (policy.onTimeout !== 'approve') return 'is not valid: the policy rejects on timeout, it does not approve';
    const at = Date.parse(decision.at);
    if (Number.isNaN(at) || at < times.deadline) {
      return `is not valid: it was made at ${decision.at}, before the gate's deadline ${ctx.proof.deadline}`;
    }
    if (at > ctx.now + SIGNING_CLOCK_SKEW_MS) {
      return `is not valid: it was made at ${decision.at}, in the future of this worker (${new Date(ctx.now).toISOString()})`;
    }
    tally.timedOut = true;
    return undefined;
  }
  return `is not valid: the policy makes only ${AUTO_APPROVER} and ${TIMEOUT_APPROVER} decisions`;
}

function describeDecision(decision: GateDecision, index: number): string {
  return `decision ${index + 1} (${decision.decision} by ${decision.approver}, via ${decision.via})`;
}
