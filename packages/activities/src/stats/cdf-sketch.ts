/**
 * Distributions as CDF sketches: a cumulative distribution function known at ascending breakpoints, with jumps
 * (point masses) at breakpoints and straight lines between them. An empirical CDF is one (jumps only), and so is
 * the CDF a t-digest describes (straight lines between centroids, jumps at exact centroids). Two sketches can be
 * compared by the KS distance without the raw samples.
 */
import { checkSample } from './checks.js';
import { sortedCopy } from './float-sort.js';
import { ksAsymptoticPValue } from './kolmogorov.js';
import type { KsResult } from './ks.js';

/**
 * A CDF at breakpoints `xs` (strictly ascending): `F(x) = 0` below `xs[0]`, `F(xs[j]−) = before[j]`,
 * `F(xs[j]) = at[j]`, `F` linear from `at[j]` to `before[j + 1]` between `xs[j]` and `xs[j + 1]`, and
 * `F = 1` from the last breakpoint on. So `before[0] = 0` and the last `at` is 1.
 */
export interface CdfSketch {
  /** Strictly ascending breakpoints. */
  readonly xs: readonly number[];
  /** `F` just below each breakpoint. */
  readonly before: readonly number[];
  /** `F` at each breakpoint (right-continuous). */
  readonly at: readonly number[];
  /** How many observations the CDF summarises: the sample size used for p-values. */
  readonly count: number;
}

/** Shares are compared with this slack: sums of counts divided by a total are not exact. */
const SHARE_SLACK = 1e-9;

/**
 * Checks the invariants of a {@link CdfSketch}.
 *
 * @throws RangeError naming `fn` and `what` and the first broken invariant.
 */
export function checkCdfSketch(cdf: CdfSketch, fn: string, what: string): void {
  const k = cdf.xs.length;
  const fail = (why: string) => new RangeError(`${fn}: ${what} is not a valid CDF sketch: ${why}`);
  if (k === 0) throw fail('it has no breakpoints');
  if (cdf.before.length !== k || cdf.at.length !== k) throw fail('xs, before and at differ in length');
  if (!(cdf.count > 0)) throw fail(`its count must be positive, got ${cdf.count}`);
  let previous = 0;
  for (let j = 0; j < k; j++) {
    const x = cdf.xs[j] as number;
    const before = cdf.before[j] as number;
    const at = cdf.at[j] as number;
    if (Number.isNaN(x) || (j > 0 && !(x > (cdf.xs[j - 1] as number)))) throw fail(`xs[${j}] is not ascending`);
    if (!(before >= previous - SHARE_SLACK && at >= before - SHARE_SLACK && at <= 1 + SHARE_SLACK)) {
      throw fail(`F is not a non-decreasing share at xs[${j}] = ${x}`);
    }
    previous = at;
  }
  if (Math.abs(cdf.before[0] as number) > SHARE_SLACK) throw fail('F is not 0 below the first breakpoint');
  if (Math.abs(previous - 1) > SHARE_SLACK) throw fail('F does not reach 1 at the last breakpoint');
}

/**
 * The empirical CDF of a sample: a jump of `1/n` per value at each distinct value.
 *
 * @throws RangeError when the sample is empty or holds a NaN.
 */
export function empiricalCdf(values: ArrayLike<number>): CdfSketch {
  checkSample(values, 'empiricalCdf', 'values');
  const sorted = sortedCopy(values);
  const n = sorted.length;
  const xs: number[] = [];
  const before: number[] = [];
  const at: number[] = [];
  for (let i = 0; i < n;) {
    const x = sorted[i] as number;
    const start = i;
    while (i < n && sorted[i] === x) i++;
    xs.push(x);
    before.push(start / n);
    at.push(i / n);
  }
  return { xs, before, at, count: n };
}

