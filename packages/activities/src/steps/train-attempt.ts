/**
 * One attempt of the train step: its Temporal hooks, its heartbeats (carrying the latest checkpoint), and, when runs
 * are tracked, the per-step metric series (continued from the last heartbeat) and the tracking run.
 */
import type { StepParsedInput, trainStep } from '@slipway/sdk';
import type { ExperimentTracker } from '../ports.js';
import { currentActivityHooks, type ActivityHooks } from '../data/activity-context.js';
import { createEpochSeries, type EpochSeries } from '../train/epoch-series.js';
import { createTrainHeartbeats, seriesFromDetails, type TrainHeartbeats } from '../train/training-data.js';
import { startTrainingRun, type TrainingRun } from './train-tracking.js';

/** One attempt's collaborators: Temporal hooks, its heartbeats, and the tracked series and run (if tracked). */
export interface TrainAttempt {
  hooks: ActivityHooks;
  heartbeats: TrainHeartbeats;
  series: EpochSeries | undefined;
  run: TrainingRun | undefined;
}

/** What an attempt is begun with. */
export interface TrainAttemptDeps {
  codeVersion: string;
  tracker?: ExperimentTracker | undefined;
  heartbeatIntervalMs?: number | undefined;
  seriesPoints?: number | undefined;
}

/** The attempt's heartbeats and, with a tracker, its series (continued from the last heartbeat) and run. */
export async function beginTrainAttempt(
  deps: TrainAttemptDeps,
  input: StepParsedInput<typeof trainStep>,
): Promise<TrainAttempt> {
  const hooks = currentActivityHooks();
  const series =
    deps.tracker === undefined
      ? undefined
      : createEpochSeries({
          resume: seriesFromDetails(hooks.heartbeatDetails),
          ...(deps.seriesPoints === undefined ? {} : { maxPoints: deps.seriesPoints }),
        });
  const heartbeats = createTrainHeartbeats(hooks, deps.heartbeatIntervalMs, series);
  const run = deps.tracker && (await startTrainingRun(deps.tracker, input, deps.codeVersion));
  return { hooks, heartbeats, series, run };
}
