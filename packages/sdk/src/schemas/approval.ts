import { z } from 'zod';
import { ArtifactRef, Digest } from './artifact.js';
import { ResolvedApprover } from './directory.js';
import { Metrics, ModelTask } from './model.js';
import { StartSchedule } from '../signing/scheduled-start.js';
import { durationMs } from '../duration.js';

/** A Temporal duration string such as `'30s'`, `'15m'`, `'72h'` or `'7d'`. */
export const DurationString = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'expected a duration like "30s", "15m", "72h" or "7d"');

/**
 * Approve a candidate automatically when it beats the champion on one metric by a margin. The metric's direction
 * comes from the metric (`METRIC_GOALS`: rmse must fall by the margin, auc rise by it); a metric Slipway does not
 * know is refused when the policy is checked.
 */
export const AutoApproveRule = z.object({
  metric: z.string().min(1),
  /** Minimum improvement over the champion, in the metric's better direction (rmse: champion − candidate). */
  minImprovement: z.number(),
  /**
   * Optional, and redundant: the direction comes from the metric. `true` on a higher-is-better metric is refused.
   * (Runs started before metric goals read the direction from this flag alone.)
   */
  lowerIsBetter: z.boolean().default(false),
});
/** Approve automatically when the candidate beats the champion by a margin. */
export type AutoApproveRule = z.infer<typeof AutoApproveRule>;

/**
 * Who may approve a promotion, how many must, and what happens when nobody does.
 * An approver qualifies when their name is in `approvers`, or when the worker's directory of people puts them in
 * one of `approverGroups` (resolved when the gate opens; a policy naming groups needs a configured directory).
 */
export const ApprovalPolicy = z
  .object({
    approvers: z.array(z.string().min(1)).default([]),
    approverGroups: z.array(z.string().min(1)).default([]),
    /** Number of distinct approvals needed. A single rejection closes the gate. */
    quorum: z.number().int().min(1).default(1),
    /** When false (the default), whoever started the run may not approve it. */
    allowSelfApproval: z.boolean().default(false),
    timeout: DurationString.default('7d'),
    onTimeout: z.enum(['reject', 'approve']).default('reject'),
    autoApprove: AutoApproveRule.optional(),
    /**
     * When nobody has decided this long after the gate opened (e.g. `24h`), the gate widens its approvers to the
     * members of `escalateTo` (resolved from the directory then) and notifies them; `timeout` still ends the wait.
     * Must be shorter than `timeout`, and needs `escalateTo`.
     */
    escalateAfter: DurationString.optional(),
    /** The directory groups the gate escalates to after `escalateAfter`. */
    escalateTo: z.array(z.string().min(1)).min(1).optional(),
  })
  .refine((p) => p.approvers.length + p.approverGroups.length > 0 || p.autoApprove !== undefined, {
    message: 'an approval policy needs at least one approver, one approver group or an autoApprove rule',
    path: ['approvers'],
  })
  .refine((p) => (p.escalateAfter === undefined) === (p.escalateTo === undefined), {
    message: 'escalateAfter and escalateTo go together: when to escalate, and to which groups',
    path: ['escalateAfter'],
  })
  .refine((p) => p.escalateAfter === undefined || durationMs(p.escalateAfter) < durationMs(p.timeout), {
    message: 'escalateAfter must be shorter than timeout (escalation happens while the gate still waits)',
    path: ['escalateAfter'],
  });
/** Who may approve a promotion, how many must, and what happens when nobody does. */
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;
/** An approval policy as written by users, before defaults are applied. */
export type ApprovalPolicyInput = z.input<typeof ApprovalPolicy>;

/** The version under review, or the current champion, with its metrics. */
export const VersionMetrics = z.object({ version: z.number().int().positive(), metrics: Metrics });
/** A version with its metrics. */
export type VersionMetrics = z.infer<typeof VersionMetrics>;

/** One metric of the task, candidate next to champion: the change, and whether it is better or worse. */
export const MetricComparison = z.object({
  metric: z.string(),
  /** Whether a higher or a lower value is better (`METRIC_GOALS`). */
  goal: z.enum(['higher', 'lower']),
  candidate: z.number().nullable(),
  champion: z.number().nullable(),
  /** candidate − champion; null when either side lacks the metric. */
  delta: z.number().nullable(),
  /** By the metric's goal; null when either side lacks the metric. */
  verdict: z.enum(['better', 'worse', 'same']).nullable(),
});
/** One metric of the task, candidate next to champion. */
export type MetricComparison = z.infer<typeof MetricComparison>;

/**
 * What an approver is shown: candidate metrics next to the champion's, and digests of the data, the
 * validation report and the code. `digest` covers every other field; an approval must name it.
 */
/**
 * The evidence of a retrain the model guardian started because the served data drifted: which guardian and check
 * triggered it, the drift report (its digest is covered by the packet's digest, so an approver signs what drifted),
 * its page, the profile of the serving window the new training data was compared with, and one line for people.
 */
