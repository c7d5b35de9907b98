import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** The built `slipway` CLI. */
export const SLIPWAY_CLI = resolve(import.meta.dirname, '..', '..', 'packages', 'worker', 'dist', 'cli', 'main.js');

/** A child process with its output collected. */
export interface Child {
  process: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** Runs `node <script> ...args` as a child process, collecting its output; it is killed if the test process exits. */
export function spawnNode(script: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Child {
  const child = spawn(process.execPath, [script, ...args], {
    ...(cwd === undefined ? {} : { cwd }),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      process.off('exit', kill);
      done(code);
    }),
  );
  return { process: child, output: () => output, exited };
}

/** Runs the `slipway` CLI to completion and returns its exit code and output. */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; output: string }> {
  const child = spawnNode(SLIPWAY_CLI, args, env);
  const code = await child.exited;
  return { code, output: child.output() };
}
