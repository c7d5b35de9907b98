/**
 * The `slipway.train` activity: re-reads the pinned dataset (verifying its digest), holds out a seeded test
 * split, trains with a named trainer (heartbeating progress and checkpoints, resuming from the last
 * checkpoint of a previous attempt), scores the held-out split and stores the model as an artifact.
 */
import {
  SlipwayErrorType,
  finalFailure,
  parseStepInput,
  trainStep,
  type FeatureSpec,
  type Metrics,
  type RowSchema,
  type StepInput,
  type StepParsedInput,
  type TrainingResult,
} from '@slipway/sdk';
import type {
  ArtifactStore,
  PredictorLoader,
  ExperimentTracker,
  ProcessTrainerConfig,
  SerializedModel,
  Trainer,
  TypedRow,
} from '../ports.js';
import type { SourceOpener } from '../data/formats/dataset-rows.js';
import { resolveBinaryTarget, type TargetValue } from '../train/binary-target.js';
import { splitRows } from '../train/prng.js';
import { readTrainingRows } from '../train/training-data.js';
import { beginTrainAttempt, type TrainAttempt } from './train-attempt.js';
import { scoreHeldOut, type HeldOutScore } from './train-evaluation.js';
import { trainWithProcess } from './train-process.js';

/** What the train activity needs. */
export interface TrainActivityDeps {
  artifacts: ArtifactStore;
  /** Trainers by name (see `builtinTrainers`). */
  trainers: Record<string, Trainer>;
  /**
   * Trainer processes by name (the worker's configured `trainers`): a run names one, the command comes from here.
   * A name may not also be an in-process trainer's.
   */
  processTrainers?: Record<string, ProcessTrainerConfig>;
  /** Where attempts of trainer processes make their temporary directories (default: the system's). */
  workRoot?: string;
  /** Model loaders by model kind (see `builtinPredictors`). */
  predictors: Record<string, PredictorLoader>;
  /** Recorded in the result: the git commit or package version of the worker. */
  codeVersion: string;
  /** Training heartbeats go out at most this often, in ms; default `TRAIN_HEARTBEAT_INTERVAL_MS`. */
  heartbeatIntervalMs?: number;
  /**
   * Opens a dataset's bytes. The default (`file://` and `s3://` with S3 settings from the environment) checks no
   * dataset roots: a worker passes `datasetSourceOpener(deps)`, as `createActivities` does.
   */
  openSource?: SourceOpener;
  /**
   * Where training runs are tracked (the registry, in `createActivities`): params, the per-epoch series and the
   * held-out metrics. Without one nothing is tracked and the result has no `trackingRunId`.
   */
  tracker?: ExperimentTracker;
  /** Points kept in the per-epoch series, across its metrics; default `DEFAULT_EPOCH_SERIES_POINTS`. */
  seriesPoints?: number;
}

/** The train activity: `trainStep` input in, {@link TrainingResult} out. */
export type TrainActivity = (input: StepInput<typeof trainStep>) => Promise<TrainingResult>;

function known(...records: Record<string, unknown>[]): string {
  const names = records.flatMap((r) => Object.keys(r)).sort();
  return names.length === 0 ? '(none)' : names.map((n) => JSON.stringify(n)).join(', ');
}

/** The trainer a run names: an in-process one, or a configured trainer process. */
type NamedTrainer = { kind: 'in-process'; trainer: Trainer } | { kind: 'process'; spec: ProcessTrainerConfig };

function lookupTrainer(deps: Pick<TrainActivityDeps, 'trainers' | 'processTrainers'>, name: string): NamedTrainer {
  const processTrainers = deps.processTrainers ?? {};
  if (Object.hasOwn(deps.trainers, name)) return { kind: 'in-process', trainer: deps.trainers[name] as Trainer };
  if (Object.hasOwn(processTrainers, name))
    return { kind: 'process', spec: processTrainers[name] as ProcessTrainerConfig };
  throw finalFailure(
    SlipwayErrorType.NotFound,
    `Unknown trainer ${JSON.stringify(name)}; known trainers: ${known(deps.trainers, processTrainers)}`,
    { trainer: name, known: [...Object.keys(deps.trainers), ...Object.keys(processTrainers)].sort() },
  );
}

/** A built-in (in-process) trainer trains the tasks it lists (default binary only); any other is refused. */
function checkTask(name: string, trainer: Trainer, task: TrainInput['task']): void {
  const tasks = trainer.tasks ?? ['binary'];
  if (tasks.includes(task)) return;
  throw finalFailure(
    SlipwayErrorType.InvalidInput,
    `Trainer "${name}" trains ${tasks.join(' and ')} models only, and the run's task is ${task}: name a configured trainer process for ${task} models`,
    { trainer: name, task, tasks: [...tasks] },
  );
}

function invalidFeatures(message: string, column: string): never {
  throw finalFailure(SlipwayErrorType.InvalidInput, `Feature spec: ${message}`, { column });
}

/** Checks a feature spec against the row schema: every column exists, numeric features are numbers, no overlaps. */
export function checkFeatures(features: FeatureSpec, schema: RowSchema): void {
  const columns = Object.keys(schema.columns);
  const seen = new Set<string>();
  const all = [...features.numeric, ...features.categorical, features.target];
  for (const column of all) {
    const spec = schema.columns[column];
    if (spec === undefined)
      invalidFeatures(`column "${column}" is not in the row schema (columns: ${columns.join(', ')})`, column);
    if (seen.has(column))
      invalidFeatures(`column "${column}" is listed more than once (features and target must be distinct)`, column);
    seen.add(column);
  }
  for (const column of features.numeric) {
    const type = schema.columns[column]?.type;
    if (type !== 'number') invalidFeatures(`numeric feature "${column}" is a ${type} column in the row schema`, column);
  }
}

