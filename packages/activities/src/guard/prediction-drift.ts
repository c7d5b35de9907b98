/**
 * Prediction drift: the served predictions of a version against the held-out predictions recorded when it was
 * trained (its `PredictionProfile`). A binary model's positive-class score and a regressor's value are numeric
 * distributions, tested like a numeric feature (`featureDrift` on the profile's bins and digest); a multiclass
 * model's predicted classes are compared as shares of each class (PSI only).
 */
import {
  SlipwayErrorType,
  finalFailure,
  type DriftPolicy,
  type FeatureTest,
  type GuardPredictionResult,
  type PredictionProfile,
  type ServedPrediction,
} from '@slipway/sdk';
import { featureDrift } from '../monitor/drift.js';
import { countCategorical } from '../monitor/buckets.js';
import { psi, toShares } from '../stats/index.js';
import { binLabels } from './feature-tests.js';

/** A served prediction as a check reads it: the model server's record, or a rows source's prediction cell. */
export type PredictionValue = ServedPrediction | number | string | boolean;

/** The prediction test of a policy, once checked to be `psi` or `ks`. */
type PredictionTest = { test: 'psi' | 'ks'; threshold: FeatureTest['threshold'] };

/** The prediction drift, or why there is none. */
export type PredictionDriftOutcome = { result: GuardPredictionResult } | { result: null; note: string };

/** What {@link predictionDrift} compares. */
export interface PredictionDriftInput {
  /** The version's held-out prediction profile; undefined when the version has none. */
  profile: PredictionProfile | undefined;
  /** The served predictions of the compared rows (rows without one left out). */
  predictions: readonly PredictionValue[];
  policy: Pick<DriftPolicy, 'prediction' | 'minSamples'> & { countPrediction?: boolean | undefined };
}

/**
 * The prediction drift of served predictions against a version's held-out predictions; null with a note when the
 * version has no prediction profile, no prediction was served, or fewer than `minSamples` were.
 *
 * @throws a final `SlipwayInvalidInput` failure when `policy.prediction` is not `psi` or `ks`, when `ks` is asked
 *   of a multiclass model, or when a served prediction does not fit the model's task.
 */
export function predictionDrift(input: PredictionDriftInput): PredictionDriftOutcome {
  const test = input.policy.prediction;
  if (test.test !== 'psi' && test.test !== 'ks') {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `policy.prediction: the ${test.test} test does not apply to predictions (use psi or ks)`,
      { field: 'policy.prediction', test: test.test },
    );
  }
  if (!input.profile)
    return {
      result: null,
      note: 'the version has no held-out prediction profile (trained before they were recorded, or imported)',
    };
  if (input.predictions.length === 0) return { result: null, note: 'no served prediction in the compared rows' };
  if (input.predictions.length < input.policy.minSamples)
    return { result: null, note: `${input.predictions.length} served predictions, fewer than minSamples` };
  const counted = input.policy.countPrediction === true;
  const chosen = { test: test.test, threshold: test.threshold };
  if (input.profile.task === 'multiclass')
    return { result: classDrift(input.profile, input.predictions, chosen, counted) };
  return { result: numericDrift(input.profile, input.predictions, chosen, counted) };
}

function numericDrift(
  profile: Extract<PredictionProfile, { task: 'binary' | 'regression' }>,
  predictions: readonly PredictionValue[],
  test: PredictionTest,
  counted: boolean,
): GuardPredictionResult {
  const of = profile.task === 'binary' ? ('score' as const) : ('value' as const);
  const column = profile.task === 'binary' ? profile.score : profile.value;
  const values = predictions.map((p, i) => numericPrediction(p, profile.task, i));
  const drift = featureDrift(
    'prediction',
    column,
    values.map((v) => ({ prediction: v })),
    {
      threshold: Number.POSITIVE_INFINITY,
    },
  );
  if (test.test === 'ks' && !drift.ks) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      'policy.prediction: the ks test cannot run: the held-out prediction profile has no t-digest',
      { field: 'policy.prediction' },
    );
  }
  const statistic = test.test === 'ks' ? (drift.ks?.statistic ?? 0) : drift.psi;
  const pValue = test.test === 'ks' ? drift.ks?.pValue : undefined;
  const drifted = pValue === undefined ? statistic > test.threshold : pValue < test.threshold;
  const base = { test: test.test, threshold: test.threshold, statistic, drifted, samples: values.length, of, counted };
  return {
    ...base,
    ...(pValue === undefined ? {} : { pValue }),
    bins: binLabels(column),
    expected: drift.expected,
    actual: drift.actual,
  };
}

function classDrift(
  profile: Extract<PredictionProfile, { task: 'multiclass' }>,
  predictions: readonly PredictionValue[],
  test: PredictionTest,
  counted: boolean,
): GuardPredictionResult {
  if (test.test === 'ks') {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      "policy.prediction: the ks test does not apply to a multiclass model's predicted classes (use psi)",
      { field: 'policy.prediction', test: test.test },
    );
  }
  const classes = profile.classes.map((c) => String(c.label));
  const labels = predictions.map((p) =>
    typeof p === 'object' ? String(p.task === 'regression' ? p.value : p.label) : String(p),
  );
  const expected = [...profile.classes.map((c) => c.share), 0];
  const actual = toShares(countCategorical(labels, classes));
  const statistic = psi(expected, actual);
  const drifted = statistic > test.threshold;
  const base = { test: test.test, threshold: test.threshold, statistic, drifted, samples: labels.length };
  return { ...base, of: 'class', counted, bins: [...classes, 'other'], expected, actual };
}

function numericPrediction(value: PredictionValue, task: 'binary' | 'regression', index: number): number {
  if (typeof value === 'object') {
    if (value.task === 'binary' && task === 'binary') return value.score;
    if (value.task === 'regression' && task === 'regression') return value.value;
  } else if (typeof value === 'number' && Number.isFinite(value)) {
    if (task === 'regression' || (value >= 0 && value <= 1)) return value;
  }
  throw finalFailure(
    SlipwayErrorType.InvalidInput,
    `served prediction ${index + 1} (${JSON.stringify(value)}) is not a ${task === 'binary' ? 'positive-class score in [0, 1]' : 'number'}, ` +
      `as the version's ${task} predictions are`,
    { index, task },
  );
}
