// Small statistics for the benchmarks' spreads: nearest-rank quantiles and a five-number summary.

/** The q-quantile (0 < q ≤ 1) of sorted numbers, nearest rank (the value below which a share q of them lie). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** min, first quartile, median, third quartile, 99th percentile and max of some numbers, and how many. */
export function spread(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    min: sorted[0],
    p25: quantile(sorted, 0.25),
    p50: quantile(sorted, 0.5),
    p75: quantile(sorted, 0.75),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1),
  };
}

/** A number rounded to `digits` decimals (null stays null). */
export function round(n, digits = 2) {
  return n === undefined || n === null || Number.isNaN(n) ? null : Number(n.toFixed(digits));
}

/** Each field of an object of numbers, rounded. */
export function rounded(object, digits = 2) {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, typeof v === 'number' ? round(v, digits) : v]));
}
