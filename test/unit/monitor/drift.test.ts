import { describe, expect, it } from 'vitest';
import { DriftReport, RowSchema, type DatasetProfile, type FeatureRow, type FeatureSpec } from '@slipway/sdk';
import { profileRows } from '../../../packages/activities/src/data/profile.js';
import { computeDriftReport, featureDrift } from '../../../packages/activities/src/monitor/index.js';
import {
  chiSquareHomogeneity,
  jensenShannonDistance,
  ksTwoSample,
} from '../../../packages/activities/src/stats/index.js';
import { mulberry32 } from '../../../packages/activities/src/train/prng.js';

const schema = RowSchema.parse({ columns: { amount: { type: 'number' }, plan: { type: 'string' } } });
const features: FeatureSpec = { numeric: ['amount'], categorical: ['plan'], target: 'churned' };
const PLANS = ['basic', 'pro', 'enterprise', 'student'];

/** Rows with amount ~ N(100 + shift, 15²) and plans drawn with the given weights. */
function rows(n: number, seed: number, shift = 0, weights = [0.5, 0.3, 0.15, 0.05]): FeatureRow[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    let u = random();
    const plan = PLANS.find((_, i) => (u -= weights[i]!) < 0) ?? 'student';
    return { amount: 100 + shift + 15 * z, plan };
  });
}

const training = rows(50_000, 1);
const profile: DatasetProfile = profileRows(
  schema,
  training.map((r) => ({ amount: r['amount'] as number, plan: r['plan'] as string })),
);
const report = (served: FeatureRow[], extra: Partial<Parameters<typeof computeDriftReport>[0]> = {}) =>
  DriftReport.parse(
    computeDriftReport({
      model: 'm',
      version: 1,
      profile,
      profileUri: 'test://profile',
      features,
      rows: served,
      threshold: 0.2,
      minSamples: 10,
      ...extra,
    }),
  );

describe('drift statistics in the report', () => {
  it('adds KS against the profile digest for numeric features, close to KS on the raw training values', () => {
    for (const shift of [0, 3, 10]) {
      const served = rows(2000, 2 + shift, shift);
      const amount = report(served).features.find((f) => f.feature === 'amount')!;
      const raw = ksTwoSample(
        training.map((r) => r['amount'] as number),
        served.map((r) => r['amount'] as number),
      );
      expect(amount.ks?.method).toBe('asymptotic');
      expect(Math.abs(amount.ks!.statistic - raw.statistic), `shift ${shift}`).toBeLessThanOrEqual(0.003);
      if (shift === 0) expect(amount.ks!.pValue).toBeGreaterThan(0.05);
      else expect(amount.ks!.pValue).toBeLessThan(1e-6);
    }
  });

  it('adds chi-square and Jensen–Shannon for categorical features, on the PSI buckets', () => {
    const served = rows(3000, 5, 0, [0.3, 0.3, 0.3, 0.1]);
    const plan = report(served).features.find((f) => f.feature === 'plan')!;
    const servedCounts = PLANS.map((p) => served.filter((r) => r['plan'] === p).length);
    const column = profile.columns['plan'];
    if (column?.kind !== 'categorical') throw new Error('expected a categorical profile');
    const trainingCounts = PLANS.map((p) => column.topValues.find((v) => v.value === p)?.count ?? 0);
    // The profile lists plans by frequency, which is PLANS' order; the last bucket is "other" (empty here).
    expect(column.topValues.map((v) => v.value)).toEqual(PLANS);
    expect(plan.chiSquare).toEqual(chiSquareHomogeneity([...trainingCounts, 0], [...servedCounts, 0]));
    expect(plan.chiSquare!.dof).toBe(3);
    expect(plan.chiSquare!.pValue).toBeLessThan(1e-10);
    expect(plan.jsDistance).toBeCloseTo(jensenShannonDistance(trainingCounts, servedCounts), 14);
    const same = report(rows(3000, 6)).features.find((f) => f.feature === 'plan')!;
    expect(same.chiSquare!.pValue).toBeGreaterThan(0.01);
    expect(same.jsDistance).toBeLessThan(0.03);
  });

  it('keeps PSI as the criterion by default, and judges by p-value when asked', () => {
    // A small shift: KS is sure of it, PSI finds it too small to matter.
    const served = rows(5000, 7, 2);
    const byPsi = report(served);
    const amount = byPsi.features.find((f) => f.feature === 'amount')!;
    expect(amount.psi).toBeLessThan(0.2);
    expect(amount.ks!.pValue).toBeLessThan(0.001);
    expect(byPsi).toMatchObject({ drifted: false });
    expect(byPsi.criterion).toBeUndefined();

    const byTest = report(served, { criterion: { by: 'p-value', alpha: 0.001 } });
    expect(byTest.criterion).toEqual({ by: 'p-value', alpha: 0.001 });
    expect(byTest.features.map((f) => [f.feature, f.drifted])).toEqual([
      ['amount', true],
      ['plan', false],
    ]);
    expect(byTest.drifted).toBe(true);
  });

  it('reads profiles written before digests: no KS, and the p-value criterion falls back to PSI', () => {
    const column = profile.columns['amount'];
    if (column?.kind !== 'numeric') throw new Error('expected a numeric profile');
    const { digest: _digest, quantiles: _quantiles, ...old } = column;
    const served = rows(500, 8, 30);
    const drift = featureDrift('amount', old, served, { threshold: 0.2, criterion: { by: 'p-value', alpha: 0.01 } });
    expect(drift.ks).toBeUndefined();
    expect(drift.psi).toBeGreaterThan(0.2);
    expect(drift.drifted).toBe(true);
  });

  it('leaves the tests out when no served value is usable', () => {
    const served = Array.from({ length: 20 }, () => ({ amount: 'n/a', plan: null }));
    const [amount, plan] = report(served).features;
    expect(amount!.ks).toBeUndefined();
    expect(plan!.chiSquare).toBeUndefined();
    expect(plan!.jsDistance).toBeUndefined();
  });
});
