/**
 * The built-in `logistic-regression` trainer, Slipway's zero-dependency default: L2-regularized logistic
 * regression fitted by full-batch gradient descent, resumable from a checkpoint, and its serialized model and
 * loader. A sibling trainer lives in its own folder next to this one and is added to `builtinTrainers` and
 * `builtinPredictors` (`../../builtins.ts`).
 *
 * ```ts
 * const { model } = await logisticRegressionTrainer.train({ rows, features, params: { epochs: 200 }, seed: 7 }, ctx);
 * const predictor = loadLogisticRegression(model);
 * ```
 *
 * @packageDocumentation
 */
export { LOGISTIC_REGRESSION, LogisticRegressionModel, dot, loadLogisticRegression, sigmoid } from './model.js';
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
} from './trainer.js';