export const RetrainEvidence = z.object({
  guardian: z.string().min(1),
  checkId: z.string().min(1),
  driftReport: ArtifactRef,
  driftPage: ArtifactRef,
  servingProfile: ArtifactRef,
  /** e.g. `guardian:churn check 17: 6 of 10 features drifted (share 0.60 ≥ 0.5) over 1200 served rows`. */
  summary: z.string().min(1),
});
/** The evidence of a retrain started by the model guardian. */
export type RetrainEvidence = z.infer<typeof RetrainEvidence>;

export const EvidencePacket = z.object({
  model: z.string(),
  candidate: VersionMetrics,
  champion: VersionMetrics.nullable(),
  /** What the candidate predicts (absent on packets built before tasks). */
  task: ModelTask.optional(),
  /**
   * The task's metrics, candidate next to champion with the change and a direction-aware verdict (absent on
   * packets built before tasks).
   */
  comparison: z.array(MetricComparison).optional(),
  datasetUri: z.string(),
  datasetDigest: Digest,
  validationReportDigest: Digest,
  codeVersion: z.string(),
  /** Set for a retrain started by the model guardian: the drift that triggered it (absent otherwise). */
  retrain: RetrainEvidence.optional(),
  digest: Digest,
});
/** The evidence an approver is shown. */
export type EvidencePacket = z.infer<typeof EvidencePacket>;

/**
 * An approve or reject decision, as sent by the client, the CLI or a page. It names no groups: the gate takes
 * group membership from the worker's directory only, and refuses a decision that declares its own `groups`.
 */
export const GateDecisionRequest = z.object({
  decision: z.enum(['approve', 'reject']),
  approver: z.string().min(1),
  comment: z.string().max(2000).optional(),
  /** The digest of the evidence packet the approver was shown. */
  evidenceDigest: Digest,
  /** When the approver signed the decision (ISO 8601 UTC); part of the signed payload. */
  at: z.string().optional(),
  /**
   * The approver's Ed25519 signature of the decision's `DecisionPayload` (with the gate's nonce and the workflow
   * id), base64url. A gate that publishes a nonce refuses a decision without a valid one.
   */
  signature: z.string().optional(),
  /**
   * Set when a service the directory trusts signed the decision for the approver it authenticated (the approvals
   * page): the service's name in the directory's `services`. The signature is then the service's, over a
   * `ServiceDecisionPayload`, and verifies only for people the directory lets that service sign for.
   */
  signedBy: z.string().min(1).optional(),
});
/** An approve or reject decision request. */
export type GateDecisionRequest = z.infer<typeof GateDecisionRequest>;
/** A decision request as written by callers, before defaults are applied. */
export type GateDecisionRequestInput = z.input<typeof GateDecisionRequest>;

/** How a decision reached the gate. */
export const DecisionChannel = z.enum(['update', 'signal', 'policy']);

/** A decision the gate accepted. */
export const GateDecision = z.object({
  decision: z.enum(['approve', 'reject']),
  approver: z.string(),
  comment: z.string().optional(),
  /** When the gate accepted the decision. */
  at: z.string(),
  via: DecisionChannel,
  /** When the approver signed it (the `at` of its `DecisionPayload`); absent for decisions made by the policy. */
  signedAt: z.string().optional(),
  /** The approver's signature of the decision; absent for decisions made by the policy (auto-approve, timeout). */
  signature: z.string().optional(),
  /** The service that signed for the approver (the approvals page), when it was not the approver's own key. */
  signedBy: z.string().optional(),
});
/** A decision the gate accepted. */
export type GateDecision = z.infer<typeof GateDecision>;

/** A decision the gate refused, with the reason. */
export const RefusedDecision = z.object({
  approver: z.string(),
  reason: z.string(),
  at: z.string(),
  via: DecisionChannel,
  /** The refusal's type (a `GateRefusal`), e.g. `SlipwayBadSignature`. */
  type: z.string().optional(),
});
/** A decision the gate refused. */
export type RefusedDecision = z.infer<typeof RefusedDecision>;

/** Gate states. */
export const GateStatus = z.enum(['pending', 'approved', 'rejected', 'expired']);
/** Gate states. */
export type GateStatus = z.infer<typeof GateStatus>;

