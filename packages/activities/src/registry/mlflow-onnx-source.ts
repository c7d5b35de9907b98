import { ONNX_MODEL_KIND, OnnxModelManifest, parseOrFail, type ArtifactRef } from '@slipway/sdk';
import { JSON_MEDIA_TYPE } from '../artifacts/artifact-common.js';
import type { ArtifactStore } from '../ports.js';
import type { MlflowClient } from './mlflow-client.js';
import {
  DEFAULT_MLFLOW_ONNX_ENVIRONMENT,
  MLFLOW_ONNX_DATA,
  environmentFiles,
  mlmodelFile,
  type MlflowOnnxEnvironment,
} from './mlflow-model-files.js';
import type { MlflowModelStore } from './mlflow-model-store.js';
import { versionSource } from './mlflow-records.js';

/**
 * How an MLflow registry makes MLflow Models of ONNX versions: where it reads the manifest and the `.onnx` bytes,
 * where it writes the directories, and what it records as the Python environment.
 */
export interface MlflowModelsOptions {
  /** The artifact store the registered artifacts are in. */
  artifacts: ArtifactStore;
  /** Where the MLflow Model directories go (see `createS3MlflowModelStore`). */
  store: MlflowModelStore;
  /**
   * The environment recorded in `MLmodel` and the environment files; by default the tracking server's MLflow
   * version and {@link DEFAULT_MLFLOW_ONNX_ENVIRONMENT}.
   */
  environment?: Partial<MlflowOnnxEnvironment>;
}

/** What {@link mlflowVersionSource} needs. */
export interface MlflowSourceContext {
  client: MlflowClient;
  now: () => Date;
  models?: MlflowModelsOptions | undefined;
}

/**
 * The model-version `source` of an artifact. An ONNX model manifest (a JSON artifact of kind `onnx`) on a registry
 * with `models` becomes an MLflow Model directory (written first; idempotent: the same manifest gives the same
 * directory and files, and an `MLmodel` already there is kept) whose URI is the source. Any other artifact keeps
 * {@link versionSource}. A manifest that is not valid fails with `SlipwayInvalidInput` naming the field.
 */
export async function mlflowVersionSource(
  ctx: MlflowSourceContext,
  name: string,
  artifact: ArtifactRef,
): Promise<string> {
  const { models } = ctx;
  if (models === undefined || artifact.mediaType !== JSON_MEDIA_TYPE) return versionSource(artifact);
  const value = await models.artifacts.getJson(artifact);
  if (value === null || typeof value !== 'object' || (value as { kind?: unknown }).kind !== ONNX_MODEL_KIND) {
    return versionSource(artifact);
  }
  const manifest = parseOrFail(
    OnnxModelManifest,
    value,
    `The ONNX model manifest ${artifact.uri} registered as model "${name}" is not valid`,
    { uri: artifact.uri, digest: artifact.digest },
  );
  await writeMlflowModel(ctx, models, artifact.digest, manifest);
  return models.store.directoryUri(artifact.digest);
}

/** Writes the directory: `model.onnx` and the environment files, then `MLmodel` last (unless already there). */
async function writeMlflowModel(
  ctx: MlflowSourceContext,
  models: MlflowModelsOptions,
  digest: string,
  manifest: OnnxModelManifest,
): Promise<void> {
  const { store } = models;
  const environment = await environmentOf(ctx.client, models.environment);
  const onnx = await models.artifacts.getBytes(manifest.model);
  await store.put(digest, { name: MLFLOW_ONNX_DATA, bytes: onnx, mediaType: 'application/octet-stream' });
  for (const file of environmentFiles(environment)) await store.put(digest, file);
  // `utc_time_created` is the only part that is not a function of the manifest: a retry keeps the first MLmodel.
  if (await store.has(digest, 'MLmodel')) return;
  const mlmodel = mlmodelFile({
    manifest,
    manifestDigest: digest,
    onnxSize: onnx.length,
    environment,
    createdAt: ctx.now(),
  });
  await store.put(digest, { name: 'MLmodel', bytes: Buffer.from(mlmodel, 'utf8'), mediaType: 'application/yaml' });
}

async function environmentOf(
  client: MlflowClient,
  configured: Partial<MlflowOnnxEnvironment> | undefined,
): Promise<MlflowOnnxEnvironment> {
  const mlflow = configured?.mlflow ?? (await client.version());
  return { ...DEFAULT_MLFLOW_ONNX_ENVIRONMENT, ...configured, mlflow };
}
