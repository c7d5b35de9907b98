/**
 * A merging t-digest (Dunning & Ertl, "Computing extremely accurate quantiles using t-digests", 2019): a
 * bounded-memory summary of a stream of numbers that answers quantile and CDF questions with a small rank error,
 * smallest in the tails. Written here rather than taken from the `tdigest` npm package, which on 1M values kept
 * about 780 centroids, took 2.7 s on sorted input and compresses in a random order (`Math.random`), so the same
 * data gave different profiles.
 */
import type { DigestCentroid } from '@slipway/sdk';
import { type CdfSketch } from './cdf-sketch.js';
import { MAX_DISTINCT_COUNTED, countDistinct } from './distinct-values.js';
import { sortFloat64 } from './float-sort.js';

/** Options of a {@link TDigest}. */
export interface TDigestOptions {
  /** The compression δ: the digest never holds more than `δ + 1` centroids (default {@link DEFAULT_COMPRESSION}). */
  compression?: number;
  /** How many values are collected before they are merged into the centroids (default 4096). */
  bufferSize?: number;
}

/** The default compression: at most 200 centroids. */
export const DEFAULT_COMPRESSION = 199;

/** Centroids laid out as three parallel arrays, `length` of them used. */
interface Centroids {
  means: Float64Array;
  counts: Float64Array;
  points: Uint8Array;
  length: number;
}

function allocate(capacity: number): Centroids {
  return {
    means: new Float64Array(capacity),
    counts: new Float64Array(capacity),
    points: new Uint8Array(capacity),
    length: 0,
  };
}

/**
 * A merging t-digest with the k₁ scale function `k(q) = δ/(2π) · asin(2q − 1)`: a centroid may span at most one
 * unit of `k`, so centroids are small near the extremes and at most about `π/δ` of the mass in the middle, and the
 * digest never holds more than `δ + 1` centroids. Values are buffered and merged in sorted batches; memory is
 * `O(δ + bufferSize)` whatever the number of values.
 *
 * Three refinements: equal values always merge (a value repeated a million times is one exact centroid);
 * nothing else merges while the digest has at most `δ + 1` distinct values (so a column with few distinct values
 * is summarised exactly); and a centroid remembers whether all its values are equal (`point`), so the CDF has exact
 * jumps there. The result depends only on the values and their order: the same stream gives the same digest.
 *
 * Measured at the default δ = 199 on 1M values (normal, log-normal, sorted, half ties): quantiles within 0.07% of
 * rank, the whole CDF within 0.15% (KS distance to the exact one), 110–150 centroids, about 100 ms.
 */
export class TDigest {
  /** The compression δ. */
  readonly compression: number;
  private centroids: Centroids;
  private scratch: Centroids;
  private readonly buffer: Float64Array;
  private readonly ones: Float64Array;
  private readonly onePoints: Uint8Array;
  /** Where a flush counts the buffer's distinct values, up to as many as an exact digest holds. */
  private readonly distinct: { means: Float64Array; counts: Float64Array };
  private buffered = 0;
  private mergedCount = 0;
  private lowest = Number.POSITIVE_INFINITY;
  private highest = Number.NEGATIVE_INFINITY;

  /**
   * Creates an empty digest.
   *
   * @throws RangeError when the compression is below 10 or the buffer size below 16.
   */
  constructor(options: TDigestOptions = {}) {
    const compression = options.compression ?? DEFAULT_COMPRESSION;
    const bufferSize = options.bufferSize ?? 4096;
    if (!(compression >= 10) || !Number.isFinite(compression)) {
      throw new RangeError(`TDigest: compression must be a finite number ≥ 10, got ${compression}`);
    }
    if (!Number.isInteger(bufferSize) || bufferSize < 16) {
      throw new RangeError(`TDigest: bufferSize must be an integer ≥ 16, got ${bufferSize}`);
    }
    this.compression = compression;
    this.centroids = allocate(Math.ceil(compression) + 2);
    this.scratch = allocate(Math.ceil(compression) + 2);
    this.buffer = new Float64Array(bufferSize);
    this.ones = new Float64Array(bufferSize).fill(1);
    this.onePoints = new Uint8Array(bufferSize).fill(1);
    const exactMost = Math.min(Math.floor(compression) + 1, MAX_DISTINCT_COUNTED, bufferSize);
    this.distinct = { means: new Float64Array(exactMost), counts: new Float64Array(exactMost) };
  }

  /**
   * A digest holding the given centroids (for example from a stored profile), merged down to `compression`. Its
   * `min` and `max` are the extreme centroid means.
   *
   * @throws RangeError when a centroid has a non-finite mean or a count that is not a positive integer.
   */
  static fromCentroids(centroids: readonly DigestCentroid[], options: TDigestOptions = {}): TDigest {
    const digest = new TDigest(options);
    const sorted = [...centroids].sort((a, b) => a.mean - b.mean);
    const source = allocate(sorted.length);
    for (const c of sorted) {
      if (!Number.isFinite(c.mean) || !Number.isInteger(c.count) || c.count < 1) {
        throw new RangeError(`TDigest.fromCentroids: invalid centroid ${JSON.stringify(c)}`);
      }
      source.means[source.length] = c.mean;
      source.counts[source.length] = c.count;
      source.points[source.length++] = c.point ? 1 : 0;
      digest.lowest = Math.min(digest.lowest, c.mean);
      digest.highest = Math.max(digest.highest, c.mean);
    }
    digest.mergeIn(source);
    return digest;
  }

