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
import { evaluateModel } from '../train/metrics-evaluate.js';

/** What scoring needs. */
export interface EvaluationDeps {
  artifacts: ArtifactStore;
  predictors: Record<string, PredictorLoader>;
}

/** Slipway's held-out metrics of a model, and the stored profile of its predictions (when one is made). */
export interface HeldOutScore {
  metrics: Metrics;
  /** The stored `PredictionProfile` of the model's predictions on the held-out rows. */
  predictionProfile: ArtifactRef;
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
 * Scores the held-out rows with the model (in batches) and returns Slipway's own metrics of the task (see
 * `evaluateModel`), with the profile of its predictions stored as JSON. A model that predicts another task than the
 * run's is a final `SlipwayInvalidInput` naming both.
 */
export async function scoreHeldOut(
  deps: EvaluationDeps,
  model: SerializedModel,
  rows: readonly TypedRow[],
  input: { task: ModelTask; features: FeatureSpec; trainer: string },
  signal?: AbortSignal,
): Promise<HeldOutScore> {
  const predictor = await loadTrainedPredictor(deps, model);
  if (predictor.task !== input.task) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Trainer "${input.trainer}" made a ${predictor.task} model (kind ${JSON.stringify(model.kind)}), but the run's task is ${input.task}`,
      { trainer: input.trainer, task: input.task, modelTask: predictor.task },
    );
  }
  const { metrics, predictionProfile } = await evaluateModel(predictor, rows, input.features.target, { signal });
  return { metrics, predictionProfile: await deps.artifacts.putJson(predictionProfile) };
}
