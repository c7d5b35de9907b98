/**
 * A run whose deploy failed after the gate approved: it records the failure and waits for an operator's signed
 * `retry` (deploy again with the same approval) or `abort` (end the run with nothing serving changed). Its state, as
 * the run's progress shows it, and the commands.
 */
import { z } from 'zod';

/** What an operator may tell a run whose deploy failed. */
export const DeployCommandKind = z.enum(['retry', 'abort']);
/** What an operator may tell a run whose deploy failed. */
export type DeployCommandKind = z.infer<typeof DeployCommandKind>;

/**
 * A deploy command as sent by the client or the CLI: who sends it, why, and their signature of the
 * `DeployCommandPayload` (bound to the run's workflow id and the nonce of its current wait) made at `at`.
 */
export const DeployCommandRequest = z.object({
  command: DeployCommandKind,
  operator: z.string().min(1),
  reason: z.string().min(1).max(2000),
  /** When the operator signed the command (ISO 8601 UTC). */
  at: z.string().optional(),
  /** The operator's Ed25519 signature of the command's payload, base64url. */
  signature: z.string().optional(),
});
/** A deploy command request. */
export type DeployCommandRequest = z.infer<typeof DeployCommandRequest>;

/** A deploy command the run accepted. */
export const AcceptedDeployCommand = z.object({
  command: DeployCommandKind,
  operator: z.string(),
  reason: z.string(),
  /** When the run accepted it. */
  at: z.string(),
  signedAt: z.string(),
  signature: z.string(),
});
/** A deploy command the run accepted. */
export type AcceptedDeployCommand = z.infer<typeof AcceptedDeployCommand>;

/** One failed deploy: when, and why (its retries exhausted). */
export const DeployFailureRecord = z.object({ at: z.string(), reason: z.string(), type: z.string().optional() });
/** One failed deploy. */
export type DeployFailureRecord = z.infer<typeof DeployFailureRecord>;

/**
 * The state of a run's deploy after a failure: `waiting` for an operator, `retrying` (a retry was accepted and the
 * deploy runs again), `deployed` (a retry succeeded), `aborted` (an operator ended the run; nothing serving changed).
 */
export const DeployWaitState = z.object({
  phase: z.enum(['waiting', 'retrying', 'deployed', 'aborted']),
  model: z.string(),
  version: z.number().int().positive(),
  /** Every failed deploy of this run, oldest first (the last is why it waits). */
  failures: z.array(DeployFailureRecord),
  /** Published when the run begins waiting: a command signed for another wait (or run) is refused. */
  nonce: z.string(),
  /** When the current wait began. */
  since: z.string(),
  /** Who may command it: the approval policy's approvers. */
  operators: z.array(z.string()),
  commands: z.array(AcceptedDeployCommand),
});
/** The state of a run's deploy after a failure. */
export type DeployWaitState = z.infer<typeof DeployWaitState>;