  /** How many values the digest summarises. */
  get count(): number {
    return this.mergedCount + this.buffered;
  }

  /** The smallest value added (`+∞` when empty). */
  get min(): number {
    return this.lowest;
  }

  /** The largest value added (`−∞` when empty). */
  get max(): number {
    return this.highest;
  }

  /**
   * Adds one value.
   *
   * @throws RangeError when the value is not a finite number.
   */
  add(value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`TDigest.add: value must be a finite number, got ${value}`);
    if (value < this.lowest) this.lowest = value;
    if (value > this.highest) this.highest = value;
    this.buffer[this.buffered++] = value;
    if (this.buffered === this.buffer.length) this.flush();
  }

  /** Adds every centroid of `other` (the result summarises both streams). */
  merge(other: TDigest): void {
    other.flush();
    this.lowest = Math.min(this.lowest, other.lowest);
    this.highest = Math.max(this.highest, other.highest);
    this.mergeIn(other.centroids);
  }

  /** The centroids, by ascending mean (at most `compression + 1`). */
  toCentroids(): DigestCentroid[] {
    this.flush();
    const { means, counts, points, length } = this.centroids;
    const out: DigestCentroid[] = [];
    for (let i = 0; i < length; i++) {
      out.push({ mean: means[i] as number, count: counts[i] as number, point: points[i] === 1 });
    }
    return out;
  }

  /** The digest's distribution as a CDF sketch (see {@link centroidCdf}); `undefined` when empty. */
  toCdf(): CdfSketch | undefined {
    if (this.count === 0) return undefined;
    return centroidCdf(this.toCentroids(), this.lowest, this.highest);
  }

  /** Merges the buffered values into the centroids. */
  private flush(): void {
    if (this.buffered === 0) return;
    const values = this.buffer.subarray(0, this.buffered);
    this.buffered = 0;
    const { means, counts } = this.distinct;
    const distinct = countDistinct(values, means.length, means, counts);
    if (distinct >= 0) {
      // Few distinct values: when the digest stays exact, merging them with their counts is merging every value.
      const run = { means, counts, points: this.onePoints, length: distinct };
      if (fitsExactly(this.centroids, run, this.compression + 1)) return this.mergeIn(run);
      expand(run, values);
    } else sortFloat64(values);
    this.mergeIn({ means: this.buffer, counts: this.ones, points: this.onePoints, length: values.length });
  }

  /**
   * Merges a sorted run of centroids into the digest's own (buffered values stay buffered). When the result fits in
   * `compression + 1` centroids with only equal points combined, nothing else is merged, so a digest stays exact
   * while the data has few distinct values; otherwise centroids are merged under the k₁ limit.
   */
  private mergeIn(run: Centroids): void {
    let total = this.mergedCount;
    for (let i = 0; i < run.length; i++) total += run.counts[i] as number;
    const exact = fitsExactly(this.centroids, run, this.compression + 1);
    const merger = new GreedyMerger(this.scratch, total, exact ? 0 : this.compression);
    forEachMerged(this.centroids, run, (mean, count, point) => merger.push(mean, count, point));
    this.scratch = merger.finish();
    [this.centroids, this.scratch] = [this.scratch, this.centroids];
    this.mergedCount = total;
  }
}

/**
 * Whether two runs sorted by mean merge into at most `limit` centroids when only equal points are combined. Stops
 * at the first centroid past the limit, so a digest of many distinct values pays for a few hundred steps.
 */
function fitsExactly(a: Centroids, b: Centroids, limit: number): boolean {
  let distinct = 0;
  let lastMean = Number.NaN;
  let lastPoint = false;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const fromA = j >= b.length || (i < a.length && (a.means[i] as number) <= (b.means[j] as number));
    const mean = fromA ? (a.means[i] as number) : (b.means[j] as number);
    const point = fromA ? a.points[i++] === 1 : b.points[j++] === 1;
    if (!(lastPoint && point && lastMean === mean) && ++distinct > limit) return false;
    lastMean = mean;
    lastPoint = point;
  }
  return true;
}

/** Writes the values of a run of point centroids into `into`, each as many times as its count: in sorted order. */
function expand(run: Centroids, into: Float64Array): void {
  let at = 0;
  for (let k = 0; k < run.length; k++) {
    const count = run.counts[k] as number;
    into.fill(run.means[k] as number, at, at + count);
    at += count;
  }
}

