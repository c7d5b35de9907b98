/**
 * Space-Saving (Metwally, Agrawal & El Abbadi, 2005): the most frequent values of a stream in bounded memory.
 */

/** A value and its Space-Saving count. */
export interface HeavyHitter {
  /** The value. */
  value: string;
  /** Its count: exact while no counter was ever evicted, otherwise an upper bound. */
  count: number;
  /** How much `count` may overstate the true count: `count − error ≤ true count ≤ count` (0 when exact). */
  error: number;
}

/**
 * Keeps at most `capacity` counters. A value that has a counter increments it; a new value takes a free counter,
 * or else replaces the value with the smallest count, inheriting that count (plus one) as its error bound. So the
 * counts always sum to the number of values added, every value more frequent than `total / capacity` is kept, and
 * each count overstates the truth by at most `total / capacity`. While no counter was evicted every count is
 * exact. Counters sit in a min-heap by count: `add` is `O(log capacity)`; memory is `O(capacity)`.
 */
export class SpaceSaving {
  /** The number of counters. */
  readonly capacity: number;
  private readonly values: string[] = [];
  private readonly counts: number[] = [];
  private readonly errors: number[] = [];
  private readonly position = new Map<string, number>();
  private added = 0;
  private replaced = false;

  /**
   * Creates an empty summary with `capacity` counters.
   *
   * @throws RangeError when the capacity is not a positive integer.
   */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`SpaceSaving: capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** How many values were added. */
  get total(): number {
    return this.added;
  }

  /** How many distinct values hold a counter. */
  get size(): number {
    return this.values.length;
  }

  /** True when every count is exact: no counter was ever given to another value. */
  get exact(): boolean {
    return !this.replaced;
  }

  /** True when `value` holds a counter. */
  has(value: string): boolean {
    return this.position.has(value);
  }

  /** Counts one occurrence of `value`. */
  add(value: string): void {
    this.added++;
    const at = this.position.get(value);
    if (at !== undefined) {
      this.counts[at] = (this.counts[at] as number) + 1;
      this.siftDown(at);
    } else if (this.values.length < this.capacity) {
      const end = this.values.length;
      this.values.push(value);
      this.counts.push(1);
      this.errors.push(0);
      this.position.set(value, end);
      this.siftUp(end);
    } else {
      this.replaced = true;
      this.position.delete(this.values[0] as string);
      const inherited = this.counts[0] as number;
      this.values[0] = value;
      this.errors[0] = inherited;
      this.counts[0] = inherited + 1;
      this.position.set(value, 0);
      this.siftDown(0);
    }
  }

  /** The `k` values with the highest counts, highest first, ties by value (code-unit order). */
  top(k: number): HeavyHitter[] {
    return this.values
      .map((value, i) => ({ value, count: this.counts[i] as number, error: this.errors[i] as number }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, Math.max(0, k));
  }

  private siftUp(start: number): void {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.counts[parent] as number) <= (this.counts[i] as number)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(start: number): void {
    const n = this.values.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && (this.counts[left] as number) < (this.counts[smallest] as number)) smallest = left;
      if (right < n && (this.counts[right] as number) < (this.counts[smallest] as number)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(i: number, j: number): void {
    const [value, other] = [this.values[i] as string, this.values[j] as string];
    const [count, error] = [this.counts[i] as number, this.errors[i] as number];
    this.values[i] = other;
    this.counts[i] = this.counts[j] as number;
    this.errors[i] = this.errors[j] as number;
    this.values[j] = value;
    this.counts[j] = count;
    this.errors[j] = error;
    this.position.set(other, i);
    this.position.set(value, j);
  }
}
