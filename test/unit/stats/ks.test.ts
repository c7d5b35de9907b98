import { beforeAll, describe, expect, it } from 'vitest';
import {
  TDigest,
  cdfAt,
  cdfBelow,
  empiricalCdf,
  ksDistance,
  kolmogorovSurvival,
  ksTwoSample,
  ksTwoSampleCdf,
  type KsResult,
} from '../../../packages/activities/src/stats/index.js';
import { runPython } from '../../support/python.js';
import { ORACLE_TIMEOUT_MS, integerSample, normalSample, relativeError, seeded } from './samples.js';

interface KsCase {
  name: string;
  a: number[];
  b: number[];
}

/** Sample pairs of several shapes: shifts of a normal, ties, small and large samples, equal and unequal sizes. */
function ksCases(): KsCase[] {
  const r = seeded(20261125);
  const pair = (name: string, a: number[], b: number[]): KsCase => ({ name, a, b });
  return [
    pair('tiny, shifted', normalSample(r, 5), normalSample(r, 7, 0.8)),
    pair('equal sizes n=20', normalSample(r, 20), normalSample(r, 20, 0.5)),
    pair('n=50 vs 80, small shift', normalSample(r, 50), normalSample(r, 80, 0.2)),
    pair('equal sizes n=100', normalSample(r, 100), normalSample(r, 100, 0.3)),
    pair('n=300 vs 500, wider', normalSample(r, 300), normalSample(r, 500, 0, 1.3)),
    pair('n=1000 vs 1500, strong shift', normalSample(r, 1000), normalSample(r, 1500, 0.4)),
    pair('same distribution n=2000 vs 3000', normalSample(r, 2000), normalSample(r, 3000)),
    pair('integers with ties', integerSample(r, 400), integerSample(r, 600, 0.5)),
    pair('identical samples', [1, 2, 3, 4, 5], [5, 4, 3, 2, 1]),
    pair('disjoint samples', [1, 2, 3], [10, 11, 12, 13]),
    pair('n=10000 vs 7000 (largest exact)', normalSample(r, 10_000), normalSample(r, 7000, 0.05)),
    pair('large, asymptotic: 20000 vs 15000', normalSample(r, 20_000), normalSample(r, 15_000, 0.03)),
    pair('large integers, asymptotic', integerSample(r, 30_000), integerSample(r, 12_000, 0.1)),
  ];
}

interface ScipyKs {
  statistic: number;
  exact: number | null;
  asymp: number;
  stephens: number;
}

const SCIPY_KS = `
from math import sqrt
from scipy.stats import ks_2samp, kstwobign
result = []
for case in data:
    a, b = case["a"], case["b"]
    n, m = len(a), len(b)
    auto = ks_2samp(a, b)
    asymp = ks_2samp(a, b, method="asymp")
    exact = ks_2samp(a, b, method="exact").pvalue if max(n, m) <= 10000 else None
    root = sqrt(n * m / (n + m))
    stephens = kstwobign.sf((root + 0.12 + 0.11 / root) * auto.statistic)
    result.append({"statistic": auto.statistic, "exact": exact, "asymp": asymp.pvalue, "stephens": stephens})
`;

