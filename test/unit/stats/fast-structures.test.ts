/**
 * The allocation-free building blocks of the profile's sketches, against plain reference implementations on
 * seeded random inputs: the radix sort of doubles, the distinct-value counter and the string hash table.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../packages/activities/src/train/index.js';
import { sortFloat64 } from '../../../packages/activities/src/stats/float-sort.js';
import { MAX_DISTINCT_COUNTED, countDistinct } from '../../../packages/activities/src/stats/distinct-values.js';
import { StringSlots } from '../../../packages/activities/src/stats/string-slots.js';

/** Doubles of every kind a column holds: both signs, zeros of both signs, integers, tiny, huge and subnormal. */
function mixedDoubles(n: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const out = new Float64Array(n);
  const kinds = [
    () => (random() - 0.5) * 1e6,
    () => Math.round((random() - 0.5) * 200),
    () => (random() < 0.5 ? -0 : 0),
    () => (random() - 0.5) * 1e-300,
    () => (random() - 0.5) * 1e300,
    () => 5e-324 * Math.round(random() * 10),
  ];
  for (let i = 0; i < n; i++) out[i] = kinds[Math.floor(random() * kinds.length)]!();
  return out;
}

const asKeys = (values: Float64Array): string[] => [...values].map((v) => (Object.is(v, -0) ? '-0' : String(v)));

describe('sortFloat64', () => {
  it('orders doubles exactly as Float64Array.prototype.sort does, −0 before +0', () => {
    for (const [n, seed] of [
      [10, 1],
      [1000, 2],
      [50_000, 3],
    ] as const) {
      const values = mixedDoubles(n, seed);
      const expected = Float64Array.from(values).sort();
      sortFloat64(values);
      expect(asKeys(values)).toEqual(asKeys(expected));
    }
  });

  it('sorts views into a larger buffer without touching the rest', () => {
    const buffer = mixedDoubles(10_000, 4);
    const before = Float64Array.from(buffer);
    const view = buffer.subarray(1000, 9000);
    const expected = Float64Array.from(view).sort();
    sortFloat64(view);
    expect(asKeys(view)).toEqual(asKeys(expected));
    expect(asKeys(buffer.subarray(0, 1000))).toEqual(asKeys(before.subarray(0, 1000)));
    expect(asKeys(buffer.subarray(9000))).toEqual(asKeys(before.subarray(9000)));
  });
});

describe('countDistinct', () => {
  /** The distinct values (−0 and +0 apart) with their counts, ascending, −0 before +0. */
  function reference(values: Float64Array): [string, number][] {
    const counts = new Map<string, number>();
    for (const key of asKeys(values)) counts.set(key, (counts.get(key) ?? 0) + 1);
    const negativeZeroFirst = (a: string, b: string) => (a === '-0' ? -1 : b === '-0' ? 1 : 0);
    return [...counts].sort(([a], [b]) => Number(a) - Number(b) || negativeZeroFirst(a, b));
  }

  it('gives the distinct values in ascending order with their counts', () => {
    const random = mulberry32(5);
    const values = Float64Array.from(
      { length: 5000 },
      () => Math.round(random() * 60) - 30 || (random() < 0.5 ? -0 : 0),
    );
    const means = new Float64Array(MAX_DISTINCT_COUNTED);
    const weights = new Float64Array(MAX_DISTINCT_COUNTED);
    const distinct = countDistinct(values, 100, means, weights);
    const found = asKeys(means.subarray(0, distinct)).map((key, i) => [key, weights[i]] as [string, number]);
    expect(found).toEqual(reference(values));
    expect(weights.subarray(0, distinct).reduce((a, b) => a + b, 0)).toBe(5000);
  });

  it('answers −1 as soon as there are more distinct values than the limit, and refuses a limit it cannot hold', () => {
    const values = Float64Array.from({ length: 200 }, (_, i) => i * 0.5);
    const out = new Float64Array(MAX_DISTINCT_COUNTED);
    expect(countDistinct(values, 199, out, new Float64Array(MAX_DISTINCT_COUNTED))).toBe(-1);
    expect(countDistinct(values, 200, out, new Float64Array(MAX_DISTINCT_COUNTED))).toBe(200);
    expect(() => countDistinct(values, MAX_DISTINCT_COUNTED + 1, out, out)).toThrow(RangeError);
  });
});

describe('StringSlots', () => {
  it('finds, adds and removes like a Map, also when many hashes collide', () => {
    const capacity = 64;
    const keys: string[] = new Array<string>(capacity).fill('');
    const table = new StringSlots(capacity, keys);
    const reference = new Map<string, number>();
    const random = mulberry32(6);
    // Hashes in 0..7 only: long probe runs, and removals that must shift them back.
    const hashOf = (key: string) => key.length % 8;
    const free = Array.from({ length: capacity }, (_, i) => i);
    for (let step = 0; step < 20_000; step++) {
      const key = `k${Math.floor(random() * 200)}`;
      const slot = reference.get(key);
      expect(table.get(key, hashOf(key))).toBe(slot ?? -1);
      if (slot !== undefined && random() < 0.5) {
        table.delete(hashOf(key), slot);
        reference.delete(key);
        free.push(slot);
      } else if (slot === undefined && free.length > 0) {
        const next = free.pop()!;
        keys[next] = key;
        table.set(hashOf(key), next);
        reference.set(key, next);
      }
    }
    for (const [key, slot] of reference) expect(table.get(key, hashOf(key))).toBe(slot);
  });
});
