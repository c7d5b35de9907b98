/**
 * The backends a configuration names — registry, artifact store, audit log — opened the same way by the
 * worker, the model server and every CLI command, and checked at start so a wrong URL, rejected credentials or
 * an unreachable server fail before any work is taken.
 */
import { existsSync } from 'node:fs';
import {
  checkArtifactStore,
  checkRegistry,
  createS3AuditMirror,
  defaultAuditLogPath,
  openArtifactStore,
  openAuditLog,
  openRegistry,
  parseArtifactLocation,
  registryUrl,
  type ArtifactStore,
  type AuditLog,
  type CheckableArtifactStore,
  type DirectorySource,
  type ModelRegistry,
  type S3AuditMirror,
} from '@slipway/activities';
import type { SlipwayConfig } from './config.js';

/** Opens the configured registry: the SQLite file (created and migrated) or the MLflow server (not contacted yet). */
export function openConfiguredRegistry(config: SlipwayConfig): ModelRegistry {
  return openRegistry(config.registry, {
    ...(config.mlflow.credentials ? { mlflow: { credentials: config.mlflow.credentials } } : {}),
  });
}

/**
 * Runs `fn` with the configured registry and closes it afterwards. For a SQLite registry whose file does not
 * exist yet, `fn` is not called and `whenMissing` gives the result (so reading commands create no empty
 * database); without `whenMissing` that is an error naming the file.
 */
export async function withConfiguredRegistry<T>(
  config: SlipwayConfig,
  fn: (registry: ModelRegistry) => Promise<T>,
  whenMissing?: () => T,
): Promise<T> {
  if (config.registry.kind === 'sqlite' && !existsSync(config.registry.path)) {
    if (whenMissing) return whenMissing();
    throw new Error(`no model registry at ${config.registry.path}: nothing was registered with this Slipway home`);
  }
  const registry = openConfiguredRegistry(config);
  try {
    return await fn(registry);
  } finally {
    await registry.close();
  }
}

/** Opens the configured artifact store: the directory, or `s3://bucket/prefix` with the S3 settings. */
export function openConfiguredArtifacts(config: SlipwayConfig): CheckableArtifactStore {
  return openArtifactStore(config.artifacts, { s3: config.s3 });
}

/** The S3 mirror of the audit log when artifacts live in S3; undefined for a local artifact directory. */
export function configuredAuditMirror(config: SlipwayConfig): S3AuditMirror | undefined {
  const location = parseArtifactLocation(config.artifacts);
  if (location.kind !== 's3') return undefined;
  return createS3AuditMirror({
    bucket: location.bucket,
    prefix: location.prefix,
    settings: config.s3,
    logPath: defaultAuditLogPath(config.home),
  });
}

/** The audit log of the configured home (`<home>/audit.log`), mirrored to S3 when artifacts live there. */
export function openConfiguredAuditLog(config: SlipwayConfig): AuditLog {
  const mirror = configuredAuditMirror(config);
  return openAuditLog(defaultAuditLogPath(config.home), mirror ? { sinks: [mirror] } : {});
}

/**
 * Checks that the registry and the artifact store answer and accept the credentials, naming the setting and
 * its value in the error: `registry mlflow+http://…: …`, `artifacts s3://…: …`.
 */
export async function checkBackends(
  config: SlipwayConfig,
  deps: { registry: ModelRegistry; artifacts: ArtifactStore; directory?: DirectorySource | undefined },
): Promise<void> {
  await withSetting(`registry ${registryUrl(config.registry)}`, () => checkRegistry(deps.registry));
  await withSetting(`artifacts ${config.artifacts}`, () => checkArtifactStore(deps.artifacts));
  const { directory } = deps;
  // A directory of people that cannot be read or is invalid fails the start, not the next gate.
  if (directory) await withSetting(`directory ${directory.location}`, async () => void (await directory.read()));
}

async function withSetting(setting: string, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (err) {
    if (err instanceof Error) err.message = `the configured ${setting} cannot be used: ${err.message}`;
    throw err;
  }
}
