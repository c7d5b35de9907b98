import { z } from 'zod';
import { defineStep } from '../step.js';

/**
 * Checks with Temporal that the schedule a run's signed scheduled start names really started this run: the
 * schedule exists, and its recent or running actions list this run (its workflow id and first run id, taken from
 * the activity's own context, never from the input). A search attribute and a workflow id can be set by anyone who
 * may start workflows; the schedule's own record cannot. Refuses with a non-retryable `SlipwayUnverifiedStart`
 * naming the schedule and why (deleted, or it did not start this run).
 */
export const checkScheduledRunStep = defineStep({
  name: 'slipway.checkScheduledRun',
  description: 'check that a schedule started this run',
  input: z.object({ scheduleId: z.string().min(1) }),
  output: z.object({
    scheduleId: z.string().min(1),
    /** When the schedule took the action that started this run. */
    takenAt: z.string(),
  }),
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 5 } },
});
