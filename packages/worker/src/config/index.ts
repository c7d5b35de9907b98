export {
  CONFIG_FILE_NAME,
  DEFAULT_MODEL_SERVER_PORT,
  DEFAULT_SHUTDOWN_GRACE,
  SlipwayConfigInput,
  auditKeyFilePath,
  loadConfig,
} from './config.js';
export type { SlipwayConfig } from './config.js';
export {
  assertRegistryNotLost,
  checkAuditAnchor,
  checkBackends,
  configuredAuditMirror,
  configuredDirectory,
  configuredMlflowModels,
  openConfiguredArtifacts,
  openConfiguredAuditLog,
  openConfiguredRegistry,
  withConfiguredRegistry,
} from './backends.js';
export { datasetAccessOf, deniedDatasetPaths, localDatasetAccess, workerDatasetAccess } from './dataset-access.js';
export {
  MODEL_SERVER_TOKEN_FILE_NAME,
  modelServerAccess,
  modelServerTokenFile,
  resolveModelServerToken,
  type ModelServerToken,
} from './model-server-token.js';
export { verifyConfiguredAuditLog } from './audit-trail.js';
export {
  DeployTargetSettingInput,
  DeployTargetsSetting,
  checkDeployTargets,
  deployTargetsAccess,
  deployTargetTokenFiles,
  readTargetToken,
  type DeployTargetSpec,
} from './deploy-targets.js';
export {
  NotifierSettingInput,
  NotifiersSetting,
  configuredNotifiers,
  notificationDeadLetterPath,
  notifierSecretFiles,
  readNotifierSecret,
  type NotifierSpec,
} from './notifiers.js';
export {
  DEFAULT_TRAINER_GRACE_SECONDS,
  TrainerSettingInput,
  TrainersSetting,
  configuredProcessTrainers,
  type ProcessTrainerSpec,
} from './trainers-setting.js';
export {
  DEFAULT_UI_PORT,
  DEFAULT_UI_SESSION_MINUTES,
  UiSettingInput,
  resolveUiSetting,
  type UiSetting,
} from './ui-setting.js';
export {
  TemporalSettingInput,
  VersioningBehavior,
  WorkerDeploymentSetting,
  temporalSecretFiles,
  type TemporalSetting,
  type WorkerDeploymentSpec,
} from './temporal-setting.js';
export {
  DEFAULT_METRICS_HOST,
  DEFAULT_TRACING_SERVICE_NAME,
  MetricsHost,
  MetricsPort,
  MetricsSettingInput,
  TracingSettingInput,
  type MetricsSetting,
  type TracingSetting,
} from './telemetry-setting.js';