/** Index of the last breakpoint ≤ x, or -1 when x is below them all. */
function lastAtOrBelow(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** `F` strictly inside the segment that starts at breakpoint `j` (linear from `at[j]` to `before[j + 1]`). */
function inSegment(cdf: CdfSketch, j: number, x: number): number {
  const from = cdf.at[j] as number;
  if (j + 1 >= cdf.xs.length) return from;
  const to = cdf.before[j + 1] as number;
  const width = (cdf.xs[j + 1] as number) - (cdf.xs[j] as number);
  if (to === from || !Number.isFinite(width)) return from;
  return from + ((to - from) * (x - (cdf.xs[j] as number))) / width;
}

/** `F(x)`, the share of the distribution at or below `x`. */
export function cdfAt(cdf: CdfSketch, x: number): number {
  const j = lastAtOrBelow(cdf.xs, x);
  if (j < 0) return 0;
  return cdf.xs[j] === x ? (cdf.at[j] as number) : inSegment(cdf, j, x);
}

/** `F(x−)`, the share of the distribution strictly below `x`. */
export function cdfBelow(cdf: CdfSketch, x: number): number {
  const j = lastAtOrBelow(cdf.xs, x);
  if (j < 0) return 0;
  return cdf.xs[j] === x ? (cdf.before[j] as number) : inSegment(cdf, j, x);
}

/**
 * The quantile `p` (in [0, 1]): the smallest `x` with `F(x) ≥ p`, interpolated inside a linear segment; the first
 * breakpoint for `p = 0`. For an empirical CDF this is the inverse empirical CDF (an observed value).
 *
 * @throws RangeError when `p` is outside [0, 1].
 */
export function cdfQuantile(cdf: CdfSketch, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`cdfQuantile: p must be in [0, 1], got ${p}`);
  const k = cdf.xs.length;
  let lo = 0;
  let hi = k - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cdf.at[mid] as number) >= p) hi = mid;
    else lo = mid + 1;
  }
  const x = cdf.xs[lo] as number;
  const before = cdf.before[lo] as number;
  if (lo === 0 || before < p) return x;
  const from = cdf.at[lo - 1] as number;
  const left = cdf.xs[lo - 1] as number;
  return left + ((p - from) / (before - from)) * (x - left);
}

/** `F(x)` (or `F(x−)` with `below`) given `j`, the index of the last breakpoint ≤ x (-1 when there is none). */
function valueAt(cdf: CdfSketch, j: number, x: number, below: boolean): number {
  if (j < 0) return 0;
  if (cdf.xs[j] !== x) return inSegment(cdf, j, x);
  return (below ? cdf.before[j] : cdf.at[j]) as number;
}

/**
 * The KS distance `sup |F_a(x) − F_b(x)|` between two CDF sketches. Between consecutive breakpoints of either
 * sketch both CDFs are linear, so the supremum is reached at a breakpoint, from the left or the right: those are
 * the only places evaluated, in one merged walk over both sketches' breakpoints.
 */
export function ksDistance(a: CdfSketch, b: CdfSketch): number {
  const na = a.xs.length;
  const nb = b.xs.length;
  let best = 0;
  // ja, jb: the last breakpoint of each sketch at or below the current x.
  let ja = -1;
  let jb = -1;
  while (ja + 1 < na || jb + 1 < nb) {
    const nextA = ja + 1 < na ? (a.xs[ja + 1] as number) : Number.POSITIVE_INFINITY;
    const nextB = jb + 1 < nb ? (b.xs[jb + 1] as number) : Number.POSITIVE_INFINITY;
    const x = ja + 1 >= na ? nextB : jb + 1 >= nb ? nextA : Math.min(nextA, nextB);
    if (ja + 1 < na && nextA === x) ja++;
    if (jb + 1 < nb && nextB === x) jb++;
    const below = Math.abs(valueAt(a, ja, x, true) - valueAt(b, jb, x, true));
    const at = Math.abs(valueAt(a, ja, x, false) - valueAt(b, jb, x, false));
    if (below > best) best = below;
    if (at > best) best = at;
  }
  return Math.min(1, best);
}

/**
 * The two-sample KS test between two distributions given as CDF sketches (for example a training profile's
 * t-digest and the values a model served): `D` is {@link ksDistance}, and the p-value is always the asymptotic
 * one for sample sizes `a.count` and `b.count` (see `ksAsymptoticPValue`), as the exact null distribution needs
 * both raw samples. `D` is as accurate as the sketches: a t-digest adds its own rank error (a fraction of a
 * percent, see `TDigest`).
 *
 * @throws RangeError when either sketch breaks the {@link CdfSketch} invariants.
 */
export function ksTwoSampleCdf(a: CdfSketch, b: CdfSketch): KsResult {
  checkCdfSketch(a, 'ksTwoSampleCdf', 'a');
  checkCdfSketch(b, 'ksTwoSampleCdf', 'b');
  const statistic = ksDistance(a, b);
  return { statistic, pValue: Math.min(1, ksAsymptoticPValue(statistic, a.count, b.count)), method: 'asymptotic' };
}
