/**
 * The model a trainer process left behind, turned into a stored serialized model: a `slipway-json` file is a
 * serialized model of a kind a loader knows; an `onnx` file is stored as it is and described by an ONNX manifest
 * (the serialized model, whose digest binds the ONNX bytes).
 */
import { readFile, stat } from 'node:fs/promises';
import {
  FinalErrorType,
  finalFailure,
  type ClassLabel,
  type FeatureSpec,
  type ModelTask,
  type TrainerResultFile,
} from '@slipway/sdk';
import type { ArtifactStore, PredictorLoader, SerializedModel } from '../ports.js';
import { onnxManifestFor } from './onnx/index.js';

/** The largest `slipway-json` model file read (64 MiB): a larger model belongs in a binary format (ONNX). */
export const MAX_JSON_MODEL_BYTES = 64 * 1024 * 1024;

/** What {@link trainedModelOf} needs besides the trainer's output. */
export interface TrainedModelContext {
  trainer: string;
  task: ModelTask;
  features: FeatureSpec;
  /** The training split's distinct target values, sorted (classification): the classes when `result.json` has none. */
  classes: readonly ClassLabel[] | undefined;
  /** The features that held nulls in the training split. */
  nullable?: readonly string[] | undefined;
  artifacts: ArtifactStore;
  predictors: Readonly<Record<string, PredictorLoader>>;
}

function invalidModel(trainer: string, modelPath: string, problem: string, details: object = {}): Error {
  return finalFailure(
    FinalErrorType.TrainerFailed,
    `Trainer "${trainer}" exited 0, but its model file ${modelPath} ${problem}`,
    { trainer, file: modelPath, ...details },
  );
}

/**
 * The serialized model of a trainer's output. `slipway-json`: the file parsed, which must be a JSON object with a
 * `kind` a loader knows (a final `SlipwayTrainerFailed` naming the file otherwise). `onnx`: see `onnxModelOf`.
 */
export async function trainedModelOf(
  result: TrainerResultFile,
  modelPath: string,
  context: TrainedModelContext,
): Promise<SerializedModel> {
  if (result.model.format === 'onnx') return onnxModelOf(result, modelPath, context);
  const { trainer } = context;
  if ((await stat(modelPath)).size > MAX_JSON_MODEL_BYTES) {
    throw invalidModel(trainer, modelPath, `is larger than ${MAX_JSON_MODEL_BYTES} bytes (use the onnx format)`);
  }
  let model: unknown;
  try {
    model = JSON.parse(await readFile(modelPath, 'utf8'));
  } catch (err) {
    throw invalidModel(trainer, modelPath, `is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const kind = (model as { kind?: unknown } | null)?.kind;
  if (model === null || typeof model !== 'object' || Array.isArray(model) || typeof kind !== 'string') {
    throw invalidModel(trainer, modelPath, 'is not a serialized model: a JSON object with a string "kind"', {
      field: 'kind',
    });
  }
  if (!Object.hasOwn(context.predictors, kind)) {
    const known = Object.keys(context.predictors).sort();
    throw invalidModel(
      trainer,
      modelPath,
      `has kind "${kind}", which no model loader knows (known: ${known.join(', ')})`,
      {
        field: 'kind',
        kind,
      },
    );
  }
  return model as SerializedModel;
}

/** The media type the `.onnx` file is stored with. */
export const ONNX_MEDIA_TYPE = 'application/onnx';

/**
 * An ONNX model: the `.onnx` file stored as it is (streaming), and its manifest built and checked by
 * `onnxManifestFor` (a final `SlipwayInvalidInput` naming the field when the signature does not fit the task and
 * features). The classes are `result.json`'s, else the training split's distinct targets, sorted.
 */
async function onnxModelOf(
  result: TrainerResultFile,
  modelPath: string,
  context: TrainedModelContext,
): Promise<SerializedModel> {
  const model = await context.artifacts.putFile(modelPath, { extension: '.onnx', mediaType: ONNX_MEDIA_TYPE });
  const classes = context.task === 'regression' ? undefined : (result.classes ?? context.classes);
  const manifest = onnxManifestFor({
    task: context.task,
    features: context.features,
    signature: result.signature,
    classes,
    model,
    nullable: context.nullable,
  });
  return manifest;
}
