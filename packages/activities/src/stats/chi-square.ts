/**
 * Pearson's chi-square test of homogeneity: do two samples of a categorical variable come from the same
 * distribution?
 */
import { checkCounts, checkSameLength } from './checks.js';
import { chiSquareSurvival } from './gamma.js';

/** The outcome of {@link chiSquareHomogeneity}. */
export interface ChiSquareResult {
  /** Pearson's statistic `Σ (O − E)² / E` over the table's non-empty categories. */
  statistic: number;
  /** Degrees of freedom: the number of non-empty categories minus one. */
  dof: number;
  /** `P(χ²(dof) ≥ statistic)`; 1 when there are no degrees of freedom. */
  pValue: number;
}

/**
 * Pearson's chi-square test of homogeneity on the 2×k table whose rows are `countsA` and `countsB` (counts of the
 * same k categories in two samples), without continuity correction — scipy's
 * `chi2_contingency([countsA, countsB], correction=False)`. Expected counts are `rowTotal × columnTotal / total`.
 * Categories that are empty in both samples carry no information and are dropped (scipy refuses such a table);
 * with fewer than two categories left the result is `{ statistic: 0, dof: 0, pValue: 1 }`. Counts need not be
 * integers. The p-value comes from the regularized upper incomplete gamma function (see `regularizedGammaQ`).
 *
 * @throws RangeError when the rows differ in length, are empty, hold a negative or non-finite count, or a row
 *   sums to zero (an empty sample).
 */
export function chiSquareHomogeneity(countsA: readonly number[], countsB: readonly number[]): ChiSquareResult {
  const fn = 'chiSquareHomogeneity';
  checkSameLength(countsA, countsB, fn, ['countsA', 'countsB']);
  const totalA = checkCounts(countsA, fn, 'countsA');
  const totalB = checkCounts(countsB, fn, 'countsB');
  if (totalA === 0) throw new RangeError(`${fn}: countsA sums to 0 (an empty sample)`);
  if (totalB === 0) throw new RangeError(`${fn}: countsB sums to 0 (an empty sample)`);
  const total = totalA + totalB;
  let statistic = 0;
  let categories = 0;
  for (let i = 0; i < countsA.length; i++) {
    const a = countsA[i] as number;
    const b = countsB[i] as number;
    const column = a + b;
    if (column === 0) continue;
    categories++;
    const expectedA = (totalA * column) / total;
    const expectedB = (totalB * column) / total;
    statistic += (a - expectedA) ** 2 / expectedA + (b - expectedB) ** 2 / expectedB;
  }
  const dof = Math.max(0, categories - 1);
  if (dof === 0) return { statistic: 0, dof, pValue: 1 };
  return { statistic, dof, pValue: chiSquareSurvival(statistic, dof) };
}
