/**
 * The held-out evaluation of a model, whoever trained it: score the rows with the model's own predictor (in
 * batches), then compute the task's metrics against the rows' target values and the profile of the predictions.
 */
import type { Metrics, PredictionProfile } from '@slipway/sdk';
import type { ModelOutput, Predictor, TypedRow } from '../ports.js';
import { createPredictionProfiler } from './metrics-profile.js';
import { taskMetrics } from './metrics-task.js';

/** Rows scored per `predict` call by {@link evaluateModel}. */
export const EVALUATION_BATCH_ROWS = 1024;

/** Options of {@link evaluateModel}. */
export interface EvaluateModelOptions {
  /** Aborts between batches (the signal's reason is thrown). */
  signal?: AbortSignal | undefined;
  /** Rows per `predict` call (default {@link EVALUATION_BATCH_ROWS}). */
  batchRows?: number | undefined;
}

/** What {@link evaluateModel} returns. */
export interface ModelEvaluation {
  metrics: Metrics;
  predictionProfile: PredictionProfile;
}

/**
 * Scores `rows` with `predictor` in batches and returns the task's metrics against `rows[*][target]` (see
 * `taskMetrics`) and the profile of the predictions. A row the model cannot read fails with the predictor's error
 * (naming the feature), prefixed with the row's position; a target that is not one of the classes, an output that
 * does not fit the task, or an empty split is a final `SlipwayInvalidInput` naming the row.
 */
export async function evaluateModel(
  predictor: Predictor,
  rows: readonly TypedRow[],
  target: string,
  options: EvaluateModelOptions = {},
): Promise<ModelEvaluation> {
  const batchRows = Math.max(1, Math.floor(options.batchRows ?? EVALUATION_BATCH_ROWS));
  const outputs: ModelOutput[] = [];
  for (let start = 0; start < rows.length; start += batchRows) {
    options.signal?.throwIfAborted();
    const batch = rows.slice(start, start + batchRows);
    const scored = await predictor.predict(batch).catch((err: unknown) => {
      if (err instanceof Error && (err as { type?: unknown }).type === undefined) {
        err.message = `Held-out rows ${start + 1}–${start + batch.length}: ${err.message}`;
      }
      throw err;
    });
    if (scored.length !== batch.length) {
      throw new Error(`The model returned ${scored.length} outputs for ${batch.length} held-out rows`);
    }
    for (const output of scored) outputs.push(output);
  }
  const metrics = taskMetrics(
    predictor,
    rows.map((row) => row[target] ?? null),
    outputs,
    { target },
  );
  const profiler = createPredictionProfiler(predictor);
  profiler.add(outputs);
  return { metrics, predictionProfile: profiler.finish() };
}
