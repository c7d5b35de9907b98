import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import type { z } from 'zod';

/**
 * Error types Slipway raises, grouped by retry behaviour: {@link FinalErrorType} (retrying cannot help; never
 * retried, even when raised retryable: see {@link finalWhenTyped}) and {@link RetryableErrorType} (a later attempt
 * may succeed). Raise them with {@link finalFailure} and {@link retryableFailure}; compare failures by `type` (see
 * {@link failureType}), never with `instanceof`. The type strings are a wire format: they are stored in workflow
 * histories and matched by retry policies, so they never change.
 */
export const FinalErrorType = {
  /** A step was given input that does not match its contract. */
  InvalidInput: 'SlipwayInvalidInput',
  /** A step returned output that does not match its contract. */
  InvalidOutput: 'SlipwayInvalidOutput',
  /** A dataset failed validation. */
  ValidationFailed: 'SlipwayValidationFailed',
  /** A promotion was rejected at the approval gate. */
  ApprovalRejected: 'SlipwayApprovalRejected',
  /** A deploy failed its smoke check; the previous version keeps serving. */
  DeployFailed: 'SlipwayDeployFailed',
  /** A rollout guard failed and the rollout was compensated. */
  RolloutAborted: 'SlipwayRolloutAborted',
  /** A named thing (model, version, alias, artifact, trainer) does not exist. */
  NotFound: 'SlipwayNotFound',
  /** An artifact's bytes do not match its digest. */
  DigestMismatch: 'SlipwayDigestMismatch',
  /**
   * A store (S3, …) rejected the credentials, or they may not read the object; or a dataset lies outside the
   * worker's dataset roots, in Slipway's state directory, or in a file holding a key or token.
   */
  AccessDenied: 'SlipwayAccessDenied',
  /** An approval policy names groups, but the worker has no directory of people to resolve them from. */
  DirectoryNotConfigured: 'SlipwayDirectoryNotConfigured',
  /** The worker's directory of people cannot be read or is not a valid directory; the message names the file. */
  InvalidDirectory: 'SlipwayInvalidDirectory',
  /**
   * A run's start is not signed, or its signature does not verify against the directory of people: who started a
   * run is only ever a verified signer.
   */
  UnverifiedStart: 'SlipwayUnverifiedStart',
  /** The model server refused a request (a 4xx answer other than 404 and 429). */
  ModelServerRejected: 'SlipwayModelServerRejected',
  /** The model server's answer was not the JSON its protocol promises. */
  ModelServerBadResponse: 'SlipwayModelServerBadResponse',
  /** The MLflow server refused a request (a 4xx answer other than 429). */
  MlflowRejected: 'SlipwayMlflowRejected',
  /** The MLflow server's answer was not the JSON MLflow sends. */
  MlflowBadResponse: 'SlipwayMlflowBadResponse',
  /**
   * An alias move or a deploy came without the proof that the version was approved, or with the proof of a gate
   * that did not approve it (rejected, expired). Nothing was written.
   */
  NotApproved: 'SlipwayNotApproved',
  /**
   * The proof of an approval does not verify where it acts: a decision's signature, the signed start, the
   * directory it was resolved from, the evidence, the quorum or a policy decision is not what it claims. The message
   * names what failed; nothing was written.
   */
  InvalidApprovalProof: 'SlipwayInvalidApprovalProof',
  /**
   * A trainer process failed in a way a retry cannot mend: it exited with code 2 (bad params or data; the message
   * carries its stderr tail), broke the trainer protocol (a malformed stdout message, a checkpoint outside its
   * working directory, a missing or invalid `result.json`), or its command could not be started.
   */
  TrainerFailed: 'SlipwayTrainerFailed',
  /**
   * A rollback was refused before anything changed: nothing served before the live version, the version asked for
   * is the live one, never served or was never approved, a rollout holds a candidate, or the person is not one the
   * live version's approval policy lets decide. The message names the model, the versions and why.
   */
  RollbackRefused: 'SlipwayRollbackRefused',
} as const;
/** A final (non-retryable) Slipway error type. */
export type FinalErrorType = (typeof FinalErrorType)[keyof typeof FinalErrorType];

