import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import { SlipwaySearchAttribute } from '@slipway/sdk';

import { DevServerError, DevServerErrorCode } from './errors.js';
import { freePort, isPortFree, LOOPBACK } from './ports.js';
import { SearchAttributeKind, type StartDevServerOptions } from './types.js';

/** Default frontend gRPC port of the Temporal dev server. */
export const DEFAULT_TEMPORAL_PORT = 7233;

/** Default time to wait for the server to answer. */
export const DEFAULT_READY_TIMEOUT_MS = 60_000;

/** {@link StartDevServerOptions} with every default applied and every port chosen. */
export interface ResolvedDevServerOptions {
  /** Absolute `.slipway` directory (created). */
  readonly home: string;
  /** Bind address. */
  readonly ip: string;
  /** Frontend gRPC port (never 0). */
  readonly port: number;
  /** Web UI port, or undefined when headless. */
  readonly uiPort: number | undefined;
  /** Absolute SQLite file (its directory created), or null for in-memory. */
  readonly dbFile: string | null;
  /** Namespace. */
  readonly namespace: string;
  /** Every search attribute to register, Slipway's own first. */
  readonly searchAttributes: ReadonlyArray<readonly [string, SearchAttributeKind]>;
  /** Extra CLI arguments. */
  readonly extraArgs: readonly string[];
  /** Readiness timeout. */
  readonly readyTimeoutMs: number;
  /** Progress callback (no-op when not given). */
  readonly onProgress: (message: string) => void;
  /** Output callback, if any. */
  readonly onOutput: StartDevServerOptions['onOutput'];
}

/** Slipway's own search attributes, registered on every dev server. */
export const SLIPWAY_SEARCH_ATTRIBUTES: Readonly<Record<string, SearchAttributeKind>> = {
  [SlipwaySearchAttribute.gateStatus]: SearchAttributeKind.keyword,
  [SlipwaySearchAttribute.model]: SearchAttributeKind.keyword,
};

/** Validates the options, applies defaults, picks free ports and creates the directories needed. */
export async function resolveDevServerOptions(options: StartDevServerOptions): Promise<ResolvedDevServerOptions> {
  const home = resolve(options.home);
  const port = checkPort('port', options.port ?? DEFAULT_TEMPORAL_PORT, true);
  const ip = options.ip ?? LOOPBACK;
  const chosenPort = port === 0 ? await freePort(ip) : port;
  const ui = options.ui ?? options.uiPort !== undefined;
  let uiPort: number | undefined;
  if (ui) {
    if (options.uiPort !== undefined) uiPort = checkPort('uiPort', options.uiPort, false);
    else uiPort = port !== 0 && port + 1000 <= 65_535 ? port + 1000 : await freePort(ip);
  }
  const dbFile = options.dbFile === undefined ? join(home, 'temporal.db') : options.dbFile && resolve(options.dbFile);
  if (dbFile === '') throw invalid('dbFile must be a file path or null, not an empty string');
  await mkdir(home, { recursive: true });
  if (dbFile !== null) await mkdir(dirname(dbFile), { recursive: true });
  const namespace = options.namespace ?? 'default';
  if (!/^[A-Za-z0-9][\w.-]*$/.test(namespace)) throw invalid(`namespace "${namespace}" is not a valid namespace name`);
  return {
    home,
    ip,
    port: chosenPort,
    uiPort,
    dbFile,
    namespace,
    searchAttributes: mergeSearchAttributes(options.extraSearchAttributes ?? {}),
    extraArgs: [...(options.extraArgs ?? [])],
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    onProgress: options.onProgress ?? (() => undefined),
    onOutput: options.onOutput,
  };
}

function checkPort(name: string, value: number, zeroAllowed: boolean): number {
  if (!Number.isInteger(value) || value < (zeroAllowed ? 0 : 1) || value > 65_535) {
    throw invalid(`${name} must be an integer from ${zeroAllowed ? 0 : 1} to 65535, got ${String(value)}`);
  }
  return value;
}

function mergeSearchAttributes(
  extra: Readonly<Record<string, SearchAttributeKind>>,
): Array<readonly [string, SearchAttributeKind]> {
  const kinds = new Set<string>(Object.values(SearchAttributeKind));
  const merged = new Map<string, SearchAttributeKind>(Object.entries(SLIPWAY_SEARCH_ATTRIBUTES));
  for (const [name, kind] of Object.entries(extra)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw invalid(`extraSearchAttributes: "${name}" is not a valid search attribute name (letters, digits, _)`);
    }
    if (!kinds.has(kind)) {
      throw invalid(`extraSearchAttributes.${name}: "${String(kind)}" is not one of ${[...kinds].join(', ')}`);
    }
    const existing = merged.get(name);
    if (existing !== undefined && existing !== kind) {
      throw invalid(`extraSearchAttributes.${name}: Slipway registers it as ${existing}, cannot also be ${kind}`);
    }
    merged.set(name, kind);
  }
  return [...merged.entries()];
}

/** Fails with a clear message when the gRPC or UI port is taken by another process. */
export async function assertPortsFree(resolved: ResolvedDevServerOptions): Promise<void> {
  if (!(await isPortFree(resolved.port, resolved.ip))) {
    throw new DevServerError(
      DevServerErrorCode.portInUse,
      `port ${resolved.port} is in use; pass --port or stop the other process`,
    );
  }
  if (resolved.uiPort !== undefined && !(await isPortFree(resolved.uiPort, resolved.ip))) {
    throw new DevServerError(
      DevServerErrorCode.portInUse,
      `UI port ${resolved.uiPort} is in use; pass --ui-port or stop the other process`,
    );
  }
}

function invalid(message: string): DevServerError {
  return new DevServerError(DevServerErrorCode.invalidOptions, `startDevServer: ${message}`);
}
