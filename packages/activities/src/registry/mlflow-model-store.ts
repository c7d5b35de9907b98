import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { s3ObjectUri, s3StoreLayout } from '../artifacts/s3-layout.js';
import { s3StoreFailure } from '../artifacts/s3-store-errors.js';
import { ensureObject, objectContext, type S3StoreContext } from '../artifacts/s3-upload.js';
import { createS3Client, describeS3Endpoint, type S3Settings } from '../sources/s3-settings.js';
import { sha256Digest } from '../util/digest.js';
import type { MlflowModelFile } from './mlflow-model-files.js';

/** The folder, under the artifact store's prefix, that holds the MLflow Model directories. */
export const MLFLOW_MODELS_FOLDER = 'mlflow-models';

/**
 * Where the MLflow Model directories of ONNX versions are written: one directory per manifest digest, at
 * `<location>/<64 hex of the manifest digest>/`. Writes are idempotent: a file already stored with the same bytes
 * is not sent again.
 */
export interface MlflowModelStore {
  /** `s3://bucket/prefix/mlflow-models`, for messages. */
  readonly location: string;
  /** The URI of the directory of a manifest (the model version's `source`). */
  directoryUri(manifestDigest: string): string;
  /** True when the directory of a manifest holds a file of that name. */
  has(manifestDigest: string, name: string): Promise<boolean>;
  /** Writes a file into the directory of a manifest (nothing is sent when the same bytes are stored). */
  put(manifestDigest: string, file: MlflowModelFile): Promise<void>;
  /** Releases the connections of the client the store made. */
  close(): void;
}

/** Options of {@link createS3MlflowModelStore}: the artifact store's bucket, prefix and settings. */
export interface S3MlflowModelStoreOptions {
  bucket: string;
  /** The artifact store's key prefix; the directories go below `<prefix>/mlflow-models/`. */
  prefix?: string;
  settings?: S3Settings;
}

const MIB = 1024 * 1024;

/**
 * The MLflow Model directories next to an S3 artifact store's objects (same bucket, same credentials), so that a
 * Python user whose MLflow client reaches the artifact store (`MLFLOW_S3_ENDPOINT_URL`, AWS credentials) loads the
 * version with `mlflow.pyfunc.load_model("models:/<name>@<alias>")`.
 */
export function createS3MlflowModelStore(options: S3MlflowModelStoreOptions): MlflowModelStore {
  const layout = s3StoreLayout(options.bucket, options.prefix);
  const settings = options.settings ?? {};
  const ctx: S3StoreContext = {
    client: createS3Client(settings),
    layout,
    endpoint: describeS3Endpoint(settings),
    accessKeyId: settings.accessKeyId,
    multipartThreshold: 16 * MIB,
    partSize: 8 * MIB,
    queueSize: 4,
  };
  const folder = layout.prefix === '' ? MLFLOW_MODELS_FOLDER : `${layout.prefix}/${MLFLOW_MODELS_FOLDER}`;
  const directoryKey = (digest: string) => `${folder}/${digest.slice('sha256:'.length)}`;
  return {
    location: s3ObjectUri(layout, folder),
    directoryUri: (digest) => s3ObjectUri(layout, directoryKey(digest)),
    has: async (digest, name) => exists(ctx, `${directoryKey(digest)}/${name}`),
    put: async (digest, file) => {
      const content = { digest: sha256Digest(file.bytes), size: file.bytes.length, mediaType: file.mediaType };
      await ensureObject(ctx, `${directoryKey(digest)}/${file.name}`, { ...content, body: () => file.bytes });
    },
    close: () => ctx.client.destroy(),
  };
}

async function exists(ctx: S3StoreContext, key: string): Promise<boolean> {
  try {
    await ctx.client.send(new HeadObjectCommand({ Bucket: ctx.layout.bucket, Key: key }));
    return true;
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return false;
    throw s3StoreFailure(err, objectContext(ctx, key), 'list');
  }
}

/**
 * MLflow Model directories in a local folder, `<root>/<64 hex of the manifest digest>/` (`file://` URIs): for
 * `mlflow models serve -m <dir>` or `mlflow.pyfunc.load_model(<dir>)` on this machine. Files are written atomically.
 */
export function createLocalMlflowModelStore(root: string): MlflowModelStore {
  const base = resolve(root);
  const directory = (digest: string) => join(base, digest.slice('sha256:'.length));
  return {
    location: pathToFileURL(base).href,
    directoryUri: (digest) => pathToFileURL(directory(digest)).href,
    has: async (digest, name) =>
      stat(join(directory(digest), name)).then(
        () => true,
        (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? false : Promise.reject(err)),
      ),
    put: async (digest, file) => {
      await mkdir(directory(digest), { recursive: true });
      const temp = join(directory(digest), `.${process.pid}-${randomUUID()}.partial`);
      await writeFile(temp, file.bytes);
      await rename(temp, join(directory(digest), file.name));
    },
    close: () => undefined,
  };
}
