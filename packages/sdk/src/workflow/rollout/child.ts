/**
 * Starting a model's rollout from a pipeline: as a child workflow with the id `rollout:<model>`, so two rollouts of
 * one model never run at once. When one already runs (a manual run, a retrain, a `slipway deploy`), the pipeline
 * waits for it on a durable timer, says so in its progress, and starts its own once that one has ended.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ChildWorkflowCancellationType, ParentClosePolicy, sleep, startChild } from '@temporalio/workflow';
import { parseOrFail } from '../../errors.js';
import { rolloutVersion, type RolloutVersionInputRaw } from '../../pipelines/rollout-version.js';
import { rolloutWorkflowId } from '../../schemas/rollout.js';
import { RolloutResult } from '../../schemas/rollout-state.js';

/** How often a pipeline waiting for another rollout of its model tries again. */
export const ROLLOUT_WAIT_INTERVAL = '30s';

/**
 * Runs the rollout of `input.version` as the child `rollout:<model>` and returns its result. `onWait` hears, each
 * time the model's rollout id is taken, that the pipeline waits. Cancelling the pipeline cancels the rollout, which
 * compensates before it ends (and so does closing the pipeline any other way).
 */
export async function runRolloutChild(
  input: RolloutVersionInputRaw,
  onWait: (message: string) => void,
): Promise<RolloutResult> {
  const workflowId = rolloutWorkflowId(input.version.name);
  for (;;) {
    try {
      const child = await startChild(rolloutVersion.name, {
        workflowId,
        args: [input],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
      });
      const result: unknown = await child.result();
      return parseOrFail(RolloutResult, result, `The rollout ${workflowId} returned an invalid result`);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      onWait(
        `waiting: another rollout of ${input.version.name} is running (${workflowId}); trying again every ${ROLLOUT_WAIT_INTERVAL}`,
      );
      await sleep(ROLLOUT_WAIT_INTERVAL);
    }
  }
}
