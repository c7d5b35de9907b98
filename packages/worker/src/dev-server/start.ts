import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

import { startDevArgs } from './command-line.js';
import { DevServerError, DevServerErrorCode, isDevServerError } from './errors.js';
import { ensureTemporalCli, type TemporalCliResolution } from './install-cli.js';
import { assertPortsFree, resolveDevServerOptions, type ResolvedDevServerOptions } from './options.js';
import { cleanupStaleServers, pidfileRecord, writePidfile } from './pidfile.js';
import { devServerHandle } from './server-handle.js';
import { formatCommandLine, OutputTail } from './process-util.js';
import { waitUntilReady } from './readiness.js';
import { startDownloadedServer } from './start-download.js';
import type { TemporalCli } from './find-cli.js';
import type { DevServer, StartDevServerOptions } from './types.js';

/** How long `stop()` waits after SIGTERM before it sends SIGKILL. */
export const STOP_GRACE_MS = 10_000;

/**
 * Starts the embedded Temporal dev server and resolves once it answers on its gRPC port.
 *
 * Finds (or installs) the Temporal CLI, stops a server left by a crashed earlier run on the same port
 * or database file, checks the ports are free, spawns `temporal server start-dev` bound to
 * 127.0.0.1 with Slipway's search attributes and Workflow Updates enabled, writes the pidfile
 * `<home>/temporal-<port>.pid` and waits for `DescribeNamespace` to answer.
 *
 * The server dies with this process (killed on exit and on a crash, stopped on SIGINT/SIGTERM); the
 * handle does not keep the Node.js event loop alive.
 *
 * @throws DevServerError `PORT_IN_USE`, `START_FAILED` or `START_TIMEOUT` (with the command line and
 * the tail of the server's stderr), or an install error from `ensureTemporalCli`.
 */
export async function startDevServer(options: StartDevServerOptions): Promise<DevServer> {
  const cli = await ensureTemporalCli({
    home: options.home,
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.python === undefined ? {} : { python: options.python }),
  });
  // With picked ports, another process may grab a port between the pick and the server's bind: pick again.
  const attempts = options.port === 0 ? PICKED_PORT_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt++) {
    const resolved = await resolveDevServerOptions(options);
    try {
      return await startResolved(cli, resolved);
    } catch (err) {
      if (attempt >= attempts || !isDevServerError(err, DevServerErrorCode.portInUse)) throw err;
      resolved.onProgress(`port ${resolved.port} was taken meanwhile; picking another`);
    }
  }
}

/** How often `startDevServer` tries again with new ports when it picked them (port 0) and lost a race. */
const PICKED_PORT_ATTEMPTS = 3;

async function startResolved(cli: TemporalCliResolution, resolved: ResolvedDevServerOptions): Promise<DevServer> {
  await cleanupStaleServers({
    home: resolved.home,
    port: resolved.port,
    dbFile: resolved.dbFile,
    onProgress: resolved.onProgress,
  });
  await assertPortsFree(resolved);
  if (cli.source === 'download') return startDownloadedServer(resolved);
  return launch(cli, resolved);
}

interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
}

async function launch(cli: TemporalCli, resolved: ResolvedDevServerOptions): Promise<DevServer> {
  const args = startDevArgs(resolved);
  const commandLine = formatCommandLine(cli.path, args);
  const where = resolved.dbFile ?? 'in memory';
  resolved.onProgress(`starting Temporal dev server on ${resolved.ip}:${resolved.port} (state: ${where})`);
  const { child, output, exited } = spawnServer(cli.path, args, resolved);
  if (child.pid === undefined) {
    const reason = (await exited).error?.message ?? 'no pid';
    throw startError(
      DevServerErrorCode.startFailed,
      `could not spawn the Temporal CLI: ${reason}`,
      commandLine,
      output,
    );
  }
  const server = createHandle(child, child.pid, exited, output, resolved, cli);
  await writePidfile(resolved.home, pidfileRecord(child.pid, resolved, [cli.path, ...args]));
  const failure = await waitUntilReady({
    ...resolved,
    address: server.address,
    timeoutMs: resolved.readyTimeoutMs,
    exited,
  });
  if (failure === undefined) {
    const ui = server.uiUrl === undefined ? '' : ` (Web UI ${server.uiUrl})`;
    resolved.onProgress(`Temporal dev server ready at ${server.address}${ui}`);
    return server;
  }
  await server.stop();
  if (failure.kind === 'timeout') {
    const message =
      `Temporal dev server did not answer at ${server.address} within ${resolved.readyTimeoutMs} ms ` +
      `(last error: ${failure.lastError})`;
    throw startError(DevServerErrorCode.startTimeout, message, commandLine, output);
  }
  throw exitError(await exited, resolved, commandLine, output);
}