/** Visits the centroids of two runs sorted by mean in merged order (ties: `a` first). */
function forEachMerged(a: Centroids, b: Centroids, visit: (mean: number, count: number, point: boolean) => void): void {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && (a.means[i] as number) <= (b.means[j] as number))) {
      visit(a.means[i] as number, a.counts[i] as number, a.points[i] === 1);
      i++;
    } else {
      visit(b.means[j] as number, b.counts[j] as number, b.points[j] === 1);
      j++;
    }
  }
}

/**
 * Builds centroids left to right from items sorted by mean: an item joins the current centroid when both are
 * points of the same value, or (with a positive `compression`) while the centroid spans at most one unit of `k₁`.
 * With `compression` 0 nothing else merges.
 */
class GreedyMerger {
  private mean = 0;
  private count = 0;
  private point = false;
  private before = 0;
  private limit = 0;

  constructor(
    private out: Centroids,
    private readonly total: number,
    private readonly compression: number,
  ) {
    out.length = 0;
  }

  push(mean: number, count: number, point: boolean): void {
    if (this.count === 0) return this.start(mean, count, point);
    if (this.point && point && mean === this.mean) {
      this.count += count;
    } else if (this.before + this.count + count <= this.limit) {
      this.count += count;
      this.mean += ((mean - this.mean) * count) / this.count;
      this.point = false;
    } else {
      this.emit();
      this.start(mean, count, point);
    }
  }

  /** Emits the last centroid and returns the output (reallocated if it had to grow). */
  finish(): Centroids {
    if (this.count > 0) this.emit();
    return this.out;
  }

  private start(mean: number, count: number, point: boolean): void {
    this.mean = mean;
    this.count = count;
    this.point = point;
    this.limit = this.compression > 0 ? this.total * qLimit(this.before / this.total, this.compression) : 0;
  }

  private emit(): void {
    if (this.out.length === this.out.means.length) this.grow();
    const { out } = this;
    out.means[out.length] = this.mean;
    out.counts[out.length] = this.count;
    out.points[out.length++] = this.point ? 1 : 0;
    this.before += this.count;
    this.count = 0;
  }

  /** Doubles the output arrays; the k₁ bound keeps a digest at δ + 1 centroids, but a merge of raw runs may pass it. */
  private grow(): void {
    const bigger = allocate(this.out.means.length * 2 + 16);
    bigger.means.set(this.out.means);
    bigger.counts.set(this.out.counts);
    bigger.points.set(this.out.points);
    bigger.length = this.out.length;
    this.out = bigger;
  }
}

/** The largest q a centroid that starts at `q0` may reach: one unit of `k₁(q) = δ/(2π)·asin(2q − 1)` further. */
function qLimit(q0: number, compression: number): number {
  const k = (compression / (2 * Math.PI)) * Math.asin(2 * Math.min(1, Math.max(0, q0)) - 1) + 1;
  if (k >= compression / 4) return 1;
  return (Math.sin((2 * Math.PI * k) / compression) + 1) / 2;
}

/**
 * The CDF sketch of a list of centroids (ascending means) over `[min, max]`, the interpolation of the t-digest
 * paper: a point centroid is a jump of its whole count at its mean; any other centroid puts half its count on
 * each side of its mean, spread evenly up to the neighbouring centroid's mean (or to `min` / `max` at the ends).
 * Centroids with equal means share one breakpoint.
 *
 * @throws RangeError when there are no centroids, the means are not ascending, or `min` / `max` do not enclose them.
 */
export function centroidCdf(centroids: readonly DigestCentroid[], min: number, max: number): CdfSketch {
  const first = centroids[0];
  const last = centroids.at(-1);
  if (!first || !last) throw new RangeError('centroidCdf: no centroids');
  if (!(min <= first.mean && max >= last.mean)) {
    throw new RangeError(`centroidCdf: [${min}, ${max}] does not enclose the centroid means`);
  }
  const total = centroids.reduce((sum, c) => sum + c.count, 0);
  const xs: number[] = [];
  const before: number[] = [];
  const at: number[] = [];
  const add = (x: number, below: number, upTo: number) => {
    xs.push(x);
    before.push(below);
    at.push(upTo);
  };
  if (min < first.mean) add(min, 0, 0);
  let cumulative = 0;
  centroids.forEach((c, i) => {
    if (i > 0 && c.mean < (centroids[i - 1] as DigestCentroid).mean) {
      throw new RangeError(`centroidCdf: centroid means are not ascending at index ${i}`);
    }
    const half = c.point ? 0 : c.count / 2;
    const left = i === 0 && min >= c.mean ? 0 : half;
    const right = i === centroids.length - 1 && max <= c.mean ? 0 : half;
    const upTo = (cumulative + c.count - right) / total;
    if (xs.at(-1) === c.mean) at[at.length - 1] = upTo;
    else add(c.mean, (cumulative + left) / total, upTo);
    cumulative += c.count;
  });
  if (max > last.mean) add(max, 1, 1);
  return { xs, before, at, count: total };
}
