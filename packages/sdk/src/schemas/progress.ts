import { z } from 'zod';
import { GateState } from './approval.js';
import { DeployWaitState } from './deploy-wait.js';
import { RolloutState } from './rollout-state.js';

/** Status of one step in a run. */
export const StepStatus = z.enum(['pending', 'running', 'completed', 'failed', 'skipped']);
/** Status of one step in a run. */
export type StepStatus = z.infer<typeof StepStatus>;

/** Progress of one step in a run. */
export const StepProgress = z.object({
  step: z.string(),
  status: StepStatus,
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** A one-line account of the result, e.g. `2000 rows, 0 bad`. */
  summary: z.string().optional(),
});
/** Progress of one step in a run. */
export type StepProgress = z.infer<typeof StepProgress>;

/** A run's progress, as returned by its progress query. */
export const RunProgress = z.object({
  pipeline: z.string(),
  model: z.string().optional(),
  steps: z.array(StepProgress),
  gate: GateState.nullable(),
  /** A rollout's state (runs of `rolloutVersion`): its step, split, last readings and commands. */
  rollout: RolloutState.optional(),
  /** Set once the run's deploy failed after its approval: the failures, and the operator's wait (retry or abort). */
  deployWait: DeployWaitState.optional(),
});
/** A run's progress. */
export type RunProgress = z.infer<typeof RunProgress>;
