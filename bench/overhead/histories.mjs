// Step dispatch latency read from the runs' histories (the server's clock): for every activity, from the moment the
// workflow task that scheduled it was scheduled (a previous activity completed, the run started, a decision
// arrived) to the activity's start — the server's dispatch, the workflow code's turn, the activity's dispatch —
// and, within it, from the activity's schedule to its start (the matching alone).

import { Worker } from '@temporalio/worker';

const ms = (ts) => Number(ts.seconds.toString()) * 1000 + (ts.nanos ?? 0) / 1e6;

/** Each activity of one history: its name, dispatch latency and schedule-to-start latency, in ms. */
export function activityLatencies(history) {
  const byId = new Map(history.events.map((e) => [Number(e.eventId.toString()), e]));
  const latencies = [];
  for (const event of history.events) {
    const started = event.activityTaskStartedEventAttributes;
    if (!started) continue;
    const scheduled = byId.get(Number(started.scheduledEventId.toString()));
    const attrs = scheduled?.activityTaskScheduledEventAttributes;
    const completed = attrs && byId.get(Number(attrs.workflowTaskCompletedEventId.toString()));
    const wft =
      completed && byId.get(Number(completed.workflowTaskCompletedEventAttributes.scheduledEventId.toString()));
    if (!wft) throw new Error(`history event ${event.eventId}: cannot find the workflow task that scheduled it`);
    latencies.push({
      name: attrs.activityType.name,
      dispatchMs: ms(event.eventTime) - ms(wft.eventTime),
      scheduleToStartMs: ms(event.eventTime) - ms(scheduled.eventTime),
    });
  }
  return latencies;
}

/** The histories of the given runs (`concurrency` reads at once), as `Worker.runReplayHistories` takes them. */
export async function fetchHistories(temporal, workflowIds, concurrency = 8) {
  const histories = [];
  let next = 0;
  const reader = async () => {
    for (let i = next++; i < workflowIds.length; i = next++) {
      const workflowId = workflowIds[i];
      histories.push({ workflowId, history: await temporal.workflow.getHandle(workflowId).fetchHistory() });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, reader));
  return histories;
}

/**
 * The workflow code's own cost per run: the wall time of replaying the runs' histories in a replay worker (a fresh
 * workflow per history: module initialisation, input parsing, every activation), divided by their number. No server
 * is involved, so this is CPU spent in the workflow sandbox.
 */
export async function replayMsPerRun(workflowBundle, histories) {
  const begin = performance.now();
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'bench' }, histories)) {
    if (result.error) throw new Error(`replaying ${result.workflowId} failed: ${result.error.message}`);
    replayed++;
  }
  return (performance.now() - begin) / replayed;
}
