/**
 * The built-in `logistic-regression` trainer: L2-regularized logistic regression fitted by full-batch
 * gradient descent, resumable from a checkpoint.
 *
 * Why not `ml-logistic-regression`: it cannot resume from a checkpoint (no access to the weights between
 * steps, no way to start from given weights), has no intercept term and no regularization, and reports no
 * progress. Full-batch descent is deterministic, so a resumed run ends exactly where an uninterrupted run
 * does, which is what makes retried training attempts cheap.
 */
import { SlipwayErrorType, finalFailure, parseOrFail } from '@slipway/sdk';
import { z } from 'zod';
import type { TypedRow, Trainer, TrainerContext, TrainerInput, TrainerResult } from '../../../ports.js';
import { digestOfJson } from '../../../util/digest.js';
import { labelsOf, resolveBinaryTarget, type BinaryTarget } from '../../binary-target.js';
import { encodeRows, encodedFeatureNames, fitEncoding, type FeatureEncoding } from '../../encoding.js';
import { runGradientDescent, type EpochLossRecorder, type GradientDescentData } from './gradient-descent.js';
import { LOGISTIC_REGRESSION, type LogisticRegressionModel } from './model.js';
import { ImputationStrategy, fitServingInputs, type ServingInputs } from '../../serving-inputs.js';

/** Parameters of the `logistic-regression` trainer; unknown names are refused. */
export const LogisticRegressionParams = z
  .object({
    /** Full-batch gradient steps. */
    epochs: z.number().int().min(1).max(1_000_000).default(300),
    /** Step size. */
    learningRate: z.number().positive().max(1000).default(0.1),
    /** L2 penalty on every weight but the bias. */
    l2: z.number().min(0).default(0.001),
    /** Categories kept per categorical feature (most frequent first); the rest encode as unknown. */
    maxCategories: z.number().int().min(1).max(10_000).default(100),
    /** The target value that is the positive class; by default the one that sorts last (`yes`, `true`, `1`). */
    positiveClass: z.union([z.string(), z.number(), z.boolean()]).optional(),
    /**
     * What the model declares it fills in when a request leaves a feature out: `none` (requests must carry every
     * feature) or `mean` (the training mean of a numeric feature, the most frequent category of a categorical
     * one; the model server marks such predictions and rows as imputed).
     */
    imputation: ImputationStrategy.default('none'),
  })
  .strict();
/** Parameters of the `logistic-regression` trainer, defaults applied. */
export type LogisticRegressionParams = z.infer<typeof LogisticRegressionParams>;

/** What the trainer reports as `TrainingProgress.checkpoint`: the weights after `epoch` epochs. */
export const LogisticRegressionCheckpoint = z.object({
  kind: z.literal(LOGISTIC_REGRESSION),
  /** Identifies the data, encoding and parameters the weights belong to. */
  fingerprint: z.string(),
  epoch: z.number().int().nonnegative(),
  weights: z.array(z.number()),
});
/** A checkpoint of the `logistic-regression` trainer. */
export type LogisticRegressionCheckpoint = z.infer<typeof LogisticRegressionCheckpoint>;

/** The per-epoch metric the trainer records for the tracking run: the regularized training loss. */
export const TRAIN_LOSS_METRIC = 'trainLoss';

/** Progress (with a checkpoint) is reported about this often while training, in milliseconds. */
export const PROGRESS_INTERVAL_MS = 500;
/** Training yields to the event loop about this often, in milliseconds. */
export const YIELD_INTERVAL_MS = 20;

/** Parses trainer params; bad params fail with `SlipwayInvalidInput` naming each bad param. */
export function parseLogisticRegressionParams(params: Record<string, unknown>): LogisticRegressionParams {
  return parseOrFail(LogisticRegressionParams, params, `Trainer "${LOGISTIC_REGRESSION}" got invalid params`, {
    trainer: LOGISTIC_REGRESSION,
  });
}

/**
 * The checkpoint to resume from: `checkpoint` when it is a valid checkpoint of this trainer for the same data,
 * encoding and params (same fingerprint, matching weight count, epoch within range); otherwise a fresh start.
 */
export function resumePoint(
  checkpoint: unknown,
  fingerprint: string,
  dimension: number,
  epochs: number,
): { epoch: number; weights: number[] } {
  const parsed = LogisticRegressionCheckpoint.safeParse(checkpoint);
  const valid =
    parsed.success &&
    parsed.data.fingerprint === fingerprint &&
    parsed.data.weights.length === dimension &&
    parsed.data.epoch <= epochs &&
    parsed.data.weights.every(Number.isFinite);
  return valid
    ? { epoch: parsed.data.epoch, weights: parsed.data.weights }
    : { epoch: 0, weights: new Array<number>(dimension).fill(0) };
}

