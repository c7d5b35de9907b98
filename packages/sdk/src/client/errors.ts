import { DeployRefusal, GateRefusal, GuardianRefusal, RolloutRefusal, failureType, rootMessage } from '../errors.js';

/** Why a client call failed. Compare `code`, never `instanceof`. */
export const ClientErrorCode = {
  ServerUnreachable: 'ServerUnreachable',
  UnknownRun: 'UnknownRun',
  NoGate: 'NoGate',
  GateClosed: 'GateClosed',
  ApproverNotAllowed: 'ApproverNotAllowed',
  SelfApproval: 'SelfApproval',
  DuplicateApproval: 'DuplicateApproval',
  EvidenceMismatch: 'EvidenceMismatch',
  InvalidDecision: 'InvalidDecision',
  /** The decision was not signed, or its signature does not verify (another key, altered, another gate). */
  BadSignature: 'BadSignature',
  /** The decision's signing time is outside the gate's window (too old, or in the future). */
  DecisionOutOfWindow: 'DecisionOutOfWindow',
  /** The caller's signing key is missing, unsafe or damaged (see the message for the file and the fix). */
  KeyUnavailable: 'KeyUnavailable',
  NoWorker: 'NoWorker',
  InvalidInput: 'InvalidInput',
  /** A run's result does not match the pipeline contract it was read with. */
  InvalidOutput: 'InvalidOutput',
  /** The run has already finished, so it cannot be cancelled or terminated. */
  RunClosed: 'RunClosed',
  /** The model has no rollout running (no open `rollout:<model>` workflow). */
  NoRollout: 'NoRollout',
  /** The rollout has promoted, rolled back or is compensating: it takes no more commands. */
  RolloutClosed: 'RolloutClosed',
  /** The operator is not one of the approval policy's approvers (or has no key in the directory). */
  OperatorNotAllowed: 'OperatorNotAllowed',
  /** The command does not apply now (resume when not paused, pause when paused). */
  CommandNotApplicable: 'CommandNotApplicable',
  /** The run is not waiting for an operator: its deploy has not failed, or a retry or abort was already accepted. */
  NotWaiting: 'NotWaiting',
  /** A run with the same id is already running (e.g. a deploy of the same model: `deploy:<model>`). */
  AlreadyRunning: 'AlreadyRunning',
  /** A rollout or rollback of the model is running (`rollout:<model>`): a rollback waits for it, or it is aborted. */
  RolloutRunning: 'RolloutRunning',
  /** The rollback was refused before anything changed (see the message: which version, and why). */
  RollbackRefused: 'RollbackRefused',
  /** The rollback's start did not verify (no key for the person, another key, an altered input). */
  UnverifiedStart: 'UnverifiedStart',
  /** The rollback failed while it acted (the target refused or failed); the message says what serves. */
  RollbackFailed: 'RollbackFailed',
  /** No pipeline by that name: it is neither built in nor a contract the caller passed. */
  UnknownPipeline: 'UnknownPipeline',
  /** No schedule with that id exists in this namespace. */
  UnknownSchedule: 'UnknownSchedule',
  /** A schedule with that id already exists: pick another `name`, or delete the old one first. */
  ScheduleExists: 'ScheduleExists',
  /** The schedule is paused: it starts nothing, not even a trigger, until it is unpaused. */
  SchedulePaused: 'SchedulePaused',
  /** The model has no guardian (no `guardian:<model>` workflow), or it is not running. */
  NoGuardian: 'NoGuardian',
  /** The guardian was stopped: it takes no more commands. */
  GuardianStopped: 'GuardianStopped',
  /** The guardian keeps no such check (it never ran, or it is older than the checks the status keeps). */
  NoCheck: 'NoCheck',
} as const;
/** Why a client call failed. */
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** One field a value failed on: its path (`['approval', 'quorum']`) and what is wrong with it. */
export interface FieldIssue {
  path: string[];
  message: string;
}

/**
 * An error from `SlipwayClient`, with a stable `code` and a message that says what to do. An `InvalidInput` or
 * `InvalidOutput` from a contract check lists every failing field in `issues` as well as in the message.
 */
