/**
 * The backends a configuration names — registry, artifact store, audit log — opened the same way by the
 * worker, the model server and every CLI command, and checked at start so a wrong URL, rejected credentials or
 * an unreachable server fail before any work is taken.
 */
import { existsSync, statSync } from 'node:fs';
import {
  checkArtifactStore,
  checkRegistry,
  createS3AuditMirror,
  createS3MlflowModelStore,
  defaultAuditLogPath,
  fileDirectorySource,
  openArtifactStore,
  openAuditLog,
  openRegistry,
  parseArtifactLocation,
  registryUrl,
  summarizeAuditLog,
  type ArtifactStore,
  type AuditLogSummary,
  type AuditLog,
  type CheckableArtifactStore,
  type DirectorySource,
  type MlflowModelsOptions,
  type ModelRegistry,
  type S3ArtifactStore,
  type S3AuditMirror,
} from '@slipway/activities';
import type { SlipwayConfig } from './config.js';

/**
 * Opens the configured registry: the SQLite file (created and migrated) or the MLflow server (not contacted yet).
 * A SQLite file that is missing, empty or unreadable while the home's audit log records mutations is refused,
 * naming both files and what to restore (see {@link assertRegistryNotLost}).
 */
export function openConfiguredRegistry(config: SlipwayConfig): ModelRegistry {
  assertRegistryNotLost(config);
  try {
    if (config.registry.kind !== 'mlflow') return openRegistry(config.registry);
    const models = configuredMlflowModels(config);
    return openRegistry(config.registry, {
      mlflow: {
        ...(config.mlflow.credentials ? { credentials: config.mlflow.credentials } : {}),
        ...(models ? { models } : {}),
      },
    });
  } catch (err) {
    const log = summarizeAuditLog(defaultAuditLogPath(config.home));
    if (log.mutations === 0 || !(err instanceof Error)) throw err;
    throw new Error(`${err.message}. ${lostRegistryAdvice(log)}`, { cause: err });
  }
}

/**
 * With an MLflow registry and artifacts in S3, ONNX versions become MLflow Models next to the artifacts (their
 * `source`), loadable by `mlflow.pyfunc`; undefined for a local artifact directory (MLflow refuses local sources).
 */
export function configuredMlflowModels(config: SlipwayConfig): MlflowModelsOptions | undefined {
  const location = parseArtifactLocation(config.artifacts);
  if (location.kind !== 's3') return undefined;
  const artifacts = openConfiguredArtifacts(config);
  const store = createS3MlflowModelStore({ bucket: location.bucket, prefix: location.prefix, settings: config.s3 });
  return {
    artifacts,
    store: {
      ...store,
      close: () => {
        store.close();
        (artifacts as Partial<S3ArtifactStore>).close?.();
      },
    },
  };
}

/**
 * Refuses a SQLite registry file that does not exist or is empty (0 bytes) while the home's audit log records
 * mutations: that registry is not new but lost, and opening it would start a second history (`v1` again).
 */
export function assertRegistryNotLost(config: SlipwayConfig): void {
  if (config.registry.kind !== 'sqlite') return;
  const { path } = config.registry;
  const size = fileSize(path);
  if (size !== undefined && size > 0) return;
  const log = summarizeAuditLog(defaultAuditLogPath(config.home));
  if (log.mutations === 0) return;
  const state = size === undefined ? 'does not exist' : 'is empty (0 bytes)';
  throw new Error(`the registry ${path} ${state}, but ${lostRegistryAdvice(log)}`);
}

/**
 * Refuses a registry that records no key of the home's signed audit log: it was emptied, or it is another
 * registry than the one the log was written with (e.g. an MLflow server that lost its database).
 */
export async function checkAuditAnchor(config: SlipwayConfig, registry: ModelRegistry): Promise<void> {
  const log = summarizeAuditLog(defaultAuditLogPath(config.home));
  if (!log.signed || log.logId === undefined) return;
  if ((await registry.auditKeys(log.logId)).length > 0) return;
  throw new Error(
    `the registry ${registryUrl(config.registry)} records no key of audit log ${log.logId}: it is empty, or another ` +
      `registry than the one the log was written with; ${lostRegistryAdvice(log)}`,
  );
}

function lostRegistryAdvice(log: AuditLogSummary): string {
  const mutations = `${log.mutations} ${log.mutations === 1 ? 'mutation' : 'mutations'}`;
  return (
    `the audit log ${log.path} records ${mutations} up to seq ${log.lastSeq}: restore the registry from a backup, ` +
    'or move the audit log aside to start a new home'
  );
}

function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Runs `fn` with the configured registry and closes it afterwards. For a SQLite registry whose file does not
 * exist yet, `fn` is not called and `whenMissing` gives the result (so reading commands create no empty
 * database); without `whenMissing` that is an error naming the file. A registry that was lost while the audit
 * log records mutations is refused (see {@link openConfiguredRegistry} and {@link checkAuditAnchor}).
 */
export async function withConfiguredRegistry<T>(
  config: SlipwayConfig,
  fn: (registry: ModelRegistry) => Promise<T>,
  whenMissing?: () => T,
): Promise<T> {
  assertRegistryNotLost(config);
  if (config.registry.kind === 'sqlite' && !existsSync(config.registry.path)) {
    if (whenMissing) return whenMissing();
    throw new Error(`no model registry at ${config.registry.path}: nothing was registered with this Slipway home`);
  }
  const registry = openConfiguredRegistry(config);
  try {
    await checkAuditAnchor(config, registry);
    return await fn(registry);
  } finally {
    await registry.close();
  }
}

/**
 * The configured directory of people (`directory`), trusted only when signed by the configured administrator key
 * (`directoryAdminKey`): its `read()` fails with `SlipwayInvalidDirectory`, naming the file and the reason, when no
 * administrator key is configured, the file is unsigned, signed by another key or changed after it was signed.
 * Undefined when no directory is configured. The worker and every CLI command that reads the directory use this.
 */
export function configuredDirectory(
  config: Pick<SlipwayConfig, 'directory' | 'directoryAdminKey'>,
): DirectorySource | undefined {
  return config.directory ? fileDirectorySource(config.directory, config.directoryAdminKey) : undefined;
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

/**
 * The audit log of the configured home (`<home>/audit.log`), signed with the configured key file (created on
 * first use), mirrored to S3 when artifacts live there.
 */
export function openConfiguredAuditLog(config: SlipwayConfig): AuditLog {
  const mirror = configuredAuditMirror(config);
  return openAuditLog(defaultAuditLogPath(config.home), {
    keyFile: config.audit.keyFile,
    ...(mirror ? { sinks: [mirror] } : {}),
  });
}

/**
 * Checks that the registry and the artifact store answer and accept the credentials, naming the setting and
 * its value in the error: `registry mlflow+http://…: …`, `artifacts s3://…: …`; and that the registry knows the
 * home's audit log (see {@link checkAuditAnchor}).
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
  await checkAuditAnchor(config, deps.registry);
}

async function withSetting(setting: string, check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (err) {
    if (err instanceof Error) err.message = `the configured ${setting} cannot be used: ${err.message}`;
    throw err;
  }
}
