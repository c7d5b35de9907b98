/**
 * The two-sample Kolmogorov–Smirnov test on raw samples.
 */
import { checkSample } from './checks.js';
import { sortedCopy } from './float-sort.js';
import { gcd, ksAsymptoticPValue, ksExactPValue } from './kolmogorov.js';

/** How a KS p-value is computed: `auto` is exact when both samples have at most {@link KS_EXACT_MAX_N} values. */
export type KsMethod = 'auto' | 'exact' | 'asymptotic';

/** Largest sample size for which `auto` computes the exact p-value (scipy's `ks_2samp` uses the same bound). */
export const KS_EXACT_MAX_N = 10_000;

/** The outcome of a two-sample KS test. */
export interface KsResult {
  /** `D = sup |F_a(x) − F_b(x)|`, in [0, 1]. */
  statistic: number;
  /** Two-sided p-value for the null hypothesis that both samples come from the same continuous distribution. */
  pValue: number;
  /** How the p-value was computed. */
  method: 'exact' | 'asymptotic';
}

/**
 * The two-sample Kolmogorov–Smirnov test (two-sided), as scipy's `ks_2samp(a, b, method=…)`.
 *
 * `D` is found by merging the two sorted samples, stepping over each distinct value once (so ties are handled);
 * it is computed from integer counts, `max |i·m − j·n| / (n·m)`, hence exactly. The p-value is:
 * - `exact` — the exact null distribution (see `ksExactPValue`; scipy's `method='exact'`). It assumes continuous
 *   data: with ties it is conservative. Falls back to `asymptotic` when `lcm(n, m)` reaches 2³¹ − 1, the lattice
 *   recursion would take more than `KS_EXACT_MAX_STEPS` steps, or it loses precision (`method` then says
 *   `asymptotic`).
 * - `asymptotic` — Kolmogorov's limiting distribution with Stephens' correction, at
 *   `(√nₑ + 0.12 + 0.11/√nₑ)·D` with `nₑ = n·m/(n+m)` (see `ksAsymptoticPValue`). scipy's `asymp` uses the exact
 *   one-sample distribution at `round(nₑ)` instead; the two agree to a few percent for large samples, which is
 *   where `auto` uses this method.
 * - `auto` (default) — `exact` when both samples have at most {@link KS_EXACT_MAX_N} values, else `asymptotic`.
 *
 * @throws RangeError when a sample is empty or holds a NaN.
 */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>, method: KsMethod = 'auto'): KsResult {
  checkSample(a, 'ksTwoSample', 'a');
  checkSample(b, 'ksTwoSample', 'b');
  const sortedA = sortedCopy(a);
  const sortedB = sortedCopy(b);
  const n = sortedA.length;
  const m = sortedB.length;
  const h = maxCountGap(sortedA, sortedB);
  const g = gcd(n, m);
  const lcm = (n / g) * m;
  const statistic = h / lcm;
  const wantExact = method === 'exact' || (method === 'auto' && Math.max(n, m) <= KS_EXACT_MAX_N);
  if (wantExact && lcm < 2 ** 31 - 1) {
    const pValue = ksExactPValue(n, m, h);
    if (pValue !== undefined) return { statistic, pValue, method: 'exact' };
  }
  return { statistic, pValue: Math.min(1, ksAsymptoticPValue(statistic, n, m)), method: 'asymptotic' };
}

/**
 * `max |i·(m/g) − j·(n/g)|` over the merged sorted samples, where `i` and `j` count the values ≤ x in each and
 * `g = gcd(n, m)`: the KS statistic times `lcm(n, m)`, an integer.
 */
function maxCountGap(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  const m = b.length;
  const g = gcd(n, m);
  const stepA = m / g;
  const stepB = n / g;
  let i = 0;
  let j = 0;
  let best = 0;
  while (i < n && j < m) {
    const x = Math.min(a[i] as number, b[j] as number);
    while (i < n && (a[i] as number) <= x) i++;
    while (j < m && (b[j] as number) <= x) j++;
    const gap = Math.abs(i * stepA - j * stepB);
    if (gap > best) best = gap;
  }
  // Once one sample is used up, the gap only shrinks towards 0 at the end: nothing more to check.
  return best;
}
