/**
 * The distinct values of a run of doubles with their counts, when there are few: the t-digest's buffer of an
 * integer column (ages, counts, months) holds a few dozen distinct values among thousands, and counting them is
 * cheaper than sorting them all.
 */

/** Slots of the hash table: a power of two, at least twice the most distinct values asked for. */
const TABLE_BITS = 10;
const TABLE_SIZE = 1 << TABLE_BITS;
/** The most distinct values {@link countDistinct} counts. */
export const MAX_DISTINCT_COUNTED = TABLE_SIZE >> 1;

const keys = new Float64Array(TABLE_SIZE);
const counts = new Float64Array(TABLE_SIZE);
/** A slot is in use when its stamp is the current one: no clearing between runs. */
const stamps = new Uint32Array(TABLE_SIZE);
let stamp = 0;
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** Equal as doubles, telling −0 from +0 (they stay distinct values, as a sort keeps them). */
function same(a: number, b: number): boolean {
  return a === b && (a !== 0 || 1 / a === 1 / b);
}

/** The slot of `value`: where it is, or the free slot where it goes. */
function slotOf(value: number): number {
  bits[0] = value;
  const hash = Math.imul((words[0] as number) ^ Math.imul(words[1] as number, 0x9e3779b1), 0x85ebca6b);
  let slot = hash >>> (32 - TABLE_BITS);
  while (stamps[slot] === stamp && !same(keys[slot] as number, value)) slot = (slot + 1) & (TABLE_SIZE - 1);
  return slot;
}

/**
 * Counts the distinct values of `values` (finite doubles) when there are at most `limit` (at most
 * {@link MAX_DISTINCT_COUNTED}): writes them in ascending order (−0 before +0) to `means` and their counts to
 * `weights`, and returns how many there are; returns −1, as soon as it knows, when there are more.
 */
export function countDistinct(values: Float64Array, limit: number, means: Float64Array, weights: Float64Array): number {
  if (limit > MAX_DISTINCT_COUNTED)
    throw new RangeError(`countDistinct: limit ${limit} is over ${MAX_DISTINCT_COUNTED}`);
  if (++stamp === 0xffffffff) {
    stamps.fill(0);
    stamp = 1;
  }
  let distinct = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    const slot = slotOf(value);
    if (stamps[slot] === stamp) {
      counts[slot] = (counts[slot] as number) + 1;
      continue;
    }
    if (distinct === limit) return -1;
    stamps[slot] = stamp;
    keys[slot] = value;
    counts[slot] = 1;
    means[distinct++] = value;
  }
  const found = means.subarray(0, distinct).sort();
  for (let k = 0; k < distinct; k++) weights[k] = counts[slotOf(found[k] as number)] as number;
  return distinct;
}
