/**
 * Model registries: numbered versions per model, aliases (`champion`, `candidate`), the approvals and
 * deployments recorded against each version, and the experiment-tracking runs (params, metrics, series) that
 * trained them.
 *
 * `openSqliteRegistry(path)` is the embedded default: one SQLite file shared by every worker process on
 * a machine. `createMlflowRegistry({ trackingUrl })` keeps the same records in an MLflow tracking server
 * (registered models, versions, aliases, tags, runs). `openRegistry('sqlite:…' | 'mlflow+http://…')` picks one
 * from a registry URL and `checkRegistry(registry)` tells at start-up whether it answers. Every adapter
 * reuses the input validation and version parsing exported here and passes the same conformance suite.
 *
 * @packageDocumentation
 */
export { openSqliteRegistry, DEFAULT_BUSY_TIMEOUT_MS } from './sqlite-registry.js';
export type { SqliteRegistryOptions } from './sqlite-registry.js';
export { migrateSqliteRegistry, SQLITE_REGISTRY_MIGRATIONS, userVersion } from './sqlite-migrations.js';
export type { MigrationResult, SqliteMigration } from './sqlite-migrations.js';
export { parseVersionSpec, assertAliasName, LATEST_ALIAS } from './version-spec.js';
export type { VersionSpec } from './version-spec.js';
export { parseRegisterVersionInput, parseRecordApprovalInput, parseRecordDeploymentInput } from './registry-input.js';
export { createMlflowRegistry, checkMlflowServer } from './mlflow-registry.js';
export type { MlflowRegistry, MlflowRegistryOptions } from './mlflow-registry.js';
export { createLocalMlflowModelStore, createS3MlflowModelStore, MLFLOW_MODELS_FOLDER } from './mlflow-model-store.js';
export type { MlflowModelStore, S3MlflowModelStoreOptions } from './mlflow-model-store.js';
export { DEFAULT_MLFLOW_ONNX_ENVIRONMENT, mlflowOnnxSignature } from './mlflow-model-files.js';
export type { MlflowModelFile, MlflowOnnxEnvironment } from './mlflow-model-files.js';
export { writeMlflowOnnxModel } from './mlflow-onnx-source.js';
export type { MlflowModelsOptions, WriteMlflowOnnxModelInput } from './mlflow-onnx-source.js';
export {
  MlflowFailureType,
  createMlflowClient,
  isRetryableMlflowFailure,
  mlflowErrorCode,
  mlflowFailureDetail,
} from './mlflow-client.js';
export type {
  MlflowClient,
  MlflowClientOptions,
  MlflowCredentials,
  MlflowFailureDetail,
  MlflowQuery,
} from './mlflow-client.js';
export { checkRegistry, openRegistry, parseRegistryLocation, registryUrl } from './registry-location.js';
export type { OpenRegistryOptions, RegistryLocation } from './registry-location.js';
export {
  MAX_PARAM_VALUE_LENGTH,
  MAX_RUN_TAG_VALUE_LENGTH,
  MAX_SERIES_POINTS,
  isTrackingName,
  parseFinishRunInput,
  parseLogMetricSeriesInput,
  parseLogMetricsInput,
  parseLogParamsInput,
  parseStartRunInput,
} from './tracking-input.js';
