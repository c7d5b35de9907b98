/**
 * A model's raw output made into the prediction Slipway answers with, by task, in one place: the model server,
 * the smoke check and the held-out evaluation all read outputs through here. An output that does not fit the task
 * (a probability outside [0, 1], the wrong number of classes, a non-finite value) is refused with the reason.
 */
import type { Prediction } from '@slipway/sdk';
import type { ModelOutput, Predictor } from '../ports.js';

/** How far class probabilities may sum from 1 (float32 models round). */
export const PROBABILITY_SUM_TOLERANCE = 1e-3;

/** The outcome of {@link predictionOf}. */
export type PredictionOutcome = { ok: true; prediction: Prediction } | { ok: false; reason: string };

/**
 * The prediction for one output of `predictor`: binary → `score` (the positive class, the second of `classes`),
 * `label` at threshold 0.5 and `scores`; multiclass → `label` (the most probable class) and `scores`; regression →
 * `value`. The predictor's `classes` give the labels.
 */
export function predictionOf(predictor: Pick<Predictor, 'task' | 'classes'>, output: ModelOutput): PredictionOutcome {
  if (predictor.task === 'regression') {
    if (!('value' in output)) return { ok: false, reason: 'a regression model returned no value' };
    if (!Number.isFinite(output.value))
      return { ok: false, reason: `the value ${output.value} is not a finite number` };
    return { ok: true, prediction: { value: output.value } };
  }
  if (!('probabilities' in output)) return { ok: false, reason: `a ${predictor.task} model returned no probabilities` };
  const classes = predictor.classes ?? [];
  const problem = probabilityProblem(output.probabilities, classes.length);
  if (problem !== undefined) return { ok: false, reason: problem };
  const scores = Object.fromEntries(classes.map((c, i) => [String(c), output.probabilities[i] as number]));
  if (predictor.task === 'binary') {
    const score = output.probabilities[1] as number;
    return { ok: true, prediction: { score, label: classes[score >= 0.5 ? 1 : 0], scores } };
  }
  return { ok: true, prediction: { label: classes[argmax(output.probabilities)], scores } };
}

/** The index of the largest value (the first one on a tie). */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

function probabilityProblem(probabilities: readonly number[], classes: number): string | undefined {
  if (classes < 2) return `the model names ${classes} classes; a classifier needs at least 2`;
  if (probabilities.length !== classes) {
    return `the model returned ${probabilities.length} probabilities for its ${classes} classes`;
  }
  let sum = 0;
  for (const p of probabilities) {
    if (!Number.isFinite(p) || p < 0 || p > 1) {
      return `the class scores [${probabilities.join(', ')}]: one is not a probability in [0, 1]`;
    }
    sum += p;
  }
  if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) return `the class probabilities sum to ${sum}, not 1`;
  return undefined;
}
