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
/** One counter: its value, count and error bound, and where it sits in the heap. */
interface Counter {
  value: string;
  count: number;
  error: number;
  index: number;
}

export class SpaceSaving {
  /** The number of counters. */
  readonly capacity: number;
  /** A min-heap of counters by count. Swaps move counter objects and update their `index`: no map writes. */
  private readonly heap: Counter[] = [];
  private readonly byValue = new Map<string, Counter>();
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
    return this.heap.length;
  }

  /** True when every count is exact: no counter was ever given to another value. */
  get exact(): boolean {
    return !this.replaced;
  }

  /** True when `value` holds a counter. */
  has(value: string): boolean {
    return this.byValue.has(value);
  }

  /** Counts one occurrence of `value`. */
  add(value: string): void {
    this.added++;
    const counter = this.byValue.get(value);
    if (counter !== undefined) {
      counter.count++;
      this.siftDown(counter.index);
    } else if (this.heap.length < this.capacity) {
      const fresh: Counter = { value, count: 1, error: 0, index: this.heap.length };
      this.heap.push(fresh);
      this.byValue.set(value, fresh);
      this.siftUp(fresh.index);
    } else {
      this.replaced = true;
      const smallest = this.heap[0] as Counter;
      this.byValue.delete(smallest.value);
      smallest.value = value;
      smallest.error = smallest.count;
      smallest.count++;
      this.byValue.set(value, smallest);
      this.siftDown(0);
    }
  }

  /** The `k` values with the highest counts, highest first, ties by value (code-unit order). */
  top(k: number): HeavyHitter[] {
    return this.heap
      .map(({ value, count, error }) => ({ value, count, error }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, Math.max(0, k));
  }

  private siftUp(start: number): void {
    const heap = this.heap;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as Counter).count <= (heap[i] as Counter).count) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(start: number): void {
    const heap = this.heap;
    const n = heap.length;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < n && (heap[left] as Counter).count < (heap[smallest] as Counter).count) smallest = left;
      if (right < n && (heap[right] as Counter).count < (heap[smallest] as Counter).count) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i] as Counter;
    const b = this.heap[j] as Counter;
    this.heap[i] = b;
    this.heap[j] = a;
    b.index = i;
    a.index = j;
  }
}