describe('ksTwoSample against scipy.stats.ks_2samp', () => {
  const cases = ksCases();
  let scipy: ScipyKs[];
  let ours: KsResult[];

  beforeAll(async () => {
    scipy = await runPython<ScipyKs[]>(SCIPY_KS, cases);
    ours = cases.map((c) => ksTwoSample(c.a, c.b));
  }, ORACLE_TIMEOUT_MS);

  it('finds the same D statistic (relative error ≤ 1e-6; it is computed from integer counts)', () => {
    cases.forEach((c, i) => {
      expect(relativeError(ours[i]!.statistic, scipy[i]!.statistic), c.name).toBeLessThanOrEqual(1e-6);
    });
    expect(ours[8]!.statistic).toBe(0);
    expect(ours[9]!.statistic).toBe(1);
  });

  // The exact p-value runs the same recursion as scipy (Viehmann's exit-probability form of Hodges' lattice
  // count); only the order of floating-point operations differs, so 1e-9 is a generous bound (measured ≤ 1e-15).
  it('computes exact p-values up to 10,000 values per sample, as method="exact" (relative error ≤ 1e-9)', () => {
    cases.forEach((c, i) => {
      const exact = scipy[i]!.exact;
      if (exact === null) return;
      expect(ours[i]!.method, c.name).toBe('exact');
      expect(relativeError(ours[i]!.pValue, exact), c.name).toBeLessThanOrEqual(1e-9);
    });
    expect(ours[8]!.pValue).toBe(1);
  });

  // Above 10,000 values the p-value is Kolmogorov's limit with Stephens' correction. It must equal scipy's kstwobign
  // at the corrected argument (the same formula: ≤ 1e-9), and stay within 5% of scipy's own asymptotic answer,
  // which uses the exact one-sample distribution at n·m/(n+m) (measured: 1–2% apart at these sizes).
  it('uses the corrected Kolmogorov distribution for larger samples, within 5% of method="asymp"', () => {
    const large = cases.map((c, i) => ({ c, i })).filter(({ i }) => scipy[i]!.exact === null);
    expect(large.length).toBe(2);
    for (const { c, i } of large) {
      expect(ours[i]!.method, c.name).toBe('asymptotic');
      expect(relativeError(ours[i]!.pValue, scipy[i]!.stephens), c.name).toBeLessThanOrEqual(1e-9);
      expect(relativeError(ours[i]!.pValue, scipy[i]!.asymp), c.name).toBeLessThanOrEqual(0.05);
    }
  });

  it('gives an asymptotic p-value on request, close to the exact one for moderate samples', () => {
    cases.forEach((c, i) => {
      const exact = scipy[i]!.exact;
      if (exact === null || c.a.length < 300 || exact < 1e-6) return;
      const asymptotic = ksTwoSample(c.a, c.b, 'asymptotic');
      expect(asymptotic.method).toBe('asymptotic');
      expect(relativeError(asymptotic.pValue, exact), c.name).toBeLessThanOrEqual(0.05);
    });
  });
});

describe('the exact method on large samples', () => {
  it('stays O(n) for equal sizes, and falls back to asymptotic when the lattice recursion would be too long', () => {
    const r = seeded(3);
    const [x, y] = [normalSample(r, 50_000), normalSample(r, 50_000, 0.02)];
    const equal = ksTwoSample(x, y, 'exact');
    expect(equal.method).toBe('exact');
    expect(relativeError(ksTwoSample(x, y, 'asymptotic').pValue, equal.pValue)).toBeLessThan(0.05);
    const started = Date.now();
    const unequal = ksTwoSample(normalSample(r, 40_000), normalSample(r, 30_000, 0.25), 'exact');
    expect(unequal.method).toBe('asymptotic');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(unequal.pValue).toBeLessThan(1e-30);
  });
});

describe('kolmogorovSurvival against scipy.stats.kstwobign.sf', () => {
  it(
    'agrees to 1e-12 relative from the body to the far tail',
    async () => {
      const zs = [0.01, 0.05, 0.1, 0.3, 0.5, 0.8, 0.99, 1, 1.01, 1.36, 1.63, 2, 3, 5, 8, 12, 20];
      const scipy = await runPython<number[]>(
        'from scipy.stats import kstwobign\nresult = [float(kstwobign.sf(z)) for z in data]',
        zs,
      );
      zs.forEach((z, i) => {
        if (scipy[i]! < 1e-300) expect(kolmogorovSurvival(z)).toBeLessThan(1e-300);
        else expect(relativeError(kolmogorovSurvival(z), scipy[i]!), `z=${z}`).toBeLessThanOrEqual(1e-12);
      });
      expect(kolmogorovSurvival(0)).toBe(1);
    },
    ORACLE_TIMEOUT_MS,
  );
});

