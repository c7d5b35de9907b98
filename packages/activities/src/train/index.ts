/**
 * Training: the seeded split, feature encoding, the built-in resumable `logistic-regression` trainer and its
 * model loader, held-out metrics, and the `slipway.train` activity.
 *
 * ```ts
 * const train = createTrainActivity({
 *   artifacts, trainers: builtinTrainers, predictors: builtinPredictors, codeVersion: '1.2.3',
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
  type EpochReporter,
  type GradientDescentData,
  type GradientDescentParams,
} from './gradient-descent.js';
export {
  LogisticRegressionCheckpoint,
  LogisticRegressionParams,
  PROGRESS_INTERVAL_MS,
  YIELD_INTERVAL_MS,
  createLogisticRegressionTrainer,
  logisticRegressionTrainer,
  type LogisticRegressionTrainerOptions,
  parseLogisticRegressionParams,
  resumePoint,
} from './logistic-regression.js';
export { LOG_LOSS_EPSILON, accuracy, auc, binaryClassificationMetrics, logLoss } from './metrics.js';
export { builtinPredictors, builtinTrainers } from './builtins.js';
export {
  READ_HEARTBEAT_INTERVAL_MS,
  TRAIN_HEARTBEAT_INTERVAL_MS,
  checkpointFromDetails,
  createTrainHeartbeats,
  readTrainingRows,
  type TrainHeartbeatDetails,
  type TrainHeartbeats,
  type TrainingDataInput,
} from './training-data.js';
export { checkFeatures, createTrainActivity, type TrainActivity, type TrainActivityDeps } from './train-activity.js';