function positiveClassOf(params: Record<string, unknown>): TargetValue | undefined {
  const value = params['positiveClass'];
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

function split(rows: TypedRow[], testFraction: number, seed: number): { train: TypedRow[]; test: TypedRow[] } {
  if (rows.length < 2) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Training needs at least 2 good rows with a target value, found ${rows.length}`,
      { rows: rows.length },
    );
  }
  return splitRows(rows, testFraction, seed);
}

type TrainInput = StepParsedInput<typeof trainStep>;

async function trainOnRows(trainer: Trainer, rows: TypedRow[], input: TrainInput, attempt: TrainAttempt) {
  const { hooks, heartbeats, series } = attempt;
  // A target that is not binary fails here, before any training.
  resolveBinaryTarget(
    input.features.target,
    rows.map((row) => row[input.features.target]),
    positiveClassOf(input.params),
  );
  const { train, test } = split(rows, input.testFraction, input.seed);
  const result = await trainer.train(
    { rows: train, features: input.features, params: input.params, seed: input.seed },
    {
      checkpoint: heartbeats.resumeCheckpoint,
      progress: (update) => heartbeats.progress(update),
      signal: hooks.signal,
      ...(series === undefined ? {} : { epochs: series }),
    },
  );
  return { result, train, test };
}

/** A trained model, scored, and what the result reports about its training. */
interface TrainedModel {
  model: SerializedModel;
  scored: HeldOutScore;
  params: Record<string, unknown>;
  trainerMetrics?: Metrics | undefined;
  trainRows: number;
  testRows: number;
  resumedFromEpoch: number;
}

async function trainInProcess(deps: TrainActivityDeps, trainer: Trainer, input: TrainInput, attempt: TrainAttempt) {
  const rows = await readTrainingRows(input, attempt.hooks, attempt.heartbeats, deps.openSource);
  const { result, train, test } = await trainOnRows(trainer, rows, input, attempt);
  const scored = await scoreHeldOut(deps, result.model, test, input, attempt.hooks.signal);
  return {
    model: result.model,
    scored,
    params: result.params,
    trainRows: train.length,
    testRows: test.length,
    resumedFromEpoch: result.resumedFromEpoch,
  };
}

async function trainAndStore(
  deps: TrainActivityDeps,
  input: TrainInput,
  attempt: TrainAttempt,
): Promise<TrainingResult> {
  const named = lookupTrainer(deps, input.trainer);
  const trained: TrainedModel =
    named.kind === 'in-process'
      ? await trainInProcess(deps, named.trainer, input, attempt)
      : { params: input.params, ...(await trainWithProcess(deps, named.spec, input, attempt)) };
  const { metrics, predictionProfile } = trained.scored;
  const model = await deps.artifacts.putJson(trained.model);
  if (attempt.run && attempt.series) {
    await attempt.run.complete({ params: trained.params, metrics, series: attempt.series });
  }
  return {
    model,
    trainer: input.trainer,
    task: input.task,
    params: trained.params,
    metrics,
    ...(trained.trainerMetrics === undefined ? {} : { trainerMetrics: trained.trainerMetrics }),
    predictionProfile,
    trainRows: trained.trainRows,
    testRows: trained.testRows,
    resumedFromEpoch: trained.resumedFromEpoch,
    codeVersion: deps.codeVersion,
    ...(attempt.run ? { trackingRunId: attempt.run.runId } : {}),
  };
}

/**
 * Creates the train activity. Failures: unknown trainer or model kind → `SlipwayNotFound` listing the known
 * ones; feature spec not matching the schema, a non-binary target or bad params → `SlipwayInvalidInput`;
 * bytes that no longer hash to `dataset.digest` → `SlipwayDigestMismatch`. Bad rows and rows without a
 * target value are dropped. A retried attempt resumes from the checkpoint in the last heartbeat.
 *
 * A run may name a built-in (in-process) trainer, which trains the tasks it lists (the logistic regression: binary
 * only; another task is a final `SlipwayInvalidInput`), or a configured trainer process (`processTrainers`): the
 * pinned dataset is streamed into seeded train / held-out CSV files, the trainer runs under the trainer protocol
 * (progress → heartbeats and the tracked series, checkpoints → the artifact store and the heartbeat, a retry
 * resumes from the last one), its model is loaded through `predictors` and scored on the held-out split: the
 * result's `metrics` are Slipway's own, the trainer's are `trainerMetrics`. A trainer exiting 2 is a final
 * `SlipwayTrainerFailed` with its message; a crash, or silence for the heartbeat timeout, a retryable one.
 *
 * With a `tracker`, the step is one tracking run (see `startTrainingRun`): found again by every retry, it gets
 * the params, the per-epoch series and the held-out metrics once each, and ends `finished`, or `failed` when
 * the step fails for good; its id is the result's `trackingRunId`.
 */
export function createTrainActivity(deps: TrainActivityDeps): TrainActivity {
  const both = Object.keys(deps.processTrainers ?? {}).filter((name) => Object.hasOwn(deps.trainers, name));
  if (both.length > 0) {
    throw new Error(
      `createTrainActivity: ${both.map((n) => JSON.stringify(n)).join(', ')} names both an in-process trainer and a trainer process`,
    );
  }
  return async function train(rawInput) {
    const input = parseStepInput(trainStep, rawInput, 'activity');
    const named = lookupTrainer(deps, input.trainer);
    if (named.kind === 'in-process') checkTask(input.trainer, named.trainer, input.task);
    checkFeatures(input.features, input.schema);
    const attempt = await beginTrainAttempt(deps, input);
    try {
      return await trainAndStore(deps, input, attempt);
    } catch (err) {
      await attempt.run?.fail(err, input.params);
      throw err;
    }
  };
}
