import { Context } from '@temporalio/activity';

/** The workflow run and activity the current code runs for. */
export interface StepIdentity {
  workflowId: string;
  runId: string;
  activityId: string;
}

/**
 * The workflow run and activity the current code runs for, or undefined outside a workflow's activity
 * (unit use, or a standalone activity).
 */
export function currentStepIdentity(): StepIdentity | undefined {
  const info = currentActivityInfo();
  const execution = info?.workflowExecution;
  if (!info || !execution) return undefined;
  return { workflowId: execution.workflowId, runId: execution.runId, activityId: info.activityId };
}

/**
 * A key that is the same for every attempt of the current activity and different for every other step:
 * `<workflowId>/<runId>/<activityId>`. Writes keyed by it happen once however often Temporal retries.
 * Outside a workflow's activity (unit use) `fallback` is returned, and it must be given.
 */
export function stepIdempotencyKey(fallback?: string): string {
  const step = currentStepIdentity();
  if (step) return `${step.workflowId}/${step.runId}/${step.activityId}`;
  if (fallback === undefined) throw new Error('stepIdempotencyKey() called outside an activity without a fallback key');
  return fallback;
}

/** The current activity's info, or undefined outside an activity. */
export function currentActivityInfo(): Context['info'] | undefined {
  try {
    return Context.current().info;
  } catch {
    return undefined;
  }
}
