/**
 * Workflows of the retrain and notify integration tests: the built-in pipelines, a workflow that sends one
 * notification through the `slipway.notify` step, and a stand-in for the model guardian that starts
 * `trainAndPromote` as its child `retrain:<model>` with the `retrain` trigger set.
 */
import { notifyStep, type NotificationEventInput } from '@slipway/sdk';
import { useStep } from '@slipway/sdk/workflow';

export * from '@slipway/sdk/pipelines';

/** Sends one notification and returns the outcome (the client adds `startedBy` and `start` next to `event`). */
export async function notifyOnce(input: { event: NotificationEventInput }) {
  return useStep(notifyStep)(input.event);
}
