/**
 * Seeded samples for the drift-statistics tests: the same seed gives the same numbers on every machine, so a
 * failure can be replayed exactly.
 */
import { mulberry32, type Random } from '../../../packages/activities/src/train/prng.js';

/** A seeded source of uniform numbers in [0, 1). */
export function seeded(seed: number): Random {
  return mulberry32(seed);
}

/** `n` draws from N(mean, sd²) (Box–Muller). */
export function normalSample(random: Random, n: number, mean = 0, sd = 1): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = 1 - random();
    const v = random();
    out.push(mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
  }
  return out;
}

/** `n` integers: a normal draw rounded to a whole number, so the sample is full of ties. */
export function integerSample(random: Random, n: number, mean = 0, sd = 3): number[] {
  return normalSample(random, n, mean, sd).map((x) => Math.round(x));
}

/**
 * Counts of `n` draws over `k` categories with Zipf-like weights `1 / (i + 1)^skew`; with a large `k` and a small
 * `n` many categories stay empty (a sparse table).
 */
export function categoryCounts(random: Random, n: number, k: number, skew = 1): number[] {
  const weights = Array.from({ length: k }, (_, i) => 1 / (i + 1) ** skew);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let running = 0;
  for (const w of weights) cumulative.push((running += w / total));
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    const u = random();
    let index = cumulative.findIndex((c) => u < c);
    if (index < 0) index = k - 1;
    counts[index] = (counts[index] as number) + 1;
  }
  return counts;
}

/** `|actual − expected| / |expected|` (the absolute difference when `expected` is 0). */
export function relativeError(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
}

/** The first time to wait for the oracle: creating the virtualenv downloads numpy and scipy. */
export const ORACLE_TIMEOUT_MS = 600_000;
