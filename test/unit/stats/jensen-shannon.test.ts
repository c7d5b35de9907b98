import { beforeAll, describe, expect, it } from 'vitest';
import { jensenShannonDistance } from '../../../packages/activities/src/stats/index.js';
import { runPython } from '../../support/python.js';
import { ORACLE_TIMEOUT_MS, categoryCounts, relativeError, seeded } from './samples.js';

interface PairCase {
  name: string;
  p: number[];
  q: number[];
}

function pairCases(): PairCase[] {
  const r = seeded(99);
  const pair = (name: string, p: number[], q: number[]): PairCase => ({ name, p, q });
  return [
    pair('two buckets', [0.5, 0.5], [0.6, 0.4]),
    pair('counts, same mix', categoryCounts(r, 5000, 10), categoryCounts(r, 3000, 10)),
    pair('counts, shifted mix', categoryCounts(r, 5000, 8), categoryCounts(r, 4000, 8, 0.2)),
    pair('sparse, zeros on both sides', categoryCounts(r, 60, 50), categoryCounts(r, 40, 50)),
    pair('unnormalized weights', [1, 2, 3, 4], [4, 3, 2, 1.5]),
    pair('training 1e6 vs served 1e4', categoryCounts(r, 1_000_000, 20), categoryCounts(r, 10_000, 20, 1.2)),
    pair('disjoint', [1, 1, 0, 0], [0, 0, 2, 5]),
  ];
}

describe('jensenShannonDistance against scipy.spatial.distance.jensenshannon', () => {
  const cases = pairCases();
  let scipy: { base2: number[]; natural: number[] };

  beforeAll(async () => {
    scipy = await runPython(
      'from scipy.spatial.distance import jensenshannon\n' +
        'result = {"base2": [jensenshannon(c["p"], c["q"], base=2) for c in data],' +
        ' "natural": [jensenshannon(c["p"], c["q"]) for c in data]}',
      cases,
    );
  }, ORACLE_TIMEOUT_MS);

  it('agrees in base 2 and base e (relative error ≤ 1e-6)', () => {
    cases.forEach((c, i) => {
      expect(relativeError(jensenShannonDistance(c.p, c.q), scipy.base2[i]!), c.name).toBeLessThanOrEqual(1e-6);
      expect(relativeError(jensenShannonDistance(c.p, c.q, Math.E), scipy.natural[i]!), c.name).toBeLessThanOrEqual(
        1e-6,
      );
    });
  });

  it('is 0 for identical distributions, 1 (base 2) for disjoint ones, and symmetric', () => {
    expect(jensenShannonDistance([1, 2, 3], [2, 4, 6])).toBe(0);
    expect(jensenShannonDistance([1, 1, 0, 0], [0, 0, 2, 5])).toBeCloseTo(1, 15);
    const [p, q] = [categoryCounts(seeded(1), 500, 7), categoryCounts(seeded(2), 500, 7, 0.3)];
    expect(jensenShannonDistance(p, q)).toBeCloseTo(jensenShannonDistance(q, p), 15);
  });

  it('refuses mismatched, empty, negative or all-zero inputs and a bad base', () => {
    expect(() => jensenShannonDistance([1], [1, 2])).toThrow(/p has 1 buckets and q has 2/);
    expect(() => jensenShannonDistance([], [])).toThrow(/p is empty/);
    expect(() => jensenShannonDistance([1, -1], [1, 1])).toThrow(/p\[1\] must be a finite number ≥ 0/);
    expect(() => jensenShannonDistance([1, 1], [0, 0])).toThrow(/q sums to 0/);
    expect(() => jensenShannonDistance([1, 1], [1, 1], 1)).toThrow(/base must be a finite number > 1/);
  });
});
