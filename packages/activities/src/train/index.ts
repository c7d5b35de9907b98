/**
 * `@slipway/activities/train` — training building blocks: the seeded split, feature encoding, held-out metrics by task
 * (`taskMetrics`, `evaluateModel`), ONNX models (`onnxManifestFor`, `loadOnnxModel`), reading the training rows with heartbeats and
 * checkpoints, the bounded per-epoch series, and the trainers that ship with Slipway, one folder each under
 * `trainers/` (today the resumable `logistic-regression`). The `slipway.train` step (`steps/train.ts`) is built on
 * these.
 *
 * ```ts
 * import { binaryClassificationMetrics, builtinTrainers, splitRows } from '@slipway/activities/train';
 * const { train, test } = splitRows(rows, 0.2, 42);
 * const trainer = builtinTrainers['logistic-regression'];
 * const metrics = binaryClassificationMetrics(labels, scores);
 * ```
 *
 * @packageDocumentation
 */
export { mulberry32, shuffledIndices, splitIndices, splitRows, type Random, type SplitIndices } from './prng.js';
export { BinaryTarget, labelsOf, resolveBinaryTarget, targetLabel, type TargetValue } from './binary-target.js';
export {
  FeatureEncoding,
  categoryOf,
  createRowEncoder,
  encodeRows,
  encodedFeatureNames,
  encodingDimension,
  fitEncoding,
  numericFeature,
  type EncodedRows,
  type RowEncoder,
} from './encoding.js';
export * from './trainers/logistic-regression/index.js';
export {
  checkPredictionRow,
  describeRowProblem,
  predictorFeatures,
  type PredictionRowCheck,
  type RowFeatureProblem,
} from './prediction-row.js';
export { FeatureImputation, ImputationStrategy, fitServingInputs, type ServingInputs } from './serving-inputs.js';
export { PROBABILITY_SUM_TOLERANCE, argmax, predictionOf, type PredictionOutcome } from './model-output.js';
export {
  LOG_LOSS_EPSILON,
  accuracy,
  auc,
  binaryClassificationMetrics,
  binaryConfusion,
  classLogLoss,
  logLoss,
  precisionRecallF1,
  type BinaryConfusion,
} from './metrics.js';
export { macroF1, multiclassMetrics } from './metrics-multiclass.js';
export { regressionMetrics } from './metrics-regression.js';
export { taskMetrics, type TaskMetricsOptions } from './metrics-task.js';
export { createPredictionProfiler, type PredictionProfiler } from './metrics-profile.js';
export {
  EVALUATION_BATCH_ROWS,
  evaluateModel,
  type EvaluateModelOptions,
  type ModelEvaluation,
} from './metrics-evaluate.js';
export { classIndexer, showValue, type ClassIndexer } from './class-index.js';
export * from './onnx/index.js';
export { builtinPredictors, builtinTrainers } from './builtins.js';
export {
  READ_HEARTBEAT_INTERVAL_MS,
  TRAIN_HEARTBEAT_INTERVAL_MS,
  checkpointFromDetails,
  createTrainHeartbeats,
  forEachTrainingRow,
  readTrainingRows,
  seriesFromDetails,
  type TrainHeartbeatDetails,
  type TrainHeartbeats,
  type TrainerStepUpdate,
  type TrainingDataInput,
} from './training-data.js';
export {
  csvCell,
  csvRecord,
  openCsvSplitWriter,
  type CsvSplitWriter,
  type WrittenSplitFile,
} from './csv-split-writer.js';
export {
  MAX_CLASSES,
  sortClasses,
  splitColumns,
  writeSplitFiles,
  type SplitFiles,
  type SplitFilesInput,
  type SplitFilesOptions,
} from './split-files.js';
export { StoredProcessCheckpoint, restoreProcessCheckpoint, storeProcessCheckpoint } from './trainer-checkpoint.js';
export { MAX_JSON_MODEL_BYTES, ONNX_MEDIA_TYPE, trainedModelOf, type TrainedModelContext } from './trainer-model.js';
export {
  HEARTBEAT_SILENCE,
  HeartbeatSilence,
  createSilenceWatchdog,
  type SilenceWatchdog,
} from './silence-watchdog.js';
export {
  DEFAULT_EPOCH_SERIES_POINTS,
  EpochSeriesState,
  MAX_EPOCH_METRICS,
  createEpochSeries,
  type EpochSeries,
  type EpochSeriesOptions,
} from './epoch-series.js';
export * from './process/index.js';