/**
 * Retryable Slipway error types: the failure is transient (a server down, busy or restarting), so Temporal retries
 * the activity under its retry policy. An HTTP answer that says when to come back (`Retry-After` on a 429 or 503)
 * sets the failure's `nextRetryDelay` (see `util/http-failure.ts` in `@slipway/activities`).
 */
export const RetryableErrorType = {
  /** The model server could not be reached or did not answer in time. */
  ModelServerUnreachable: 'SlipwayModelServerUnreachable',
  /** The model server answered 5xx, or 429 (too many requests). */
  ModelServerError: 'SlipwayModelServerError',
  /**
   * The model server no longer holds the staged deployment a deploy was about to smoke-check or commit (it restarted
   * in between); the next attempt stages it again.
   */
  ModelServerLostStaged: 'SlipwayModelServerLostStaged',
  /** The MLflow server could not be reached or did not answer in time. */
  MlflowUnreachable: 'SlipwayMlflowUnreachable',
  /** The MLflow server answered 5xx, or 429 (too many requests). */
  MlflowServerError: 'SlipwayMlflowServerError',
  /** A byte source's store (S3, …) could not be reached (connection refused or reset, DNS failure, timeout). */
  SourceUnreachable: 'SlipwaySourceUnreachable',
  /** A byte source's store answered with another error (a 5xx, throttling, an object replaced mid-read). */
  SourceStoreError: 'SlipwaySourceError',
  /**
   * A trainer process exited with a code other than 0 and 2, or was killed by a signal the worker did not send; the
   * message carries its stderr tail. The next attempt resumes from the last stored checkpoint.
   */
  TrainerCrashed: 'SlipwayTrainerCrashed',
} as const;
/** A retryable Slipway error type. */
export type RetryableErrorType = (typeof RetryableErrorType)[keyof typeof RetryableErrorType];

/** Every Slipway error type, final and retryable: `SlipwayErrorType.InvalidInput`, `SlipwayErrorType.SourceUnreachable`, … */
export const SlipwayErrorType = { ...FinalErrorType, ...RetryableErrorType } as const;
/** One of the Slipway error types, final or retryable. */
export type SlipwayErrorType = FinalErrorType | RetryableErrorType;

/** Every final (non-retryable) Slipway error type. */
export const FINAL_ERROR_TYPES: readonly string[] = Object.values(FinalErrorType);
/** Every retryable Slipway error type. */
export const RETRYABLE_ERROR_TYPES: readonly string[] = Object.values(RetryableErrorType);

/** Reasons an approval gate refuses a decision; the failure type of a refused Update. */
export const GateRefusal = {
  GateClosed: 'SlipwayGateClosed',
  ApproverNotAllowed: 'SlipwayApproverNotAllowed',
  SelfApproval: 'SlipwaySelfApproval',
  DuplicateApproval: 'SlipwayDuplicateApproval',
  EvidenceMismatch: 'SlipwayEvidenceMismatch',
  InvalidDecision: 'SlipwayInvalidDecision',
  /** The decision carries no signature, and the gate accepts signed decisions only. */
  UnsignedDecision: 'SlipwayUnsignedDecision',
  /**
   * The decision's signature does not verify with the approver's public key from the directory: signed with
   * another key, altered after signing, or made for another gate (replayed).
   */
  BadSignature: 'SlipwayBadSignature',
  /** The decision was signed too long ago, or claims a time too far in the future. */
  DecisionOutOfWindow: 'SlipwayDecisionOutOfWindow',
} as const;
/** A reason an approval gate refuses a decision. */
export type GateRefusal = (typeof GateRefusal)[keyof typeof GateRefusal];

