import { describe, expect, it } from 'vitest';
import type { CategoricalColumnProfile, NumericColumnProfile } from '@slipway/sdk';
import { binIndex } from '../../../packages/activities/src/data/numeric-sketch.js';
import {
  binNumeric,
  categoricalReference,
  categoricalServedShares,
  countCategorical,
  numericReferenceShares,
  numericServedShares,
  psi,
  toShares,
} from '../../../packages/activities/src/monitor/index.js';

describe('psi', () => {
  it('is 0 for identical shares, including empty buckets', () => {
    expect(psi([0.25, 0.25, 0.5], [0.25, 0.25, 0.5])).toBe(0);
    expect(psi([0.7, 0.3, 0], [0.7, 0.3, 0])).toBe(0);
  });

  it('matches hand-computed values', () => {
    // (0.6 − 0.5)·ln(0.6/0.5) + (0.4 − 0.5)·ln(0.4/0.5) = 0.1·0.18232156 + 0.1·0.22314355
    expect(psi([0.5, 0.5], [0.6, 0.4])).toBeCloseTo(0.0405465108108, 12);
    // (0.1 − 0.25)·ln(0.4) + (0.2 − 0.25)·ln(0.8) + (0.3 − 0.25)·ln(1.2) + (0.4 − 0.25)·ln(1.6)
    // = 0.13744361 + 0.01115718 + 0.00911608 + 0.07050054
    expect(psi([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4])).toBeCloseTo(0.2282174095734, 12);
  });

  it('floors both shares at epsilon, so an empty reference bucket gives a large finite value', () => {
    // (0.5 − 1)·ln(0.5/1) + (0.5 − 1e-6)·ln(0.5/1e-6) = 0.34657359 + 6.56116857
    expect(psi([1, 0], [0.5, 0.5])).toBeCloseTo(6.90774215661876, 10);
    // A larger epsilon caps it lower: (0.5 − 0.01)·ln(50) + 0.34657359
    expect(psi([1, 0], [0.5, 0.5], 0.01)).toBeCloseTo(0.49 * Math.log(50) + 0.5 * Math.log(2), 12);
  });

  it('is symmetric and never negative', () => {
    const e = [0.1, 0.2, 0.3, 0.4];
    const a = [0.4, 0.3, 0.2, 0.1];
    expect(psi(e, a)).toBeCloseTo(psi(a, e), 14);
    expect(psi([0.3333333333333333, 0.6666666666666667], [1 / 3, 2 / 3])).toBeGreaterThanOrEqual(0);
  });

  it('refuses mismatched, empty or invalid shares', () => {
    expect(() => psi([0.5, 0.5], [1])).toThrow(/same length/);
    expect(() => psi([], [])).toThrow(/at least one bucket/);
    expect(() => psi([0.5, -0.5], [0.5, 0.5])).toThrow(/expected share at bucket 1/);
    expect(() => psi([0.5, 0.5], [Number.NaN, 1])).toThrow(/actual share at bucket 0/);
    expect(() => psi([1], [1], 0)).toThrow(/epsilon/);
  });
});

describe('binning', () => {
  it('puts values in (-inf, c1], (c1, c2], …, (ck, +inf)', () => {
    const cuts = [1, 2, 3];
    expect([-Infinity, 0, 1, 1.0001, 2, 2.5, 3, 3.1, Infinity].map((v) => binIndex(cuts, v))).toEqual([
      0, 0, 0, 1, 1, 2, 2, 3, 3,
    ]);
    expect(binIndex([], 42)).toBe(0);
    expect(binNumeric([0, 1, 1.5, 2, 9, Number.NaN], cuts)).toEqual([2, 2, 0, 1]);
  });

  it('shares categorical values over the profile categories plus other', () => {
    expect(countCategorical(['a', 'b', 'a', 'z', 'y'], ['a', 'b', 'c'])).toEqual([2, 1, 0, 2]);
    expect(categoricalServedShares(['a', 'a', 'q', 'b'], ['a', 'b'])).toEqual([0.5, 0.25, 0.25]);
    expect(toShares([0, 0])).toEqual([0, 0]);
  });

  it('derives reference shares from profiles', () => {
    const numeric: NumericColumnProfile = {
      kind: 'numeric',
      count: 10,
      nulls: 2,
      min: 0,
      max: 9,
      mean: 4.5,
      std: 3,
      cutPoints: [2, 5],
      binCounts: [3, 3, 4],
    };
    expect(numericReferenceShares(numeric)).toEqual([0.3, 0.3, 0.4]);
    expect(numericServedShares([1, 6, 7, 8], numeric)).toEqual([0.25, 0, 0.75]);
    expect(() => numericReferenceShares({ ...numeric, binCounts: [1, 2] })).toThrow(/2 bin counts for 2 cut points/);
    expect(numericReferenceShares({ ...numeric, count: 0, cutPoints: [], binCounts: [] })).toEqual([0]);

    const categorical: CategoricalColumnProfile = {
      kind: 'categorical',
      count: 10,
      nulls: 0,
      distinct: 3,
      topValues: [
        { value: 'x', count: 6 },
        { value: 'y', count: 2 },
      ],
    };
    // Two of the ten values were not listed: they are the reference share of "other".
    expect(categoricalReference(categorical)).toEqual({ categories: ['x', 'y'], shares: [0.6, 0.2, 0.2] });
  });
});
