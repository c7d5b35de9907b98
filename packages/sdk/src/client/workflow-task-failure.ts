import type { WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';

/** A run whose workflow task keeps failing: it is open, but no step can run until the worker is fixed. */
export interface WorkflowTaskFailure {
  /** What failed, e.g. `the worker has no workflow named "trainAndPromot" …`. */
  message: string;
  /** The attempt the workflow task is at (Temporal retries it for as long as the run is open). */
  attempt: number;
}

/**
 * The error of a run's failing workflow task, or undefined when its workflow task is not failing. Temporal
 * keeps such a run RUNNING and retries the task forever; the error is only in the history's last
 * WorkflowTaskFailed event, which this reads when the pending workflow task is past its first attempt.
 */
export async function findWorkflowTaskFailure(
  handle: WorkflowHandle,
  description: WorkflowExecutionDescription,
): Promise<WorkflowTaskFailure | undefined> {
  const attempt = description.raw.pendingWorkflowTask?.attempt ?? 0;
  if (description.status.name !== 'RUNNING' || attempt < 2) return undefined;
  const history = await handle.fetchHistory();
  const last = [...(history.events ?? [])]
    .reverse()
    .find(
      (e) =>
        e.workflowTaskFailedEventAttributes ||
        e.workflowTaskCompletedEventAttributes ||
        e.workflowTaskTimedOutEventAttributes,
    );
  const failure = last?.workflowTaskFailedEventAttributes?.failure;
  if (!failure) return undefined;
  return { message: explain(failure.message ?? 'the workflow task failed', description), attempt };
}

/** Says what a known SDK message means for a Slipway user. */
function explain(message: string, description: WorkflowExecutionDescription): string {
  const unknownType = /^Failed to initialize workflow of type '([^']+)': no such function is exported/.exec(message);
  if (!unknownType) return message;
  return `the worker on task queue ${description.taskQueue} has no workflow named "${unknownType[1]}": check the name (e.g. trainAndPromote), or export the workflow from the worker's workflows module (${message})`;
}
