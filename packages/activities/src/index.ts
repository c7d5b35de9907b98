/**
 * `@slipway/activities` — every side effect of a Slipway pipeline, behind small interfaces (the ports) with
 * embedded adapters. The root holds what a worker is made of:
 *
 * - the ports (`ArtifactStore`, `ModelRegistry`, `ExperimentTracker`, `Trainer`, `Predictor`, `ActivityDeps`, …);
 * - `createActivities(deps)`, every built-in step's activity; `implementStep(contract, fn)` and
 *   `defineActivities((deps) => …)` for your own steps;
 * - the adapter openers: artifact stores (a directory or S3), registries (SQLite or MLflow), S3 settings, dataset
 *   roots and the dataset opener custom steps read with, the directory of people, the model-server client, the
 *   built-in trainers and predictors;
 * - the audit API (`openAuditLog`, `withAudit`, `verifyAuditLog`, …);
 * - the few process utilities `@slipway/worker` shares (a cross-process lock file, secret files).
 *
 * Building blocks live in subpaths: `@slipway/activities/data` (reading, checking and profiling datasets),
 * `/stats` (drift statistics and sketches), `/monitor` (the drift report of served rows against a training profile,
 * built on `/stats`), `/guard` (the model guardian's drift check), `/train` (splits, encodings, metrics, the
 * built-in trainer) and `/steps` (each built-in step's activity factory).
 *
 * ```ts
 * import { createActivities, createFsArtifactStore, implementStep, openSqliteRegistry } from '@slipway/activities';
 * const deps = { artifacts: createFsArtifactStore('.slipway/artifacts'), registry: openSqliteRegistry('.slipway/registry.db') };
 * const activities = { ...createActivities(deps), ...implementStep(score, async ({ dataset }) => ({ positives: 3 })) };
 * ```
 *
 * @packageDocumentation
 */
export * from './ports.js';
export { createActivities } from './create-activities.js';
export { implementStep, type StepImplementation } from './implement-step.js';
export {
  ACTIVITIES_DEFINITION_KIND,
  defineActivities,
  isActivitiesDefinition,
  type ActivitiesDefinition,
  type ActivityFunction,
  type ActivityMap,
} from './define-activities.js';
export { currentStepIdentity, stepIdempotencyKey, type StepIdentity } from './util/idempotency.js';
export {
  trackTraining,
  type TrackTrainingOptions,
  type TrackedOutcome,
  type TrackedRun,
} from './steps/track-training.js';
export type { TrainingSubject } from './steps/train-tracking.js';

