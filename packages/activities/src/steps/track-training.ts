/**
 * Tracking for custom train steps: the same experiment-tracking run the built-in train step gets (tags, params,
 * per-epoch series, final metrics, ended `finished` or `failed`), so `slipway runs compare` and a version's link to
 * the run that trained it work for any trainer. Built on the train step's own tracking (`startTrainingRun`).
 */
import type { Metrics } from '@slipway/sdk';
import type { EpochMetrics, ExperimentTracker } from '../ports.js';
import { createEpochSeries } from '../train/epoch-series.js';
import { detectCodeVersion } from '../util/code-version.js';
import { startTrainingRun, type TrainingSubject } from './train-tracking.js';

/** What a custom training hands back to {@link trackTraining}: at least its params and held-out metrics. */
export interface TrackedOutcome {
  /** The parameters the training used, defaults included (logged flattened to strings). */
  params: Record<string, unknown>;
  /** The held-out metrics (the run's final metrics). */
  metrics: Metrics;
}

/** The run a custom training records into while it trains. */
export interface TrackedRun {
  /** The tracking run's id (also the result's `trackingRunId`). */
  readonly runId: string;
  /** The per-epoch series: `record(epoch, { loss })` (sampled to a small size, logged when the training ends). */
  readonly epochs: EpochMetrics;
}

/** Options of {@link trackTraining}. */
export interface TrackTrainingOptions {
  /** The code version tagged on the run (`slipway.code_version`); default the worker's detected one. */
  codeVersion?: string | undefined;
  /** Points kept in the per-epoch series, across its metrics (default as the built-in train step). */
  seriesPoints?: number | undefined;
}

/**
 * Runs a custom training inside a tracking run, as the built-in train step does: starts the run (found again by
 * every retry of the activity: the same run, nothing logged twice), hands it to `train`, then logs the params, the
 * epochs `train` recorded and the final metrics, and finishes the run. Returns `train`'s result with
 * `trackingRunId`, to pass on to the register step, so the version links to the run. When `train` throws, the run
 * ends `failed` (or `killed` on cancel) unless a retry follows, and the error is rethrown.
 *
 * ```ts
 * export const training = defineActivities((deps) =>
 *   implementStep(myTrain, (input) =>
 *     trackTraining(deps.registry, { trainer: 'my-xgboost', dataset: input.dataset, modelName: input.modelName },
 *       async (run) => {
 *         for (let epoch = 0; epoch < 10; epoch++) run.epochs.record(epoch, { loss: await step() });
 *         return { model, params, metrics, trainer: 'my-xgboost', ... };
 *       })));
 * ```
 */
export async function trackTraining<T extends TrackedOutcome>(
  tracker: ExperimentTracker,
  subject: TrainingSubject,
  train: (run: TrackedRun) => Promise<T>,
  options: TrackTrainingOptions = {},
): Promise<T & { trackingRunId: string }> {
  const run = await startTrainingRun(tracker, subject, options.codeVersion ?? detectCodeVersion());
  const series = createEpochSeries(options.seriesPoints === undefined ? {} : { maxPoints: options.seriesPoints });
  let outcome: T;
  try {
    outcome = await train({ runId: run.runId, epochs: series });
  } catch (err) {
    await run.fail(err, {});
    throw err;
  }
  await run.complete({ params: outcome.params, metrics: outcome.metrics, series });
  return { ...outcome, trackingRunId: run.runId };
}
