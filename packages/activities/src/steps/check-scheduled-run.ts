import {
  SlipwayErrorType,
  finalFailure,
  type StepOutput,
  type StepParsedInput,
  type checkScheduledRunStep,
} from '@slipway/sdk';
import { Context } from '@temporalio/activity';

/** The worker's Temporal client, as the activity context gives it. */
type Client = Context['client'];
type ScheduleDescription = Awaited<ReturnType<ReturnType<Client['schedule']['getHandle']>['describe']>>;

/**
 * The `slipway.checkScheduledRun` activity: asks Temporal (through the worker's own client) whether schedule
 * `scheduleId` started the workflow run this activity runs in — its recent actions or its running actions list
 * that workflow id with this run as its first run. Read-only, so a retry simply asks again. `clientOf` is for
 * tests; by default the activity context's client.
 */
export function createCheckScheduledRunActivity(deps: { clientOf?: () => Client } = {}) {
  return async (
    input: StepParsedInput<typeof checkScheduledRunStep>,
  ): Promise<StepOutput<typeof checkScheduledRunStep>> => {
    const context = Context.current();
    const execution = context.info.workflowExecution;
    if (!execution) throw new Error('slipway.checkScheduledRun runs only as a workflow activity');
    const { workflowId, runId } = execution;
    const client = deps.clientOf?.() ?? context.client;
    const refuse = (why: string) =>
      finalFailure(SlipwayErrorType.UnverifiedStart, `Refusing to run: ${why}`, { scheduleId: input.scheduleId });
    let description: ScheduleDescription;
    try {
      description = await client.schedule.getHandle(input.scheduleId).describe();
    } catch (err) {
      if (err instanceof Error && err.name === 'ScheduleNotFoundError') {
        throw refuse(
          `the run carries the scheduled start of schedule ${input.scheduleId}, which does not exist (it was deleted, or never made): a deleted schedule starts nothing`,
        );
      }
      throw err;
    }
    const { recentActions, runningActions } = description.info;
    const taken = recentActions.find(
      (a) => a.action.workflow.workflowId === workflowId && a.action.workflow.firstExecutionRunId === runId,
    );
    const running = runningActions.some(
      (a) => a.workflow.workflowId === workflowId && a.workflow.firstExecutionRunId === runId,
    );
    if (!taken && !running) {
      throw refuse(
        `schedule ${input.scheduleId} did not start run ${workflowId} (it is not among the runs the schedule took): a scheduled start is valid only on the runs its schedule starts`,
      );
    }
    return { scheduleId: input.scheduleId, takenAt: (taken?.takenAt ?? new Date()).toISOString() };
  };
}
