export {
  CONFIG_FILE_NAME,
  DEFAULT_MODEL_SERVER_PORT,
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
  openConfiguredArtifacts,
  openConfiguredAuditLog,
  openConfiguredRegistry,
  withConfiguredRegistry,
} from './backends.js';
export { verifyConfiguredAuditLog } from './audit-trail.js';
