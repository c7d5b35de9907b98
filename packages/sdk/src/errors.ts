import { ApplicationFailure } from '@temporalio/common';

/**
 * Error types Slipway raises, grouped by retry behaviour. Every type here is final: retrying cannot help,
 * so step contracts list them as non-retryable. Compare failures by `type`, never with `instanceof`.
 */
export const SlipwayErrorType = {
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
} as const;
/** One of the Slipway error types. */
export type SlipwayErrorType = (typeof SlipwayErrorType)[keyof typeof SlipwayErrorType];

/** Every final (non-retryable) Slipway error type. */
export const FINAL_ERROR_TYPES: readonly string[] = Object.values(SlipwayErrorType);

/** Reasons an approval gate refuses a decision; the failure type of a refused Update. */
export const GateRefusal = {
  GateClosed: 'SlipwayGateClosed',
  ApproverNotAllowed: 'SlipwayApproverNotAllowed',
  SelfApproval: 'SlipwaySelfApproval',
  DuplicateApproval: 'SlipwayDuplicateApproval',
  EvidenceMismatch: 'SlipwayEvidenceMismatch',
  InvalidDecision: 'SlipwayInvalidDecision',
} as const;
/** A reason an approval gate refuses a decision. */
export type GateRefusal = (typeof GateRefusal)[keyof typeof GateRefusal];

/** Creates a final, non-retryable failure of the given type. Safe in workflow and activity code. */
export function finalFailure(
  type: SlipwayErrorType | GateRefusal,
  message: string,
  details?: unknown,
): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: details === undefined ? undefined : [details],
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
