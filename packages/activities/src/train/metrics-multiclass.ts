/**
 * Multiclass classification metrics on a held-out split, from each row's true class index and the model's
 * probability row: accuracy of the most probable class, macro-F1 and log loss.
 */
import type { Metrics } from '@slipway/sdk';
import { classLogLoss } from './metrics.js';
import { argmax } from './model-output.js';

/**
 * Macro-averaged F1 of predicted class indices against true ones: the mean over classes of
 * `2·TP / (2·TP + FP + FN)`, over the classes that occur in the truth or the predictions (scikit-learn's
 * `f1_score(average='macro')`: a class absent from both says nothing about the model and is not averaged in).
 */
export function macroF1(truth: ArrayLike<number>, predicted: ArrayLike<number>, classCount: number): number {
  if (truth.length !== predicted.length) {
    throw new RangeError(`labels and predictions differ in length (${truth.length} vs ${predicted.length})`);
  }
  if (truth.length === 0) throw new RangeError('metrics need at least one example');
  const tp = new Float64Array(classCount);
  const fp = new Float64Array(classCount);
  const fn = new Float64Array(classCount);
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i] as number;
    const p = predicted[i] as number;
    if (t === p) tp[t]! += 1;
    else {
      fp[p]! += 1;
      fn[t]! += 1;
    }
  }
  let sum = 0;
  let present = 0;
  for (let k = 0; k < classCount; k++) {
    const denominator = 2 * tp[k]! + fp[k]! + fn[k]!;
    if (denominator === 0) continue;
    sum += (2 * tp[k]!) / denominator;
    present++;
  }
  return sum / present;
}

/**
 * Every metric of a multiclass classifier: `accuracy` (the most probable class, the first on a tie, is the true
 * one), `macroF1` (see {@link macroF1}) and `logLoss` (see {@link classLogLoss}).
 */
export function multiclassMetrics(truth: ArrayLike<number>, probabilities: readonly (readonly number[])[]): Metrics {
  const classCount = probabilities[0]?.length ?? 0;
  const predicted = Int32Array.from(probabilities, (row) => argmax(row));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) correct++;
  const logLoss = classLogLoss(truth, probabilities);
  return { accuracy: correct / truth.length, macroF1: macroF1(truth, predicted, classCount), logLoss };
}
