import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PSI_EPSILON, psi, toShares } from '../../../packages/activities/src/stats/index.js';
import { runPython } from '../../support/python.js';
import { ORACLE_TIMEOUT_MS, categoryCounts, relativeError, seeded } from './samples.js';

describe('psi', () => {
  it('is 0 for identical shares, including empty buckets', () => {
    expect(psi([0.25, 0.25, 0.5], [0.25, 0.25, 0.5])).toBe(0);
    expect(psi([0.7, 0.3, 0], [0.7, 0.3, 0])).toBe(0);
  });

  it('matches hand-computed values', () => {
    // (0.6 − 0.5)·ln(0.6/0.5) + (0.4 − 0.5)·ln(0.4/0.5) = 0.1·0.18232156 + 0.1·0.22314355
    expect(psi([0.5, 0.5], [0.6, 0.4])).toBeCloseTo(0.0405465108108, 12);
    // (0.1 − 0.25)·ln(0.4) + (0.2 − 0.25)·ln(0.8) + (0.3 − 0.25)·ln(1.2) + (0.4 − 0.25)·ln(1.6)
    expect(psi([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4])).toBeCloseTo(0.2282174095734, 12);
  });

  it('floors both shares at epsilon, so an empty reference bucket gives a large finite value', () => {
    // (0.5 − 1)·ln(0.5/1) + (0.5 − 1e-6)·ln(0.5/1e-6) = 0.34657359 + 6.56116857
    expect(psi([1, 0], [0.5, 0.5])).toBeCloseTo(6.90774215661876, 10);
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

describe('psi against a direct numpy computation of the same formula', () => {
  const r = seeded(314);
  const cases = [
    { expected: categoryCounts(r, 10_000, 10, 0), actual: categoryCounts(r, 2000, 10, 0) },
    { expected: categoryCounts(r, 10_000, 10, 0), actual: categoryCounts(r, 2000, 10, 0.8) },
    { expected: categoryCounts(r, 100, 40), actual: categoryCounts(r, 80, 40, 0.5) },
    { expected: categoryCounts(r, 1_000_000, 25), actual: categoryCounts(r, 5000, 25, 1.3) },
    { expected: [5, 0, 0, 5], actual: [0, 5, 5, 0] },
  ];
  let numpy: { fine: number[]; coarse: number[] };

  beforeAll(async () => {
    numpy = await runPython(
      [
        'import numpy as np',
        'def psi(e, a, eps):',
        '    e = np.maximum(np.asarray(e, float) / np.sum(e), eps)',
        '    a = np.maximum(np.asarray(a, float) / np.sum(a), eps)',
        '    return float(np.sum((a - e) * np.log(a / e)))',
        'result = {"fine": [psi(c["expected"], c["actual"], 1e-6) for c in data],',
        '          "coarse": [psi(c["expected"], c["actual"], 1e-3) for c in data]}',
      ].join('\n'),
      cases,
    );
  }, ORACLE_TIMEOUT_MS);

  it('agrees to 1e-6 relative (shares from counts, both floored at epsilon)', () => {
    cases.forEach((c, i) => {
      const [e, a] = [toShares(c.expected), toShares(c.actual)];
      expect(relativeError(psi(e, a, DEFAULT_PSI_EPSILON), numpy.fine[i]!), `case ${i}`).toBeLessThanOrEqual(1e-6);
      expect(relativeError(psi(e, a, 1e-3), numpy.coarse[i]!), `case ${i}`).toBeLessThanOrEqual(1e-6);
    });
  });
});
