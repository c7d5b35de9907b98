import { describe, expect, it } from 'vitest';
import { DatasetProfile, RowSchema } from '@slipway/sdk';
import {
  ExactNumericSketch,
  MAX_TOP_VALUES,
  binIndex,
  createProfiler,
  profileRows,
} from '../../../packages/activities/src/data/index.js';

describe('ExactNumericSketch', () => {
  it('answers quantiles with observed values (inverse empirical CDF)', () => {
    const sketch = new ExactNumericSketch();
    for (const v of [5, 1, 4, 2, 3]) sketch.add(v);
    expect(sketch.quantiles([0, 0.2, 0.21, 0.5, 0.8, 0.81, 1])).toEqual([1, 1, 2, 3, 4, 5, 5]);
    expect(new ExactNumericSketch().quantiles([0.5])).toEqual([]);
  });

  it('grows past its initial buffer and counts bins on (c_i-1, c_i]', () => {
    const sketch = new ExactNumericSketch();
    for (let i = 1; i <= 5000; i++) sketch.add(i);
    expect(sketch.count).toBe(5000);
    expect(sketch.binCounts([1000, 2500])).toEqual([1000, 1500, 2500]);
  });

  it('binIndex puts a value equal to a cut point in the bin that ends there', () => {
    expect([-5, 1, 1.5, 2, 3, 9].map((v) => binIndex([1, 2, 3], v))).toEqual([0, 0, 1, 1, 2, 3]);
    expect(binIndex([], 42)).toBe(0);
  });
});

describe('profileRows', () => {
  const schema = RowSchema.parse({
    columns: {
      x: { type: 'number' },
      n: { type: 'number', integer: true, nullable: true },
      plan: { type: 'string' },
      active: { type: 'boolean', nullable: true },
    },
  });

  it('computes moments and decile bins of a numeric column', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ x: i + 1, n: 0, plan: 'a', active: true }));
    const x = profileRows(schema, rows).columns['x'];
    expect(x).toMatchObject({ kind: 'numeric', count: 10, nulls: 0, min: 1, max: 10, mean: 5.5 });
    if (x?.kind !== 'numeric') throw new Error('expected a numeric profile');
    expect(x.std).toBeCloseTo(Math.sqrt(82.5 / 9), 12);
    expect(x.cutPoints).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(x.binCounts).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('deduplicates cut points, so an integer column with few values gets few bins; nulls are counted apart', () => {
    const values = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2, null, null];
    const rows = values.map((n) => ({ x: 1, n, plan: 'a', active: null }));
    const n = profileRows(schema, rows).columns['n'];
    expect(n).toEqual({
      kind: 'numeric',
      count: 10,
      nulls: 2,
      min: 0,
      max: 2,
      mean: 0.7,
      std: expect.closeTo(Math.sqrt((5 * 0.49 + 3 * 0.09 + 2 * 1.69) / 9), 12) as number,
      cutPoints: [0, 1, 2],
      binCounts: [5, 3, 2, 0],
    });
  });

  it('counts categorical values, most frequent first, ties by value, booleans as strings', () => {
    const plans = ['b', 'a', 'b', 'c', 'a', 'b', 'd'];
    const rows = plans.map((plan, i) => ({ x: 1, n: null, plan, active: i % 3 === 0 ? null : i % 3 === 1 }));
    const profile = profileRows(schema, rows);
    expect(profile.rows).toBe(7);
    expect(profile.columns['plan']).toEqual({
      kind: 'categorical',
      count: 7,
      nulls: 0,
      distinct: 4,
      topValues: [
        { value: 'b', count: 3 },
        { value: 'a', count: 2 },
        { value: 'c', count: 1 },
        { value: 'd', count: 1 },
      ],
    });
    expect(profile.columns['active']).toEqual({
      kind: 'categorical',
      count: 4,
      nulls: 3,
      distinct: 2,
      topValues: [
        { value: 'false', count: 2 },
        { value: 'true', count: 2 },
      ],
    });
  });

  it('caps topValues but keeps the exact distinct count', () => {
    const profiler = createProfiler(schema);
    for (let i = 0; i < 150; i++) profiler.add({ x: i, n: null, plan: `p${String(i).padStart(3, '0')}`, active: null });
    profiler.add({ x: 0, n: null, plan: 'p149', active: null });
    const plan = profiler.finish().columns['plan'];
    if (plan?.kind !== 'categorical') throw new Error('expected a categorical profile');
    expect(plan.distinct).toBe(150);
    expect(plan.topValues).toHaveLength(MAX_TOP_VALUES);
    expect(plan.topValues[0]).toEqual({ value: 'p149', count: 2 });
    expect(plan.topValues[1]).toEqual({ value: 'p000', count: 1 });
  });

  it('gives an empty column null moments and no bins, and always matches the DatasetProfile schema', () => {
    const profile = profileRows(schema, []);
    expect(profile.columns['x']).toEqual({
      kind: 'numeric',
      count: 0,
      nulls: 0,
      min: null,
      max: null,
      mean: null,
      std: null,
      cutPoints: [],
      binCounts: [],
    });
    expect(DatasetProfile.parse(profile)).toEqual(profile);
    const single = profileRows(schema, [{ x: 3, n: null, plan: 'a', active: true }]);
    expect(single.columns['x']).toMatchObject({ mean: 3, std: 0, cutPoints: [3], binCounts: [1, 0] });
  });
});
