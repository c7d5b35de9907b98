/**
 * A real S3-compatible server for tests: versitygw (https://github.com/versity/versitygw) with its POSIX
 * backend on a temp directory, bound to 127.0.0.1 on a free port, with a freshly generated root key pair.
 * It verifies SigV4 signatures, so wrong credentials are really rejected.
 *
 * The binary is `<home>/tools/bin/versitygw` (or `VERSITYGW_PATH`); when it is missing or another version,
 * `scripts/install-s3-server.sh` builds it with the Go toolchain first (a few minutes the first time).
 * Object metadata goes into extended attributes; where the filesystem has none, into a sidecar directory.
 *
 * ```ts
 * const s3 = await startS3Server({ home: '.slipway' });
 * const client = s3ClientOf(s3); // path-style, with its root keys; s3SettingsOf(s3) for a configuration
 * // ...
 * await s3.kill(); // an outage: requests fail with ECONNREFUSED, the data stays
 * await s3.restart(); // back on the same port, with the same data and keys
 * await s3.stop(); // also killed when the test process exits
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { withInstallLock } from '../../packages/worker/src/dev-server/lock.js';
import { freePort, LOOPBACK } from '../../packages/worker/src/dev-server/ports.js';
import { guardServer, releaseServer, type GuardedServer } from '../../packages/worker/src/dev-server/process-guard.js';
import { OutputTail, runCommand } from '../../packages/worker/src/dev-server/process-util.js';

/** The script that installs versitygw. */
export const INSTALL_S3_SERVER_SCRIPT = resolve(import.meta.dirname, '..', '..', 'scripts', 'install-s3-server.sh');

/** Set to a versitygw binary to use it instead of `<home>/tools/bin/versitygw`. */
export const VERSITYGW_PATH_ENV = 'VERSITYGW_PATH';

/** How long the server may take to answer its health check. */
const READY_TIMEOUT_MS = 30_000;
const HEALTH_PATH = '/_slipway_health';

/** Options of {@link startS3Server}. */
export interface StartS3ServerOptions {
  /** The project's `.slipway` directory; versitygw lives in `<home>/tools/bin`. */
  home: string;
  /** Where object metadata goes: extended attributes when the filesystem has them (`auto`), or a sidecar. */
  metadata?: 'auto' | 'sidecar';
  /** Receives progress messages (the install, the start). */
  onProgress?: (message: string) => void;
}

/** A running versitygw. */
export interface S3TestServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** The directory holding the buckets (one subdirectory each). */
  readonly dataDir: string;
  /** Where object metadata is kept. */
  readonly metadata: 'xattr' | 'sidecar';
  /** The last lines the server wrote. */
  outputTail(): string;
  /**
   * Kills the server process at once (SIGKILL, as a crash would), keeping its data: requests fail with
   * ECONNREFUSED until `restart()`. Calling it when the process is already gone does nothing.
   */
  kill(): Promise<void>;
  /** Stops the server process if it runs, then starts it again on the same port with the same data and keys. */
  restart(): Promise<void>;
  /** Stops the server and deletes its directory; calling it again does nothing. */
  stop(): Promise<void>;
}

/**
 * The server's settings as a Slipway configuration's `s3` takes them: its endpoint and region, path-style, its root
 * keys. A new object at each call (the AWS SDK writes into the credentials it is given).
 */
export function s3SettingsOf(server: S3TestServer) {
  const { endpoint, region, accessKeyId, secretAccessKey } = server;
  return { endpoint, region, forcePathStyle: true, accessKeyId, secretAccessKey };
}

/** A new S3 client of the server with its root keys; `destroy()` it when done. */
export function s3ClientOf(server: S3TestServer): S3Client {
  const { accessKeyId, secretAccessKey, ...settings } = s3SettingsOf(server);
  return new S3Client({ ...settings, credentials: { accessKeyId, secretAccessKey } });
}

