import { describe, expect, it } from 'vitest';
import { FeatureSpec, SlipwayErrorType } from '@slipway/sdk';
import {
  createRowEncoder,
  encodeRows,
  encodedFeatureNames,
  encodingDimension,
  fitEncoding,
  labelsOf,
  resolveBinaryTarget,
} from '../../../packages/activities/src/train/index.js';

const features = FeatureSpec.parse({ numeric: ['age'], categorical: ['plan'], target: 'y' });
const rows = [
  { age: 1, plan: 'x', y: 1 },
  { age: 2, plan: 'y', y: 0 },
  { age: 3, plan: 'x', y: 1 },
  { age: null, plan: null, y: 0 },
];

describe('fitEncoding / encodeRows', () => {
  it('standardizes numeric columns on the training rows and one-hot encodes categories, with a bias', () => {
    const encoding = fitEncoding(rows, features, 100);
    const std = Math.sqrt(2 / 3);
    expect(encoding).toEqual({
      numeric: [{ column: 'age', mean: 2, std: expect.closeTo(std, 14) as number }],
      categorical: [{ column: 'plan', categories: ['x', 'y'] }],
    });
    expect(encodingDimension(encoding)).toBe(4);
    expect(encodedFeatureNames(encoding)).toEqual(['(bias)', 'age', 'plan=x', 'plan=y']);
    const { x, dimension } = encodeRows(encoding, rows);
    expect(dimension).toBe(4);
    const matrix = Array.from({ length: 4 }, (_, i) => Array.from(x.slice(i * 4, i * 4 + 4)));
    expect(matrix[0]).toEqual([1, expect.closeTo(-1 / std, 14), 1, 0]);
    expect(matrix[1]).toEqual([1, 0, 0, 1]);
    expect(matrix[2]).toEqual([1, expect.closeTo(1 / std, 14), 1, 0]);
    // Null numeric → the mean (0 once standardized); null category → all zeros.
    expect(matrix[3]).toEqual([1, 0, 0, 0]);
  });

  it('encodes unknown categories as all zeros and accepts numeric strings', () => {
    const encode = createRowEncoder(fitEncoding(rows, features, 100));
    const out = new Float64Array(4);
    encode({ age: '2', plan: 'never-seen' }, out, 0);
    expect(Array.from(out)).toEqual([1, 0, 0, 0]);
    expect(() => encode({ age: 'old', plan: 'x' }, out, 0)).toThrow('Feature "age": expected a number, got "old"');
  });

  it('keeps the most frequent categories when capped, and gives a constant column std 1', () => {
    const many = ['a', 'b', 'b', 'c', 'c', 'c'].map((plan) => ({ age: 5, plan, y: 0 }));
    const encoding = fitEncoding(many, features, 2);
    expect(encoding.categorical[0]?.categories).toEqual(['c', 'b']);
    expect(encoding.numeric[0]).toEqual({ column: 'age', mean: 5, std: 1 });
  });
});

describe('resolveBinaryTarget', () => {
  it('maps booleans, 0/1 and two strings deterministically', () => {
    expect(resolveBinaryTarget('y', [true, false, null])).toEqual({ column: 'y', negative: false, positive: true });
    expect(resolveBinaryTarget('y', [1, 0, 1])).toEqual({ column: 'y', negative: 0, positive: 1 });
    expect(resolveBinaryTarget('y', ['yes', 'no'])).toEqual({ column: 'y', negative: 'no', positive: 'yes' });
    expect(resolveBinaryTarget('y', ['no', 'yes'])).toEqual({ column: 'y', negative: 'no', positive: 'yes' });
    expect(resolveBinaryTarget('y', ['churned', 'stayed'], 'churned')).toEqual({
      column: 'y',
      negative: 'stayed',
      positive: 'churned',
    });
  });

  it('fails with InvalidInput naming the column and the values found', () => {
    const cases: [unknown[], string][] = [
      [['a', 'b', 'c'], 'found more than two distinct values; values found: "a", "b", "c"'],
      [[1, 1, null], 'found 1 distinct value(s); values found: 1'],
      [[0, 2], 'numeric targets must be 0 and 1; values found: 0, 2'],
      [['1', 1], 'the values mix types; values found: "1", 1'],
    ];
    for (const [values, why] of cases) {
      let caught: unknown;
      try {
        resolveBinaryTarget('churn', values as (string | number)[]);
      } catch (err) {
        caught = err;
      }
      expect(caught).toMatchObject({ type: SlipwayErrorType.InvalidInput });
      expect((caught as Error).message).toBe(
        `Target column "churn" must be binary (0/1, true/false, or two distinct strings): ${why}`,
      );
    }
    expect(() => resolveBinaryTarget('y', ['a', 'b'], 'c')).toThrow('positiveClass "c" is not one of the values');
  });

  it('labelsOf turns rows into 0/1 labels and refuses other values', () => {
    const target = resolveBinaryTarget('y', ['no', 'yes']);
    expect(Array.from(labelsOf(target, [{ y: 'yes' }, { y: 'no' }]))).toEqual([1, 0]);
    expect(() => labelsOf(target, [{ y: 'maybe' }])).toThrow(
      'Target column "y": row 1 has "maybe", expected "no" or "yes"',
    );
  });
});
