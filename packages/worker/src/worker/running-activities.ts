/**
 * The activities a worker runs right now, kept by an activity interceptor: what a shutdown whose grace ran out
 * names when the worker process gives up on them (`slipway worker`).
 */
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory } from '@temporalio/worker';

/** One activity in flight: its type, the run it works for, its attempt, and when it started here. */
export interface RunningActivity {
  activityType: string;
  workflowId?: string;
  attempt: number;
  startedAt: number;
}

/** The activities in flight on one worker. */
export class RunningActivities {
  private readonly running = new Set<RunningActivity>();

  /** The interceptor factory that keeps the set (`Worker.create({ interceptors: { activity: [...] } })`). */
  interceptor(): ActivityInterceptorsFactory {
    return (ctx) => {
      const inbound: ActivityInboundCallsInterceptor = {
        execute: async (input, next) => {
          const { activityType, attempt, workflowExecution } = ctx.info;
          const entry: RunningActivity = {
            activityType,
            attempt,
            startedAt: Date.now(),
            ...(workflowExecution ? { workflowId: workflowExecution.workflowId } : {}),
          };
          this.running.add(entry);
          try {
            return await next(input);
          } finally {
            this.running.delete(entry);
          }
        },
      };
      return { inbound };
    };
  }

  /** The activities in flight, oldest first. */
  list(): RunningActivity[] {
    return [...this.running].sort((a, b) => a.startedAt - b.startedAt);
  }
}

/** `slipway.train (run trainAndPromote-…, attempt 2, running 4m 12s)`, for each activity, joined by `; `. */
export function describeRunningActivities(activities: readonly RunningActivity[], now = Date.now()): string {
  return activities
    .map((a) => {
      const run = a.workflowId === undefined ? '' : `run ${a.workflowId}, `;
      return `${a.activityType} (${run}attempt ${a.attempt}, running ${Math.round((now - a.startedAt) / 1000)}s)`;
    })
    .join('; ');
}
