/**
 * The `temporal` settings: where the cluster is (address, namespace), how to authenticate to it (mutual TLS files,
 * an API key inline or from a file) and, for workers, the Worker Deployment version they poll as. The files are
 * read when a connection opens (`temporalConnectionOptions` in `@slipway/sdk/connection`, the one place that turns
 * these settings into Temporal's connection options for the worker, the CLI and the client).
 *
 * ```json
 * "temporal": {
 *   "address": "temporal.internal.example:7233", "namespace": "ml-prod",
 *   "tls": { "cert": "/etc/slipway/tls/client.pem", "key": "/etc/slipway/tls/client.key", "ca": "/etc/slipway/tls/ca.pem" },
 *   "deployment": { "name": "slipway-workers", "defaultVersioningBehavior": "AUTO_UPGRADE" }
 * }
 * ```
 */
import { isAbsolute, resolve } from 'node:path';
import {
  TemporalTlsSetting,
  temporalEnvironment,
  type TemporalConnectionSettings,
  type TemporalTlsFiles,
} from '@slipway/sdk/connection';
import { z } from 'zod';
import { checkSecretOutsideRoots, type SecretPlacementContext } from './secret-placement.js';

/** How a workflow that does not say otherwise moves between Worker Deployment versions (Temporal's names). */
export const VersioningBehavior = z.enum(['AUTO_UPGRADE', 'PINNED']);
/** `AUTO_UPGRADE` or `PINNED`. */
export type VersioningBehavior = z.infer<typeof VersioningBehavior>;

/** Temporal refuses a deployment name or build id longer than this (measured against the dev server). */
const MAX_VERSION_PART = 255;

/**
 * The Worker Deployment version a worker polls as (Temporal's Worker Versioning): `name` (no `.`: Temporal refuses
 * it), `buildId` (default: the digest of the prebuilt workflow bundle the worker loads), `defaultVersioningBehavior`
 * (default `AUTO_UPGRADE`).
 */
export const WorkerDeploymentSetting = z
  .object({
    name: z
      .string()
      .min(1)
      .max(MAX_VERSION_PART)
      .regex(/^[^.\s]+$/, 'must not contain "." or whitespace (Temporal refuses a "." in a deployment name)'),
    buildId: z.string().min(1).max(MAX_VERSION_PART).regex(/^\S+$/, 'must not contain whitespace'),
    defaultVersioningBehavior: VersioningBehavior,
  })
  .partial()
  .strict();

/** The `temporal` settings as a configuration file or the environment gives them. */
export const TemporalSettingInput = z
  .object({
    address: z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port, e.g. 127.0.0.1:7233'),
    namespace: z.string().min(1),
    /** An API key (Temporal Cloud). Prefer `apiKeyFile` or the environment (`TEMPORAL_API_KEY`). */
    apiKey: z.string().min(1),
    /** A file holding the API key: owner-only, outside every dataset root, whitespace around the key trimmed. */
    apiKeyFile: z.string().min(1),
    /** TLS: `true`, `false`, or files `{ cert, key, ca, serverName }` (`cert` and `key` together: mutual TLS). */
    tls: TemporalTlsSetting,
    /** The Worker Deployment version workers poll as (Worker Versioning); unset: unversioned workers. */
    deployment: WorkerDeploymentSetting,
  })
  .partial()
  .strict();
/** The `temporal` settings as given. */
export type TemporalSettingInput = z.infer<typeof TemporalSettingInput>;

/** The Worker Deployment a worker polls as, resolved. */
export interface WorkerDeploymentSpec {
  name: string;
  /** When unset, the worker takes the digest of its prebuilt workflow bundle. */
  buildId?: string;
  defaultVersioningBehavior: VersioningBehavior;
}

/** The `temporal` settings, resolved: file paths absolute. */
export interface TemporalSetting extends TemporalConnectionSettings {
  namespace: string;
  deployment?: WorkerDeploymentSpec;
}

/**
 * The `temporal` part of the environment layer: the Temporal CLI's variables (see `temporalEnvironment`) and
 * `SLIPWAY_DEPLOYMENT_NAME`, `SLIPWAY_BUILD_ID` for Worker Versioning.
 */
export function temporalEnvLayer(env: NodeJS.ProcessEnv): Record<string, unknown> | undefined {
  const deployment = Object.fromEntries(
    Object.entries({ name: env.SLIPWAY_DEPLOYMENT_NAME, buildId: env.SLIPWAY_BUILD_ID }).filter(
      ([, v]) => v !== undefined && v !== '',
    ),
  );
  const layer: Record<string, unknown> = {
    ...temporalEnvironment(env),
    ...(Object.keys(deployment).length > 0 ? { deployment } : {}),
  };
  return Object.keys(layer).length > 0 ? layer : undefined;
}

