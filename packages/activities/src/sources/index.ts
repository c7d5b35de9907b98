/**
 * Byte sources: the stored bytes of a dataset, from a local file (`file://`) or from S3 or any
 * S3-compatible store (`s3://bucket/key`), with sizes, ranged reads and streams from an offset. The dataset
 * digest is the sha256 of these stored bytes; `decompressed` inflates gzip after hashing. Workers open datasets
 * through `guardedSourceOpener`, which reads only below the dataset roots (see `checkDatasetAccess`).
 *
 * ```ts
 * const source = openByteSource('s3://datasets/churn.csv.gz', { s3: s3SettingsFromEnv() });
 * const size = await source.size();
 * const rows = decompressed(await source.stream(), 'gzip', source.displayName);
 * ```
 *
 * @packageDocumentation
 */
export type { ByteSource } from './byte-source.js';
export { decompressed } from './decompress.js';
export {
  ANYWHERE,
  checkDatasetAccess,
  describeDatasetRoots,
  isPathWithin,
  judgeLocalPath,
  parseDatasetRoot,
  resolveRealPath,
  s3KeyProblem,
  s3RootCovers,
  type AllowedDataset,
  type DatasetAccess,
  type DatasetRoot,
  type LocalVerdict,
  type ResolvedAccess,
} from './dataset-roots.js';
export { guardedSourceOpener, type ByteSourceOpener } from './guarded-source.js';
export { FILE_STREAM_CHUNK_BYTES, createFileByteSource } from './file-source.js';
export { openByteSource, type OpenByteSourceOptions } from './open-source.js';
export { s3Failure, type S3ObjectContext } from './s3-errors.js';
export {
  DEFAULT_S3_REGION,
  S3_CONNECT_TIMEOUT_MS,
  createS3Client,
  describeS3Endpoint,
  s3SettingsFromEnv,
  type S3Settings,
} from './s3-settings.js';
export { createS3ByteSource, parseS3Uri, type S3ByteSourceOptions, type S3Location } from './s3-source.js';
export { SourceErrorType } from './source-errors.js';
