import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { FinalErrorType, finalFailure } from '@slipway/sdk';
import { killProcessGroup, signalProcessGroup } from './process-group.js';

/** The environment variable that names the trainer's `input.json` (absolute). */
export const TRAINER_INPUT_ENV = 'SLIPWAY_TRAINER_INPUT';

/**
 * The worker's environment variables a trainer inherits: what finding programs, locale, temporary files, a
 * Python virtualenv and GPUs need. Nothing else: the worker's secrets (cloud keys, tokens) stay with the worker;
 * a trainer that needs more names it in its configured `env`.
 */
const INHERITED_ENV = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TEMP',
  'TMP',
  'SYSTEMROOT',
  'VIRTUAL_ENV',
  'LD_LIBRARY_PATH',
  'CUDA_VISIBLE_DEVICES',
]);

/**
 * A trainer's environment: the inherited variables (see above; `LC_*` too), `PYTHONUNBUFFERED=1` (so progress
 * lines arrive as they are printed), the configured `env`, and `SLIPWAY_TRAINER_INPUT`, which nothing overrides.
 */
export function trainerEnvironment(
  base: NodeJS.ProcessEnv,
  configured: Readonly<Record<string, string>>,
  inputPath: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && (INHERITED_ENV.has(name) || name.startsWith('LC_'))) env[name] = value;
  }
  return { ...env, PYTHONUNBUFFERED: '1', ...configured, [TRAINER_INPUT_ENV]: inputPath };
}

/** How a trainer's leading process ended: its exit code, or the signal that killed it. */
export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started trainer process, the leader of its own process group. */
export interface TrainerChild {
  pid: number;
  stdout: Readable;
  stderr: Readable;
  /** Settles when the leading process has exited (its group may live on: see {@link TrainerChild.signalGroup}). */
  exited: Promise<TrainerExit>;
  /** Sends a signal to the whole process group; a group that is gone already is not an error. */
  signalGroup(signal: NodeJS.Signals): void;
  /** SIGKILLs the whole process group and waits until none of its processes runs. */
  killGroup(): Promise<boolean>;
  /** Closes the stdin pipe (which the trainer watches: it exits when stdin closes). */
  closeStdin(): void;
}

/**
 * Starts a trainer command (an argv array, no shell) as the leader of a new process group, in `cwd`, with stdin a
 * pipe that is kept open and never written. A command that cannot be started is a final `SlipwayTrainerFailed`.
 */
export async function startTrainerChild(
  trainer: string,
  command: readonly string[],
  options: { cwd: string; env: Record<string, string> },
): Promise<TrainerChild> {
  const [file, ...args] = command;
  if (file === undefined) throw finalFailure(FinalErrorType.TrainerFailed, `Trainer "${trainer}" has an empty command`);
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    shell: false,
  });
  child.stdin.on('error', () => undefined); // EPIPE once the trainer has exited: nothing is ever written
  const exited = new Promise<TrainerExit>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  await new Promise<void>((started, failed) => {
    child.once('spawn', started);
    child.once('error', (err) =>
      failed(
        finalFailure(
          FinalErrorType.TrainerFailed,
          `Trainer "${trainer}" could not be started: ${JSON.stringify(command)}: ${err.message}`,
          { trainer, command: [...command] },
          { cause: err },
        ),
      ),
    );
  });
  const pid = child.pid as number;
  return {
    pid,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    signalGroup: (signal) => signalProcessGroup(pid, signal),
    killGroup: () => killProcessGroup(pid),
    closeStdin: () => child.stdin.destroy(),
  };
}
