/**
 * The buckets PSI and the other drift statistics compare: served values binned on a training profile's cut
 * points or counted over its categories, and the profile's own reference shares. Pure functions: no I/O, no
 * Temporal. The statistics themselves live in `../stats` (one implementation of each).
 */
import type { CategoricalColumnProfile, NumericColumnProfile } from '@slipway/sdk';
import { binIndex } from '../data/numeric-sketch.js';
import { toShares } from '../stats/index.js';

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
 * The buckets and reference counts of a categorical profile: one bucket per profiled value, then "other" for
 * values the profile lists no count for (`count` minus the listed counts, when the profile kept only the top
 * values; 0 otherwise, and never negative when the listed counts are Space-Saving upper bounds).
 */
export function categoricalReferenceCounts(profile: CategoricalColumnProfile): {
  categories: string[];
  counts: number[];
} {
  const categories = profile.topValues.map((v) => v.value);
  const listed = profile.topValues.reduce((sum, v) => sum + v.count, 0);
  const other = Math.max(0, profile.count - listed);
  return { categories, counts: [...profile.topValues.map((v) => v.count), other] };
}

/**
 * The buckets and reference shares of a categorical profile: {@link categoricalReferenceCounts} as shares.
 */
export function categoricalReference(profile: CategoricalColumnProfile): { categories: string[]; shares: number[] } {
  const { categories, counts } = categoricalReferenceCounts(profile);
  return { categories, shares: toShares(counts) };
}

/** Served shares of numeric values on a numeric profile's cut points. */
export function numericServedShares(values: Iterable<number>, profile: NumericColumnProfile): number[] {
  return toShares(binNumeric(values, profile.cutPoints));
}

/** Served shares of categorical values over a profile's categories plus "other". */
export function categoricalServedShares(values: Iterable<string>, categories: readonly string[]): number[] {
  return toShares(countCategorical(values, categories));
}
