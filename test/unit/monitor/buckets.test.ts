import { describe, expect, it } from 'vitest';
import type { CategoricalColumnProfile, NumericColumnProfile } from '@slipway/sdk';
import { binIndex } from '../../../packages/activities/src/data/numeric-sketch.js';
import {
  binNumeric,
  categoricalReference,
  categoricalReferenceCounts,
  categoricalServedShares,
  countCategorical,
  numericReferenceShares,
  numericServedShares,
  psi,
  toShares,
} from '../../../packages/activities/src/monitor/index.js';
import { psi as statsPsi } from '../../../packages/activities/src/stats/index.js';

// PSI itself is tested in test/unit/stats/psi.test.ts; the monitor re-exports that one implementation.
describe('the monitor PSI', () => {
  it('is the one in the stats module', () => {
    expect(psi).toBe(statsPsi);
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
    expect(categoricalReferenceCounts(categorical)).toEqual({ categories: ['x', 'y'], counts: [6, 2, 2] });
    // Space-Saving upper bounds may list more than the count: "other" is then 0, never negative.
    const overcounted = {
      ...categorical,
      topValues: [
        { value: 'x', count: 8, error: 1 },
        { value: 'y', count: 3 },
      ],
    };
    expect(categoricalReferenceCounts(overcounted).counts).toEqual([8, 3, 0]);
  });
});
