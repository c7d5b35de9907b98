// Step dispatch latency read from the runs' histories (the server's clock): for every activity, from the moment the
// workflow task that scheduled it was scheduled (a previous activity completed, the run started, a decision
// arrived) to the activity's start — the server's dispatch, the workflow code's turn, the activity's dispatch —
// and, within it, from the activity's schedule to its start (the matching alone).

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

/** The latencies of every activity of the given runs, read from their histories (`concurrency` reads at once). */
export async function runLatencies(temporal, workflowIds, concurrency = 8) {
  const all = [];
  let next = 0;
  const reader = async () => {
    for (let i = next++; i < workflowIds.length; i = next++) {
      const history = await temporal.workflow.getHandle(workflowIds[i]).fetchHistory();
      all.push(...activityLatencies(history));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, reader));
  return all;
}
