/**
 * Population Stability Index.
 *
 * PSI compares two distributions over the same buckets:
 * `PSI = Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ)`, where `eᵢ` is the reference (training) share of bucket `i` and `aᵢ` the
 * served share. Both shares are floored at a small ε so that empty buckets give a large but finite value.
 * Rule of thumb: below 0.1 stable, 0.1–0.2 moderate shift, above 0.2 significant shift.
 */

/** The ε floor applied to both shares before taking logarithms. */
export const DEFAULT_PSI_EPSILON = 1e-6;

/**
 * The Population Stability Index of `actualShares` against `expectedShares`: Σ (a − e) · ln(a / e), with both
 * shares floored at `epsilon`. Identical shares give 0; the result is never negative. Shares are used as given
 * (pass counts through {@link toShares} first).
 *
 * @throws RangeError when the two arrays differ in length, are empty, hold a negative or non-finite share,
 *   or `epsilon` is not positive.
 */
export function psi(
  expectedShares: readonly number[],
  actualShares: readonly number[],
  epsilon = DEFAULT_PSI_EPSILON,
): number {
  if (expectedShares.length !== actualShares.length) {
    throw new RangeError(
      `psi: expected ${expectedShares.length} expected shares and ${actualShares.length} actual shares to have the same length`,
    );
  }
  if (expectedShares.length === 0) throw new RangeError('psi: needs at least one bucket');
  if (!(epsilon > 0)) throw new RangeError(`psi: epsilon must be positive, got ${epsilon}`);
  let total = 0;
  for (let i = 0; i < expectedShares.length; i++) {
    const e = Math.max(checkShare(expectedShares[i], 'expected', i), epsilon);
    const a = Math.max(checkShare(actualShares[i], 'actual', i), epsilon);
    total += (a - e) * Math.log(a / e);
  }
  // Every term is ≥ 0 in exact arithmetic; clamp rounding noise.
  return Math.max(0, total);
}

function checkShare(value: number | undefined, which: string, index: number): number {
  if (value === undefined || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`psi: ${which} share at bucket ${index} must be a finite number ≥ 0, got ${String(value)}`);
  }
  return value;
}

/** Each count divided by their sum; all zeros when the sum is 0. */
export function toShares(counts: readonly number[]): number[] {
  const total = counts.reduce((sum, c) => sum + c, 0);
  return counts.map((c) => (total > 0 ? c / total : 0));
}
