import { readFileSync, unlinkSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

import { DevServerError, DevServerErrorCode } from './errors.js';
import type { ResolvedDevServerOptions } from './options.js';
import { guardedServers } from './process-guard.js';
import { isProcessRunning, readProcessCommandLine, terminateProcess } from './process-util.js';

/** What a pidfile `<home>/temporal-<port>.pid` records about a running dev server. */
export interface DevServerPidfile {
  /** Process id of the server. */
  readonly pid: number;
  /** Process id of the Node.js process that started it (a server whose owner is gone was left by a crash). */
  readonly ownerPid: number;
  /** Frontend gRPC port. */
  readonly port: number;
  /** Web UI port, when the UI is on. */
  readonly uiPort?: number;
  /** Absolute path of the SQLite file, or null for in-memory. */
  readonly dbFile: string | null;
  /** Namespace the server was started with. */
  readonly namespace: string;
  /** When the server was started (ISO 8601). */
  readonly startedAt: string;
  /** The full command line. */
  readonly command: readonly string[];
}

const PIDFILE_PATTERN = /^temporal-(\d+)\.pid$/;

/** Path of the pidfile for a server on `port`. */
export function pidfilePath(home: string, port: number): string {
  return join(resolve(home), `temporal-${port}.pid`);
}

/** The pidfile record for a server this process has just started. */
export function pidfileRecord(
  pid: number,
  resolved: ResolvedDevServerOptions,
  command: readonly string[],
): DevServerPidfile {
  return {
    pid,
    ownerPid: process.pid,
    port: resolved.port,
    ...(resolved.uiPort === undefined ? {} : { uiPort: resolved.uiPort }),
    dbFile: resolved.dbFile,
    namespace: resolved.namespace,
    startedAt: new Date().toISOString(),
    command,
  };
}

/** Writes the pidfile for a server that has just been spawned. */
export async function writePidfile(home: string, record: DevServerPidfile): Promise<string> {
  const path = pidfilePath(home, record.port);
  await writeFile(path, `${JSON.stringify(record, null, 2)}\n`);
  return path;
}

/** Reads and checks a pidfile; undefined when it is missing or not a valid record. */
export async function readPidfile(path: string): Promise<DevServerPidfile | undefined> {
  try {
    return parsePidfile(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function parsePidfile(text: string): DevServerPidfile | undefined {
  const value = JSON.parse(text) as Partial<DevServerPidfile>;
  const valid =
    Number.isInteger(value.pid) &&
    Number.isInteger(value.port) &&
    Number.isInteger(value.ownerPid) &&
    (value.dbFile === null || typeof value.dbFile === 'string');
  return valid ? (value as DevServerPidfile) : undefined;
}

/** Removes the pidfile for `port` if it still names `pid` (a newer server may have replaced it). */
export function removePidfileSync(home: string, port: number, pid: number | undefined): void {
  const path = pidfilePath(home, port);
  try {
    const record = parsePidfile(readFileSync(path, 'utf8'));
    if (record !== undefined && record.pid !== pid) return;
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * True when `pid` is a running `temporal server start-dev` process (checked through its command line,
 * `/proc/<pid>/cmdline` on Linux), listening on `port` when one is given. Guards against killing an
 * unrelated process that reused the pid of a crashed server.
 */
export function isTemporalDevServer(pid: number, port?: number): boolean {
  if (!isProcessRunning(pid)) return false;
  const args = readProcessCommandLine(pid);
  if (args === undefined || args[0] === undefined) return false;
  if (!basename(args[0]).startsWith('temporal')) return false;
  const serverAt = args.indexOf('server');
  if (serverAt < 0 || args[serverAt + 1] !== 'start-dev') return false;
  if (port === undefined) return true;
  return portArgument(args) === port;
}

function portArgument(args: readonly string[]): number | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--port' || arg === '-p') return Number(args[i + 1]);
    if (arg.startsWith('--port=')) return Number(arg.slice('--port='.length));
  }
  return 7233; // the CLI's default
}

/** Options of {@link cleanupStaleServers}. */
export interface StaleCleanupOptions {
  /** The `.slipway` directory holding the pidfiles. */
  readonly home: string;
  /** Port the new server will use. */
  readonly port: number;
  /** SQLite file the new server will use, or null for in-memory. */
  readonly dbFile: string | null;
  /** Receives human-readable progress messages. */
  readonly onProgress?: (message: string) => void;
}

/**
 * Before a start: finds pidfiles in `home` left by earlier runs for the same port or the same database
 * file, stops the server each one names when it is still a live `temporal server start-dev` process,
 * and removes the pidfile (also removes pidfiles whose process is gone). Returns the pids it stopped.
 *
 * @throws DevServerError `ALREADY_RUNNING` when a server started by this same process uses the port
 * or the database file.
 */
export async function cleanupStaleServers(options: StaleCleanupOptions): Promise<number[]> {
  assertNotRunningHere(options);
  const stopped: number[] = [];
  for (const path of await listPidfiles(options.home)) {
    const record = await readPidfile(path);
    if (record === undefined || !isProcessRunning(record.pid)) {
      await rm(path, { force: true });
      continue;
    }
    if (!clashes(record, options)) continue;
    // Our own pid in a pidfile is a previous incarnation (pids restart in containers): its servers are
    // tracked by the guard, checked above.
    if (record.ownerPid !== process.pid && isProcessRunning(record.ownerPid)) assertOwnerGone(path, record, options);
    if (isTemporalDevServer(record.pid, record.port)) {
      options.onProgress?.(
        `stopping a Temporal dev server left by an earlier run (pid ${record.pid}, port ${record.port}, started ${record.startedAt})`,
      );
      await terminateProcess(record.pid);
      stopped.push(record.pid);
    }
    await rm(path, { force: true });
  }
  return stopped;
}

function clashes(record: DevServerPidfile, options: StaleCleanupOptions): boolean {
  if (record.port === options.port) return true;
  return options.dbFile !== null && record.dbFile !== null && resolve(record.dbFile) === resolve(options.dbFile);
}

/** The clashing server belongs to a live process: it was not left by a crash, so it is not ours to stop. */
function assertOwnerGone(path: string, record: DevServerPidfile, options: StaleCleanupOptions): void {
  if (!isTemporalDevServer(record.pid, record.port)) return; // the pid was reused: the pidfile is stale
  const where = record.port === options.port ? `port ${record.port}` : `database file ${record.dbFile ?? ''}`;
  const code = record.port === options.port ? DevServerErrorCode.portInUse : DevServerErrorCode.alreadyRunning;
  throw new DevServerError(
    code,
    `${where} is in use by a Temporal dev server (pid ${record.pid}) run by process ${record.ownerPid}; ` +
      `stop that process or pass another ${record.port === options.port ? '--port' : 'database file'} ` +
      `(if process ${record.ownerPid} is not Slipway, the pidfile ${path} is stale: delete it)`,
  );
}

function assertNotRunningHere(options: StaleCleanupOptions): void {
  for (const server of guardedServers()) {
    const samePort = server.port === options.port;
    const sameDb =
      options.dbFile !== null && server.dbFile !== null && resolve(server.dbFile) === resolve(options.dbFile);
    if (samePort || sameDb) {
      const what = samePort ? `port ${options.port}` : `database file ${options.dbFile ?? ''}`;
      throw new DevServerError(
        DevServerErrorCode.alreadyRunning,
        `a Temporal dev server started by this process (pid ${server.pid ?? 'unknown'}) already uses ${what}; stop it first`,
      );
    }
  }
}

async function listPidfiles(home: string): Promise<string[]> {
  try {
    const names = await readdir(resolve(home));
    return names.filter((name) => PIDFILE_PATTERN.test(name)).map((name) => join(resolve(home), name));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
