/**
 * Binary classification metrics on a held-out split: accuracy at 0.5, rank-based AUC (ties averaged),
 * clipped log loss, precision, recall and F1 of the positive class, and the actual and predicted positive rates.
 */
import type { Metrics } from '@slipway/sdk';

/**
 * Probabilities are clipped to `[LOG_LOSS_EPSILON, 1 − LOG_LOSS_EPSILON]` in the log losses: the float64 machine
 * epsilon (2.22e-16), as scikit-learn's `log_loss` clips float64 probabilities.
 */
export const LOG_LOSS_EPSILON = Number.EPSILON;

function assertSameLength(labels: ArrayLike<number>, scores: ArrayLike<number>): void {
  if (labels.length !== scores.length) {
    throw new RangeError(`labels and scores differ in length (${labels.length} vs ${scores.length})`);
  }
  if (labels.length === 0) throw new RangeError('metrics need at least one example');
}

/** Share of examples whose prediction (`score >= threshold`) equals the 0/1 label. */
export function accuracy(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold = 0.5): number {
  assertSameLength(labels, scores);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    if (((scores[i] as number) >= threshold ? 1 : 0) === labels[i]) correct++;
  }
  return correct / labels.length;
}

/**
 * Area under the ROC curve by ranks (Mann–Whitney U): tied scores share their average rank, so a tie
 * between a positive and a negative counts one half. `undefined` when only one class is present.
 */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number | undefined {
  assertSameLength(labels, scores);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => (scores[a] as number) - (scores[b] as number),
  );
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    const score = scores[order[start] as number] as number;
    while (end + 1 < order.length && scores[order[end + 1] as number] === score) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k] as number] === 1) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return undefined;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean negative log-likelihood of the 0/1 labels, probabilities clipped by {@link LOG_LOSS_EPSILON}. */
export function logLoss(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  assertSameLength(labels, scores);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, scores[i] as number));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/**
 * Every metric of a binary classifier: `accuracy`, `auc` (left out when the split holds one class only),
 * `logLoss`, `positiveRate` (share of positive labels) and `predictedPositiveRate` (share of scores ≥ 0.5).
 */
export function binaryClassificationMetrics(labels: ArrayLike<number>, scores: ArrayLike<number>): Metrics {
  assertSameLength(labels, scores);
  let positives = 0;
  let predicted = 0;
  for (let i = 0; i < labels.length; i++) {
    positives += labels[i] === 1 ? 1 : 0;
    predicted += (scores[i] as number) >= 0.5 ? 1 : 0;
  }
  const area = auc(labels, scores);
  return {
    accuracy: accuracy(labels, scores),
    ...(area === undefined ? {} : { auc: area }),
    logLoss: logLoss(labels, scores),
    positiveRate: positives / labels.length,
    predictedPositiveRate: predicted / labels.length,
  };
}

/** Counts of a binary confusion matrix at a threshold (positive: `score >= threshold`). */
export interface BinaryConfusion {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
}

/** The confusion matrix of 0/1 `labels` against `score >= threshold`. */
export function binaryConfusion(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  threshold = 0.5,
): BinaryConfusion {
  assertSameLength(labels, scores);
  const counts: BinaryConfusion = { truePositives: 0, falsePositives: 0, falseNegatives: 0, trueNegatives: 0 };
  for (let i = 0; i < labels.length; i++) {
    const predicted = (scores[i] as number) >= threshold;
    const actual = labels[i] === 1;
    if (predicted && actual) counts.truePositives++;
    else if (predicted) counts.falsePositives++;
    else if (actual) counts.falseNegatives++;
    else counts.trueNegatives++;
  }
  return counts;
}

/**
 * Precision, recall and F1 of the positive class at threshold 0.5, as scikit-learn computes them
 * (`F1 = 2·TP / (2·TP + FP + FN)`). A metric whose denominator is zero is left out rather than reported as 0
 * (scikit-learn's `zero_division` default): `precision` when the model predicts no positive, `recall` when the
 * labels hold no positive, `f1` when neither does.
 */
export function precisionRecallF1(labels: ArrayLike<number>, scores: ArrayLike<number>): Metrics {
  const { truePositives: tp, falsePositives: fp, falseNegatives: fn } = binaryConfusion(labels, scores);
  return {
    ...(tp + fp > 0 ? { precision: tp / (tp + fp) } : {}),
    ...(tp + fn > 0 ? { recall: tp / (tp + fn) } : {}),
    ...(tp + fp + fn > 0 ? { f1: (2 * tp) / (2 * tp + fp + fn) } : {}),
  };
}

/**
 * Mean negative log-likelihood of the true class, from full probability rows: `−log p[truth]`, clipped by
 * {@link LOG_LOSS_EPSILON}. For a binary model this reads the true class's own column (not `1 − p[positive]`),
 * as scikit-learn's `log_loss` does with a probability matrix; the columns of a float32 model round apart.
 */
export function classLogLoss(truth: ArrayLike<number>, probabilities: readonly (readonly number[])[]): number {
  if (truth.length !== probabilities.length) {
    throw new RangeError(`labels and probabilities differ in length (${truth.length} vs ${probabilities.length})`);
  }
  if (truth.length === 0) throw new RangeError('metrics need at least one example');
  let sum = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = (probabilities[i] as readonly number[])[truth[i] as number] as number;
    sum -= Math.log(Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, p)));
  }
  return sum / truth.length;
}
