/**
 * Input checks shared by the drift statistics: every function refuses bad input with a `RangeError` that names
 * the function, the argument and the offending position.
 */

/**
 * Checks that `values` is a non-empty sample without NaN (±∞ are allowed: they sort to the ends).
 *
 * @throws RangeError naming `fn` and `what` when the sample is empty or holds a NaN.
 */
export function checkSample(values: ArrayLike<number>, fn: string, what: string): void {
  if (values.length === 0) throw new RangeError(`${fn}: ${what} is empty (need at least one value)`);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || Number.isNaN(value)) {
      throw new RangeError(`${fn}: ${what}[${i}] is not a number (got ${String(value)})`);
    }
  }
}

/**
 * Checks that `counts` is a non-empty list of finite, non-negative numbers and returns their sum.
 *
 * @throws RangeError naming `fn` and `what` when the list is empty or holds a negative or non-finite entry.
 */
export function checkCounts(counts: readonly number[], fn: string, what: string): number {
  if (counts.length === 0) throw new RangeError(`${fn}: ${what} is empty (need at least one bucket)`);
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i];
    if (typeof count !== 'number' || !Number.isFinite(count) || count < 0) {
      throw new RangeError(`${fn}: ${what}[${i}] must be a finite number ≥ 0, got ${String(count)}`);
    }
    total += count;
  }
  return total;
}

/**
 * Checks that two bucket lists have the same length.
 *
 * @throws RangeError naming `fn` when they differ.
 */
export function checkSameLength(a: readonly number[], b: readonly number[], fn: string, names: [string, string]): void {
  if (a.length !== b.length) {
    throw new RangeError(
      `${fn}: ${names[0]} has ${a.length} buckets and ${names[1]} has ${b.length}; they must have the same length`,
    );
  }
}
