/**
 * The client side of a rollout: read a model's rollout state, and send it a signed command (pause, resume,
 * promote now, abort) as the operator.
 */
import { SlipwayMessage } from '../messages.js';
import { rollbackModel } from '../pipelines/rollback-model.js';
import { rolloutWorkflowId } from '../schemas/rollout.js';
import type { RolloutCommandKind, RolloutState } from '../schemas/rollout-state.js';
import type { PersonKey } from '../keys/person-keys.js';
import { ClientErrorCode, SlipwayClientError, isNotFound } from './errors.js';
import { requireReason, sendOperatorCommand, type OperatorClientContext } from './operator-update.js';

/** A command as the client takes it. */
export interface RolloutCommandOptions {
  /** Who commands (one of the approval policy's approvers). */
  as: string;
  /** Why, for the rollout's state and history. */
  reason: string;
  /** The key to sign with, instead of the operator's key file. */
  key?: PersonKey;
}

/** What the rollout functions need of the client. */
export type RolloutClientContext = OperatorClientContext;

/** The state of the running (or last) rollout of `model`; `NoRollout` when it never had one. */
export async function readRolloutState(ctx: RolloutClientContext, model: string): Promise<RolloutState> {
  const workflowId = rolloutWorkflowId(model);
  try {
    return await ctx.withDeadline(ctx.timeoutMs, () =>
      ctx.temporal.workflow.getHandle(workflowId).query<RolloutState>(SlipwayMessage.rolloutState),
    );
  } catch (err) {
    if (isNotFound(err)) throw noRollout(model, err);
    throw await rollbackInstead(ctx, model, err);
  }
}

/** A query the model's `rollout:<model>` run cannot answer because it is a rollback says so; else `err` as it is. */
async function rollbackInstead(ctx: RolloutClientContext, model: string, err: unknown): Promise<unknown> {
  const workflowId = rolloutWorkflowId(model);
  const type = await ctx.temporal.workflow
    .getHandle(workflowId)
    .describe()
    .then((d) => d.type)
    .catch(() => undefined);
  if (type !== rollbackModel.name) return err;
  return new SlipwayClientError(
    ClientErrorCode.NoRollout,
    `${workflowId} is a rollback of ${model} (rollbackModel), not a rollout: it takes no rollout commands; read it ` +
      `with \`slipway status ${workflowId}\``,
    { cause: err },
  );
}

/** Signs `command` as `options.as` for the model's running rollout and sends it; refusals throw with the reason. */
export async function commandRollout(
  ctx: RolloutClientContext,
  model: string,
  command: RolloutCommandKind,
  options: RolloutCommandOptions,
): Promise<RolloutState> {
  requireReason(`a rollout ${command}`, options.reason);
  const state = await readRolloutState(ctx, model);
  const workflowId = rolloutWorkflowId(model);
  if (state.outcome !== null) {
    throw new SlipwayClientError(
      ClientErrorCode.RolloutClosed,
      `the rollout of ${model} v${state.version} has already ended (${state.outcome.status.replace('_', ' ')}): it takes no commands`,
    );
  }
  return sendOperatorCommand<RolloutState>(ctx, {
    target: { kind: 'rollout', workflowId, nonce: state.nonce },
    update: SlipwayMessage.rolloutCommand,
    command,
    operator: options.as,
    reason: options.reason,
    key: options.key,
    whenGone: (cause) =>
      new SlipwayClientError(ClientErrorCode.RolloutClosed, `the rollout of ${model} has already ended`, { cause }),
  });
}

function noRollout(model: string, cause: unknown): SlipwayClientError {
  return new SlipwayClientError(
    ClientErrorCode.NoRollout,
    `${model} has no rollout (no workflow ${rolloutWorkflowId(model)} in this namespace)`,
    { cause },
  );
}
