/**
 * Space-Saving (Metwally, Agrawal & El Abbadi, 2005): the most frequent values of a stream in bounded memory.
 */
import { hashStringInto, stringHashes } from './string-hash.js';
import { StringSlots } from './string-slots.js';

/** A value and its Space-Saving count. */
export interface HeavyHitter {
  /** The value. */
  value: string;
  /** Its count: exact while no counter was ever evicted, otherwise an upper bound. */
  count: number;
  /** How much `count` may overstate the true count: `count − error ≤ true count ≤ count` (0 when exact). */
  error: number;
}

/** The hash {@link StringSlots} files a value under: the first half of `hashString`. */
function hashOf(value: string): number {
  hashStringInto(value);
  return stringHashes[0] as number;
}

/** V8 makes a substring of 13 or more characters a view into the string it was cut from. */
const MIN_VIEW_LENGTH = 13;

/**
 * Values that took an evicted counter are made copies (see {@link detached}) once this many did since the last
 * time: often enough that few blocks of a file stay alive, rarely enough to cost little per value.
 */
const DETACH_INTERVAL = 16 * 1024;

/**
 * A copy of `value` that holds on to no larger string. A CSV cell is a substring of a decoded block of the file,
 * and a counter may keep its value for the rest of the stream: the copy lets the block go.
 */
function detached(value: string): string {
  // Joining forces a new flat string; the slice of it shares only that short string.
  return ` ${value}`.slice(1);
}

/**
 * Keeps at most `capacity` counters. A value that has a counter increments it; a new value takes a free counter,
 * or else replaces the value with the smallest count, inheriting that count (plus one) as its error bound. So the
 * counts always sum to the number of values added, every value more frequent than `total / capacity` is kept, and
 * each count overstates the truth by at most `total / capacity`. While no counter was evicted every count is
 * exact. Counters sit in a min-heap by count: `add` is `O(log capacity)`; memory is `O(capacity)`.
 *
 * The heap is kept in typed arrays (each entry's count beside the counter it belongs to), so sifting compares
 * numbers in place and allocates nothing; once counters are evicted, values are found in a hash table of typed
 * arrays as well, so the churn of a column with many distinct values allocates nothing but the values.
 */