/** Installs versitygw if needed, starts it, and resolves once it answers on 127.0.0.1. */
export async function startS3Server(options: StartS3ServerOptions): Promise<S3TestServer> {
  const progress = options.onProgress ?? (() => undefined);
  const binary = await ensureVersitygw(resolve(options.home), progress);
  const dir = await mkdtemp(join(tmpdir(), 'slipway-s3-'));
  const keys = {
    accessKeyId: `SLIPWAY${randomBytes(7).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
  };
  try {
    const kinds = options.metadata === 'sidecar' ? (['sidecar'] as const) : (['xattr', 'sidecar'] as const);
    for (const metadata of kinds) {
      const launched = await launchOnSomePort(binary, { dir, metadata, ...keys });
      if (launched !== 'no-xattrs') return launched;
      progress(`the filesystem of ${dir} has no extended attributes: keeping S3 metadata in a sidecar directory`);
    }
    throw new Error('versitygw refused sidecar metadata too');
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The versitygw binary, installed or updated by the install script when needed. */
async function ensureVersitygw(home: string, progress: (message: string) => void): Promise<string> {
  const fromEnv = process.env[VERSITYGW_PATH_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const binDir = join(home, 'tools', 'bin');
  const binary = join(binDir, 'versitygw');
  await mkdir(binDir, { recursive: true });
  // The script returns at once when the pinned version is there; the lock keeps parallel test files from building twice.
  return withInstallLock(join(home, 'tools', 'versitygw-install.lock'), async () => {
    if (!existsSync(binary)) progress(`versitygw not found: building it with Go into ${binDir} (a few minutes)`);
    const result = await runCommand('bash', [INSTALL_S3_SERVER_SCRIPT], {
      env: { ...process.env, SLIPWAY_TOOLS_BIN: binDir },
    });
    if (result.code !== 0) {
      throw new Error(
        `could not install versitygw (the S3 server the tests use) with ${INSTALL_S3_SERVER_SCRIPT}: ` +
          `exit ${result.code ?? result.signal}\n${result.stderr.lines(20)}\n` +
          `Install Go and run the script, or set ${VERSITYGW_PATH_ENV} to a versitygw binary.`,
      );
    }
    return binary;
  });
}

interface LaunchSpec {
  dir: string;
  metadata: 'xattr' | 'sidecar';
  accessKeyId: string;
  secretAccessKey: string;
}

/** Another process may take a picked port before versitygw binds it: pick again a few times. */
async function launchOnSomePort(binary: string, spec: LaunchSpec): Promise<S3TestServer | 'no-xattrs'> {
  for (let attempt = 1; ; attempt++) {
    const result = await launch(binary, spec, await freePort());
    if (result !== 'port-taken') return result;
    if (attempt >= 3) throw new Error('versitygw could not bind a free port on 127.0.0.1 in 3 attempts');
  }
}

async function launch(
  binary: string,
  spec: LaunchSpec,
  port: number,
): Promise<S3TestServer | 'no-xattrs' | 'port-taken'> {
  const region = 'us-east-1';
  const dataDir = join(spec.dir, 'data');
  const sidecarDir = join(spec.dir, 'meta');
  await mkdir(dataDir, { recursive: true });
  if (spec.metadata === 'sidecar') await mkdir(sidecarDir, { recursive: true });
  const args = [
    ...['--port', `${LOOPBACK}:${port}`, '--region', region, '--health', HEALTH_PATH, '--quiet', 'posix'],
    ...(spec.metadata === 'sidecar' ? ['--sidecar', sidecarDir] : []),
    dataDir,
  ];
  const endpoint = `http://${LOOPBACK}:${port}`;
  const first = spawnGuarded(binary, args, spec, port);
  if (await answersHealthCheck(endpoint, first.exited)) {
    const { accessKeyId, secretAccessKey, metadata } = spec;
    const control = serverControl(first, { binary, args, spec, port, endpoint });
    return { endpoint, accessKeyId, secretAccessKey, region, dataDir, metadata, ...control };
  }
  await endProcess(first, 'SIGKILL');
  const text = first.output.toString();
  if (/xattr check failed/i.test(text)) return 'no-xattrs';
  if (/address already in use/i.test(text)) return 'port-taken';
  throw new Error(
    `versitygw did not answer at ${endpoint}${HEALTH_PATH} within ${READY_TIMEOUT_MS} ms: ${binary} ${args.join(' ')}\n` +
      first.output.lines(30),
  );
}

/** One versitygw process, registered with the process guard while it runs. */
interface RunningProcess {
  child: ChildProcess;
  output: OutputTail;
  exited: Promise<void>;
  guard: GuardedServer;
}

/** What it takes to start the same server again. */
interface Relaunch {
  binary: string;
  args: string[];
  spec: LaunchSpec;
  port: number;
  endpoint: string;
}

function spawnGuarded(binary: string, args: string[], spec: LaunchSpec, port: number): RunningProcess {
  const { child, output, exited } = spawnVersitygw(binary, args, spec);
  // Killed with this process: on exit, on a crash, and on SIGINT/SIGTERM/SIGHUP (a test runner stopping its workers).
  const guard: GuardedServer = {
    pid: child.pid,
    port,
    dbFile: null,
    killNow: () => void child.kill('SIGKILL'),
    // Stopped on a signal: the process goes away, so its data may too.
    stop: async () => {
      await endProcess(running, 'SIGTERM');
      await rm(spec.dir, { recursive: true, force: true });
    },
  };
  const running: RunningProcess = { child, output, exited, guard };
  guardServer(guard);
  return running;
}

/** Ends a process (with SIGKILL after 5 s if `signal` is not enough) and releases it from the guard. */
async function endProcess(running: RunningProcess, signal: NodeJS.Signals): Promise<void> {
  const { child } = running;
  if (child.exitCode === null && child.signalCode === null) {
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await running.exited;
    clearTimeout(timer);
  }
  releaseServer(running.guard);
}

/** `outputTail`, `kill`, `restart` and `stop` over whichever process currently serves. */
function serverControl(
  first: RunningProcess,
  relaunch: Relaunch,
): Pick<S3TestServer, 'outputTail' | 'kill' | 'restart' | 'stop'> {
  let current = first;
  let stopping: Promise<void> | undefined;
  return {
    outputTail: () => current.output.lines(40),
    kill: () => endProcess(current, 'SIGKILL'),
    async restart() {
      if (stopping !== undefined) throw new Error('the S3 test server was stopped; it cannot be restarted');
      await endProcess(current, 'SIGTERM');
      current = spawnGuarded(relaunch.binary, relaunch.args, relaunch.spec, relaunch.port);
      if (await answersHealthCheck(relaunch.endpoint, current.exited)) return;
      await endProcess(current, 'SIGKILL');
      throw new Error(`versitygw did not come back at ${relaunch.endpoint}:\n${current.output.lines(30)}`);
    },
    stop: () =>
      (stopping ??= (async () => {
        await endProcess(current, 'SIGTERM');
        await rm(relaunch.spec.dir, { recursive: true, force: true });
      })()),
  };
}

function spawnVersitygw(
  binary: string,
  args: string[],
  spec: LaunchSpec,
): { child: ChildProcess; output: OutputTail; exited: Promise<void> } {
  // The root keys go through the environment, not the command line, so `ps` does not show them.
  const env = { ...process.env, ROOT_ACCESS_KEY_ID: spec.accessKeyId, ROOT_SECRET_ACCESS_KEY: spec.secretAccessKey };
  const child = spawn(binary, args, { cwd: spec.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child);
  const exited = new Promise<void>((done) => {
    child.once('exit', () => done());
    child.once('error', (err) => {
      output.append(`could not run ${binary}: ${err.message}\n`);
      done();
    });
  });
  return { child, output, exited };
}

function captureOutput(child: ChildProcess): OutputTail {
  const output = new OutputTail(32_768);
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => output.append(chunk));
    (stream as Socket | null)?.unref();
  }
  child.unref();
  return output;
}

/** Polls the health endpoint until it answers 200 (true), the process exits or the time is up (false). */
async function answersHealthCheck(endpoint: string, exited: Promise<void>): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!gone && Date.now() < deadline) {
    try {
      const response = await fetch(`${endpoint}${HEALTH_PATH}`, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return false;
}
