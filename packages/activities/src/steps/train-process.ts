/**
 * The train step with a configured trainer process (trainer protocol, `docs/trainer-protocol.md`): the pinned
 * dataset streamed into two local split files, the trainer run with the last stored checkpoint (a retry's), its
 * progress turned into heartbeats and the tracked series, its checkpoints stored in the artifact store, and its
 * model stored, loaded through the predictors and scored on the held-out split by Slipway itself.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import {
  RetryableErrorType,
  retryableFailure,
  type StepParsedInput,
  type TrainerProgressMessage,
  type trainStep,
} from '@slipway/sdk';
import type { ArtifactStore, PredictorLoader, ProcessTrainerConfig, TypedRow } from '../ports.js';
import type { SourceOpener } from '../data/formats/dataset-rows.js';
import { runTrainerProcess, type TrainerLogEntry, type TrainerRequest } from '../train/process/index.js';
import {
  HEARTBEAT_SILENCE,
  createSilenceWatchdog,
  type HeartbeatSilence,
  type SilenceWatchdog,
} from '../train/silence-watchdog.js';
import { writeSplitFiles, type SplitFiles } from '../train/split-files.js';
import {
  restoreProcessCheckpoint,
  storeProcessCheckpoint,
  type StoredProcessCheckpoint,
} from '../train/trainer-checkpoint.js';
import { trainedModelOf } from '../train/trainer-model.js';
import type { TrainAttempt } from './train-attempt.js';
import { scoreHeldOut } from './train-evaluation.js';

type TrainInput = StepParsedInput<typeof trainStep>;

/** What training with a trainer process needs. */
export interface ProcessTrainDeps {
  artifacts: ArtifactStore;
  predictors: Record<string, PredictorLoader>;
  openSource?: SourceOpener | undefined;
  /** Where attempts make their temporary directories (split files, the trainer's working directory). */
  workRoot?: string | undefined;
}

/**
 * One attempt with a trainer process. The temporary directory (split files, the resumed checkpoint, the trainer's
 * working directory) is removed whatever happens, and no process of the trainer's group outlives the attempt.
 */
export async function trainWithProcess(
  deps: ProcessTrainDeps,
  spec: ProcessTrainerConfig,
  input: TrainInput,
  attempt: TrainAttempt,
) {
  const root = deps.workRoot ?? tmpdir();
  await mkdir(root, { recursive: true });
  const dir = await mkdtemp(join(root, 'slipway-train-'));
  try {
    const heldOut: TypedRow[] = [];
    const splits = await writeSplitFiles(input, dir, {
      hooks: attempt.hooks,
      heartbeats: attempt.heartbeats,
      openSource: deps.openSource,
      onHeldOut: (row) => void heldOut.push(row),
    });
    const resume = await restoreProcessCheckpoint(deps.artifacts, attempt.hooks.heartbeatDetails, join(dir, 'resume'));
    const run = await runAttempt(deps, spec, input, attempt, { splits, resume, dir });
    try {
      attempt.heartbeats.step({ step: run.lastStep ?? resume?.step ?? 0 });
      const model = await trainedModelOf(run.result, run.modelPath, {
        trainer: input.trainer,
        task: input.task,
        features: input.features,
        classes: splits.classes,
        nullable: splits.nullable,
        artifacts: deps.artifacts,
        predictors: deps.predictors,
      });
      const scored = await scoreHeldOut(deps, model, heldOut, input, attempt.hooks.signal);
      return {
        model,
        scored,
        trainerMetrics: run.result.metrics,
        trainRows: splits.train.rows,
        testRows: splits.heldout.rows,
        resumedFromEpoch: resume?.step ?? 0,
      };
    } finally {
      await run.dispose();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The trainer's `input.json` request: the task, features, params, seed and the split files. */
function requestOf(input: TrainInput, splits: SplitFiles): TrainerRequest {
  const { numeric, categorical, target } = input.features;
  const file = ({ path, format, digest, rows }: SplitFiles['train']) => ({ path, format, digest, rows });
  return {
    task: input.task,
    features: { numeric, categorical, target },
    params: input.params,
    seed: input.seed,
    splits: { train: file(splits.train), heldout: file(splits.heldout) },
  };
}

interface AttemptFiles {
  splits: SplitFiles;
  resume: { path: string; step: number } | undefined;
  dir: string;
}

/** Runs the trainer under a silence watchdog; progress and checkpoints go to heartbeats and the series. */
async function runAttempt(
  deps: ProcessTrainDeps,
  spec: ProcessTrainerConfig,
  input: TrainInput,
  attempt: TrainAttempt,
  files: AttemptFiles,
) {
  const { hooks, heartbeats, series } = attempt;
  const watchdog = createSilenceWatchdog(hooks.signal, input.trainer, hooks.heartbeatTimeoutMs);
  let lastStep: number | undefined;
  const onProgress = (progress: TrainerProgressMessage) => {
    watchdog.alive();
    lastStep = progress.step;
    series?.record(progress.step, progress.metrics);
    heartbeats.step(progress);
  };
  const storeCheckpoint = async (path: string, step: number): Promise<StoredProcessCheckpoint> => {
    watchdog.alive();
    const stored = await storeProcessCheckpoint(deps.artifacts, path, step);
    heartbeats.step({ step: lastStep ?? step }, stored);
    watchdog.alive();
    return stored;
  };
  try {
    const run = await runTrainerProcess<StoredProcessCheckpoint>({
      trainer: input.trainer,
      command: spec.command,
      env: spec.env,
      graceMs: spec.graceMs,
      workRoot: files.dir,
      request: requestOf(input, files.splits),
      resumeFrom: files.resume,
      signal: watchdog.signal,
      onProgress,
      onLog: logTrainerLine(input.trainer),
      storeCheckpoint,
    });
    return { ...run, lastStep };
  } catch (err) {
    throw silenceFailure(watchdog, hooks.signal, err);
  } finally {
    watchdog.stop();
  }
}

/** A run the watchdog ended (not a cancel): a retryable `SlipwayTrainerCrashed` saying so. */
function silenceFailure(watchdog: SilenceWatchdog, parent: AbortSignal, err: unknown): unknown {
  const reason = watchdog.signal.reason as Partial<HeartbeatSilence> | undefined;
  if (parent.aborted || reason?.name !== HEARTBEAT_SILENCE) return err;
  const stderrTail = (err as { details?: { stderrTail?: string }[] } | null)?.details?.[0]?.stderrTail ?? '';
  const said = stderrTail === '' ? '' : `:\n${stderrTail}`;
  return retryableFailure(
    RetryableErrorType.TrainerCrashed,
    `Trainer "${String(reason.trainer)}" was stopped (SIGTERM, then SIGKILL after its grace period): it reported no progress for the heartbeat timeout (${String(reason.timeoutMs)} ms)${said}`,
    { trainer: reason.trainer, heartbeatTimeoutMs: reason.timeoutMs, stderrTail },
  );
}

/** Passes a trainer's log lines on to the activity's log (nowhere outside an activity). */
function logTrainerLine(trainer: string): (entry: TrainerLogEntry) => void {
  let log: Context['log'] | undefined;
  try {
    log = Context.current().log;
  } catch {
    log = undefined;
  }
  return (entry) => {
    const meta = { trainer, line: entry.line };
    if (entry.level === 'error') log?.error(entry.message, meta);
    else if (entry.level === 'warn') log?.warn(entry.message, meta);
    else if (entry.level === 'debug') log?.debug(entry.message, meta);
    else log?.info(entry.message, meta);
  };
}
