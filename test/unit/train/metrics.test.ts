import { describe, expect, it } from 'vitest';
import {
  LOG_LOSS_EPSILON,
  accuracy,
  auc,
  binaryClassificationMetrics,
  logLoss,
} from '../../../packages/activities/src/train/index.js';

describe('auc', () => {
  it('matches the hand-computed value without ties', () => {
    // Pairs (positive, negative): (0.35, 0.1) ✓, (0.35, 0.4) ✗, (0.8, 0.1) ✓, (0.8, 0.4) ✓ → 3/4.
    expect(auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
  });

  it('counts a tie between a positive and a negative as one half', () => {
    // Pairs: (0.5 vs 0.5) ½, (0.5 vs 0.2) 1, (0.9 vs 0.5) 1, (0.9 vs 0.2) 1 → 3.5/4.
    expect(auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875);
    // Every score equal: no information, 0.5.
    expect(auc([0, 1, 1, 0, 1], [0.3, 0.3, 0.3, 0.3, 0.3])).toBe(0.5);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one, and undefined with one class', () => {
    expect(auc([0, 0, 1, 1, 1], [0.1, 0.2, 0.3, 0.4, 0.5])).toBe(1);
    expect(auc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4])).toBe(0);
    expect(auc([1, 1, 1], [0.1, 0.2, 0.3])).toBeUndefined();
  });

  it('agrees with a brute-force pair count on random data with ties', () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const labels = Array.from({ length: 300 }, () => (next() < 0.4 ? 1 : 0));
    const scores = labels.map((y) => Math.round((next() + y * 0.3) * 20) / 20);
    let wins = 0;
    let pairs = 0;
    labels.forEach((yi, i) =>
      labels.forEach((yj, j) => {
        if (yi !== 1 || yj !== 0) return;
        pairs++;
        const si = scores[i] as number;
        const sj = scores[j] as number;
        wins += si > sj ? 1 : si === sj ? 0.5 : 0;
      }),
    );
    expect(auc(labels, scores)).toBeCloseTo(wins / pairs, 12);
  });
});

describe('logLoss', () => {
  it('matches the hand-computed value', () => {
    // −(ln 0.8 + ln(1 − 0.3)) / 2
    expect(logLoss([1, 0], [0.8, 0.3])).toBeCloseTo((0.2231435513142097 + 0.35667494393873245) / 2, 15);
  });

  it('clips probabilities of 0 and 1 to the float64 machine epsilon, as scikit-learn does', () => {
    expect(LOG_LOSS_EPSILON).toBe(2.220446049250313e-16);
    expect(logLoss([1], [0])).toBeCloseTo(36.04365338911715, 9);
    expect(logLoss([0], [1])).toBeCloseTo(36.04365338911715, 1);
    expect(Number.isFinite(logLoss([1, 0], [0, 1]))).toBe(true);
    expect(logLoss([1, 0], [1, 0])).toBeLessThan(1e-14);
  });
});

describe('accuracy and binaryClassificationMetrics', () => {
  it('thresholds at 0.5 (inclusive)', () => {
    // Predictions 1, 0, 0, 1 against labels 1, 0, 1, 0: the first two are right.
    expect(accuracy([1, 0, 1, 0], [0.5, 0.49, 0.2, 0.9])).toBe(0.5);
  });

  it('returns every metric, and leaves AUC out when the split has one class', () => {
    expect(binaryClassificationMetrics([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toEqual({
      accuracy: 0.75,
      auc: 0.75,
      logLoss: expect.closeTo(-(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4, 12) as number,
      positiveRate: 0.5,
      predictedPositiveRate: 0.25,
    });
    expect(binaryClassificationMetrics([1, 1], [0.7, 0.2])).not.toHaveProperty('auc');
  });

  it('refuses mismatched or empty inputs', () => {
    expect(() => auc([1, 0], [0.5])).toThrow(/differ in length/);
    expect(() => logLoss([], [])).toThrow(/at least one example/);
  });
});
