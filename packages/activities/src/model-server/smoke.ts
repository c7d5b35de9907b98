/**
 * The deploy smoke check: one prediction with typical features, answered by the version just deployed.
 */
import {
  SlipwayErrorType,
  finalFailure,
  type DatasetProfile,
  type FeatureRow,
  type FeatureSpec,
  type Prediction,
} from '@slipway/sdk';
import { featureProfile } from '../data/training-profile.js';
import type { PredictAnswer } from './client.js';

/**
 * Typical features built from a training profile: the mean of each numeric feature and the most frequent value
 * of each categorical one (for a categorical feature profiled as numbers, the middle decile cut point, an
 * observed value). The target is not a feature.
 *
 * @throws a final `SlipwayInvalidInput` failure naming the feature when the profile cannot give a value.
 */
export function smokeFeaturesFromProfile(
  profile: DatasetProfile,
  features: FeatureSpec,
  profileUri: string,
): FeatureRow {
  const row: FeatureRow = {};
  const cannot = (feature: string, why: string) =>
    finalFailure(
      SlipwayErrorType.InvalidInput,
      `Cannot build smoke features from training profile ${profileUri}: feature "${feature}" ${why}; pass smokeFeatures`,
      { feature, uri: profileUri },
    );
  for (const feature of features.numeric) {
    const column = featureProfile(profile, feature, profileUri);
    if (column.kind !== 'numeric') throw cannot(feature, 'is numeric but was profiled as categorical');
    if (column.mean === null) throw cannot(feature, 'had no values in training');
    row[feature] = column.mean;
  }
  for (const feature of features.categorical) {
    const column = featureProfile(profile, feature, profileUri);
    if (column.kind === 'categorical') {
      const top = column.topValues[0];
      if (!top) throw cannot(feature, 'had no values in training');
      row[feature] = top.value;
    } else {
      const middle = column.cutPoints[Math.floor(column.cutPoints.length / 2)] ?? column.mean;
      if (middle === null || middle === undefined) throw cannot(feature, 'had no values in training');
      row[feature] = middle;
    }
  }
  return row;
}

/** What the smoke prediction must come from. */
export interface SmokeExpectation {
  version: number;
  deploymentId: string;
}

/**
 * Checks a smoke answer: one prediction from the expected version and deployment that fits the model's task (a
 * class score in [0, 1] and a label for a classifier, a finite value for regression). Returns the prediction, and
 * for a binary model its score, or the reason the check failed.
 */
export function checkSmokeAnswer(
  answer: PredictAnswer,
  expected: SmokeExpectation,
): { ok: true; prediction: Prediction; score?: number } | { ok: false; reason: string } {
  if (answer.version !== expected.version || answer.deploymentId !== expected.deploymentId) {
    return {
      ok: false,
      reason:
        `the answer came from version ${answer.version} (deployment "${answer.deploymentId}"), ` +
        `not version ${expected.version} (deployment "${expected.deploymentId}")`,
    };
  }
  if (answer.predictions.length !== 1) {
    return { ok: false, reason: `expected 1 prediction for 1 row, got ${answer.predictions.length}` };
  }
  const prediction = answer.predictions[0] as Prediction;
  if (prediction.value !== undefined) {
    if (!Number.isFinite(prediction.value)) return { ok: false, reason: `the value ${prediction.value} is not finite` };
    return { ok: true, prediction };
  }
  if (prediction.label === undefined) return { ok: false, reason: 'the prediction has neither a label nor a value' };
  const { score } = prediction;
  if (score === undefined) return { ok: true, prediction };
  if (!Number.isFinite(score) || score < 0 || score > 1) {
    return { ok: false, reason: `the score ${String(score)} is not a probability in [0, 1]` };
  }
  return { ok: true, prediction, score };
}
