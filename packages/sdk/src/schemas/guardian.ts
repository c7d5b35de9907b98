/**
 * The model guardian's state and messages: what it carries across continue-as-new (its counters, the last checks,
 * the retrain it started), what its status Query answers, the decisions it records (each with its reason), and
 * the signed commands (pause, resume, stop) operators send it. One guardian per model, `guardian:<model>`; the
 * retrain it starts runs as `retrain:<model>`.
 */
import { z } from 'zod';
import { ArtifactRef } from './artifact.js';
import { ResolvedApprover } from './directory.js';

/** The workflow id of a model's guardian, `guardian:<model>`: one guardian per model. */
export function guardianWorkflowId(model: string): string {
  return `guardian:${model}`;
}

/** The workflow id of the retrain a model's guardian starts, `retrain:<model>`: one retrain at a time. */
export function retrainWorkflowId(model: string): string {
  return `retrain:${model}`;
}

/** The guardian id that starts `workflowId` when it is a retrain (`retrain:<m>` → `guardian:<m>`), else undefined. */
export function guardianOfRetrain(workflowId: string): string | undefined {
  return workflowId.startsWith('retrain:') ? guardianWorkflowId(workflowId.slice('retrain:'.length)) : undefined;
}

/** How many check summaries, decisions, outcomes and commands the guardian keeps (the rest is in the audit log). */
export const GUARDIAN_KEEP = 20;

/** What the guardian decided after a check or an event, always with its reason. */
export const GuardianDecisionKind = z.enum([
  /** A drifted check counted towards the hysteresis (not yet enough in a row). */
  'drift_counted',
  /** A check without drift: the count starts again. */
  'no_drift',
  /** Too few samples: no verdict; the count neither advances nor resets. */
  'no_verdict',
  /** A backfill check over a past period: reported, never counted, never retrains. */
  'backfill',
  /** Enough drifted checks in a row, outside the cooldown, within the budget, nothing running: a retrain started. */
  'retrain_started',
  'skipped_cooldown',
  'skipped_budget',
  'skipped_running',
  /** A retrain was due but could not start (its dataset did not resolve, or the check stored no serving profile). */
  'retrain_refused',
  /** The retrain ended: its outcome is in `reason` and the status's outcomes. */
  'retrain_finished',
  /** The check itself failed after its retries: the window is checked again at the next tick. */
  'check_failed',
]);
/** What the guardian decided. */
export type GuardianDecisionKind = z.infer<typeof GuardianDecisionKind>;

/** One decision and its reason. */
export const GuardianDecision = z.strictObject({
  at: z.string(),
  kind: GuardianDecisionKind,
  /** The check it followed (a retrain's end names the check that started it). */
  checkId: z.string(),
  reason: z.string(),
});
/** One decision and its reason. */
export type GuardianDecision = z.infer<typeof GuardianDecision>;

/** One check as the status shows it: the verdict and the references of its report and page. */
export const GuardianCheckSummary = z.strictObject({
  checkId: z.string(),
  n: z.number().int().positive(),
  at: z.string(),
  backfill: z.boolean(),
  version: z.number().int().positive().nullable(),
  window: z.strictObject({ from: z.string().optional(), to: z.string() }),
  samples: z.number().int().nonnegative(),
  enoughSamples: z.boolean(),
  drifted: z.boolean(),
  driftShare: z.number(),
  driftedFeatures: z.array(z.string()),
  report: ArtifactRef.nullable(),
  page: ArtifactRef.nullable(),
  /** Why the check failed, for a check that did not complete. */
  error: z.string().optional(),
});
/** One check as the status shows it. */
export type GuardianCheckSummary = z.infer<typeof GuardianCheckSummary>;

/** How a retrain the guardian started ended. */
export const RetrainOutcomeStatus = z.enum([
  'deployed',
  'rejected',
  'expired',
  'rolled_back',
  'deploy_aborted',
  /** The run failed, was cancelled, terminated or timed out. */
  'failed',
]);
/** How a retrain ended. */
export type RetrainOutcomeStatus = z.infer<typeof RetrainOutcomeStatus>;

/** The retrain the guardian started and is watching. */
export const RunningRetrain = z.strictObject({
  workflowId: z.string(),
  runId: z.string(),
  checkId: z.string(),
  startedAt: z.string(),
  datasetDigest: z.string().optional(),
});
/** The retrain the guardian started and is watching. */
export type RunningRetrain = z.infer<typeof RunningRetrain>;

