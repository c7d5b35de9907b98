/**
 * The Jensen–Shannon distance between two discrete distributions.
 */
import { checkCounts, checkSameLength } from './checks.js';

/**
 * The Jensen–Shannon distance between `p` and `q` (weights or counts over the same buckets; each is normalized
 * to sum to 1), as scipy's `jensenshannon(p, q, base)`: `sqrt((KL(p‖m) + KL(q‖m)) / 2)` with `m = (p + q) / 2`
 * and logarithms in `base` (default 2, which bounds the distance to [0, 1]). 0 for identical distributions,
 * 1 (base 2) for disjoint ones. It is symmetric and a metric, unlike the divergence (its square).
 *
 * @throws RangeError when the lists differ in length, are empty, hold a negative or non-finite weight, sum to
 *   zero, or `base` is not a finite number above 1.
 */
export function jensenShannonDistance(p: readonly number[], q: readonly number[], base = 2): number {
  const fn = 'jensenShannonDistance';
  checkSameLength(p, q, fn, ['p', 'q']);
  const totalP = checkCounts(p, fn, 'p');
  const totalQ = checkCounts(q, fn, 'q');
  if (totalP === 0) throw new RangeError(`${fn}: p sums to 0`);
  if (totalQ === 0) throw new RangeError(`${fn}: q sums to 0`);
  if (!(base > 1) || !Number.isFinite(base))
    throw new RangeError(`${fn}: base must be a finite number > 1, got ${base}`);
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = (p[i] as number) / totalP;
    const qi = (q[i] as number) / totalQ;
    const mi = (pi + qi) / 2;
    left += relativeEntropyTerm(pi, mi);
    right += relativeEntropyTerm(qi, mi);
  }
  const divergence = (left + right) / Math.log(base);
  // Rounding can leave a tiny negative sum for (nearly) identical inputs.
  return Math.sqrt(Math.max(0, divergence / 2));
}

/** `x · ln(x / y)`, 0 when `x` is 0 (scipy's `rel_entr`; `y` is never 0 where `x` is not, as m ≥ x / 2). */
function relativeEntropyTerm(x: number, y: number): number {
  return x > 0 ? x * Math.log(x / y) : 0;
}
