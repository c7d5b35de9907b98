/**
 * Workflows of the retrain and notify integration tests: the built-in pipelines, a workflow that sends one
 * notification through the `slipway.notify` step, and a stand-in for the model guardian that starts
 * `trainAndPromote` as its child `retrain:<model>` with the `retrain` trigger set.
 */
import { notifyStep, type NotificationEventInput } from '@slipway/sdk';
import { useStep } from '@slipway/sdk/workflow';
import { ParentClosePolicy, startChild } from '@temporalio/workflow';

export * from '@slipway/sdk/pipelines';

/** Sends one notification and returns the outcome (the client adds `startedBy` and `start` next to `event`). */
export async function notifyOnce(input: { event: NotificationEventInput }) {
  return useStep(notifyStep)(input.event);
}

/**
 * A stand-in for the model guardian (run it with the workflow id `guardian:<model>`): starts `trainAndPromote` as
 * its child `retrain:<model>` with the given input (its `retrain` trigger set, its start signed for that id), and
 * returns the child's result.
 */
export async function guardianStandIn(input: { model: string; child: Record<string, unknown> }): Promise<unknown> {
  const child = await startChild('trainAndPromote', {
    workflowId: `retrain:${input.model}`,
    args: [input.child],
    parentClosePolicy: ParentClosePolicy.ABANDON,
  });
  return child.result();
}