/** Reasons a rollout refuses an operator's command; the failure type of a refused Update. */
export const RolloutRefusal = {
  /** The command is malformed (not a command, no reason). */
  InvalidCommand: 'SlipwayInvalidRolloutCommand',
  /** The rollout has promoted, rolled back or is compensating: there is nothing left to command. */
  RolloutClosed: 'SlipwayRolloutClosed',
  /** The command does not apply now (resume when not paused, pause when paused). */
  CommandNotApplicable: 'SlipwayRolloutCommandNotApplicable',
  /** The operator is not among the approval policy's approvers (or has no key in the directory). */
  OperatorNotAllowed: 'SlipwayOperatorNotAllowed',
  /** The command carries no signature. */
  UnsignedCommand: 'SlipwayUnsignedRolloutCommand',
  /** The signature does not verify with the operator's key for this rollout, or was made too long ago. */
  BadSignature: 'SlipwayBadRolloutCommandSignature',
} as const;
/** A reason a rollout refuses a command. */
export type RolloutRefusal = (typeof RolloutRefusal)[keyof typeof RolloutRefusal];

/** Reasons a run whose deploy failed refuses an operator's `retry` or `abort`; the failure type of a refused Update. */
export const DeployRefusal = {
  /** The command is malformed (not retry or abort, no reason). */
  InvalidCommand: 'SlipwayInvalidDeployCommand',
  /** The run is not waiting for an operator (its deploy has not failed, or a command was already accepted). */
  NotWaiting: 'SlipwayDeployNotWaiting',
  /** The operator is not among the approval policy's approvers (or has no key in the directory). */
  OperatorNotAllowed: 'SlipwayOperatorNotAllowed',
  /** The command carries no signature. */
  UnsignedCommand: 'SlipwayUnsignedDeployCommand',
  /** The signature does not verify with the operator's key for this wait, or was made too long ago. */
  BadSignature: 'SlipwayBadDeployCommandSignature',
} as const;
/** A reason a run refuses a deploy command. */
export type DeployRefusal = (typeof DeployRefusal)[keyof typeof DeployRefusal];

/** Reasons a model guardian refuses an operator's command; the failure type of a refused Update. */
export const GuardianRefusal = {
  /** The command is malformed (not pause, resume or stop; no reason). */
  InvalidCommand: 'SlipwayInvalidGuardianCommand',
  /** The guardian was stopped: it takes no more commands. */
  GuardianStopped: 'SlipwayGuardianStopped',
  /** The command does not apply now (resume when not paused, pause when paused). */
  CommandNotApplicable: 'SlipwayGuardianCommandNotApplicable',
  /** The operator is not among the retrain's approval policy's approvers (or has no key in the directory). */
  OperatorNotAllowed: 'SlipwayOperatorNotAllowed',
  /** The command carries no signature. */
  UnsignedCommand: 'SlipwayUnsignedGuardianCommand',
  /** The signature does not verify with the operator's key for this guardian, or was made too long ago. */
  BadSignature: 'SlipwayBadGuardianCommandSignature',
} as const;
/** Reasons a model guardian refuses an operator's command. */
export type GuardianRefusal = (typeof GuardianRefusal)[keyof typeof GuardianRefusal];

/** Creates a final, non-retryable failure of the given type. Safe in workflow and activity code. */
export function finalFailure(
  type: FinalErrorType | GateRefusal,
  message: string,
  details?: unknown,
  options: { cause?: Error | undefined } = {},
): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: details === undefined ? undefined : [details],
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}

/**
 * `error` made final when it is of one of `finalTypes` and would be retried: an `ApplicationFailure` of that type
 * raised retryable (e.g. user code's `ApplicationFailure.retryable('…', 'SlipwayInvalidInput')`), or a plain
 * `Error` whose `name` is that type (Temporal reports it with its name as the type). The result has the same
 * message, type, details, cause and stack, non-retryable. Anything else is returned as it is. Where a failure
 * leaves an activity, this is what keeps a final type final without listing it in every retry policy
 * (`implementStep` for a contract's `finalErrors`, every Slipway worker for `FINAL_ERROR_TYPES`). Safe in workflow
 * and activity code.
 *
 * ```ts
 * try { return await run(input); } catch (err) { throw finalWhenTyped(err, FINAL_ERROR_TYPES); }
 * ```
 */
