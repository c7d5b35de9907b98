/**
 * The rollout saga's state as its Query answers it, the commands an operator sends it (pause, resume, promote now,
 * abort; signed like gate decisions), and what a rollout returns.
 */
import { z } from 'zod';
import { ModelVersionRef } from './model.js';
import { GuardCheck, GuardReadings, RolloutStrategy } from './rollout.js';
import { ServedDeployment, TrafficMode } from './serving.js';

/** What an operator may tell a running rollout. */
export const RolloutCommandKind = z.enum(['pause', 'resume', 'promote', 'abort']);
/** What an operator may tell a running rollout. */
export type RolloutCommandKind = z.infer<typeof RolloutCommandKind>;

/**
 * A command as sent by the client or the CLI: who sends it, why, and their signature of the
 * `RolloutCommandPayload` (bound to the rollout's workflow id and nonce) made at `at`.
 */
export const RolloutCommandRequest = z.object({
  command: RolloutCommandKind,
  operator: z.string().min(1),
  reason: z.string().min(1).max(2000),
  /** When the operator signed the command (ISO 8601 UTC). */
  at: z.string().optional(),
  /** The operator's Ed25519 signature of the command's payload, base64url. */
  signature: z.string().optional(),
});
/** A rollout command request. */
export type RolloutCommandRequest = z.infer<typeof RolloutCommandRequest>;

/** A command the rollout accepted. */
export const AcceptedRolloutCommand = z.object({
  command: RolloutCommandKind,
  operator: z.string(),
  reason: z.string(),
  /** When the rollout accepted it. */
  at: z.string(),
  signedAt: z.string(),
  signature: z.string(),
});
/** A command the rollout accepted. */
export type AcceptedRolloutCommand = z.infer<typeof AcceptedRolloutCommand>;

/**
 * What one measurement window of a step gave: `pass`, `hold` or `breach` from the guards, `lost` when the target
 * no longer held the window (it restarted; the step opened a new one), `unread` for a step with no bake time
 * (the one-step blue/green swap reads no guards).
 */
export const RolloutStepRecord = z.object({
  /** 0-based step. */
  step: z.number().int().nonnegative(),
  percent: z.number().int().min(0).max(100),
  mode: TrafficMode,
  windowId: z.string(),
  verdict: z.enum(['pass', 'hold', 'breach', 'lost', 'unread']),
  /** How many times this window was read (a held step reads its window again after another bake). */
  reads: z.number().int().nonnegative(),
  readings: GuardReadings.nullable(),
  checks: z.array(GuardCheck),
  at: z.string(),
});
/** What one window of a step gave. */
export type RolloutStepRecord = z.infer<typeof RolloutStepRecord>;

/** Where a rollout is. */
export const RolloutPhase = z.enum([
  'staging',
  'baking',
  'paused',
  'promoting',
  'draining',
  'compensating',
  'promoted',
  'rolled_back',
]);
/** Where a rollout is. */
export type RolloutPhase = z.infer<typeof RolloutPhase>;

/** The most step records a rollout keeps in its state (one per window; older ones are dropped and counted). */
export const MAX_ROLLOUT_RECORDS = 40;

/**
 * After a promotion's drain, what became of the version it replaced: `retired` names the deployment recorded
 * retired; `kept` says why it was not (it served again, the alias named it, or the retire step failed). Both null:
 * the rollout replaced nothing (no version served before).
 */
export const RolloutRetirement = z.object({
  retired: ServedDeployment.nullable(),
  kept: z.string().nullable(),
});
/** What became of the version a promotion replaced. */
export type RolloutRetirement = z.infer<typeof RolloutRetirement>;

/** A rollout's state: the Query answer, and the answer to every accepted command. */
export const RolloutState = z.object({
  model: z.string(),
  version: z.number().int().positive(),
  strategy: RolloutStrategy,
  /** The candidate's traffic percent at each step. */
  steps: z.array(z.number().int()),
  phase: RolloutPhase,
  /** The 0-based step running (or where the rollout stopped); null before the first. */
  step: z.number().int().nonnegative().nullable(),
  /** The candidate's share now (percent) and how it gets it. */
  percent: z.number().int().min(0).max(100),
  mode: TrafficMode,
  deploymentId: z.string().nullable(),
  /** What served when the candidate was staged. */
  stable: ServedDeployment.nullable(),
  /** Why the rollout is paused (an operator's reason, or the breach that paused it); null when it is not. */
  pausedBy: z.string().nullable(),
  startedAt: z.string(),
  /** When a rollout still holding (or paused) is aborted. */
  deadline: z.string(),
  /** Published when the rollout starts: signed commands name it, so they verify for this rollout only. */
  nonce: z.string(),
  /** Who may command the rollout (the approval policy's approvers, resolved); null until resolved. */
  operators: z.array(z.string()).nullable(),
  /** The last {@link MAX_ROLLOUT_RECORDS} windows read, oldest first; `droppedRecords` older ones left out. */
  records: z.array(RolloutStepRecord),
  droppedRecords: z.number().int().nonnegative(),
  commands: z.array(AcceptedRolloutCommand),
  /** How it ended: the reason of a rollback, and what the target said serves afterwards. */
  outcome: z
    .object({
      status: z.enum(['promoted', 'rolled_back']),
      reason: z.string().nullable(),
      live: ServedDeployment.nullable(),
      at: z.string(),
      /** A promotion's retirement of the version it replaced, after the drain (see {@link RolloutRetirement}). */
      retirement: RolloutRetirement.optional(),
    })
    .nullable(),
});
/** A rollout's state. */
export type RolloutState = z.infer<typeof RolloutState>;

/** What a rollout returns. */
export const RolloutResult = z.object({
  status: z.enum(['promoted', 'rolled_back']),
  model: z.string(),
  version: ModelVersionRef,
  deploymentId: z.string(),
  /** The version that served before (promoted: the one replaced). */
  previousVersion: z.number().int().positive().nullable(),
  /** Why it was rolled back (a breach, a hold past the deadline, an operator's abort, a failed step). */
  reason: z.string().nullable(),
  /** The step where it stopped (rolled back) or the last step run. */
  step: z.number().int().nonnegative().nullable(),
  /** What the target said serves at the end (read back). */
  live: ServedDeployment.nullable(),
  smokeScore: z.number().optional(),
  records: z.array(RolloutStepRecord),
  /** A promoted rollout's retirement of the version it replaced (absent: rolled back, or run before retiring existed). */
  retirement: RolloutRetirement.optional(),
});
/** What a rollout returns. */
export type RolloutResult = z.infer<typeof RolloutResult>;
