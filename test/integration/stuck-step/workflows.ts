/** A workflow that runs one activity, `neverEnds`, on the task queue it is given, and waits for it. */
import { proxyActivities } from '@temporalio/workflow';

/** Runs `neverEnds` on `taskQueue`: a step that neither finishes nor hears its cancellation. */
export async function waitForStuckStep(taskQueue: string): Promise<void> {
  const { neverEnds } = proxyActivities<{ neverEnds(): Promise<void> }>({
    taskQueue,
    startToCloseTimeout: '1h',
    retry: { maximumAttempts: 1 },
  });
  await neverEnds();
}
