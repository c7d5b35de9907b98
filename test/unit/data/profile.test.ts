import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { DatasetProfile, RowSchema, type CategoricalColumnProfile, type NumericColumnProfile } from '@slipway/sdk';
import {
  DigestNumericSketch,
  ExactNumericSketch,
  binCountsFromCdf,
  binIndex,
} from '../../../packages/activities/src/data/numeric-sketch.js';
import {
  MAX_TOP_VALUES,
  TOP_VALUE_COUNTERS,
  createProfiler,
  profileRows,
} from '../../../packages/activities/src/data/profile.js';
import { empiricalCdf } from '../../../packages/activities/src/stats/index.js';
import { mulberry32 } from '../../../packages/activities/src/train/prng.js';

function numeric(profile: DatasetProfile, column: string): NumericColumnProfile {
  const p = profile.columns[column];
  if (p?.kind !== 'numeric') throw new Error(`expected a numeric profile of ${column}`);
  return p;
}

function categorical(profile: DatasetProfile, column: string): CategoricalColumnProfile {
  const p = profile.columns[column];
  if (p?.kind !== 'categorical') throw new Error(`expected a categorical profile of ${column}`);
  return p;
}

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

  it('computes moments, quantiles and decile bins of a numeric column', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ x: i + 1, n: 0, plan: 'a', active: true }));
    const x = numeric(profileRows(schema, rows), 'x');
    expect(x).toMatchObject({ kind: 'numeric', count: 10, nulls: 0, min: 1, max: 10, mean: 5.5 });
    expect(x.std).toBeCloseTo(Math.sqrt(82.5 / 9), 12);
    expect(x.cutPoints).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(x.binCounts).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(x.quantiles).toEqual({ p1: 1, p5: 1, p25: 3, p50: 5, p75: 8, p95: 10, p99: 10 });
    expect(x.digest?.centroids).toEqual(rows.map((r) => ({ mean: r.x, count: 1, point: true })));
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
      quantiles: { p1: 0, p5: 0, p25: 0, p50: 0, p75: 1, p95: 2, p99: 2 },
      digest: {
        compression: 199,
        centroids: [
          { mean: 0, count: 5, point: true },
          { mean: 1, count: 3, point: true },
          { mean: 2, count: 2, point: true },
        ],
      },
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
      distinctExact: true,
      topValues: [
        { value: 'b', count: 3 },
        { value: 'a', count: 2 },
        { value: 'c', count: 1 },
        { value: 'd', count: 1 },
      ],
      topValuesExact: true,
    });
    expect(profile.columns['active']).toEqual({
      kind: 'categorical',
      count: 4,
      nulls: 3,
      distinct: 2,
      distinctExact: true,
      topValues: [
        { value: 'false', count: 2 },
        { value: 'true', count: 2 },
      ],
      topValuesExact: true,
    });
  });

  it('caps topValues but keeps the exact distinct count', () => {
    const profiler = createProfiler(schema);
    for (let i = 0; i < 150; i++) profiler.add({ x: i, n: null, plan: `p${String(i).padStart(3, '0')}`, active: null });
    profiler.add({ x: 0, n: null, plan: 'p149', active: null });
    const plan = categorical(profiler.finish(), 'plan');
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

describe('DigestNumericSketch', () => {
  it('rounds bin counts from the CDF so that they sum exactly to the count', () => {
    const cdf = empiricalCdf([1, 2, 3]);
    // Cut points between the values split each third unevenly: shares 1/3, 0, 2/3 → 1, 0, 2.
    expect(binCountsFromCdf(cdf, [1.5, 1.7], 3)).toEqual([1, 0, 2]);
    // Thirds of 10: one bin gets the remainder.
    const thirds = binCountsFromCdf(empiricalCdf([1, 2, 3]), [1, 2], 10);
    expect(thirds.reduce((a, b) => a + b, 0)).toBe(10);
    expect([...thirds].sort()).toEqual([3, 3, 4]);
    expect(new DigestNumericSketch().binCounts([1])).toEqual([]);
    expect(new DigestNumericSketch().quantiles([0.5])).toEqual([]);
  });
});

describe('profiling in bounded memory', () => {
  const schema = RowSchema.parse({ columns: { x: { type: 'number' }, id: { type: 'string' } } });

  it('keeps exact counts up to the counter budget, then Space-Saving bounds and a distinct estimate', () => {
    const profiler = createProfiler(schema);
    // 20,000 rows: "hot-0".."hot-4" take 1,000 rows each, the rest are 15,000 distinct ids.
    for (let i = 0; i < 20_000; i++) profiler.add({ x: i, id: i < 5000 ? `hot-${i % 5}` : `id-${i}` });
    const id = categorical(profiler.finish(), 'id');
    expect(id).toMatchObject({ count: 20_000, distinctExact: false, topValuesExact: false });
    expect(Math.abs(id.distinct - 15_005) / 15_005).toBeLessThanOrEqual(0.03);
    expect(id.topValues).toHaveLength(MAX_TOP_VALUES);
    expect(id.topValues.slice(0, 5).map((v) => v.value)).toEqual(['hot-0', 'hot-1', 'hot-2', 'hot-3', 'hot-4']);
    for (const top of id.topValues.slice(0, 5)) {
      expect(top.count - (top.error ?? 0)).toBeLessThanOrEqual(1000);
      expect(top.count).toBeGreaterThanOrEqual(1000);
      expect(top.error).toBeLessThanOrEqual(20_000 / TOP_VALUE_COUNTERS);
    }
    expect(DatasetProfile.parse({ rows: 1, columns: { id } })).toBeTruthy();
  });

  it('profiles 1M values with little heap growth, quantiles within 1% of rank, bins summing to the count', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const retained = () => {
      gc();
      const usage = process.memoryUsage();
      return usage.heapUsed + usage.arrayBuffers;
    };
    const n = 1_000_000;
    const random = mulberry32(77);
    const values = Float64Array.from({ length: n }, () => Math.exp(random() * 4) * (random() < 0.5 ? 1 : -1));
    const row: { x: number; id: string } = { x: 0, id: '' };

    const profiler = createProfiler(schema);
    const before = retained();
    for (let i = 0; i < n; i++) {
      row.x = values[i] as number;
      row.id = `user-${i % 250_000}`;
      profiler.add(row);
    }
    const profilerGrowth = retained() - before;
    const profile = profiler.finish();

    // The measurement can see O(n) memory: the exact sketch holds 8 MB of values (in a buffer grown by doubling).
    const exact = new ExactNumericSketch();
    const beforeExact = retained();
    for (const v of values) exact.add(v);
    const exactGrowth = retained() - beforeExact;
    expect(exactGrowth).toBeGreaterThan(6_000_000);
    expect(profilerGrowth).toBeLessThan(1_000_000);
    expect(profilerGrowth).toBeLessThan(exactGrowth / 10);

    const x = numeric(profile, 'x');
    const sorted = values.slice().sort();
    const rank = (v: number) => {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((sorted[mid] as number) <= v) lo = mid + 1;
        else hi = mid;
      }
      return lo / n;
    };
    const named = { p1: 0.01, p5: 0.05, p25: 0.25, p50: 0.5, p75: 0.75, p95: 0.95, p99: 0.99 } as const;
    for (const [name, p] of Object.entries(named)) {
      expect(Math.abs(rank(x.quantiles![name as keyof typeof named]) - p), name).toBeLessThanOrEqual(0.01);
    }
    expect(x.binCounts.reduce((a, b) => a + b, 0)).toBe(n);
    const exactBins = exact.binCounts(x.cutPoints);
    x.binCounts.forEach((count, i) => expect(Math.abs(count - exactBins[i]!)).toBeLessThanOrEqual(0.002 * n));
    expect(x.digest!.centroids.length).toBeLessThanOrEqual(200);
    expect([x.min, x.max]).toEqual([sorted[0], sorted[n - 1]]);
    expect(categorical(profile, 'id')).toMatchObject({ count: n, topValuesExact: false, distinctExact: false });
    expect(Math.abs(categorical(profile, 'id').distinct - 250_000) / 250_000).toBeLessThanOrEqual(0.03);
  }, 60_000);
});
