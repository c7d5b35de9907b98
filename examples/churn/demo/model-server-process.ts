import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `slipway` CLI of the installed `@slipway/worker`. */
export const SLIPWAY_CLI = fileURLToPath(new URL('./cli/main.js', import.meta.resolve('@slipway/worker')));

/** A model server running as its own process. */
export interface ModelServerProcess {
  url: string;
  pid: number;
  /** Stops it with SIGTERM (it finishes pending writes) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills it with SIGKILL, as a crash would, and waits for it to exit. */
  kill(): Promise<void>;
}

/**
 * Starts `slipway serve` as a child process and waits until it answers `/health`. It reads its control-plane token
 * from `<home>/model-server.token` (creating it on first use), as a worker configured with the same home does.
 */
export async function startModelServerProcess(options: {
  home: string;
  port: number;
  timeoutMs?: number;
}): Promise<ModelServerProcess> {
  const child = spawn(
    process.execPath,
    [SLIPWAY_CLI, '--home', options.home, 'serve', '--port', String(options.port)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (!(await answers(`${url}/health`))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      kill();
      throw new Error(`the model server did not start on ${url}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid as number,
    async stop() {
      process.off('exit', kill);
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      process.off('exit', kill);
      if (child.exitCode === null && child.signalCode === null) kill();
      await exited;
    },
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}