export function finalWhenTyped(error: unknown, finalTypes: readonly string[]): unknown {
  if (error instanceof ApplicationFailure) return error.nonRetryable ? error : finalOfType(error, finalTypes);
  if (!(error instanceof Error) || error instanceof TemporalFailure || !finalTypes.includes(error.name)) return error;
  const final = ApplicationFailure.create({ message: error.message, type: error.name, nonRetryable: true });
  if (error.stack !== undefined) final.stack = error.stack;
  return final;
}

function finalOfType(error: ApplicationFailure, finalTypes: readonly string[]): ApplicationFailure {
  if (typeof error.type !== 'string' || !finalTypes.includes(error.type)) return error;
  const final = ApplicationFailure.create({
    message: error.message,
    type: error.type,
    nonRetryable: true,
    ...(error.details ? { details: error.details } : {}),
    ...(error.cause ? { cause: error.cause } : {}),
    ...(error.category ? { category: error.category } : {}),
  });
  if (error.stack !== undefined) final.stack = error.stack;
  return final;
}

/** Options of {@link retryableFailure}. */
export interface RetryableFailureOptions {
  /** The error that caused this one. */
  cause?: Error | undefined;
  /**
   * When to try again, in milliseconds, instead of the retry policy's backoff (e.g. what a server's `Retry-After`
   * asked for). The policy's maximum attempts and timeouts still apply.
   */
  nextRetryDelay?: number | undefined;
}

/** Creates a retryable failure of the given type: Temporal retries the activity under its retry policy. */
export function retryableFailure(
  type: RetryableErrorType,
  message: string,
  details?: unknown,
  options: RetryableFailureOptions = {},
): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: false,
    details: details === undefined ? undefined : [details],
    ...(options.cause === undefined ? {} : { cause: options.cause }),
    ...(options.nextRetryDelay === undefined ? {} : { nextRetryDelay: options.nextRetryDelay }),
  });
}

/**
 * The Slipway error type of a failure, looking through the wrappers Temporal adds
 * (`ActivityFailure`, `ChildWorkflowFailure`, `WorkflowFailedError`, `WorkflowUpdateFailedError`).
 */
export function failureType(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current !== null && typeof current === 'object'; depth++) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string') return type;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The innermost message of a failure, looking through Temporal's wrappers. */
export function rootMessage(err: unknown): string {
  let current: unknown = err;
  let message = err instanceof Error ? err.message : String(err);
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    message = current.message || message;
    current = current.cause;
  }
  return message;
}

/** Formats zod issues as `field.path: message` lines. */
export function describeIssues(error: z.ZodError, limit = 10): string {
  const lines = error.issues.slice(0, limit).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > limit ? `; and ${error.issues.length - limit} more` : '';
  return lines.join('; ') + more;
}

/**
 * Parses `value` with `schema`, or throws a final `SlipwayInvalidInput` failure: the message is
 * `<what>: <field.path: problem; …>` (every failing field path, see {@link describeIssues}), and the details are
 * `details` with the issues added (`{ ...details, issues: [{ path, message }] }`). The one parse-then-fail of
 * Slipway: step inputs, registry inputs, trainer params, stored models and profiles all go through it.
 *
 * ```ts
 * const params = parseOrFail(Params, raw, 'Trainer "acme" got invalid params', { trainer: 'acme' });
 * ```
 */
export function parseOrFail<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  details: Record<string, unknown> = {},
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw finalFailure(FinalErrorType.InvalidInput, `${what}: ${describeIssues(result.error)}`, {
    ...details,
    issues: result.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
  });
}
