import {
  FinalErrorType,
  ONNX_MODEL_KIND,
  OnnxModelManifest,
  finalFailure,
  parseOrFail,
  type ArtifactRef,
} from '@slipway/sdk';
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
  if (models === undefined) return versionSource(artifact);
  const manifest = await readOnnxManifest(models.artifacts, artifact, `registered as model "${name}"`);
  if (manifest === undefined) return versionSource(artifact);
  const environment = await environmentOf(ctx.client, models.environment);
  return writeModel({ ...models, environment, now: ctx.now }, artifact.digest, manifest);
}

/** What {@link writeMlflowOnnxModel} needs. */
export interface WriteMlflowOnnxModelInput {
  /** The artifact store the manifest and the `.onnx` file are in. */
  artifacts: ArtifactStore;
  /** Where the directory goes. */
  store: MlflowModelStore;
  /** The ONNX model manifest. */
  manifest: ArtifactRef;
  /** The environment recorded in `MLmodel` and the environment files. */
  environment: MlflowOnnxEnvironment;
  /** `utc_time_created` of a new `MLmodel` (default: now). */
  now?: () => Date;
}

/**
 * Writes the MLflow Model directory of an ONNX model manifest (what an MLflow registry writes for an ONNX version)
 * and returns its URI; idempotent like the registry's. An artifact that is not an ONNX manifest, or a manifest that
 * is not valid, fails with `SlipwayInvalidInput`.
 *
 * ```ts
 * const dir = await writeMlflowOnnxModel({ artifacts, store: createLocalMlflowModelStore('out'), manifest: ref,
 *   environment: { ...DEFAULT_MLFLOW_ONNX_ENVIRONMENT, mlflow: '3.17.2' } });
 * ```
 */
export async function writeMlflowOnnxModel(input: WriteMlflowOnnxModelInput): Promise<string> {
  const manifest = await readOnnxManifest(input.artifacts, input.manifest, 'to write as an MLflow Model');
  if (manifest === undefined) {
    throw finalFailure(
      FinalErrorType.InvalidInput,
      `The artifact ${input.manifest.uri} is not an ONNX model manifest`,
      {
        uri: input.manifest.uri,
      },
    );
  }
  return writeModel({ ...input, now: input.now ?? (() => new Date()) }, input.manifest.digest, manifest);
}

/** The ONNX manifest an artifact holds (checked), or undefined for an artifact of another kind. */
async function readOnnxManifest(
  artifacts: ArtifactStore,
  artifact: ArtifactRef,
  what: string,
): Promise<OnnxModelManifest | undefined> {
  if (artifact.mediaType !== JSON_MEDIA_TYPE) return undefined;
  const value = await artifacts.getJson(artifact);
  if (value === null || typeof value !== 'object' || (value as { kind?: unknown }).kind !== ONNX_MODEL_KIND) {
    return undefined;
  }
  return parseOrFail(OnnxModelManifest, value, `The ONNX model manifest ${artifact.uri} ${what} is not valid`, {
    uri: artifact.uri,
    digest: artifact.digest,
  });
}

interface WriteContext {
  artifacts: ArtifactStore;
  store: MlflowModelStore;
  environment: MlflowOnnxEnvironment;
  now: () => Date;
}

/** Writes the directory: `model.onnx` and the environment files, then `MLmodel` last (unless already there). */
async function writeModel(ctx: WriteContext, digest: string, manifest: OnnxModelManifest): Promise<string> {
  const { store, environment } = ctx;
  const onnx = await ctx.artifacts.getBytes(manifest.model);
  await store.put(digest, { name: MLFLOW_ONNX_DATA, bytes: onnx, mediaType: 'application/octet-stream' });
  for (const file of environmentFiles(environment)) await store.put(digest, file);
  // `utc_time_created` is the only part that is not a function of the manifest: a retry keeps the first MLmodel.
  if (!(await store.has(digest, 'MLmodel'))) {
    const mlmodel = mlmodelFile({
      manifest,
      manifestDigest: digest,
      onnxSize: onnx.length,
      environment,
      createdAt: ctx.now(),
    });
    await store.put(digest, { name: 'MLmodel', bytes: Buffer.from(mlmodel, 'utf8'), mediaType: 'application/yaml' });
  }
  return store.directoryUri(digest);
}

async function environmentOf(
  client: MlflowClient,
  configured: Partial<MlflowOnnxEnvironment> | undefined,
): Promise<MlflowOnnxEnvironment> {
  const mlflow = configured?.mlflow ?? (await client.version());
  return { ...DEFAULT_MLFLOW_ONNX_ENVIRONMENT, ...configured, mlflow };
}
