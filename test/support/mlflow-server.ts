/**
 * A real MLflow tracking server for tests: `mlflow server` from the project-local virtualenv
 * `<home>/tools/mlflow` (installed by `scripts/install-mlflow.sh` on first use, under a lock), with a SQLite
 * backend store and a local artifact directory in a temp directory, bound to 127.0.0.1 on a free port, one
 * worker, and MLflow's background job runner switched off (it only serves GenAI jobs and starts many
 * processes). The server runs in its own process group, so stopping it stops every process it started.
 *
 * ```ts
 * const mlflow = await startMlflowServer({ home: '.slipway' });
 * const registry = createMlflowRegistry({ trackingUrl: mlflow.url });
 * await mlflow.restart(); // same port, same data
 * await mlflow.stop();    // also killed when the test process exits
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll } from 'vitest';
import { createMlflowClient, type MlflowClient } from '../../packages/activities/src/registry/index.js';
import { withInstallLock } from '../../packages/worker/src/dev-server/lock.js';
import { freePort, LOOPBACK } from '../../packages/worker/src/dev-server/ports.js';
import { guardServer, releaseServer, type GuardedServer } from '../../packages/worker/src/dev-server/process-guard.js';
import { OutputTail, runCommand } from '../../packages/worker/src/dev-server/process-util.js';

/** The script that installs MLflow. */
export const INSTALL_MLFLOW_SCRIPT = resolve(import.meta.dirname, '..', '..', 'scripts', 'install-mlflow.sh');

/** Set to an `mlflow` executable to use it instead of `<home>/tools/mlflow/bin/mlflow`. */
export const MLFLOW_BIN_ENV = 'SLIPWAY_MLFLOW_BIN';

/** How long the server may take to answer (it imports all of MLflow: 20–30 s on an idle machine). */
const READY_TIMEOUT_MS = 180_000;
const READY_PATH = '/api/2.0/mlflow/registered-models/search?max_results=1';

/** Options of {@link startMlflowServer}. */
export interface StartMlflowServerOptions {
  /** The project's `.slipway` directory; MLflow lives in `<home>/tools/mlflow`. */
  home: string;
  /** Receives progress messages (the install, the start). */
  onProgress?: (message: string) => void;
}

/** A running MLflow tracking server. */
export interface MlflowTestServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The registry URL Slipway's configuration takes: `mlflow+http://127.0.0.1:<port>`. */
  readonly registryUrl: string;
  /** The directory holding the backend database and the artifacts. */
  readonly dataDir: string;
  /** The Python interpreter of MLflow's virtualenv (with `onnx`, `onnxruntime` and `boto3`, see the install script). */
  readonly python: string;
  /** The last lines the server wrote. */
  outputTail(): string;
  /** Stops the server process, keeping its data: the port refuses connections until `start()` or `restart()`. */
  halt(): Promise<void>;
  /** Starts the server again on the same port with the same data (after `halt()`); resolves once it answers. */
  start(): Promise<void>;
  /** `halt()` then `start()`. */
  restart(): Promise<void>;
  /** Stops the server and deletes its directory; calling it again does nothing. */
  stop(): Promise<void>;
}

/** The project's `.slipway` directory, where the test tools live. */
const PROJECT_HOME = resolve(import.meta.dirname, '..', '..', '.slipway');

/** {@link startMlflowServer} with the project's tools directory, logging its progress (for a test file's `beforeAll`). */
export function startProjectMlflowServer(): Promise<MlflowTestServer> {
  return startMlflowServer({ home: PROJECT_HOME, onProgress: (message) => console.log(`[mlflow] ${message}`) });
}

/** A test file's MLflow server and a REST client for it, set in `beforeAll`. */
export interface MlflowFixture {
  server: MlflowTestServer;
  client: MlflowClient;
}

/** Starts one MLflow server for the calling test file (`beforeAll`) and stops it afterwards (`afterAll`). */
export function useMlflowServer(): MlflowFixture {
  const fixture = {} as MlflowFixture;
  beforeAll(async () => {
    fixture.server = await startProjectMlflowServer();
    fixture.client = createMlflowClient(fixture.server.url);
  }, 600_000);
  afterAll(async () => {
    await fixture.server?.stop();
  });
  return fixture;
}

