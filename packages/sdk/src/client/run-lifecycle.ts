/**
 * A run's status as `SlipwayClient.status` reads it (Temporal's description, Slipway's progress query, the result
 * or the failure, a workflow task that keeps failing), and ending an open run (cancel, terminate).
 */
import type { Client, WorkflowExecutionDescription, WorkflowHandle } from '@temporalio/client';
import { rootMessage } from '../errors.js';
import { SlipwayMessage } from '../messages.js';
import type { RunProgress } from '../schemas/progress.js';
import { ClientErrorCode, SlipwayClientError, isNotFound } from './errors.js';
import { findWorkflowTaskFailure, type WorkflowTaskFailure } from './workflow-task-failure.js';

/** A run's status: Temporal's view plus Slipway's step-by-step progress. */
export interface RunStatus {
  /** The run's id: its Temporal workflow id. */
  runId: string;
  pipeline: string;
  status: string;
  startTime: Date;
  closeTime?: Date;
  progress?: RunProgress;
  result?: unknown;
  failure?: string;
  /** Set while the run is open but its workflow task keeps failing (e.g. the worker has no such workflow). */
  workflowTaskFailure?: WorkflowTaskFailure;
}

/** What reading and ending runs needs from the client. */
export interface RunContext {
  temporal: Client;
  /** The run's description (`UnknownRun` when there is none). */
  describe(runId: string): Promise<WorkflowExecutionDescription>;
  withDeadline<T>(ms: number, fn: () => Promise<T>): Promise<T>;
}

/** How long the progress query may take before the status goes without it. */
const PROGRESS_QUERY_MS = 5_000;

/** A run's status and progress. Throws `UnknownRun` for an id that does not exist. */
export async function readRunStatus(ctx: RunContext, runId: string): Promise<RunStatus> {
  const handle = ctx.temporal.workflow.getHandle(runId);
  const description = await ctx.describe(runId);
  const status: RunStatus = {
    runId,
    pipeline: description.type,
    status: description.status.name,
    startTime: description.startTime,
    ...(description.closeTime ? { closeTime: description.closeTime } : {}),
  };
  const stuck = await findWorkflowTaskFailure(handle, description);
  if (stuck) return { ...status, workflowTaskFailure: stuck };
  const progress = await ctx
    .withDeadline(PROGRESS_QUERY_MS, () => handle.query<RunProgress>(SlipwayMessage.progress))
    .catch(() => undefined);
  if (progress) status.progress = progress;
  if (description.status.name === 'COMPLETED') status.result = await handle.result();
  if (description.status.name === 'FAILED')
    status.failure = await handle.result().then(
      () => undefined,
      (err: unknown) => rootMessage(err),
    );
  return status;
}

/** Cancels or terminates an open run; throws `UnknownRun`, or `RunClosed` for a finished run. */
export async function endRun(
  ctx: RunContext,
  runId: string,
  verb: 'cancel' | 'terminate',
  end: (handle: WorkflowHandle) => Promise<unknown>,
): Promise<void> {
  const description = await ctx.describe(runId);
  const closed = () =>
    new SlipwayClientError(
      ClientErrorCode.RunClosed,
      `run ${runId} has already finished (${description.status.name}); there is nothing to ${verb}`,
    );
  if (description.status.name !== 'RUNNING') throw closed();
  try {
    await end(ctx.temporal.workflow.getHandle(runId));
  } catch (err) {
    throw isNotFound(err) ? closed() : err;
  }
}
