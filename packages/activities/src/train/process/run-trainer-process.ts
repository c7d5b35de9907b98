import { rm, writeFile } from 'node:fs/promises';
import { TRAINER_PROTOCOL_VERSION, TrainerInputFile, parseOrFail, type TrainerResultFile } from '@slipway/sdk';
import {
  cancellation,
  superviseTrainer,
  type StoredTrainerCheckpoint,
  type TrainerHandlers,
} from './supervise-trainer.js';
import { startTrainerChild, trainerEnvironment } from './trainer-child.js';
import { readTrainerOutput } from './trainer-result.js';
import { MAX_STDOUT_LINE_BYTES } from './stdout-lines.js';
import { createTrainerWorkDir, placeResumeCheckpoint, type TrainerWorkDir } from './work-dir.js';

/** How long a trainer may take to write a last checkpoint after SIGTERM before it is SIGKILLed (30 s). */
export const DEFAULT_TRAINER_GRACE_MS = 30_000;

/** What the worker asks of the trainer: `input.json` without the fields the runner fills in. */
export type TrainerRequest = Omit<TrainerInputFile, 'protocol' | 'outputDir' | 'resumeFrom'>;

/** Options of {@link runTrainerProcess}. */
export interface RunTrainerProcessOptions<C> extends TrainerHandlers<C> {
  /** The trainer's name (as configured), for messages. */
  trainer: string;
  /** The command (argv; no shell), from the worker's configuration: never from a run input. */
  command: readonly string[];
  /** Environment variables the trainer gets on top of the few it inherits (see `trainerEnvironment`). */
  env?: Readonly<Record<string, string>> | undefined;
  /** Milliseconds between SIGTERM and SIGKILL on abort (default {@link DEFAULT_TRAINER_GRACE_MS}). */
  graceMs?: number | undefined;
  /** The directory the fresh working directory is made in (default: the system's temporary directory). */
  workRoot?: string | undefined;
  /** The task, features, params, seed and splits (absolute paths) for `input.json`. */
  request: TrainerRequest;
  /** A stored checkpoint (a local file) to resume from: it is copied into the working directory. */
  resumeFrom?: { path: string; step: number } | undefined;
  /** Cancellation, heartbeat timeout or worker shutdown: SIGTERM, the grace period, SIGKILL. */
  signal?: AbortSignal | undefined;
  /** The longest stdout line accepted (default 1 MiB). */
  maxLineBytes?: number | undefined;
}

/** A trainer that exited 0 and left a valid `result.json`. */
export interface TrainerProcessResult<C> {
  /** The attempt's working directory; remove it with `dispose` once the model file is stored. */
  workDir: string;
  outputDir: string;
  result: TrainerResultFile;
  /** The model file (absolute, inside `outputDir`). */
  modelPath: string;
  /** The last checkpoint stored during the run, if any. */
  lastCheckpoint: StoredTrainerCheckpoint<C> | undefined;
  /** The last non-empty stderr lines (bounded). */
  stderrTail: string;
  /** Removes the working directory. */
  dispose(): Promise<void>;
}

/**
 * Runs one attempt of a trainer process under the trainer protocol (`docs/trainer-protocol.md`): makes a fresh
 * working directory, writes `input.json` (absolute paths), starts the configured command as the leader of its own
 * process group with `SLIPWAY_TRAINER_INPUT` set and stdin an open pipe, turns stdout lines into `onProgress`,
 * `storeCheckpoint` and `onLog` calls, and on exit 0 reads `<outputDir>/result.json`.
 *
 * Failures (the working directory is removed, and no process of the group is left):
 * - exit 2 → final `SlipwayTrainerFailed` with the stderr tail; another code or a signal the runner did not send →
 *   retryable `SlipwayTrainerCrashed` with the stderr tail;
 * - a malformed protocol message, a stdout line over the bound, a checkpoint outside the working directory, a
 *   missing or invalid `result.json` or model file, a command that cannot start → final `SlipwayTrainerFailed`
 *   naming the line, path or field;
 * - `signal` aborted → SIGTERM to the group, checkpoints still accepted for `graceMs`, SIGKILL; a `CancelledFailure`.
 * An error thrown by a handler fails the attempt with that error.
 */
export async function runTrainerProcess<C>(options: RunTrainerProcessOptions<C>): Promise<TrainerProcessResult<C>> {
  if (options.signal?.aborted) throw cancellation(options.trainer, options.signal.reason);
  const dirs = await createTrainerWorkDir(options.workRoot);
  const dispose = () => rm(dirs.workDir, { recursive: true, force: true });
  try {
    await writeTrainerInput(options, dirs);
    const child = await startTrainerChild(options.trainer, options.command, {
      cwd: dirs.workDir,
      env: trainerEnvironment(process.env, options.env ?? {}, dirs.inputPath),
    });
    const exit = await superviseTrainer({
      trainer: options.trainer,
      child,
      workDir: dirs.workDir,
      graceMs: options.graceMs ?? DEFAULT_TRAINER_GRACE_MS,
      signal: options.signal,
      handlers: options,
      maxLineBytes: options.maxLineBytes ?? MAX_STDOUT_LINE_BYTES,
    });
    const output = await readTrainerOutput(options.trainer, dirs.outputDir);
    return { ...dirs, ...output, ...exit, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

async function writeTrainerInput<C>(options: RunTrainerProcessOptions<C>, dirs: TrainerWorkDir): Promise<void> {
  const resumeFrom = options.resumeFrom
    ? { path: await placeResumeCheckpoint(dirs.workDir, options.resumeFrom.path), step: options.resumeFrom.step }
    : null;
  const input = parseOrFail(
    TrainerInputFile,
    { protocol: TRAINER_PROTOCOL_VERSION, ...options.request, outputDir: dirs.outputDir, resumeFrom },
    `The input of trainer "${options.trainer}" is invalid`,
    { trainer: options.trainer },
  );
  await writeFile(dirs.inputPath, JSON.stringify(input, null, 2) + '\n');
}