interface Prepared {
  data: GradientDescentData;
  encoding: FeatureEncoding;
  target: BinaryTarget;
  fingerprint: string;
  inputs: ServingInputs;
}

function prepare(input: TrainerInput, params: LogisticRegressionParams): Prepared {
  const { rows, features } = input;
  if (rows.length === 0) {
    throw finalFailure(SlipwayErrorType.InvalidInput, `Trainer "${LOGISTIC_REGRESSION}" got no training rows`, {});
  }
  const target = resolveBinaryTarget(
    features.target,
    rows.map((row: TypedRow) => row[features.target]),
    params.positiveClass,
  );
  const y = labelsOf(target, rows);
  const encoding = fitEncoding(rows, features, params.maxCategories);
  const { x, dimension } = encodeRows(encoding, rows);
  let positives = 0;
  for (const label of y) positives += label;
  // `epochs` is left out: the weights after k epochs do not depend on how many epochs follow, so a checkpoint
  // stays valid when a run is extended. `imputation` does not touch the weights either.
  const fingerprint = digestOfJson({
    params: { ...params, epochs: undefined, imputation: undefined },
    features,
    encoding,
    target,
    rows: rows.length,
    positives,
  });
  const inputs = fitServingInputs(rows, features, encoding, params.imputation);
  return { data: { x, y, rows: rows.length, dimension }, encoding, target, fingerprint, inputs };
}

/** The training loss per epoch goes into the context's epoch metrics as {@link TRAIN_LOSS_METRIC}, if any. */
function epochLossOf(context: TrainerContext): { epochLoss?: EpochLossRecorder } {
  const epochs = context.epochs;
  if (epochs === undefined) return {};
  return {
    epochLoss: {
      wants: (epoch) => epochs.wants(epoch),
      record: (epoch, loss) => epochs.record(epoch, { [TRAIN_LOSS_METRIC]: loss }),
    },
  };
}

/** Timing options of {@link createLogisticRegressionTrainer}. */
export interface LogisticRegressionTrainerOptions {
  /** Report progress (with a checkpoint) about this often, in ms; default {@link PROGRESS_INTERVAL_MS}. */
  progressIntervalMs?: number;
  /** Yield to the event loop about this often, in ms; default {@link YIELD_INTERVAL_MS}. */
  yieldIntervalMs?: number;
}

async function train(
  input: TrainerInput,
  context: TrainerContext,
  options: LogisticRegressionTrainerOptions,
): Promise<TrainerResult> {
  const params = parseLogisticRegressionParams(input.params);
  const { data, encoding, target, fingerprint, inputs } = prepare(input, params);
  const start = resumePoint(context.checkpoint, fingerprint, data.dimension, params.epochs);
  const { weights, loss } = await runGradientDescent(data, params, start, {
    signal: context.signal,
    reportIntervalMs: options.progressIntervalMs ?? PROGRESS_INTERVAL_MS,
    yieldIntervalMs: options.yieldIntervalMs ?? YIELD_INTERVAL_MS,
    ...epochLossOf(context),
    report: (epoch, w, epochLoss) => {
      const checkpoint: LogisticRegressionCheckpoint = { kind: LOGISTIC_REGRESSION, fingerprint, epoch, weights: w };
      context.progress({ epoch, totalEpochs: params.epochs, loss: epochLoss, checkpoint });
    },
  });
  if (!Number.isFinite(loss) || !weights.every(Number.isFinite)) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Trainer "${LOGISTIC_REGRESSION}" diverged (loss ${loss}): lower learningRate (now ${params.learningRate})`,
      { trainer: LOGISTIC_REGRESSION, learningRate: params.learningRate },
    );
  }
  const model: LogisticRegressionModel = {
    kind: LOGISTIC_REGRESSION,
    version: 1,
    features: input.features,
    target,
    encoding,
    featureNames: encodedFeatureNames(encoding),
    weights,
    params,
    training: { rows: data.rows, epochs: params.epochs, loss },
    ...inputs,
  };
  return { model, params, resumedFromEpoch: start.epoch };
}

/**
 * Creates a `logistic-regression` trainer (see the module comment). It reports progress with a checkpoint
 * every `progressIntervalMs` and after the last epoch, records the training loss per epoch in `context.epochs`
 * (as {@link TRAIN_LOSS_METRIC}, for the epochs it wants), resumes from `context.checkpoint` when that is a
 * valid checkpoint for the same data and params, and stops with the abort reason when `context.signal` aborts.
 */
export function createLogisticRegressionTrainer(options: LogisticRegressionTrainerOptions = {}): Trainer {
  return { name: LOGISTIC_REGRESSION, train: (input, context) => train(input, context, options) };
}

/** The built-in `logistic-regression` trainer with default timing. */
export const logisticRegressionTrainer: Trainer = createLogisticRegressionTrainer();
