/**
 * Slipway's own held-out metrics: the stored model loaded through the model loaders (as the model server loads
 * it), checked to predict the run's task, and scored on the held-out rows.
 */
import {
  SlipwayErrorType,
  finalFailure,
  type ArtifactRef,
  type Metrics,
  type ModelTask,
  type FeatureSpec,
} from '@slipway/sdk';
import type { ArtifactStore, Predictor, PredictorLoader, SerializedModel, TypedRow } from '../ports.js';
import { BinaryTarget, labelsOf, resolveBinaryTarget } from '../train/binary-target.js';
import { binaryClassificationMetrics } from '../train/metrics.js';

/** What scoring needs. */
export interface EvaluationDeps {
  artifacts: ArtifactStore;
  predictors: Record<string, PredictorLoader>;
}

/** Slipway's held-out metrics of a model, and the stored profile of its predictions (when one is made). */
export interface HeldOutScore {
  metrics: Metrics;
  predictionProfile?: ArtifactRef | undefined;
}

function known(record: Record<string, unknown>): string {
  const names = Object.keys(record).sort();
  return names.length === 0 ? '(none)' : names.map((n) => JSON.stringify(n)).join(', ');
}

/** Loads a serialized model with the loader of its kind (`SlipwayNotFound` listing the known kinds otherwise). */
export async function loadTrainedPredictor(deps: EvaluationDeps, model: SerializedModel): Promise<Predictor> {
  const { predictors } = deps;
  const load = Object.hasOwn(predictors, model.kind) ? predictors[model.kind] : undefined;
  if (load === undefined) {
    throw finalFailure(
      SlipwayErrorType.NotFound,
      `No model loader for kind ${JSON.stringify(model.kind)}; known kinds: ${known(predictors)}`,
      { kind: model.kind },
    );
  }
  return load(model, { artifacts: deps.artifacts });
}

/**
 * Scores the held-out rows with the model and returns Slipway's own metrics. A model that predicts another task
 * than the run's is a final `SlipwayInvalidInput` naming both.
 */
export async function scoreHeldOut(
  deps: EvaluationDeps,
  model: SerializedModel,
  rows: readonly TypedRow[],
  input: { task: ModelTask; features: FeatureSpec; trainer: string; params: Record<string, unknown> },
): Promise<HeldOutScore> {
  const predictor = await loadTrainedPredictor(deps, model);
  if (predictor.task !== input.task) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Trainer "${input.trainer}" made a ${predictor.task} model (kind ${JSON.stringify(model.kind)}), but the run's task is ${input.task}`,
      { trainer: input.trainer, task: input.task, modelTask: predictor.task },
    );
  }
  return { metrics: await binaryMetrics(predictor, model, rows, input) };
}

/** The built-in binary metrics (accuracy, AUC, log loss, positive rates) of a binary classifier. */
async function binaryMetrics(
  predictor: Predictor,
  model: SerializedModel,
  rows: readonly TypedRow[],
  input: { features: FeatureSpec; params: Record<string, unknown> },
): Promise<Metrics> {
  if (predictor.task !== 'binary') {
    throw finalFailure(SlipwayErrorType.InvalidInput, `No held-out metrics for a ${predictor.task} model yet`);
  }
  const modelTarget = BinaryTarget.safeParse(model['target']);
  const target = modelTarget.success
    ? modelTarget.data
    : resolveBinaryTarget(
        input.features.target,
        rows.map((row) => row[input.features.target]),
        positiveClassOf(input.params),
      );
  const labels = labelsOf(target, rows);
  const outputs = await predictor.predict(rows);
  const scores = outputs.map((output) => ('probabilities' in output ? (output.probabilities[1] ?? NaN) : NaN));
  return binaryClassificationMetrics(labels, scores);
}

function positiveClassOf(params: Record<string, unknown>): string | number | boolean | undefined {
  const value = params['positiveClass'];
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}
