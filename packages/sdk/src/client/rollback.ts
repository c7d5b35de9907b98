/**
 * The client side of rollback as a command: start `rollbackModel` as `rollout:<model>`, signed by the person rolling
 * back, and wait for its result; a running rollout (or rollback) of the model and every refusal are
 * `SlipwayClientError`s naming why.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { FinalErrorType, failureType, rootMessage } from '../errors.js';
import { rollbackModel, type RollbackModelResult } from '../pipelines/rollback-model.js';
import { rolloutWorkflowId } from '../schemas/rollout.js';
import type { PersonKey } from '../keys/person-keys.js';
import { ClientErrorCode, SlipwayClientError } from './errors.js';
import { withStartedBy } from './identity.js';
import { checkPipelineInput, parsePipelineOutput } from './pipeline-input.js';
import { routedInput } from './route-steps.js';
import { startWithModelAttribute } from './model-attribute.js';
import { signStart, type KeyFinder } from './signing.js';
import type { StepQueues } from '../step-queues.js';

/** A rollback as the client takes it. */
export interface RollbackOptions {
  /** Who rolls back (signs the start): one of the people the live version's approval policy lets decide. */
  as: string;
  /** Why, for the registry and the audit log. */
  reason: string;
  /** The version to restore (default: the one that served before the live one). */
  to?: number;
  /** The model server (deploy target) the model serves on. */
  serverUrl: string;
  /** The alias that moves with the traffic (default `champion`). */
  alias?: string;
  /** The key to sign with, instead of the person's key file. */
  key?: PersonKey;
  /** The task queue to run it on (default: the client's). */
  taskQueue?: string;
}

/** What the rollback function needs of the client. */
export interface RollbackClientContext {
  temporal: Client;
  keyOf: (given: PersonKey | undefined) => KeyFinder;
  taskQueue: string;
  /** The client's default task queues per step (`SlipwayClientOptions.stepQueues`). */
  stepQueues?: StepQueues | undefined;
}

/** Starts `rollbackModel` for `model` as `options.as` and waits for its result. */
export async function rollbackModelRun(
  ctx: RollbackClientContext,
  model: string,
  options: RollbackOptions,
): Promise<RollbackModelResult> {
  const runId = rolloutWorkflowId(model);
  const given = {
    model,
    ...(options.to === undefined ? {} : { to: options.to }),
    reason: options.reason,
    deploy: { serverUrl: options.serverUrl, ...(options.alias === undefined ? {} : { alias: options.alias }) },
  };
  const input = withStartedBy(routedInput(rollbackModel, given, ctx.stepQueues), options.as);
  checkPipelineInput(rollbackModel, input);
  const signed = await signStart(
    { pipeline: rollbackModel.name, runId, input, signer: options.as },
    ctx.keyOf(options.key),
  );
  try {
    await startWithModelAttribute(input, (attributes) =>
      ctx.temporal.workflow.start(rollbackModel.name, {
        workflowId: runId,
        taskQueue: options.taskQueue ?? ctx.taskQueue,
        args: [signed],
        ...attributes,
      }),
    );
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw await running(ctx, model, err);
    throw err;
  }
  let result: unknown;
  try {
    result = await ctx.temporal.workflow.getHandle(runId).result();
  } catch (err) {
    throw failed(model, err);
  }
  return parsePipelineOutput(rollbackModel, result, runId);
}

async function running(ctx: RollbackClientContext, model: string, cause: unknown): Promise<SlipwayClientError> {
  const runId = rolloutWorkflowId(model);
  const type = await ctx.temporal.workflow
    .getHandle(runId)
    .describe()
    .then((d) => d.type)
    .catch(() => 'unknown');
  const what = type === rollbackModel.name ? 'a rollback' : 'a rollout';
  return new SlipwayClientError(
    ClientErrorCode.RolloutRunning,
    `${what} of ${model} is running (${runId}, ${type}): nothing was rolled back. Wait for it to end, or abort the ` +
      `rollout with \`slipway rollout abort ${model} --as <name> --reason <text>\` (which returns traffic to stable)`,
    { cause },
  );
}

function failed(model: string, err: unknown): SlipwayClientError {
  const type = failureType(err);
  const code =
    type === FinalErrorType.RollbackRefused
      ? ClientErrorCode.RollbackRefused
      : type === FinalErrorType.UnverifiedStart
        ? ClientErrorCode.UnverifiedStart
        : type === FinalErrorType.InvalidInput
          ? ClientErrorCode.InvalidInput
          : ClientErrorCode.RollbackFailed;
  return new SlipwayClientError(code, `the rollback of ${model} failed: ${rootMessage(err)}`, { cause: err });
}