describe('KS between CDF sketches', () => {
  it('equals the sample KS statistic for two empirical CDFs', () => {
    for (const c of ksCases()) {
      const fromSketches = ksTwoSampleCdf(empiricalCdf(c.a), empiricalCdf(c.b));
      expect(fromSketches.statistic).toBeCloseTo(ksTwoSample(c.a, c.b).statistic, 12);
      expect(fromSketches.method).toBe('asymptotic');
    }
  });

  it('measures a t-digest of 200,000 training values against served values within 0.003 of the raw D', () => {
    const r = seeded(7);
    const training = normalSample(r, 200_000, 10, 2);
    const digest = new TDigest();
    for (const value of training) digest.add(value);
    const cdf = digest.toCdf()!;
    for (const shift of [0, 0.05, 0.2, 1]) {
      const served = normalSample(r, 5000, 10 + shift, 2);
      const raw = ksTwoSample(training, served);
      const sketched = ksTwoSampleCdf(cdf, empiricalCdf(served));
      expect(Math.abs(sketched.statistic - raw.statistic), `shift ${shift}`).toBeLessThanOrEqual(0.003);
    }
  });

  it('walks both sketches once and finds the largest gap at any breakpoint, from the left or the right', () => {
    const r = seeded(11);
    const digest = new TDigest();
    for (const value of integerSample(r, 20_000)) digest.add(value + 0.5 * (value % 3));
    for (const value of normalSample(r, 20_000, 4)) digest.add(value);
    const sketches = [
      digest.toCdf()!,
      empiricalCdf(integerSample(r, 3000, 1)),
      empiricalCdf(normalSample(r, 3000, 2, 3)),
      empiricalCdf([Number.NEGATIVE_INFINITY, -1, 0, 0, 2, Number.POSITIVE_INFINITY]),
    ];
    // The definition: every breakpoint of either sketch, evaluated by binary search.
    const bruteForce = (a: (typeof sketches)[number], b: (typeof sketches)[number]) =>
      Math.max(
        ...[...a.xs, ...b.xs].flatMap((x) => [
          Math.abs(cdfBelow(a, x) - cdfBelow(b, x)),
          Math.abs(cdfAt(a, x) - cdfAt(b, x)),
        ]),
      );
    for (const a of sketches) {
      for (const b of sketches) expect(ksDistance(a, b)).toBeCloseTo(Math.min(1, bruteForce(a, b)), 14);
    }
    // The gap just below a breakpoint where both jump: a rises linearly to 0.9 below 1, b jumps from 0 at 1.
    const rising = { xs: [0, 1], before: [0, 0.9], at: [0, 1], count: 10 };
    expect(ksDistance(rising, empiricalCdf([1]))).toBeCloseTo(0.9, 14);
  });
});

describe('bad input', () => {
  it('refuses empty samples and NaN with the argument named', () => {
    expect(() => ksTwoSample([], [1])).toThrow(/ksTwoSample: a is empty/);
    expect(() => ksTwoSample([1], [])).toThrow(/ksTwoSample: b is empty/);
    expect(() => ksTwoSample([1, Number.NaN], [1])).toThrow(/a\[1\] is not a number/);
    expect(() => empiricalCdf([])).toThrow(/empiricalCdf: values is empty/);
    expect(() => ksTwoSampleCdf({ xs: [1, 0], before: [0, 0.5], at: [0.5, 1], count: 2 }, empiricalCdf([1]))).toThrow(
      /a is not a valid CDF sketch: xs\[1\] is not ascending/,
    );
    expect(() => ksTwoSampleCdf(empiricalCdf([1]), { xs: [1], before: [0], at: [0.9], count: 2 })).toThrow(
      /does not reach 1/,
    );
  });

  it('keeps ±infinity at the ends of a sample', () => {
    expect(ksTwoSample([Number.NEGATIVE_INFINITY, 0, 1], [0, 1, Number.POSITIVE_INFINITY]).statistic).toBeCloseTo(
      1 / 3,
      15,
    );
  });
});
