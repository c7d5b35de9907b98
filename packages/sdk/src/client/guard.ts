/**
 * The client side of the model guardian: start one for a model (`guardian:<model>`, signed by the caller), read its
 * status, pause, resume or stop it with a signed command, and find a check's report.
 */
import { SlipwayMessage } from '../messages.js';
import type { ModelGuardianInputRaw } from '../pipelines/model-guardian.js';
import {
  guardianWorkflowId,
  type GuardianCheckSummary,
  type GuardianCommandKind,
  type GuardianStatus,
} from '../schemas/guardian.js';
import type { PersonKey } from '../keys/person-keys.js';
import { ClientErrorCode, SlipwayClientError, isNotFound } from './errors.js';
import { requireReason, sendOperatorCommand, type OperatorClientContext } from './operator-update.js';

/** A guardian command as the client takes it. */
export interface GuardCommandOptions {
  /** Who commands (one of the retrain's approval policy's approvers). */
  as: string;
  /** Why, for the guardian's state, its history and the record. */
  reason: string;
  /** The key to sign with, instead of the operator's key file. */
  key?: PersonKey;
}

/** `SlipwayClient.guard`: the model guardian from app code. */
export interface GuardClient {
  /**
   * Starts the guardian of `input.model` as this client's user (signed), with the id `guardian:<model>`. Throws
   * `InvalidInput` (naming the fields) for a bad input, `AlreadyRunning` while the model has a running guardian.
   */
  start(input: ModelGuardianInputRaw, opts?: { taskQueue?: string; key?: PersonKey }): Promise<{ runId: string }>;
  /** The guardian's status: phase, counters and limits, last checks, decisions, the running retrain, outcomes. */
  status(model: string): Promise<GuardianStatus>;
  /** Pauses the checks (a signed command); refused unless `as` is one of the retrain policy's approvers. */
  pause(model: string, options: GuardCommandOptions): Promise<GuardianStatus>;
  /** Resumes after a pause (a signed command). */
  resume(model: string, options: GuardCommandOptions): Promise<GuardianStatus>;
  /** Stops the guardian for good (a signed command): it ends after the check it is in, if any. */
  stop(model: string, options: GuardCommandOptions): Promise<GuardianStatus>;
  /** The summary of check `check` (default: the last), with the references of its report and page. */
  report(model: string, options?: { check?: number }): Promise<GuardianCheckSummary>;
}

/** What the guardian functions need of the client. */
export interface GuardClientContext extends OperatorClientContext {
  /** Starts a pipeline run signed as the client's user (`SlipwayClient.start`). */
  startRun: (
    input: ModelGuardianInputRaw,
    opts: { runId: string; taskQueue?: string; key?: PersonKey },
  ) => Promise<{ runId: string }>;
}

/** The guardian functions bound to a client. */
export function guardClient(ctx: GuardClientContext): GuardClient {
  const command = (kind: GuardianCommandKind) => (model: string, options: GuardCommandOptions) =>
    commandGuardian(ctx, model, kind, options);
  return {
    async start(input, opts = {}) {
      const runId = guardianWorkflowId(input.model);
      try {
        return await ctx.startRun(input, { ...opts, runId });
      } catch (err) {
        if (err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError') {
          throw new SlipwayClientError(
            ClientErrorCode.AlreadyRunning,
            `${input.model} already has a running guardian (${runId}): stop it first, or see slipway guard status ${input.model}`,
            { cause: err },
          );
        }
        throw err;
      }
    },
    status: (model) => readGuardianStatus(ctx, model),
    pause: command('pause'),
    resume: command('resume'),
    stop: command('stop'),
    async report(model, options = {}) {
      const status = await readGuardianStatus(ctx, model);
      const wanted = options.check;
      const found = wanted === undefined ? status.recent.at(-1) : status.recent.find((c) => c.n === wanted);
      if (found) return found;
      const kept = status.recent.map((c) => c.n);
      throw new SlipwayClientError(
        ClientErrorCode.NoCheck,
        wanted === undefined
          ? `the guardian of ${model} has made no check yet`
          : `the guardian of ${model} keeps no check ${wanted} (it keeps checks ${kept.length ? `${kept[0]}–${kept.at(-1)}` : 'none'}; older ones are in the audit log and the artifact store)`,
      );
    },
  };
}

/** The status of `model`'s guardian; `NoGuardian` when it never had one. */
export async function readGuardianStatus(ctx: GuardClientContext, model: string): Promise<GuardianStatus> {
  const workflowId = guardianWorkflowId(model);
  try {
    return await ctx.withDeadline(ctx.timeoutMs, () =>
      ctx.temporal.workflow.getHandle(workflowId).query<GuardianStatus>(SlipwayMessage.guardianStatus),
    );
  } catch (err) {
    if (isNotFound(err)) {
      throw new SlipwayClientError(
        ClientErrorCode.NoGuardian,
        `${model} has no guardian (no workflow ${workflowId} in this namespace): start one with slipway guard start`,
        { cause: err },
      );
    }
    throw err;
  }
}

/** Signs `command` as `options.as` for the model's guardian and sends it; refusals throw with the reason. */
async function commandGuardian(
  ctx: GuardClientContext,
  model: string,
  command: GuardianCommandKind,
  options: GuardCommandOptions,
): Promise<GuardianStatus> {
  requireReason(`a guardian ${command}`, options.reason);
  const status = await readGuardianStatus(ctx, model);
  const workflowId = guardianWorkflowId(model);
  if (status.phase === 'stopped') {
    throw new SlipwayClientError(
      ClientErrorCode.GuardianStopped,
      `the guardian of ${model} was stopped: it takes no commands`,
    );
  }
  return sendOperatorCommand<GuardianStatus>(ctx, {
    target: { kind: 'guardian', workflowId, nonce: status.nonce },
    update: SlipwayMessage.guardianCommand,
    command,
    operator: options.as,
    reason: options.reason,
    key: options.key,
    whenGone: (cause) =>
      new SlipwayClientError(ClientErrorCode.NoGuardian, `the guardian of ${model} is not running`, { cause }),
  });
}
