/**
 * `@slipway/activities` — every side effect of a Slipway pipeline, behind small interfaces with embedded
 * adapters: a content-addressed filesystem artifact store (or S3), a SQLite model registry, a streaming CSV
 * validator and profiler, an in-process resumable trainer, the model-server client used by deploy, and
 * the drift monitor. Workers build them with `createActivities(deps)`; custom steps are bound with
 * `implementStep(contract, implementation)`.
 *
 * @packageDocumentation
 */
export * from './ports.js';
export { createActivities } from './create-activities.js';
export { implementStep, type StepImplementation } from './implement-step.js';
export {
  checkArtifactStore,
  createFsArtifactStore,
  createS3ArtifactStore,
  openArtifactStore,
  parseArtifactLocation,
  type ArtifactLocation,
  type CheckableArtifactStore,
  type OpenArtifactStoreOptions,
  type S3ArtifactStore,
  type S3ArtifactStoreOptions,
} from './artifacts/index.js';
export {
  MlflowFailureType,
  checkRegistry,
  createMlflowRegistry,
  openRegistry,
  openSqliteRegistry,
  parseRegistryLocation,
  registryUrl,
  type MlflowRegistry,
  type MlflowCredentials,
  type MlflowRegistryOptions,
  type OpenRegistryOptions,
  type RegistryLocation,
  type SqliteRegistryOptions,
} from './registry/index.js';
export * from './data/index.js';
export * from './sources/index.js';
export * from './train/index.js';
export * from './model-server/index.js';
export * from './monitor/index.js';
export * from './steps/index.js';
export { resolveVersionOrFail } from './registry/resolve-version.js';
export { canonicalJson, digestOfJson, sha256Digest, sha256OfFile } from './util/digest.js';
export {
  SAMPLE_MAX_CHARS,
  SAMPLE_MAX_VALUES,
  VALUE_NOT_SHOWN,
  quoteSample,
  quoteValue,
  sampleOf,
  shortValue,
  withoutValue,
} from './util/bounded-sample.js';
export { currentStepIdentity, stepIdempotencyKey, type StepIdentity } from './util/idempotency.js';
export { detectCodeVersion } from './util/code-version.js';
export { isLockHeld, withLockFile, type LockFileOptions, type LockFileOwner } from './util/lock-file.js';
export { isProcessRunning } from './util/process-alive.js';
export { readOrCreateSecretFile, readSecretFile, type SecretFileOptions } from './util/secret-file.js';
export * from './expectations/index.js';
export * from './directory/index.js';
export * from './audit/index.js';
