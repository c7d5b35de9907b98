/**
 * The audit trail of a configured home, checked against the configured registry: what `slipway audit verify`
 * and the demo run.
 */
import { stat } from 'node:fs/promises';
import { defaultAuditLogPath, verifyAuditLog, type AuditVerification } from '@slipway/activities';
import { withConfiguredRegistry } from './backends.js';
import type { SlipwayConfig } from './config.js';

/**
 * Verifies the home's audit log (or the log at `logPath`, such as a copy) with the configured registry's keys
 * and head (see `verifyAuditLog`). A missing log fails with `ENOENT` before the registry is opened; a registry
 * that was lost while the home's log records mutations is refused, naming both.
 */
export async function verifyConfiguredAuditLog(
  config: SlipwayConfig,
  logPath: string = defaultAuditLogPath(config.home),
): Promise<AuditVerification> {
  await stat(logPath);
  return withConfiguredRegistry(config, (registry) => verifyAuditLog(logPath, registry));
}