export class SpaceSaving {
  /** The number of counters. */
  readonly capacity: number;
  /**
   * The counter of each value, until the first eviction (then {@link SpaceSaving.table}). A counter is a slot: its
   * value, hash, error bound and place in the heap are per slot.
   */
  private readonly slotOf = new Map<string, number>();
  private readonly values: string[] = [];
  private readonly errors: Float64Array;
  private readonly heapIndex: Int32Array;
  /** The min-heap by count: entry `i` is the counter `heapSlot[i]`, whose count is `heapCount[i]`. */
  private readonly heapSlot: Int32Array;
  private readonly heapCount: Float64Array;
  private length = 0;
  /** Values that took an evicted counter since the last copying, and which slots still hold views. */
  private taken = 0;
  private readonly undetached: Uint8Array;
  /** Set at the first eviction: finds values by hash from then on (the `Map` is emptied). */
  private table: StringSlots | undefined;
  private readonly valueHash: Int32Array;
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
    this.errors = new Float64Array(capacity);
    this.heapIndex = new Int32Array(capacity);
    this.heapSlot = new Int32Array(capacity);
    this.heapCount = new Float64Array(capacity);
    this.undetached = new Uint8Array(capacity);
    this.valueHash = new Int32Array(capacity);
  }

  /** How many values were added. */
  get total(): number {
    return this.added;
  }

  /** How many distinct values hold a counter. */
  get size(): number {
    return this.length;
  }

  /** True when every count is exact: no counter was ever given to another value. */
  get exact(): boolean {
    return !this.replaced;
  }

  /** True when `value` holds a counter. */
  has(value: string): boolean {
    return this.table === undefined ? this.slotOf.has(value) : this.table.get(value, hashOf(value)) >= 0;
  }

  /**
   * Counts `times` occurrences of `value` (default one), with the counts and error bounds that adding it that many
   * times in a row gives; a value new to the summary takes a counter once, with the whole count. `hash`, when
   * given, must be `hashString(value)[0]` (signed or not): a caller that hashes the value anyway saves the work.
   *
   * @throws RangeError when `times` is not a positive integer.
   */
  add(value: string, times = 1, hash?: number): void {
    if (times !== 1 && !(Number.isInteger(times) && times > 0)) {
      throw new RangeError(`SpaceSaving.add: times must be a positive integer, got ${times}`);
    }
    this.added += times;
    if (this.table !== undefined) return this.addHashed(value, times, (hash ?? hashOf(value)) | 0);
    const slot = this.slotOf.get(value);
    if (slot !== undefined) return this.increment(slot, times);
    if (this.length < this.capacity) return this.insert(value, times);
    this.startTable();
    this.addHashed(value, times, (hash ?? hashOf(value)) | 0);
  }

  /** The `k` values with the highest counts, highest first, ties by value (code-unit order). */
  top(k: number): HeavyHitter[] {
    const all: HeavyHitter[] = [];
    for (let i = 0; i < this.length; i++) {
      const slot = this.heapSlot[i] as number;
      all.push({
        value: this.values[slot] as string,
        count: this.heapCount[i] as number,
        error: this.errors[slot] as number,
      });
    }
    return all
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
      .slice(0, Math.max(0, k));
  }

  private increment(slot: number, times: number): void {
    const at = this.heapIndex[slot] as number;
    this.heapCount[at] = (this.heapCount[at] as number) + times;
    this.siftDown(at);
  }

  /** A value takes a free counter. */
  private insert(value: string, times: number): void {
    // The first `capacity` values are copied at once (they may hold their counters for the whole stream); a value
    // that takes an evicted counter is copied by the next sweep, if it is still there.
    const fresh = this.length++;
    const own = value.length < MIN_VIEW_LENGTH ? value : detached(value);
    this.values.push(own);
    this.slotOf.set(own, fresh);
    this.heapSlot[fresh] = fresh;
    this.heapCount[fresh] = times;
    this.heapIndex[fresh] = fresh;
    this.siftUp(fresh);
  }

  /**
   * From the first eviction on, values are found through a {@link StringSlots} table by their hash: a value that
   * evicts another then costs no `Map` removal and insertion (and no rehashing of the `Map` every so often).
   */
  private startTable(): void {
    const table = new StringSlots(this.capacity, this.values);
    for (let slot = 0; slot < this.length; slot++) {
      const hash = hashOf(this.values[slot] as string);
      this.valueHash[slot] = hash;
      table.set(hash, slot);
    }
    this.table = table;
    this.slotOf.clear();
  }

  /** {@link SpaceSaving.add} once the table is in use: an increment, or the eviction of the smallest counter. */
  private addHashed(value: string, times: number, hash: number): void {
    const table = this.table as StringSlots;
    const slot = table.get(value, hash);
    if (slot >= 0) return this.increment(slot, times);
    this.replaced = true;
    const smallest = this.heapSlot[0] as number;
    table.delete(this.valueHash[smallest] as number, smallest);
    this.values[smallest] = value;
    this.valueHash[smallest] = hash;
    table.set(hash, smallest);
    this.took(smallest, value);
    const count = this.heapCount[0] as number;
    this.errors[smallest] = count;
    this.heapCount[0] = count + times;
    this.siftDown(0);
  }

  /** Notes that `slot` took `value`; every {@link DETACH_INTERVAL} such values, detaches the counters' values. */
  private took(slot: number, value: string): void {
    if (value.length >= MIN_VIEW_LENGTH) this.undetached[slot] = 1;
    if (++this.taken < DETACH_INTERVAL) return;
    this.taken = 0;
    for (let i = 0; i < this.length; i++) {
      if (this.undetached[i] === 0) continue;
      this.values[i] = detached(this.values[i] as string);
      this.undetached[i] = 0;
    }
  }

  /** Moves the entry at `start` up while its parent has a larger count. */
  private siftUp(start: number): void {
    const { heapSlot, heapCount } = this;
    const slot = heapSlot[start] as number;
    const count = heapCount[start] as number;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heapCount[parent] as number) <= count) break;
      this.place(i, heapSlot[parent] as number, heapCount[parent] as number);
      i = parent;
    }
    this.place(i, slot, count);
  }

  /** Moves the entry at `start` down while a child has a smaller count (the smaller child, left on a tie). */
  private siftDown(start: number): void {
    const { heapSlot, heapCount } = this;
    const n = this.length;
    const slot = heapSlot[start] as number;
    const count = heapCount[start] as number;
    let i = start;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      let child = left;
      let childCount = heapCount[left] as number;
      if (left + 1 < n && (heapCount[left + 1] as number) < childCount) {
        child = left + 1;
        childCount = heapCount[child] as number;
      }
      if (!(childCount < count)) break;
      this.place(i, heapSlot[child] as number, childCount);
      i = child;
    }
    this.place(i, slot, count);
  }

  private place(at: number, slot: number, count: number): void {
    this.heapSlot[at] = slot;
    this.heapCount[at] = count;
    this.heapIndex[slot] = at;
  }
}
