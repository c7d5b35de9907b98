import { beforeAll, describe, expect, it } from 'vitest';
import {
  chiSquareHomogeneity,
  chiSquareSurvival,
  logGamma,
  regularizedGammaP,
  regularizedGammaQ,
  type ChiSquareResult,
} from '../../../packages/activities/src/stats/index.js';
import { runPython } from '../../support/python.js';
import { ORACLE_TIMEOUT_MS, categoryCounts, relativeError, seeded } from './samples.js';

interface TableCase {
  name: string;
  a: number[];
  b: number[];
}

/** 2×k tables: two and many categories, similar and shifted mixes, sparse rows, very unequal sample sizes. */
function tableCases(): TableCase[] {
  const r = seeded(42);
  const table = (name: string, a: number[], b: number[]): TableCase => ({ name, a, b });
  const shifted = categoryCounts(r, 2000, 6, 0.6).reverse();
  return [
    table('2×2', categoryCounts(r, 300, 2), categoryCounts(r, 200, 2, 0.5)),
    table('same mix, 10 categories', categoryCounts(r, 5000, 10), categoryCounts(r, 3000, 10)),
    table('shifted mix, 6 categories', categoryCounts(r, 2000, 6), shifted),
    table('sparse: 60 categories, few draws', categoryCounts(r, 80, 60), categoryCounts(r, 50, 60)),
    table('training 1e6 vs served 1e4', categoryCounts(r, 1_000_000, 12), categoryCounts(r, 10_000, 12, 1.1)),
    table('tiny counts', [1, 0, 2], [0, 3, 1]),
    table('fractional counts', [10.5, 20.25, 5], [8, 22.75, 9.5]),
    table('a huge shift (p underflows towards 0)', [5000, 10, 10], [10, 10, 5000]),
  ];
}

const SCIPY_CHI2 = `
import numpy as np
from scipy.stats import chi2_contingency
result = []
for case in data:
    table = np.array([case["a"], case["b"]], dtype=float)
    table = table[:, table.sum(axis=0) > 0]
    res = chi2_contingency(table, correction=False)
    result.append({"statistic": float(res.statistic), "dof": int(res.dof), "pValue": float(res.pvalue)})
`;

describe('chiSquareHomogeneity against scipy.stats.chi2_contingency(correction=False)', () => {
  const cases = tableCases();
  let scipy: ChiSquareResult[];
  let ours: ChiSquareResult[];

  beforeAll(async () => {
    scipy = await runPython<ChiSquareResult[]>(SCIPY_CHI2, cases);
    ours = cases.map((c) => chiSquareHomogeneity(c.a, c.b));
  }, ORACLE_TIMEOUT_MS);

  it('finds the same statistic (relative error ≤ 1e-6) and degrees of freedom, dropping empty categories', () => {
    cases.forEach((c, i) => {
      expect(ours[i]!.dof, c.name).toBe(scipy[i]!.dof);
      expect(relativeError(ours[i]!.statistic, scipy[i]!.statistic), c.name).toBeLessThanOrEqual(1e-6);
    });
    expect(cases[3]!.a.filter((x, i) => x + cases[3]!.b[i]! === 0).length).toBeGreaterThan(0);
  });

  // The p-value is Q(dof/2, x/2), computed to ~1e-13 relative (see the gamma tests below); scipy evaluates the same
  // function (cephes igamc). 1e-9 leaves room for the statistic's own rounding: dp/p ≈ (x/2)·dx/x.
  it('gives the same p-value (relative error ≤ 1e-9, or both below 1e-300)', () => {
    cases.forEach((c, i) => {
      const expected = scipy[i]!.pValue;
      if (expected < 1e-300) expect(ours[i]!.pValue, c.name).toBeLessThan(1e-300);
      else expect(relativeError(ours[i]!.pValue, expected), c.name).toBeLessThanOrEqual(1e-9);
    });
  });

  it('returns no degrees of freedom and p = 1 when only one category is left', () => {
    expect(chiSquareHomogeneity([5, 0], [3, 0])).toEqual({ statistic: 0, dof: 0, pValue: 1 });
  });

  it('refuses mismatched rows, negative or non-finite counts and empty samples', () => {
    expect(() => chiSquareHomogeneity([1, 2], [1])).toThrow(/countsA has 2 buckets and countsB has 1/);
    expect(() => chiSquareHomogeneity([1, -2], [1, 1])).toThrow(/countsA\[1\] must be a finite number ≥ 0, got -2/);
    expect(() => chiSquareHomogeneity([1, 2], [Number.POSITIVE_INFINITY, 1])).toThrow(/countsB\[0\]/);
    expect(() => chiSquareHomogeneity([0, 0], [1, 1])).toThrow(/countsA sums to 0/);
    expect(() => chiSquareHomogeneity([], [])).toThrow(/countsA is empty/);
  });
});

describe('the regularized incomplete gamma functions against scipy.special', () => {
  const shapes = [0.5, 1, 1.5, 2, 2.5, 4.5, 5, 10, 25.5, 50, 100, 250, 500];
  const xs = [1e-8, 0.01, 0.5, 1, 2, 5, 9.9, 10, 20, 50, 99, 100, 101, 150, 300, 600, 1000];
  const grid = shapes.flatMap((a) => xs.map((x) => [a, x] as const));

  it(
    'computes Q(a, x) and P(a, x) to 1e-10 relative and ln Γ(a) to 1e-13',
    async () => {
      const scipy = await runPython<{ q: number[]; p: number[]; lg: number[] }>(
        'from scipy.special import gammaincc, gammainc, gammaln\n' +
          'result = {"q": [gammaincc(a, x) for a, x in data["grid"]], "p": [gammainc(a, x) for a, x in data["grid"]],' +
          ' "lg": [gammaln(a) for a in data["shapes"]]}',
        { grid, shapes },
      );
      grid.forEach(([a, x], i) => {
        for (const [ours, theirs] of [
          [regularizedGammaQ(a, x), scipy.q[i]!],
          [regularizedGammaP(a, x), scipy.p[i]!],
        ] as const) {
          if (theirs < 1e-300) expect(ours, `a=${a} x=${x}`).toBeLessThan(1e-290);
          else expect(relativeError(ours, theirs), `a=${a} x=${x}`).toBeLessThanOrEqual(1e-10);
        }
      });
      shapes.forEach((a, i) =>
        expect(Math.abs(logGamma(a) - scipy.lg[i]!)).toBeLessThanOrEqual(1e-13 * Math.max(1, a)),
      );
    },
    ORACLE_TIMEOUT_MS,
  );

  it('handles the ends and refuses bad arguments', () => {
    expect(regularizedGammaQ(3, 0)).toBe(1);
    expect(regularizedGammaQ(3, Number.POSITIVE_INFINITY)).toBe(0);
    expect(chiSquareSurvival(0, 4)).toBe(1);
    // Q(1, x) = e^-x exactly.
    expect(regularizedGammaQ(1, 3)).toBeCloseTo(Math.exp(-3), 15);
    expect(() => regularizedGammaQ(0, 1)).toThrow(/a must be a positive finite number/);
    expect(() => regularizedGammaQ(1, -1)).toThrow(/x must be ≥ 0/);
    expect(() => chiSquareSurvival(Number.NaN, 2)).toThrow(/statistic must be ≥ 0/);
    expect(() => chiSquareSurvival(1, 0)).toThrow(/dof must be positive/);
    expect(() => logGamma(-1)).toThrow(/positive finite/);
  });
});
