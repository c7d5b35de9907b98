import { describe, expect, it } from 'vitest';
import { mulberry32, shuffledIndices, splitIndices, splitRows } from '../../../packages/activities/src/train/index.js';

describe('mulberry32', () => {
  it('is determined by the seed and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
  });

  it('matches the reference mulberry32 output for seed 1', () => {
    // Reference values of the published algorithm (Tommy Ettinger's mulberry32), seed 1.
    const random = mulberry32(1);
    expect([random(), random(), random()].map((x) => Math.round(x * 4294967296))).toEqual([
      2693262067, 11749833, 2265367787,
    ]);
  });
});

describe('splitIndices / splitRows', () => {
  it('holds out round(n × fraction) rows, disjoint, complete and in file order', () => {
    const { train, test } = splitIndices(101, 0.2, 42);
    expect(test).toHaveLength(20);
    expect(train).toHaveLength(81);
    expect([...train, ...test].sort((a, b) => a - b)).toEqual(Array.from({ length: 101 }, (_, i) => i));
    expect(train).toEqual([...train].sort((a, b) => a - b));
    expect(test).toEqual([...test].sort((a, b) => a - b));
  });

  it('is deterministic by seed, and another seed holds out other rows', () => {
    expect(splitIndices(500, 0.3, 7)).toEqual(splitIndices(500, 0.3, 7));
    expect(splitIndices(500, 0.3, 8).test).not.toEqual(splitIndices(500, 0.3, 7).test);
  });

  it('keeps at least one row on each side', () => {
    expect(splitIndices(2, 0.01, 1).test).toHaveLength(1);
    expect(splitIndices(2, 0.9, 1).train).toHaveLength(1);
    expect(() => splitIndices(1, 0.2, 1)).toThrow(RangeError);
    expect(() => splitIndices(10, 0, 1)).toThrow(/testFraction/);
  });

  it('splitRows picks the rows of the split', () => {
    const rows = Array.from({ length: 10 }, (_, i) => `row${i}`);
    const { train, test } = splitRows(rows, 0.3, 3);
    const indices = splitIndices(10, 0.3, 3);
    expect(test).toEqual(indices.test.map((i) => `row${i}`));
    expect(train).toEqual(indices.train.map((i) => `row${i}`));
  });

  it('shuffledIndices is a permutation', () => {
    const order = shuffledIndices(50, mulberry32(9));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(order).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
