/**
 * The one place that decides how numeric values are summarised for quantiles and histograms. Today it keeps
 * every value (exact, O(n) memory); a bounded-memory sketch (t-digest or KLL) can replace
 * {@link ExactNumericSketch} behind the {@link NumericSketch} interface without touching the profiler.
 */

/** Collects numeric values and answers quantile and histogram questions about them. */
export interface NumericSketch {
  /** Adds one finite value. */
  add(value: number): void;
  /** How many values were added. */
  readonly count: number;
  /**
   * The quantiles `ps` (each in 0..1) by the inverse empirical CDF: the smallest value `v` with
   * `P(X <= v) >= p`. Every answer is an observed value. Empty when no value was added.
   */
  quantiles(ps: readonly number[]): number[];
  /** Counts per bin for ascending cut points: `(-inf, c1], (c1, c2], …, (ck, +inf)`. */
  binCounts(cutPoints: readonly number[]): number[];
}

/** Deciles: the probabilities 0.1, 0.2, …, 0.9. */
export const DECILES: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

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

/** A {@link NumericSketch} that keeps every value in a growing `Float64Array`: exact answers, O(n) memory. */
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

  /** {@inheritDoc NumericSketch.quantiles} */
  quantiles(ps: readonly number[]): number[] {
    const sorted = this.sortedValues();
    if (sorted.length === 0) return [];
    return ps.map((p) => {
      const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
      return sorted[rank - 1] as number;
    });
  }

  /** {@inheritDoc NumericSketch.binCounts} */
  binCounts(cutPoints: readonly number[]): number[] {
    const counts = new Array<number>(cutPoints.length + 1).fill(0);
    for (let i = 0; i < this.size; i++) {
      const bin = binIndex(cutPoints, this.values[i] as number);
      counts[bin] = (counts[bin] as number) + 1;
    }
    return counts;
  }

  private sortedValues(): Float64Array {
    this.sorted ??= this.values.slice(0, this.size).sort();
    return this.sorted;
  }
}

/** Creates the numeric sketch the profiler uses (see the module comment). */
export function createNumericSketch(): NumericSketch {
  return new ExactNumericSketch();
}
