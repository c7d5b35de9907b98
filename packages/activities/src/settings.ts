/**
 * `@slipway/activities/settings` — what reading a configuration needs, without loading an adapter: parsing
 * registry URLs, artifact locations and dataset roots, S3 settings from the environment, the audit key's default
 * path, the names of the built-in trainers, and the helpers that check secret files and receiver URLs. The
 * command line reads its configuration through this entry, so a command such as `slipway approvals` does not load
 * the AWS SDK, SQLite, ONNX Runtime or the Parquet reader before it answers.
 *
 * @packageDocumentation
 */
export { defaultAuditKeyPath } from './audit/audit-key.js';
export { parseArtifactLocation, type ArtifactLocation } from './artifacts/artifact-location.js';
export { parseRegistryLocation, type RegistryLocation } from './registry/registry-url.js';
export type { MlflowCredentials } from './registry/mlflow-client.js';
export { s3SettingsFromEnv, describeS3Endpoint, DEFAULT_S3_REGION, type S3Settings } from './sources/s3-env.js';
export { isPathWithin, parseDatasetRoot } from './sources/dataset-roots.js';
export { redactedTarget } from './notify/dead-letter.js';
export { targetUrlKey } from './deploy-target/configured.js';
export { BUILTIN_TRAINER_NAMES } from './train/builtin-trainer-names.js';
export { readOrCreateSecretFile, readSecretFile, type SecretFileOptions } from './util/secret-file.js';
export type { DeployTargetAccess, ModelServerAccess } from './ports.js';
export type { NotifyRetry } from './notify/webhook.js';