function spawnServer(
  file: string,
  args: readonly string[],
  resolved: ResolvedDevServerOptions,
): { child: ChildProcess; output: ServerOutput; exited: Promise<ExitInfo> } {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  const output = captureOutput(child, resolved);
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
  });
  return { child, output, exited };
}

/** What the server wrote: everything (for `outputTail()`) and stderr alone (for error messages). */
interface ServerOutput {
  readonly all: OutputTail;
  readonly stderr: OutputTail;
}

function captureOutput(child: ChildProcess, resolved: ResolvedDevServerOptions): ServerOutput {
  const output: ServerOutput = { all: new OutputTail(32_768), stderr: new OutputTail(16_384) };
  for (const stream of ['stdout', 'stderr'] as const) {
    const readable = child[stream];
    if (readable === null) continue;
    readable.setEncoding('utf8');
    readable.on('data', (chunk: string) => {
      output.all.append(chunk);
      if (stream === 'stderr') output.stderr.append(chunk);
      resolved.onOutput?.(chunk, stream);
    });
    (readable as Socket).unref();
  }
  child.unref();
  return output;
}

function createHandle(
  child: ChildProcess,
  pid: number,
  exited: Promise<ExitInfo>,
  output: ServerOutput,
  resolved: ResolvedDevServerOptions,
  cli: TemporalCli,
): DevServer {
  const hasExited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  return devServerHandle(resolved, {
    pid,
    cli,
    outputTail: () => output.all.lines(50),
    killNow: () => {
      if (!hasExited()) child.kill('SIGKILL');
    },
    terminate: () => stopChild(child, exited, hasExited),
  });
}

async function stopChild(child: ChildProcess, exited: Promise<ExitInfo>, hasExited: () => boolean): Promise<void> {
  if (hasExited()) return;
  child.ref(); // keep this process alive until the server has gone
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_GRACE_MS);
  });
  const first = await Promise.race([exited, graceOver]);
  clearTimeout(timer);
  if (first !== 'timeout') return;
  child.kill('SIGKILL');
  await exited;
}

function exitError(
  info: ExitInfo,
  resolved: ResolvedDevServerOptions,
  commandLine: string,
  output: ServerOutput,
): DevServerError {
  const status = info.error?.message ?? (info.code === null ? `killed by ${info.signal}` : `exit code ${info.code}`);
  const taken = /listen tcp [^\s]*:(\d+): bind: address already in use/i.exec(output.all.toString());
  if (taken !== null) {
    const port = Number(taken[1]);
    const message =
      port === resolved.port || port === resolved.uiPort
        ? `${port === resolved.port ? 'port' : 'UI port'} ${port} is in use; ` +
          `pass ${port === resolved.port ? '--port' : '--ui-port'} or stop the other process (the server exited: ${status})`
        : `port ${port}, picked by the Temporal CLI for its HTTP API or metrics, was taken meanwhile; start again`;
    return startError(DevServerErrorCode.portInUse, message, commandLine, output);
  }
  return startError(
    DevServerErrorCode.startFailed,
    `Temporal dev server exited during start-up (${status})`,
    commandLine,
    output,
  );
}

function startError(
  code: DevServerErrorCode,
  message: string,
  commandLine: string,
  output: ServerOutput,
): DevServerError {
  const stderr = output.stderr.lines(30);
  const tail =
    stderr === ''
      ? `server output (last lines):\n${output.all.lines(30) || '(none)'}`
      : `server stderr (last lines):\n${stderr}`;
  return new DevServerError(code, `${message}\ncommand: ${commandLine}\n${tail}`);
}