/**
 * `layer` over `base`: a layer's API key replaces the base's key file and the reverse; TLS files and deployment
 * fields merge field by field (`tls: true` keeps the files below it; `tls: false` turns TLS off).
 */
export function mergeTemporalSetting(
  base: TemporalSettingInput | undefined,
  layer: TemporalSettingInput | undefined,
): TemporalSettingInput {
  const merged: TemporalSettingInput = { ...base, ...layer };
  if (layer?.apiKey !== undefined && layer.apiKeyFile === undefined) delete merged.apiKeyFile;
  if (layer?.apiKeyFile !== undefined && layer.apiKey === undefined) delete merged.apiKey;
  const tls = mergeTls(base?.tls, layer?.tls);
  if (tls !== undefined) merged.tls = tls;
  if (base?.deployment || layer?.deployment) merged.deployment = { ...base?.deployment, ...layer?.deployment };
  return merged;
}

function mergeTls(base: TemporalTlsSetting | undefined, layer: TemporalTlsSetting | undefined) {
  if (typeof base === 'object' && typeof layer === 'object') return { ...base, ...layer };
  if (typeof base === 'object' && layer === true) return base;
  return layer ?? base;
}

/**
 * The resolved settings: defaults applied, TLS and API key file paths made absolute against `cwd`.
 *
 * @throws Error naming the setting when the client key or the API key file lies inside a dataset root (where a run
 *   could read it), or when the deployment's build id or behaviour is set without its name.
 */
export function resolveTemporalSetting(
  input: TemporalSettingInput | undefined,
  context: SecretPlacementContext & { cwd: string },
): TemporalSetting {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(context.cwd, p));
  const tls = typeof input?.tls === 'object' ? absoluteTlsFiles(input.tls, abs) : input?.tls;
  const apiKeyFile = input?.apiKeyFile === undefined ? undefined : abs(input.apiKeyFile);
  if (typeof tls === 'object' && tls.key !== undefined) checkSecretOutsideRoots(tls.key, 'temporal.tls.key', context);
  if (apiKeyFile !== undefined) checkSecretOutsideRoots(apiKeyFile, 'temporal.apiKeyFile', context);
  const deployment = resolveDeployment(input?.deployment);
  return {
    address: input?.address ?? '127.0.0.1:7233',
    namespace: input?.namespace ?? 'default',
    ...(input?.apiKey ? { apiKey: input.apiKey } : {}),
    ...(apiKeyFile === undefined ? {} : { apiKeyFile }),
    ...(tls === undefined ? {} : { tls }),
    ...(deployment === undefined ? {} : { deployment }),
  };
}

function absoluteTlsFiles(tls: TemporalTlsFiles, abs: (p: string) => string): TemporalTlsFiles {
  return {
    ...(tls.cert === undefined ? {} : { cert: abs(tls.cert) }),
    ...(tls.key === undefined ? {} : { key: abs(tls.key) }),
    ...(tls.ca === undefined ? {} : { ca: abs(tls.ca) }),
    ...(tls.serverName === undefined ? {} : { serverName: tls.serverName }),
  };
}

function resolveDeployment(input: TemporalSettingInput['deployment']): WorkerDeploymentSpec | undefined {
  if (input === undefined || Object.keys(input).length === 0) return undefined;
  if (input.name === undefined) {
    throw new Error(
      'invalid Slipway configuration: temporal.deployment.buildId or .defaultVersioningBehavior is set without ' +
        'temporal.deployment.name (SLIPWAY_DEPLOYMENT_NAME): name the Worker Deployment',
    );
  }
  return {
    name: input.name,
    ...(input.buildId === undefined ? {} : { buildId: input.buildId }),
    defaultVersioningBehavior: input.defaultVersioningBehavior ?? 'AUTO_UPGRADE',
  };
}

/** The files of the `temporal` settings that hold secrets (the client key, the API key file): never datasets. */
export function temporalSecretFiles(config: { temporal: TemporalSetting }): string[] {
  const { tls, apiKeyFile } = config.temporal;
  return [...(typeof tls === 'object' && tls.key !== undefined ? [tls.key] : []), ...(apiKeyFile ? [apiKeyFile] : [])];
}
