/**
 * Held-out metrics by task, from a model's own outputs and the target values as the rows hold them: what Slipway
 * records for every model, whoever trained it. Each output is read through `predictionOf` (an output that does not
 * fit the task is an error naming the row), and each target value is matched to a class by value (see
 * `classIndexer`).
 */
import { FinalErrorType, finalFailure, type ClassLabel, type Metrics } from '@slipway/sdk';
import type { ModelOutput, Predictor } from '../ports.js';
import { classIndexer, showValue } from './class-index.js';
import { binaryClassificationMetrics, classLogLoss, precisionRecallF1 } from './metrics.js';
import { multiclassMetrics } from './metrics-multiclass.js';
import { regressionMetrics } from './metrics-regression.js';
import { predictionOf } from './model-output.js';
import { parseNumberCell } from '../data/cell-checker.js';

/** Options of {@link taskMetrics}. */
export interface TaskMetricsOptions {
  /** The target column, named in error messages (default "the target"). */
  target?: string | undefined;
}

type Scored = Pick<Predictor, 'task' | 'classes'>;

function where(options: TaskMetricsOptions): string {
  return options.target === undefined ? 'the target' : `target "${options.target}"`;
}

function invalid(message: string, details: Record<string, unknown>): never {
  throw finalFailure(FinalErrorType.InvalidInput, message, details);
}

/** Every output checked against the task; the first that does not fit is an error naming its row. */
function checkOutputs(predictor: Scored, outputs: readonly ModelOutput[]): void {
  outputs.forEach((output, i) => {
    const outcome = predictionOf(predictor, output);
    if (!outcome.ok)
      invalid(
        `The model's output for held-out row ${i + 1} does not fit a ${predictor.task} model: ${outcome.reason}`,
        { row: i + 1 },
      );
  });
}

function truthIndices(
  classes: readonly ClassLabel[],
  truth: readonly unknown[],
  options: TaskMetricsOptions,
): Int32Array {
  const indexOf = classIndexer(classes);
  return Int32Array.from(truth, (value, i) => {
    const index = indexOf(value);
    if (index === undefined) {
      const shown = classes.slice(0, 10).map(showValue).join(', ');
      invalid(
        `Held-out row ${i + 1}: ${where(options)} is ${showValue(value)}, which is not one of the model's classes (${shown}${classes.length > 10 ? ', …' : ''})`,
        { row: i + 1, target: options.target },
      );
    }
    return index;
  });
}

function truthValues(truth: readonly unknown[], options: TaskMetricsOptions): Float64Array {
  return Float64Array.from(truth, (value, i) => {
    const number =
      typeof value === 'number' ? value : typeof value === 'string' ? parseNumberCell(value.trim()) : undefined;
    if (number === undefined || !Number.isFinite(number)) {
      invalid(`Held-out row ${i + 1}: ${where(options)} is ${showValue(value)}, not a finite number`, {
        row: i + 1,
        target: options.target,
      });
    }
    return number;
  });
}

function binaryMetrics(labels: Int32Array, probabilities: readonly (readonly number[])[]): Metrics {
  const scores = Float64Array.from(probabilities, (row) => row[1] as number);
  return {
    ...binaryClassificationMetrics(labels, scores),
    // from each row's own class probabilities (an ONNX model's need not be exactly 1 − p and p)
    logLoss: classLogLoss(labels, probabilities),
    ...precisionRecallF1(labels, scores),
  };
}

/**
 * Held-out metrics by task (`truth`: the target values as the rows hold them; `outputs`: the model's, in the same
 * order):
 * - binary: `accuracy` (the positive class, the second of `classes`, when its score is ≥ 0.5), `auc` (left out when
 *   one class only is present), `logLoss`, `precision`, `recall`, `f1` (of the positive class; see
 *   `precisionRecallF1` for when they are left out), `positiveRate`, `predictedPositiveRate`;
 * - multiclass: `accuracy`, `macroF1`, `logLoss` (see `multiclassMetrics`);
 * - regression: `rmse`, `mae`, `r2`, `mape` (see `regressionMetrics`, also for zero targets).
 *
 * A final `SlipwayInvalidInput` names the row when a target is not one of the classes (or, for regression, not a
 * number), when an output does not fit the task, or when there is no row at all.
 */
export function taskMetrics(
  predictor: Scored,
  truth: readonly unknown[],
  outputs: readonly ModelOutput[],
  options: TaskMetricsOptions = {},
): Metrics {
  if (truth.length !== outputs.length) {
    invalid(`${truth.length} target values but ${outputs.length} model outputs`, {
      truth: truth.length,
      outputs: outputs.length,
    });
  }
  if (truth.length === 0) invalid('Held-out metrics need at least one row; the held-out split is empty', {});
  checkOutputs(predictor, outputs);
  if (predictor.task === 'regression') {
    return regressionMetrics(
      truthValues(truth, options),
      Float64Array.from(outputs, (o) => (o as { value: number }).value),
    );
  }
  const probabilities = outputs.map((o) => (o as { probabilities: readonly number[] }).probabilities);
  const indices = truthIndices(predictor.classes ?? [], truth, options);
  return predictor.task === 'binary'
    ? binaryMetrics(indices, probabilities)
    : multiclassMetrics(indices, probabilities);
}
