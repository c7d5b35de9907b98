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
  type RowSchema,
  type StepInput,
  type StepParsedInput,
  type TrainingResult,
} from '@slipway/sdk';
import type {
  ArtifactStore,
  PredictorLoader,
  ExperimentTracker,
  SerializedModel,
  Trainer,
  TypedRow,
} from '../ports.js';
import { currentActivityHooks, type ActivityHooks } from '../data/activity-context.js';
import type { SourceOpener } from '../data/formats/dataset-rows.js';
import { BinaryTarget, labelsOf, resolveBinaryTarget, type TargetValue } from '../train/binary-target.js';
import { binaryClassificationMetrics } from '../train/metrics.js';
import { splitRows } from '../train/prng.js';
import { createEpochSeries, type EpochSeries } from '../train/epoch-series.js';
import {
  createTrainHeartbeats,
  readTrainingRows,
  seriesFromDetails,
  type TrainHeartbeats,
} from '../train/training-data.js';
import { startTrainingRun, type TrainingRun } from './train-tracking.js';

/** What the train activity needs. */
export interface TrainActivityDeps {
  artifacts: ArtifactStore;
  /** Trainers by name (see `builtinTrainers`). */
  trainers: Record<string, Trainer>;
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

function known(record: Record<string, unknown>): string {
  const names = Object.keys(record).sort();
  return names.length === 0 ? '(none)' : names.map((n) => JSON.stringify(n)).join(', ');
}

function lookupTrainer(trainers: Record<string, Trainer>, name: string): Trainer {
  const trainer = Object.hasOwn(trainers, name) ? trainers[name] : undefined;
  if (trainer === undefined) {
    throw finalFailure(
      SlipwayErrorType.NotFound,
      `Unknown trainer ${JSON.stringify(name)}; known trainers: ${known(trainers)}`,
      {
        trainer: name,
        known: Object.keys(trainers).sort(),
      },
    );
  }
  return trainer;
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

async function evaluate(
  deps: Pick<TrainActivityDeps, 'predictors' | 'artifacts'>,
  model: SerializedModel,
  rows: readonly TypedRow[],
  fallbackTarget: BinaryTarget,
): Promise<Record<string, number>> {
  const { predictors } = deps;
  const load = Object.hasOwn(predictors, model.kind) ? predictors[model.kind] : undefined;
  if (load === undefined) {
    throw finalFailure(
      SlipwayErrorType.NotFound,
      `No model loader for kind ${JSON.stringify(model.kind)}; known kinds: ${known(predictors)}`,
      { kind: model.kind },
    );
  }
  const predictor = await load(model, { artifacts: deps.artifacts });
  const modelTarget = BinaryTarget.safeParse(model['target']);
  const labels = labelsOf(modelTarget.success ? modelTarget.data : fallbackTarget, rows);
  const outputs = await predictor.predict(rows);
  const scores = outputs.map((output) => ('probabilities' in output ? (output.probabilities[1] ?? NaN) : NaN));
  return binaryClassificationMetrics(labels, scores);
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

/** One attempt's collaborators: Temporal hooks, its heartbeats, and the tracked series and run (if tracked). */
interface Attempt {
  hooks: ActivityHooks;
  heartbeats: TrainHeartbeats;
  series: EpochSeries | undefined;
  run: TrainingRun | undefined;
}

async function trainOnRows(trainer: Trainer, rows: TypedRow[], input: TrainInput, attempt: Attempt) {
  const { hooks, heartbeats, series } = attempt;
  const target = resolveBinaryTarget(
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
  return { result, target, train, test };
}

async function trainAndStore(deps: TrainActivityDeps, input: TrainInput, attempt: Attempt) {
  const trainer = lookupTrainer(deps.trainers, input.trainer);
  const rows = await readTrainingRows(input, attempt.hooks, attempt.heartbeats, deps.openSource);
  const { result, target, train, test } = await trainOnRows(trainer, rows, input, attempt);
  const metrics = await evaluate(deps, result.model, test, target);
  const model = await deps.artifacts.putJson(result.model);
  if (attempt.run && attempt.series) {
    await attempt.run.complete({ params: result.params, metrics, series: attempt.series });
  }
  return {
    model,
    trainer: input.trainer,
    params: result.params,
    metrics,
    trainRows: train.length,
    testRows: test.length,
    resumedFromEpoch: result.resumedFromEpoch,
    codeVersion: deps.codeVersion,
    ...(attempt.run ? { trackingRunId: attempt.run.runId } : {}),
  };
}

/** The attempt's heartbeats and, with a tracker, its series (continued from the last heartbeat) and run. */
async function beginAttempt(deps: TrainActivityDeps, input: TrainInput): Promise<Attempt> {
  const hooks = currentActivityHooks();
  const series =
    deps.tracker === undefined
      ? undefined
      : createEpochSeries({
          resume: seriesFromDetails(hooks.heartbeatDetails),
          ...(deps.seriesPoints === undefined ? {} : { maxPoints: deps.seriesPoints }),
        });
  const heartbeats = createTrainHeartbeats(hooks, deps.heartbeatIntervalMs, series);
  const run = deps.tracker && (await startTrainingRun(deps.tracker, input, deps.codeVersion));
  return { hooks, heartbeats, series, run };
}

/**
 * Creates the train activity. Failures: unknown trainer or model kind → `SlipwayNotFound` listing the known
 * ones; feature spec not matching the schema, a non-binary target or bad params → `SlipwayInvalidInput`;
 * bytes that no longer hash to `dataset.digest` → `SlipwayDigestMismatch`. Bad rows and rows without a
 * target value are dropped. A retried attempt resumes from the checkpoint in the last heartbeat.
 *
 * With a `tracker`, the step is one tracking run (see `startTrainingRun`): found again by every retry, it gets
 * the params, the per-epoch series and the held-out metrics once each, and ends `finished`, or `failed` when
 * the step fails for good; its id is the result's `trackingRunId`.
 */
export function createTrainActivity(deps: TrainActivityDeps): TrainActivity {
  return async function train(rawInput) {
    const input = parseStepInput(trainStep, rawInput, 'activity');
    lookupTrainer(deps.trainers, input.trainer);
    checkFeatures(input.features, input.schema);
    const attempt = await beginAttempt(deps, input);
    try {
      return await trainAndStore(deps, input, attempt);
    } catch (err) {
      await attempt.run?.fail(err, input.params);
      throw err;
    }
  };
}
