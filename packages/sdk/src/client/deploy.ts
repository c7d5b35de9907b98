/**
 * The client side of a run whose deploy failed after its approval: read its wait, and send it a signed `retry`
 * (deploy again with the same approval) or `abort` (end the run; nothing serving changed) as the operator.
 */
import { SlipwayMessage } from '../messages.js';
import type { DeployCommandKind, DeployWaitState } from '../schemas/deploy-wait.js';
import type { RunProgress } from '../schemas/progress.js';
import { ClientErrorCode, SlipwayClientError, isNotFound, unknownRun } from './errors.js';
import type { RolloutClientContext, RolloutCommandOptions } from './rollout.js';
import { requireReason, sendOperatorCommand } from './operator-update.js';

/** A deploy command as the client takes it: who (one of the approval policy's approvers), why, and the key. */
export type DeployCommandOptions = RolloutCommandOptions;

/** The deploy wait of run `runId`, or null when its deploy never failed. */
export async function readDeployWait(ctx: RolloutClientContext, runId: string): Promise<DeployWaitState | null> {
  try {
    const progress = await ctx.withDeadline(ctx.timeoutMs, () =>
      ctx.temporal.workflow.getHandle(runId).query<RunProgress>(SlipwayMessage.progress),
    );
    return progress.deployWait ?? null;
  } catch (err) {
    if (isNotFound(err)) throw unknownRun(runId, err);
    throw err;
  }
}

/**
 * Signs `command` as `options.as` for the current wait of run `runId` and sends it; answers the wait's state after
 * it. Refusals throw a `SlipwayClientError` whose code says why (`NotWaiting`, `OperatorNotAllowed`, `BadSignature`).
 */
export async function commandDeploy(
  ctx: RolloutClientContext,
  runId: string,
  command: DeployCommandKind,
  options: DeployCommandOptions,
): Promise<DeployWaitState> {
  requireReason(`a deploy ${command}`, options.reason);
  const wait = await readDeployWait(ctx, runId);
  if (wait === null || wait.phase !== 'waiting') {
    const now = wait === null ? 'its deploy has not failed' : `its deploy is ${wait.phase}`;
    throw new SlipwayClientError(
      ClientErrorCode.NotWaiting,
      `run ${runId} is not waiting for an operator (${now}): there is nothing to ${command}`,
    );
  }
  return sendOperatorCommand<DeployWaitState>(ctx, {
    target: { kind: 'deploy', workflowId: runId, nonce: wait.nonce },
    update: SlipwayMessage.deployCommand,
    command,
    operator: options.as,
    reason: options.reason,
    key: options.key,
  });
}
