/** Regression metrics on a held-out split: RMSE, MAE, R² and MAPE, as scikit-learn defines them. */
import type { Metrics } from '@slipway/sdk';

/**
 * Every metric of a regressor, from the true and predicted values:
 * - `rmse`: `√(mean (y − ŷ)²)`; `mae`: `mean |y − ŷ|`;
 * - `r2`: `1 − Σ(y − ŷ)² / Σ(y − ȳ)²`; when every true value is the same (the denominator is 0), 1 for a perfect
 *   prediction and 0 otherwise (scikit-learn's `force_finite`);
 * - `mape`: `mean |y − ŷ| / |y|`, a fraction (0.05 is 5 %). A zero target has no percentage error: when any true
 *   value is 0, `mape` is left out of the metrics (scikit-learn divides by machine epsilon instead, which turns one
 *   zero target into an error of about 10¹⁵ and hides every other row).
 */
export function regressionMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>): Metrics {
  if (truth.length !== predicted.length) {
    throw new RangeError(`values and predictions differ in length (${truth.length} vs ${predicted.length})`);
  }
  const n = truth.length;
  if (n === 0) throw new RangeError('metrics need at least one example');
  let mean = 0;
  for (let i = 0; i < n; i++) mean += truth[i] as number;
  mean /= n;
  let squared = 0;
  let absolute = 0;
  let total = 0;
  let percentage = 0;
  let zeroTargets = 0;
  for (let i = 0; i < n; i++) {
    const y = truth[i] as number;
    const error = y - (predicted[i] as number);
    squared += error * error;
    absolute += Math.abs(error);
    total += (y - mean) * (y - mean);
    if (y === 0) zeroTargets++;
    else percentage += Math.abs(error) / Math.abs(y);
  }
  const r2 = total === 0 ? (squared === 0 ? 1 : 0) : 1 - squared / total;
  return {
    rmse: Math.sqrt(squared / n),
    mae: absolute / n,
    r2,
    ...(zeroTargets === 0 ? { mape: percentage / n } : {}),
  };
}