/** A retrain that ended. */
export const RetrainOutcome = RunningRetrain.extend({
  endedAt: z.string(),
  status: RetrainOutcomeStatus,
  /** The version it trained, when it got that far. */
  version: z.number().int().positive().optional(),
  detail: z.string().optional(),
});
/** A retrain that ended. */
export type RetrainOutcome = z.infer<typeof RetrainOutcome>;

/** A command an operator sends the guardian. */
export const GuardianCommandKind = z.enum(['pause', 'resume', 'stop']);
/** A command an operator sends the guardian. */
export type GuardianCommandKind = z.infer<typeof GuardianCommandKind>;

/** A guardian command as sent: signed by the operator over the guardian's id and nonce (the client signs it). */
export const GuardianCommandRequest = z.strictObject({
  command: GuardianCommandKind,
  operator: z.string().min(1),
  reason: z.string().trim().min(1, 'a command needs a reason, for the record').max(2000),
  at: z.string().optional(),
  signature: z.string().optional(),
});
/** A guardian command as sent. */
export type GuardianCommandRequest = z.infer<typeof GuardianCommandRequest>;

/** A command the guardian accepted. */
export const AcceptedGuardianCommand = z.strictObject({
  command: GuardianCommandKind,
  operator: z.string(),
  reason: z.string(),
  at: z.string(),
  signedAt: z.string(),
  signature: z.string(),
});
/** A command the guardian accepted. */
export type AcceptedGuardianCommand = z.infer<typeof AcceptedGuardianCommand>;

/** The guardian's counters: what the decisions are made of. */
export const GuardianCounters = z.strictObject({
  /** Checks done (backfill included): the next check is `check-<checks + 1>`. */
  checks: z.number().int().nonnegative(),
  /** Drifted checks in a row (checks without a verdict neither advance nor reset it). */
  consecutive: z.number().int().nonnegative(),
  /** When each retrain of the last 7 days started (ISO times): the budget. */
  retrainTimes: z.array(z.string()),
  /** When the last retrain started: the cooldown. */
  lastRetrainAt: z.string().nullable(),
});
/** The guardian's counters. */
export type GuardianCounters = z.infer<typeof GuardianCounters>;

/** Everything the guardian carries from one run to the next (continue-as-new). */
export const GuardianCarry = z.strictObject({
  counters: GuardianCounters,
  /** The end of the last checked window (the next window's `from`) and the source's cursor after it. */
  windowEnd: z.string().nullable(),
  cursor: z.string().optional(),
  nextCheckAt: z.string().nullable(),
  backfillDone: z.boolean(),
  running: RunningRetrain.nullable(),
  outcomes: z.array(RetrainOutcome),
  recent: z.array(GuardianCheckSummary),
  decisions: z.array(GuardianDecision),
  commands: z.array(AcceptedGuardianCommand),
  pausedBy: z.string().nullable(),
  /** Published when the guardian first started; every command signs it. */
  nonce: z.string(),
  since: z.string(),
  /** The verified signer of the guardian's start (verified on its first run only). */
  starter: z.string(),
  /** How many runs came before this one (continue-as-new). */
  generation: z.number().int().nonnegative(),
  /**
   * Who may command the guardian, as the run before resolved them (names and keys): a run continued as new takes
   * commands with these until it has resolved them again, so a command never meets a guardian that cannot check it.
   */
  resolvedOperators: z.array(ResolvedApprover).optional(),
});
/** Everything the guardian carries from one run to the next. */
export type GuardianCarry = z.infer<typeof GuardianCarry>;

/** What the guardian's status Query answers. */
export const GuardianStatus = GuardianCarry.omit({ cursor: true, resolvedOperators: true }).extend({
  model: z.string(),
  alias: z.string(),
  every: z.string(),
  phase: z.enum(['starting', 'backfill', 'watching', 'paused', 'stopped']),
  /** The hysteresis, cooldown and budget in force, and where the counters stand against them. */
  limits: z.strictObject({
    consecutive: z.number().int(),
    cooldown: z.string(),
    cooldownUntil: z.string().nullable(),
    perWeek: z.number().int(),
    retrainsThisWeek: z.number().int(),
  }),
  /** Who may command the guardian (the retrain's approval policy's approvers), once resolved. */
  operators: z.array(z.string()).nullable(),
});
/** What the guardian's status Query answers. */
export type GuardianStatus = z.infer<typeof GuardianStatus>;