/** Installs MLflow if needed, starts a server, and resolves once its registry answers on 127.0.0.1. */
export async function startMlflowServer(options: StartMlflowServerOptions): Promise<MlflowTestServer> {
  const progress = options.onProgress ?? (() => undefined);
  const binary = await ensureMlflow(resolve(options.home), progress);
  const dataDir = await mkdtemp(join(tmpdir(), 'slipway-mlflow-'));
  try {
    await mkdir(join(dataDir, 'artifacts'));
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const server = new ServerProcess(binary, dataDir, port);
      if ((await server.launch()) === 'ready') return handle(server, dataDir, port, join(dirname(binary), 'python'));
      if (attempt >= 3) throw new Error('mlflow server could not bind a free port on 127.0.0.1 in 3 attempts');
    }
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

function handle(server: ServerProcess, dataDir: string, port: number, python: string): MlflowTestServer {
  const url = `http://${LOOPBACK}:${port}`;
  let stopping: Promise<void> | undefined;
  const start = async () => {
    if ((await server.launch()) !== 'ready') throw new Error(`mlflow server could not bind ${url} again`);
  };
  return {
    url,
    registryUrl: `mlflow+${url}`,
    dataDir,
    python,
    outputTail: () => server.output.lines(40),
    halt: () => server.halt(),
    start,
    restart: async () => {
      await server.halt();
      await start();
    },
    stop: () =>
      (stopping ??= (async () => {
        await server.halt();
        await rm(dataDir, { recursive: true, force: true });
      })()),
  };
}

/** The `mlflow` executable, installed or updated by the install script when needed. */
async function ensureMlflow(home: string, progress: (message: string) => void): Promise<string> {
  const fromEnv = process.env[MLFLOW_BIN_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const toolsDir = join(home, 'tools');
  const binary = join(toolsDir, 'mlflow', 'bin', 'mlflow');
  await mkdir(toolsDir, { recursive: true });
  // The script returns at once when the pinned version is there; the lock keeps parallel test files from
  // installing twice.
  return withInstallLock(join(toolsDir, 'mlflow-install.lock'), async () => {
    if (!existsSync(binary)) progress(`MLflow not found: installing it into ${toolsDir}/mlflow (a few minutes)`);
    const result = await runCommand('bash', [INSTALL_MLFLOW_SCRIPT], {
      env: { ...process.env, SLIPWAY_TOOLS_DIR: toolsDir },
    });
    if (result.code !== 0) {
      throw new Error(
        `could not install MLflow (the tracking server the tests use) with ${INSTALL_MLFLOW_SCRIPT}: ` +
          `exit ${result.code ?? result.signal}\n${result.stderr.lines(20)}\n` +
          `Install Python >= 3.10 and run the script, or set ${MLFLOW_BIN_ENV} to an mlflow executable.`,
      );
    }
    return binary;
  });
}

/** One `mlflow server` process group on a fixed port and data directory; launched again after a halt. */
class ServerProcess {
  readonly output = new OutputTail(32_768);
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly guard: GuardedServer;

  constructor(
    private readonly binary: string,
    private readonly dataDir: string,
    private readonly port: number,
  ) {
    this.guard = {
      pid: undefined,
      port,
      dbFile: join(dataDir, 'mlflow.db'),
      killNow: () => this.signalGroup('SIGKILL'),
      stop: () => this.halt(),
    };
  }

  /** Starts the server; `ready` once it answers, `port-taken` when another process holds the port. */
  async launch(): Promise<'ready' | 'port-taken'> {
    const args = [
      ...['server', '--host', LOOPBACK, '--port', String(this.port), '--workers', '1'],
      ...['--backend-store-uri', `sqlite:///${join(this.dataDir, 'mlflow.db')}`],
      ...['--artifacts-destination', join(this.dataDir, 'artifacts')],
    ];
    const env = { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false', PYTHONUNBUFFERED: '1' };
    // Its own process group: `mlflow server` starts uvicorn, which starts the worker.
    const child = spawn(this.binary, args, {
      cwd: this.dataDir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise<void>((done) => {
      child.once('exit', () => done());
      child.once('error', (err) => {
        this.output.append(`could not run ${this.binary}: ${err.message}\n`);
        done();
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.on('data', (chunk: Buffer) => this.output.append(chunk));
      (stream as Socket | null)?.unref();
    }
    child.unref();
    guardServer(this.guard);
    if (await this.answers()) return 'ready';
    await this.halt();
    if (/address already in use/i.test(this.output.toString())) return 'port-taken';
    throw new Error(
      `mlflow server did not answer at http://${LOOPBACK}:${this.port}${READY_PATH} within ${READY_TIMEOUT_MS} ms: ` +
        `${this.binary} ${args.join(' ')}\n${this.output.lines(30)}`,
    );
  }

  /** Stops the whole process group: SIGTERM, then SIGKILL after 10 s. */
  async halt(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      this.signalGroup('SIGTERM');
      const timer = setTimeout(() => this.signalGroup('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    // uvicorn's worker may outlive the parent for a moment: make sure nothing of the group is left.
    this.signalGroup('SIGKILL');
    this.child = undefined;
    releaseServer(this.guard);
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is gone already
    }
  }

  /** Polls the registry until it answers 200 (true), the process exits or the time is up (false). */
  private async answers(): Promise<boolean> {
    let gone = false;
    void this.exited.then(() => (gone = true));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!gone && Date.now() < deadline) {
      try {
        const response = await fetch(`http://${LOOPBACK}:${this.port}${READY_PATH}`, {
          signal: AbortSignal.timeout(2_000),
        });
        if (response.ok) return true;
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    return false;
  }
}