// Adapters: artifact stores, registries, datasets, S3, the directory of people, the model server, trainers.
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
  createLocalMlflowModelStore,
  createS3MlflowModelStore,
  writeMlflowOnnxModel,
  DEFAULT_MLFLOW_ONNX_ENVIRONMENT,
  openRegistry,
  openSqliteRegistry,
  parseRegistryLocation,
  registryUrl,
  type MlflowRegistry,
  type MlflowCredentials,
  type MlflowRegistryOptions,
  type MlflowModelStore,
  type MlflowModelsOptions,
  type MlflowOnnxEnvironment,
  type OpenRegistryOptions,
  type RegistryLocation,
  type SqliteRegistryOptions,
} from './registry/index.js';
export { datasetSourceOpener, defaultDatasetAccess } from './data/dataset-opener.js';
export type { SourceOpener } from './data/formats/dataset-rows.js';
export type { ByteSource } from './sources/byte-source.js';
export {
  ANYWHERE,
  isPathWithin,
  parseDatasetRoot,
  type DatasetAccess,
  type DatasetRoot,
} from './sources/dataset-roots.js';
export { s3SettingsFromEnv, type S3Settings } from './sources/s3-settings.js';
export { findNewestObject, type ListedObject, type NewestObjectQuery } from './sources/newest-object.js';
export { namePattern } from './sources/name-pattern.js';
export {
  fileDirectorySource,
  loadPeopleDirectory,
  parsePeopleDirectory,
  setDirectoryPersonKey,
  setDirectoryPersonPassword,
  type DirectoryPasswordChange,
  signDirectoryFile,
  trustedDirectory,
  type DirectoryKeyChange,
  type LoadedDirectory,
  type SignedDirectoryFile,
} from './directory/index.js';
export {
  ModelServerFailureType,
  createModelServerClient,
  type ModelServerClient,
  type ModelServerClientOptions,
} from './model-server/index.js';
export {
  REDIRECT_REFUSED,
  WEBHOOK_CONTRACT_HEADER,
  WEBHOOK_CONTRACT_VERSION,
  configuredTargetFor,
  createWebhookDeployTarget,
  targetUrlKey,
  type WebhookDeployTarget,
} from './deploy-target/index.js';
// Notifications: the webhook notifier, its signature check for receivers, a fan-out.
export {
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_NOTIFY_RETRY,
  DEFAULT_SIGNATURE_TOLERANCE_SECONDS,
  DELIVERY_ID_HEADER,
  NotificationFormat,
  SIGNATURE_HEADER,
  SignatureProblem,
  TIMESTAMP_HEADER,
  appendDeadLetter,
  createFanOutNotifier,
  createWebhookNotifier,
  notificationBody,
  redactedTarget,
  signWebhook,
  slackMessage,
  verifyWebhookSignature,
  type DeadLetterEntry,
  type FanOutEntry,
  type NotifyRetry,
  type WebhookHeaderValue,
  type SignatureVerdict,
  type SignedParts,
  type SlackBlock,
  type SlackMessage,
  type VerifyWebhookSignatureInput,
  type WebhookNotifierOptions,
} from './notify/index.js';
export { builtinPredictors, builtinTrainers } from './train/builtins.js';
export { predictionOf, type PredictionOutcome } from './train/model-output.js';
export { loadOnnxModel, onnxManifestFor, type OnnxManifestInput } from './train/onnx/index.js';
export { inspectOnnxModel, type OnnxGraphInfo, type OnnxGraphValue } from './train/onnx/index.js';
export { taskMetrics, type TaskMetricsOptions } from './train/metrics-task.js';
export { evaluateModel, type EvaluateModelOptions, type ModelEvaluation } from './train/metrics-evaluate.js';

// Approvals verified where they act (record, deploy): the proof of a gate checked against the directory.
export {
  decisionSignatureProblem,
  evidenceDigest,
  verifyApprovalProof,
  verifyProofWhereItActs,
  type ProofContext,
  type ProofRequirement,
  type VerifiedApproval,
} from './approval/index.js';
// Approvals on record: the latest approved record of a version with its stored proof.
export {
  latestApproval,
  missingApprovalReason,
  readRecordedApproval,
  rolledBackSince,
  type RecordedApproval,
  type RecordedApprovalDeps,
} from './approval/index.js';

// The audit trail.
export {
  AuditEntry,
  AuditKind,
  checkDecisionSignatures,
  compareWithMirror,
  createS3AuditMirror,
  defaultAuditKeyPath,
  defaultAuditLogPath,
  openAuditLog,
  readAuditEntries,
  recordAuditKey,
  renderModelCard,
  summarizeAuditLog,
  tornFileOf,
  verifyAuditLog,
  withAudit,
  type AuditLog,
  type AuditLogOptions,
  type AuditLogSummary,
  type AuditOptions,
  type AuditSink,
  type AuditTrust,
  type AuditVerification,
  type DecisionSignatures,
  type MirrorComparison,
  type S3AuditMirror,
  type S3AuditMirrorOptions,
} from './audit/index.js';

// Shared with `@slipway/worker` (the dev server's lock, the model server's token file).
export { isLockHeld, withLockFile, type LockFileOptions, type LockFileOwner } from './util/lock-file.js';
export { isProcessRunning } from './util/process-alive.js';
export {
  createSecretFile,
  readOrCreateSecretFile,
  readSecretFile,
  type SecretFileOptions,
} from './util/secret-file.js';
