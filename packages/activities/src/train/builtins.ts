/**
 * The trainers and model loaders that ship with Slipway, keyed by trainer name and model kind.
 */
import type { PredictorLoader, Trainer } from '../ports.js';
import {
  LOGISTIC_REGRESSION,
  loadLogisticRegression,
  logisticRegressionTrainer,
} from './trainers/logistic-regression/index.js';
import { ONNX_MODEL_KIND } from '@slipway/sdk';
import { loadOnnxModel } from './onnx/index.js';

/** Built-in trainers by name. */
export const builtinTrainers: Readonly<Record<string, Trainer>> = Object.freeze({
  [LOGISTIC_REGRESSION]: logisticRegressionTrainer,
});

/** Built-in model loaders by model kind: the logistic regression's JSON and ONNX manifests (`onnx`). */
export const builtinPredictors: Readonly<Record<string, PredictorLoader>> = Object.freeze({
  [LOGISTIC_REGRESSION]: loadLogisticRegression,
  [ONNX_MODEL_KIND]: loadOnnxModel,
});
