import type { SlipwayClient } from '@slipway/sdk/client';

/** The input a run was started with (its signed start included), from the first event of its history. */
export async function startInputOf(client: SlipwayClient, runId: string): Promise<Record<string, unknown>> {
  const history = await client.temporal.workflow.getHandle(runId).fetchHistory();
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return JSON.parse(new TextDecoder().decode(payload!.data)) as Record<string, unknown>;
}
