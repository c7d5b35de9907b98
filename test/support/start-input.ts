import type { SlipwayClient } from '@slipway/sdk/client';

/** The input a run was started with (its signed start included), from the first event of its history. */
export async function startInputOf(client: SlipwayClient, runId: string): Promise<Record<string, unknown>> {
  const history = await client.temporal.workflow.getHandle(runId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return JSON.parse(new TextDecoder().decode(payload!.data)) as Record<string, unknown>;
}

/** The input of the first `activityType` activity a run scheduled, from its history. */
export async function activityInputOf(
  client: SlipwayClient,
  runId: string,
  activityType: string,
): Promise<Record<string, unknown>> {
  const history = await client.temporal.workflow.getHandle(runId).fetchHistory();
  const scheduled = history.events?.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType,
  )?.activityTaskScheduledEventAttributes;
  const payload = scheduled?.input?.payloads?.[0];
  if (!payload?.data) throw new Error(`run ${runId} scheduled no ${activityType}`);
  return JSON.parse(new TextDecoder().decode(payload.data)) as Record<string, unknown>;
}
