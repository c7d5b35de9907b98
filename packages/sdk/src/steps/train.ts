import { z } from 'zod';
import { defineStep } from '../step.js';
import { ArtifactRef } from '../schemas/artifact.js';
import { RowSchema } from '../schemas/dataset.js';
import { FeatureSpec, Metrics, ModelName, ModelTask } from '../schemas/model.js';
import { PinnedDatasetRef } from './validate.js';

/** What the train step returns. */
export const TrainingResult = z.object({
  model: ArtifactRef,
  trainer: z.string(),
  params: z.record(z.string(), z.unknown()),
  metrics: Metrics,
  trainRows: z.number().int().nonnegative(),
  testRows: z.number().int().nonnegative(),
  /** The epoch a retried attempt resumed from (0 when it started fresh). */
  resumedFromEpoch: z.number().int().nonnegative(),
  /** The code that trained the model (git commit or package version of the worker). */
  codeVersion: z.string(),
  /** What the model predicts (results recorded before tasks were binary classifiers). */
  task: ModelTask.default('binary'),
  /** The metrics the trainer reported itself (a trainer process's `result.json`); `metrics` are Slipway's own. */
  trainerMetrics: Metrics.optional(),
  /**
   * The stored profile of the model's predictions on the held-out split (`PredictionProfile` JSON), the reference
   * for prediction drift.
   */
  predictionProfile: ArtifactRef.optional(),
  /**
   * The experiment-tracking run that holds this training's params, per-epoch series and final metrics (the
   * registry's run id), when the worker tracks runs. Pass it on to the register step as `trackingRunId`.
   */
  trackingRunId: z.string().min(1).optional(),
});
/** What the train step returns. */
export type TrainingResult = z.infer<typeof TrainingResult>;

/** How the train step files its experiment-tracking run. */
export const TrainTracking = z.object({
  /** The experiment the run belongs to; default the train input's `modelName`, else the workflow type. */
  experiment: z.string().min(1).max(500).optional(),
  /** The run's name; default `<trainer> <workflow id>`. */
  runName: z.string().min(1).max(250).optional(),
  /** Extra searchable tags (names of letters, digits, `_`, `-`, `.`, ` `, `:`, `/`); `slipway.*` tags are Slipway's. */
  tags: z.record(z.string(), z.string().max(5000)).optional(),
});
/** How the train step files its experiment-tracking run. */
export type TrainTracking = z.infer<typeof TrainTracking>;

/**
 * Trains a model with a named trainer on a validated dataset, holds out a seeded test split, scores it. Where
 * the worker tracks runs, it logs the run: params, the per-epoch training series and the held-out metrics.
 */
export const trainStep = defineStep({
  name: 'slipway.train',
  description: 'train on the pinned dataset, score the held-out split, store the model',
  input: z.object({
    dataset: PinnedDatasetRef,
    schema: RowSchema,
    features: FeatureSpec,
    /**
     * The trainer, by name: a built-in one (`logistic-regression`) or a trainer process the worker's configuration
     * names (never a command: the worker's configuration says what a name runs).
     */
    trainer: z.string().min(1).default('logistic-regression'),
    /** What the model predicts; the built-in logistic regression trains `binary` classifiers only. */
    task: ModelTask.default('binary'),
    params: z.record(z.string(), z.unknown()).default({}),
    seed: z.number().int().default(42),
    testFraction: z.number().gt(0).max(0.9).default(0.2),
    /** The model being trained: names the tracking experiment (pipelines pass their own `modelName`). */
    modelName: ModelName.optional(),
    /** Overrides of how the tracking run is filed. */
    tracking: TrainTracking.optional(),
  }),
  output: TrainingResult,
  options: { startToCloseTimeout: '6h', heartbeatTimeout: '30s', retry: { maximumAttempts: 5 } },
});
