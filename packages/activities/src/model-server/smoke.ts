/**
 * The deploy smoke check: one prediction with typical features, answered by the version just deployed.
 */
import {
  SlipwayErrorType,
  finalFailure,
  type DatasetProfile,
  type FeatureRow,
  type FeatureSpec,
  type ModelTask,
  type Prediction,
} from '@slipway/sdk';
import { featureProfile, loadTrainingProfile } from '../data/training-profile.js';
import type { ArtifactStore, ModelVersionRecord } from '../ports.js';
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

/**
 * Typical features for a registered version's smoke check: {@link smokeFeaturesFromProfile} of the training profile
 * its lineage names (read from `artifacts`, digest checked).
 */
export async function smokeFeaturesOfVersion(
  artifacts: ArtifactStore,
  record: ModelVersionRecord,
): Promise<FeatureRow> {
  const profile = await loadTrainingProfile(artifacts, record.lineage);
  return smokeFeaturesFromProfile(profile, record.lineage.features, record.lineage.profile.uri);
}

/** What the smoke prediction must come from. */
export interface SmokeExpectation {
  version: number;
  deploymentId: string;
  /** The task the version was registered with, when the registry knows it: the answer must be for that task. */
  task?: ModelTask;
}

/** The outcome of {@link checkSmokeAnswer}. */
export type SmokeCheck = { ok: true; prediction: Prediction; score?: number } | { ok: false; reason: string };

/**
 * Checks a smoke answer: one prediction from the expected version and deployment that fits the task the answer
 * names (and the expected one, when given): binary, a positive-class `score` in [0, 1], a `label` among the
 * classes and class `scores`; multiclass, a `label` among the classes and class `scores`; regression, a finite
 * `value`. Returns the prediction, and for a binary model its score, or the reason the check failed.
 */
export function checkSmokeAnswer(answer: PredictAnswer, expected: SmokeExpectation): SmokeCheck {
  if (answer.version !== expected.version || answer.deploymentId !== expected.deploymentId) {
    return {
      ok: false,
      reason:
        `the answer came from version ${answer.version} (deployment "${answer.deploymentId}"), ` +
        `not version ${expected.version} (deployment "${expected.deploymentId}")`,
    };
  }
  if (expected.task !== undefined && answer.task !== expected.task) {
    return {
      ok: false,
      reason: `the model answered as a ${answer.task} model, but version ${expected.version} is ${expected.task}`,
    };
  }
  if (answer.predictions.length !== 1) {
    return { ok: false, reason: `expected 1 prediction for 1 row, got ${answer.predictions.length}` };
  }
  const prediction = answer.predictions[0] as Prediction;
  const problem = predictionProblem(answer, prediction);
  if (problem !== undefined) return { ok: false, reason: problem };
  return answer.task === 'binary'
    ? { ok: true, prediction, score: prediction.score as number }
    : { ok: true, prediction };
}

/** Why a prediction does not fit the answer's task; undefined when it does. */
function predictionProblem(answer: PredictAnswer, p: Prediction): string | undefined {
  if (answer.task === 'regression') {
    if (p.value === undefined) return 'a regression model answered without a value';
    return Number.isFinite(p.value) ? undefined : `the value ${p.value} is not finite`;
  }
  if (p.value !== undefined) return `a ${answer.task} model answered with a value, not class scores`;
  if (p.label === undefined) return `a ${answer.task} model answered without a label`;
  if (p.scores === undefined) return `a ${answer.task} model answered without class scores`;
  const classes = answer.classes;
  if (classes && !classes.some((c) => c === p.label)) {
    return `the label ${JSON.stringify(p.label)} is not one of the model's classes (${classes.map((c) => JSON.stringify(c)).join(', ')})`;
  }
  if (answer.task === 'multiclass') return undefined;
  const { score } = p;
  if (score === undefined) return 'a binary model answered without a score';
  if (!Number.isFinite(score) || score < 0 || score > 1)
    return `the score ${String(score)} is not a probability in [0, 1]`;
  return undefined;
}
