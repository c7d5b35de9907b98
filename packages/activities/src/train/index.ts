/**
 * Training: the seeded split, feature encoding, the built-in resumable `logistic-regression` trainer and its
 * model loader, held-out metrics, the `slipway.train` activity and its experiment-tracking run (params, a
 * bounded per-epoch series, final metrics; idempotent under retry).
 *
 * ```ts
 * const train = createTrainActivity({
 *   artifacts, trainers: builtinTrainers, predictors: builtinPredictors, codeVersion: '1.2.3',
 *   tracker: registry, // optional: log params, the loss per epoch and the held-out metrics to a tracking run
 * });
 * const result = await train({ dataset: summary.dataset, schema, features: { numeric: ['age'], target: 'churned' } });
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
export {
  LOGISTIC_REGRESSION,
  LogisticRegressionModel,
  dot,
  loadLogisticRegression,
  sigmoid,
} from './logistic-model.js';
export {
  descentStep,
  regularizedLoss,
  runGradientDescent,
  type DescentControl,
  type EpochLossRecorder,
  type EpochReporter,
  type GradientDescentData,
  type GradientDescentParams,
} from './gradient-descent.js';
export {
  LogisticRegressionCheckpoint,
  LogisticRegressionParams,
  PROGRESS_INTERVAL_MS,
  YIELD_INTERVAL_MS,
  TRAIN_LOSS_METRIC,
  createLogisticRegressionTrainer,
  logisticRegressionTrainer,
  type LogisticRegressionTrainerOptions,
  parseLogisticRegressionParams,
  resumePoint,
} from './logistic-regression.js';
export {
  checkPredictionRow,
  describeRowProblem,
  predictorFeatures,
  type PredictionRowCheck,
  type RowFeatureProblem,
} from './prediction-row.js';
export { FeatureImputation, ImputationStrategy, fitServingInputs, type ServingInputs } from './serving-inputs.js';
export { LOG_LOSS_EPSILON, accuracy, auc, binaryClassificationMetrics, logLoss } from './metrics.js';
export { builtinPredictors, builtinTrainers } from './builtins.js';
export {
  READ_HEARTBEAT_INTERVAL_MS,
  TRAIN_HEARTBEAT_INTERVAL_MS,
  checkpointFromDetails,
  createTrainHeartbeats,
  readTrainingRows,
  seriesFromDetails,
  type TrainHeartbeatDetails,
  type TrainHeartbeats,
  type TrainingDataInput,
} from './training-data.js';
export { checkFeatures, createTrainActivity, type TrainActivity, type TrainActivityDeps } from './train-activity.js';
export {
  DEFAULT_EPOCH_SERIES_POINTS,
  EpochSeriesState,
  MAX_EPOCH_METRICS,
  createEpochSeries,
  type EpochSeries,
  type EpochSeriesOptions,
} from './epoch-series.js';
export {
  DEFAULT_EXPERIMENT,
  TrainRunTag,
  flattenParams,
  startTrainingRun,
  trackingKeys,
  type TrainingOutcome,
  type TrainingRun,
} from './train-tracking.js';