export class SlipwayClientError extends Error {
  override readonly name = 'SlipwayClientError';
  /** The failing fields, when a contract check failed. */
  readonly issues?: readonly FieldIssue[];
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    options?: { cause?: unknown; issues?: readonly FieldIssue[] },
  ) {
    super(message, options);
    if (options?.issues) this.issues = options.issues;
  }
}

const REFUSAL_CODES: Record<string, ClientErrorCode> = {
  [GateRefusal.GateClosed]: ClientErrorCode.GateClosed,
  [GateRefusal.ApproverNotAllowed]: ClientErrorCode.ApproverNotAllowed,
  [GateRefusal.SelfApproval]: ClientErrorCode.SelfApproval,
  [GateRefusal.DuplicateApproval]: ClientErrorCode.DuplicateApproval,
  [GateRefusal.EvidenceMismatch]: ClientErrorCode.EvidenceMismatch,
  [GateRefusal.InvalidDecision]: ClientErrorCode.InvalidDecision,
  [GateRefusal.UnsignedDecision]: ClientErrorCode.BadSignature,
  [GateRefusal.BadSignature]: ClientErrorCode.BadSignature,
  [GateRefusal.DecisionOutOfWindow]: ClientErrorCode.DecisionOutOfWindow,
  [RolloutRefusal.InvalidCommand]: ClientErrorCode.InvalidInput,
  [RolloutRefusal.RolloutClosed]: ClientErrorCode.RolloutClosed,
  [RolloutRefusal.CommandNotApplicable]: ClientErrorCode.CommandNotApplicable,
  [RolloutRefusal.OperatorNotAllowed]: ClientErrorCode.OperatorNotAllowed,
  [RolloutRefusal.UnsignedCommand]: ClientErrorCode.BadSignature,
  [RolloutRefusal.BadSignature]: ClientErrorCode.BadSignature,
  [DeployRefusal.InvalidCommand]: ClientErrorCode.InvalidInput,
  [DeployRefusal.NotWaiting]: ClientErrorCode.NotWaiting,
  [DeployRefusal.UnsignedCommand]: ClientErrorCode.BadSignature,
  [DeployRefusal.BadSignature]: ClientErrorCode.BadSignature,
  [GuardianRefusal.InvalidCommand]: ClientErrorCode.InvalidInput,
  [GuardianRefusal.GuardianStopped]: ClientErrorCode.GuardianStopped,
  [GuardianRefusal.CommandNotApplicable]: ClientErrorCode.CommandNotApplicable,
  [GuardianRefusal.UnsignedCommand]: ClientErrorCode.BadSignature,
  [GuardianRefusal.BadSignature]: ClientErrorCode.BadSignature,
};

/** Whether an error is Temporal's "workflow not found". */
export function isNotFound(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.name === 'WorkflowNotFoundError' || (/not found/i.test(err.message) && /workflow/i.test(err.message));
}

/** Turns a failed gate (or rollout command) update into a `SlipwayClientError` with the workflow's reason. */
export function gateError(err: unknown, runId: string): SlipwayClientError {
  if (err instanceof SlipwayClientError) return err;
  if (isNotFound(err)) return unknownRun(runId, err);
  const type = failureType(err);
  const code = type === undefined ? undefined : REFUSAL_CODES[type];
  if (code) return new SlipwayClientError(code, rootMessage(err), { cause: err });
  if (err instanceof Error && err.name === 'WorkflowUpdateRPCTimeoutOrCancelledError') {
    return new SlipwayClientError(
      ClientErrorCode.NoWorker,
      `run ${runId} did not answer in time: is a Slipway worker running for its task queue?`,
      { cause: err },
    );
  }
  return new SlipwayClientError(ClientErrorCode.InvalidDecision, rootMessage(err), { cause: err });
}

/** The error for a run id that does not exist. */
export function unknownRun(runId: string, cause?: unknown): SlipwayClientError {
  return new SlipwayClientError(ClientErrorCode.UnknownRun, `no run with id "${runId}" exists in this namespace`, {
    cause,
  });
}
