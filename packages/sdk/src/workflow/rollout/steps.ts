import {
  rolloutCompensateStep,
  rolloutPromoteStep,
  rolloutReadStep,
  rolloutRetireStep,
  rolloutStageStep,
  rolloutTrafficStep,
} from '../../steps/rollout.js';
import { useSteps, type StepCalls, type StepOverrides } from '../use-step.js';

/** The saga's steps, keyed as a rollout's `stepOptions` name them. */
export const rolloutSteps = {
  stage: rolloutStageStep,
  traffic: rolloutTrafficStep,
  read: rolloutReadStep,
  promote: rolloutPromoteStep,
  compensate: rolloutCompensateStep,
  retire: rolloutRetireStep,
} as const;

/** The saga's steps as typed calls. */
export type RolloutSteps = StepCalls<typeof rolloutSteps>;

/** Binds the saga's steps, with per-step activity option overrides. */
export function useRolloutSteps(
  overrides: Partial<Record<keyof typeof rolloutSteps, StepOverrides>> = {},
): RolloutSteps {
  return useSteps(rolloutSteps, overrides);
}
