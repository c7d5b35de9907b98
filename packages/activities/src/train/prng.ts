/**
 * A small seeded PRNG and the deterministic train/test split built on it: the same seed and fraction always
 * hold out the same rows, on every machine and every retry.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a 32-bit seeded generator (Tommy Ettinger). Fast, good enough for shuffling and sampling, and
 * fully determined by the seed (any integer; only its low 32 bits are used).
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded Fisher–Yates shuffle of `0 … n-1`. */
export function shuffledIndices(n: number, random: Random): number[] {
  const indices = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = indices[i] as number;
    indices[i] = indices[j] as number;
    indices[j] = tmp;
  }
  return indices;
}

/** Row indices of a train/test split, each in ascending (file) order. */
export interface SplitIndices {
  train: number[];
  test: number[];
}

/**
 * Splits `0 … n-1` into train and test by seed: `round(n × testFraction)` indices are held out, at least one
 * on each side. Both lists keep file order, so training does not depend on the shuffle beyond membership.
 * Throws a `RangeError` when `n < 2` or the fraction is outside (0, 1).
 */
export function splitIndices(n: number, testFraction: number, seed: number): SplitIndices {
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`testFraction must be between 0 and 1 (exclusive), got ${testFraction}`);
  }
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`a train/test split needs at least 2 rows, got ${n}`);
  const testCount = Math.min(n - 1, Math.max(1, Math.round(n * testFraction)));
  const order = shuffledIndices(n, mulberry32(seed));
  const byIndex = (a: number, b: number): number => a - b;
  return { test: order.slice(0, testCount).sort(byIndex), train: order.slice(testCount).sort(byIndex) };
}

/** Splits rows by seed (see {@link splitIndices}). */
export function splitRows<T>(rows: readonly T[], testFraction: number, seed: number): { train: T[]; test: T[] } {
  const { train, test } = splitIndices(rows.length, testFraction, seed);
  const pick = (i: number): T => rows[i] as T;
  return { train: train.map(pick), test: test.map(pick) };
}
