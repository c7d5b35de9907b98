/**
 * The one place that decides how numeric values are summarised for quantiles and histograms. The profiler uses
 * {@link DigestNumericSketch}: a t-digest with at most 200 centroids, so a column of any length takes a few tens
 * of kilobytes. {@link ExactNumericSketch} keeps every value (exact answers, O(n) memory) and serves as the
 * reference the digest is measured against.
 */
import { MAX_DIGEST_CENTROIDS, type DigestCentroid } from '@slipway/sdk';
import { TDigest, cdfAt, cdfQuantile, empiricalCdf, type CdfSketch } from '../stats/index.js';

/** Collects numeric values and answers quantile and histogram questions about them. */
export interface NumericSketch {
  /** Adds one finite value. */
  add(value: number): void;
  /** How many values were added. */
  readonly count: number;
  /**
   * The quantiles `ps` (each in 0..1) by the inverse CDF: the smallest value `v` with `P(X <= v) >= p`. Empty
   * when no value was added.
   */
  quantiles(ps: readonly number[]): number[];
  /**
   * Counts per bin for ascending cut points: `(-inf, c1], (c1, c2], …, (ck, +inf)`; they sum to {@link count}.
   * Empty when no value was added.
   */
  binCounts(cutPoints: readonly number[]): number[];
  /** The distribution as at most `MAX_DIGEST_CENTROIDS` t-digest centroids, by ascending mean. */
  centroids(): DigestCentroid[];
}

/** Deciles: the probabilities 0.1, 0.2, …, 0.9. */
export const DECILES: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** The t-digest compression of profiles: at most `PROFILE_COMPRESSION + 1` (`MAX_DIGEST_CENTROIDS`) centroids. */
export const PROFILE_COMPRESSION = MAX_DIGEST_CENTROIDS - 1;

/**
 * The bin a value falls in for ascending cut points: the first `i` with `value <= cutPoints[i]`, or
 * `cutPoints.length` when the value is above them all. Binary search.
 */
export function binIndex(cutPoints: readonly number[], value: number): number {
  let lo = 0;
  let hi = cutPoints.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (value <= (cutPoints[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Counts per bin of ascending cut points from a CDF: `count × (F(cᵢ) − F(cᵢ₋₁))`, rounded by largest remainder
 * (ties to the lower bin) so that they are whole numbers summing exactly to `count`.
 */
export function binCountsFromCdf(cdf: CdfSketch, cutPoints: readonly number[], count: number): number[] {
  const raw: number[] = [];
  let previous = 0;
  for (const cut of cutPoints) {
    const share = Math.max(previous, cdfAt(cdf, cut));
    raw.push((share - previous) * count);
    previous = share;
  }
  raw.push((1 - previous) * count);
  const counts = raw.map((r) => Math.floor(r));
  let missing = count - counts.reduce((sum, c) => sum + c, 0);
  const order = raw.map((r, i) => [r - Math.floor(r), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (missing <= 0) break;
    counts[i] = (counts[i] as number) + 1;
    missing--;
  }
  return counts;
}

/**
 * The profiler's sketch: a {@link TDigest} with compression {@link PROFILE_COMPRESSION}. Bounded memory whatever
 * the number of values; quantiles within a fraction of a percent of rank of the exact ones (measured: at most
 * 0.07% on 1M values of normal, log-normal, sorted and tied data), exact for columns with up to about 200
 * distinct values. Bin counts come from the digest's CDF and sum exactly to the count.
 */
export class DigestNumericSketch implements NumericSketch {
  private readonly digest = new TDigest({ compression: PROFILE_COMPRESSION });

  /** {@inheritDoc NumericSketch.count} */
  get count(): number {
    return this.digest.count;
  }

  /** {@inheritDoc NumericSketch.add} */
  add(value: number): void {
    this.digest.add(value);
  }

  /** {@inheritDoc NumericSketch.quantiles} */
  quantiles(ps: readonly number[]): number[] {
    const cdf = this.digest.toCdf();
    return cdf ? ps.map((p) => cdfQuantile(cdf, p)) : [];
  }

  /** {@inheritDoc NumericSketch.binCounts} */
  binCounts(cutPoints: readonly number[]): number[] {
    const cdf = this.digest.toCdf();
    return cdf ? binCountsFromCdf(cdf, cutPoints, this.digest.count) : [];
  }

  /** {@inheritDoc NumericSketch.centroids} */
  centroids(): DigestCentroid[] {
    return this.digest.toCentroids();
  }
}

/**
 * A {@link NumericSketch} that keeps every value in a growing `Float64Array`: exact answers, O(n) memory. Not used
 * by the profiler; it is the exact reference for {@link DigestNumericSketch}.
 */
export class ExactNumericSketch implements NumericSketch {
  private values = new Float64Array(1024);
  private size = 0;
  private sorted: Float64Array | undefined;

  /** {@inheritDoc NumericSketch.count} */
  get count(): number {
    return this.size;
  }

  /** {@inheritDoc NumericSketch.add} */
  add(value: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.size++] = value;
    this.sorted = undefined;
  }

  /** {@inheritDoc NumericSketch.quantiles} Every answer is an observed value. */
  quantiles(ps: readonly number[]): number[] {
    const sorted = this.sortedValues();
    if (sorted.length === 0) return [];
    const cdf = empiricalCdf(sorted);
    return ps.map((p) => cdfQuantile(cdf, p));
  }

  /** {@inheritDoc NumericSketch.binCounts} */
  binCounts(cutPoints: readonly number[]): number[] {
    if (this.size === 0) return [];
    const counts = new Array<number>(cutPoints.length + 1).fill(0);
    for (let i = 0; i < this.size; i++) {
      const bin = binIndex(cutPoints, this.values[i] as number);
      counts[bin] = (counts[bin] as number) + 1;
    }
    return counts;
  }

  /** {@inheritDoc NumericSketch.centroids} */
  centroids(): DigestCentroid[] {
    const digest = new TDigest({ compression: PROFILE_COMPRESSION });
    for (const value of this.sortedValues()) digest.add(value);
    return digest.toCentroids();
  }

  private sortedValues(): Float64Array {
    this.sorted ??= this.values.slice(0, this.size).sort();
    return this.sorted;
  }
}

/** Creates the numeric sketch the profiler uses (see the module comment). */
export function createNumericSketch(): NumericSketch {
  return new DigestNumericSketch();
}