/** The full state of an approval gate, as returned by its query. */
export const GateState = z.object({
  status: GateStatus,
  model: z.string(),
  version: z.number().int().positive(),
  evidence: EvidencePacket,
  /** The policy's approvers by name. */
  approvers: z.array(z.string()),
  /** The policy's approver groups. */
  approverGroups: z.array(z.string()),
  /** Who may decide, resolved when the gate opened: the only names the gate accepts decisions from. */
  eligible: z.array(ResolvedApprover),
  /** sha256 of the directory the groups were resolved from; null when the policy names no group. */
  directoryDigest: Digest.nullable(),
  /** Policy groups with no member in the directory. */
  emptyGroups: z.array(z.string()),
  /**
   * Set only for a gate that opened before groups came from the directory (a run started by an older worker):
   * its groups were never resolved, so only the approvers named in the policy may decide.
   */
  unresolvedGroups: z.array(z.string()).optional(),
  quorum: z.number().int(),
  /**
   * A random value published when the gate opens: signed decisions name it, so a decision made for this gate is
   * refused by any other (another run, or another gate of a run with a reused workflow id). Absent on gates that
   * opened before decisions were signed.
   */
  nonce: z.string().optional(),
  startedBy: z.string().optional(),
  /** Set (true) when the policy lets the run's starter decide too; absent otherwise, and on older gates. */
  allowSelfApproval: z.boolean().optional(),
  openedAt: z.string(),
  deadline: z.string(),
  closedAt: z.string().optional(),
  decisions: z.array(GateDecision),
  refused: z.array(RefusedDecision),
  /** The policy's escalation groups (absent when the policy does not escalate). */
  escalateTo: z.array(z.string()).optional(),
  /** When the gate escalated (widened `eligible` to the `escalateTo` groups); absent until it does. */
  escalatedAt: z.string().optional(),
});
/** The full state of an approval gate. */
export type GateState = z.infer<typeof GateState>;

/**
 * Everything needed to check, outside the workflow, that a promotion was approved: the gate's identity (workflow id
 * and nonce), the policy, the evidence (its digest recomputable), the directory it was resolved from, the signed
 * start of the run, and every accepted decision with its signature. The activities that record an approval, move
 * an alias or deploy re-verify it against the signed directory before they write anything.
 */
export const ApprovalProof = z.object({
  workflowId: z.string().min(1),
  gateNonce: z.string().min(1),
  policy: ApprovalPolicy,
  evidence: EvidencePacket,
  /** sha256 of the directory the gate resolved its approvers (and their keys) from. */
  directoryDigest: Digest.nullable(),
  /** The run's signed start (who started it is the verified signer); null for a run started unsigned. */
  start: z
    .object({
      signer: z.string().min(1),
      pipeline: z.string().min(1),
      inputDigest: Digest,
      /**
       * The digest of the run's approval policy the starter signed with the input (`StartPayload.policyDigest`).
       * When set, the proof carries that policy (`signedPolicy`) instead of the whole input (`startInput`). Absent
       * on starts signed before it was, and on scheduled starts.
       */
      policyDigest: Digest.optional(),
      at: z.string(),
      signature: z.string(),
      /** Set when a schedule started the run: the creator signed the schedule's start, bound to its id. */
      schedule: StartSchedule.optional(),
    })
    .nullable(),
  /**
   * The run's input as its starter signed it (without its `start` field), carried when the signed start has no
   * `policyDigest` (a start signed before it was, or a scheduled start): its digest must be the signed start's
   * `inputDigest`, and its `approval` policy (when it has one) the proof's `policy`, so the policy the activities
   * check against is the one the starter signed, not one the workflow code chose.
   */
  startInput: z.record(z.string(), z.unknown()).optional(),
  /**
   * The run's approval policy exactly as its starter signed it (`approval` of the input, or for a retrain of the
   * model guardian the guardian's `retrain.input.approval`), `null` when the signed input had none. Carried
   * instead of `startInput` when the signed start has a `policyDigest`: it must hash to it (`approvalPolicyDigest`)
   * and, when not null, be the proof's `policy`.
   */
  signedPolicy: z.unknown().optional(),
  outcome: z.enum(['approved', 'rejected', 'expired']),
  decisions: z.array(GateDecision),
  /** Every decision the gate refused, with its reason (recorded in the audit log with the approval). */
  refused: z.array(RefusedDecision).optional(),
  openedAt: z.string(),
  deadline: z.string(),
});
/** The proof of a gate's outcome that acting activities re-verify. */
export type ApprovalProof = z.infer<typeof ApprovalProof>;

/**
 * What a gate publishes in its run's memo (`SlipwayMemo.gate`) when it opens and whenever it changes, so pending
 * gates are listed from the visibility store alone (one list call, no query per run). Small by design: the
 * evidence itself is read from the gate (its Query) when one gate is shown.
 */
export const GateListing = z.object({
  status: GateStatus,
  model: z.string(),
  version: z.number().int().positive(),
  evidenceDigest: Digest,
  openedAt: z.string(),
  deadline: z.string(),
  quorum: z.number().int(),
  approvals: z.number().int().min(0),
  approvers: z.array(z.string()),
  approverGroups: z.array(z.string()),
  escalateTo: z.array(z.string()).optional(),
  escalatedAt: z.string().optional(),
  startedBy: z.string().optional(),
  closedAt: z.string().optional(),
  /** One line on the candidate against the champion, e.g. `auc 0.84 (+0.03)`. */
  headline: z.string().optional(),
  /**
   * The gate's nonce, which every signed decision carries: published here so that a client signs a decision from
   * the run's description alone, without querying the run. Not a secret (a query returns it too).
   */
  nonce: z.string().optional(),
});
/** A gate as listed from the visibility store. */
export type GateListing = z.infer<typeof GateListing>;
