/**
 * Population Stability Index and the binning that feeds it. Pure functions: no I/O, no Temporal.
 *
 * PSI compares two distributions over the same buckets:
 * `PSI = Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ)`, where `eᵢ` is the reference (training) share of bucket `i` and `aᵢ` the
 * served share. Both shares are floored at a small ε so that empty buckets give a large but finite value.
 * Rule of thumb: below 0.1 stable, 0.1–0.2 moderate shift, above 0.2 significant shift.
 */
import type { CategoricalColumnProfile, NumericColumnProfile } from '@slipway/sdk';
import { binIndex } from '../data/numeric-sketch.js';

/** The ε floor applied to both shares before taking logarithms. */
export const DEFAULT_PSI_EPSILON = 1e-6;

/**
 * The Population Stability Index of `actualShares` against `expectedShares`: Σ (a − e) · ln(a / e), with both
 * shares floored at `epsilon`. Identical shares give 0; the result is never negative.
 *
 * @throws RangeError when the two arrays differ in length, are empty, hold a negative or non-finite share,
 *   or `epsilon` is not positive.
 */
export function psi(
  expectedShares: readonly number[],
  actualShares: readonly number[],
  epsilon = DEFAULT_PSI_EPSILON,
): number {
  if (expectedShares.length !== actualShares.length) {
    throw new RangeError(
      `psi: expected ${expectedShares.length} expected shares and ${actualShares.length} actual shares to have the same length`,
    );
  }
  if (expectedShares.length === 0) throw new RangeError('psi: needs at least one bucket');
  if (!(epsilon > 0)) throw new RangeError(`psi: epsilon must be positive, got ${epsilon}`);
  let total = 0;
  for (let i = 0; i < expectedShares.length; i++) {
    const e = Math.max(checkShare(expectedShares[i], 'expected', i), epsilon);
    const a = Math.max(checkShare(actualShares[i], 'actual', i), epsilon);
    total += (a - e) * Math.log(a / e);
  }
  // Every term is ≥ 0 in exact arithmetic; clamp rounding noise.
  return Math.max(0, total);
}

function checkShare(value: number | undefined, which: string, index: number): number {
  if (value === undefined || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`psi: ${which} share at bucket ${index} must be a finite number ≥ 0, got ${String(value)}`);
  }
  return value;
}

/** Each count divided by their sum; all zeros when the sum is 0. */
export function toShares(counts: readonly number[]): number[] {
  const total = counts.reduce((sum, c) => sum + c, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}

/**
 * Counts values per bucket of ascending `cutPoints` c1 < … < ck: bucket 0 is (-∞, c1], bucket i is (ci, ci+1],
 * bucket k is (ck, +∞), the same buckets the profiler counted (its `binIndex`). Returns `cutPoints.length + 1` counts.
 * NaN is skipped; -∞ and +∞ land in the outer buckets.
 */
export function binNumeric(values: Iterable<number>, cutPoints: readonly number[]): number[] {
  const counts = new Array<number>(cutPoints.length + 1).fill(0);
  for (const value of values) {
    if (Number.isNaN(value)) continue;
    const index = binIndex(cutPoints, value);
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts;
}

/**
 * Counts values per category; values outside `categories` go to a last "other" bucket. Returns
 * `categories.length + 1` counts.
 */
export function countCategorical(values: Iterable<string>, categories: readonly string[]): number[] {
  const position = new Map(categories.map((category, i) => [category, i] as const));
  const counts = new Array<number>(categories.length + 1).fill(0);
  for (const value of values) {
    const index = position.get(value) ?? categories.length;
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts;
}

/**
 * Reference shares of a numeric profile: its bin counts as shares, one per bucket of its cut points.
 *
 * @throws RangeError when the profile's bin counts do not match its cut points.
 */
export function numericReferenceShares(profile: NumericColumnProfile): number[] {
  // A column with no values in training has no bins: every bucket's share is 0.
  if (profile.binCounts.length === 0 && profile.count === 0)
    return new Array<number>(profile.cutPoints.length + 1).fill(0);
  if (profile.binCounts.length !== profile.cutPoints.length + 1) {
    throw new RangeError(
      `numeric profile has ${profile.binCounts.length} bin counts for ${profile.cutPoints.length} cut points ` +
        `(expected ${profile.cutPoints.length + 1})`,
    );
  }
  return toShares(profile.binCounts);
}

/**
 * The buckets and reference shares of a categorical profile: one bucket per profiled value, then "other" for
 * values the profile lists no count for (`count` minus the listed counts, when the profile kept only the top
 * values; 0 otherwise).
 */
export function categoricalReference(profile: CategoricalColumnProfile): { categories: string[]; shares: number[] } {
  const categories = profile.topValues.map((v) => v.value);
  const listed = profile.topValues.reduce((sum, v) => sum + v.count, 0);
  const other = Math.max(0, profile.count - listed);
  return { categories, shares: toShares([...profile.topValues.map((v) => v.count), other]) };
}

/** Served shares of numeric values on a numeric profile's cut points. */
export function numericServedShares(values: Iterable<number>, profile: NumericColumnProfile): number[] {
  return toShares(binNumeric(values, profile.cutPoints));
}

/** Served shares of categorical values over a profile's categories plus "other". */
export function categoricalServedShares(values: Iterable<string>, categories: readonly string[]): number[] {
  return toShares(countCategorical(values, categories));
}
