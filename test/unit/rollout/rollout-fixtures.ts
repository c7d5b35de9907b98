/**
 * Test models for rollouts on a real model server: a candidate that fails on part of the traffic (the model's fault:
 * a 500), and one that takes a fixed time per request. Both pass a smoke check with typical features.
 */
import type { PredictorLoader, SerializedModel } from '../../../packages/activities/src/ports.js';
import { FEATURES, PREDICTORS } from '../serve/fixtures.js';

/**
 * Test-only kind: a request with a row whose tenure is above `failAbove` fails while scoring (the server answers 500,
 * counted as the version's error); other rows get the fixed `score`.
 */
export const FAILING_KIND = 'test-failing';
/** Test-only kind: every request takes at least `delayMs` before it is scored with a fixed `score`. */
export const SLOW_KIND = 'test-slow';

const loadFailing: PredictorLoader = (model) => {
  const { failAbove, score } = model as { failAbove?: unknown; score?: unknown };
  if (typeof failAbove !== 'number' || typeof score !== 'number') {
    throw new TypeError('test-failing model needs numeric "failAbove" and "score"');
  }
  return {
    kind: FAILING_KIND,
    task: 'binary',
    classes: [0, 1],
    features: FEATURES,
    predict: (rows) =>
      rows.some((row) => Number(row['tenure']) > failAbove)
        ? Promise.reject(new Error(`test-failing: a row has tenure above ${failAbove}`))
        : Promise.resolve(rows.map(() => ({ probabilities: [1 - score, score] }))),
  };
};

const loadSlow: PredictorLoader = (model) => {
  const { delayMs, score } = model as { delayMs?: unknown; score?: unknown };
  if (typeof delayMs !== 'number' || typeof score !== 'number') {
    throw new TypeError('test-slow model needs numeric "delayMs" and "score"');
  }
  return {
    kind: SLOW_KIND,
    task: 'binary',
    classes: [0, 1],
    features: FEATURES,
    predict: async (rows) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return rows.map(() => ({ probabilities: [1 - score, score] }));
    },
  };
};

/** The loaders of the rollout test servers: the serve fixtures' plus the failing and slow kinds. */
export const ROLLOUT_PREDICTORS: Record<string, PredictorLoader> = {
  ...PREDICTORS,
  [FAILING_KIND]: loadFailing,
  [SLOW_KIND]: loadSlow,
};

/** A model of the failing kind: rows with tenure above `failAbove` fail. */
export function failingModel(failAbove: number, score = 0.3): SerializedModel {
  return { kind: FAILING_KIND, failAbove, score };
}

/** A model of the slow kind. */
export function slowModel(delayMs: number, score = 0.4): SerializedModel {
  return { kind: SLOW_KIND, delayMs, score };
}
