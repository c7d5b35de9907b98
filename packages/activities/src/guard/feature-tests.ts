/**
 * One feature's test under a drift policy: the policy picks the test (a per-feature override, or the default for
 * the feature's kind), `featureDrift` computes the bins and statistics (one place for them), and this module reads
 * the chosen statistic and judges it against the threshold.
 */
import {
  SlipwayErrorType,
  finalFailure,
  type ColumnProfile,
  type DriftPolicy,
  type FeatureDrift,
  type FeatureRow,
  type FeatureTest,
  type GuardFeatureResult,
} from '@slipway/sdk';
import { featureDrift } from '../monitor/drift.js';
import { categoricalReferenceCounts } from '../monitor/buckets.js';
import { jensenShannonDistance } from '../stats/index.js';

/** The tests that apply to each kind of feature. */
export const TESTS_BY_KIND = {
  numeric: ['psi', 'ks', 'js'],
  categorical: ['psi', 'chi-square', 'js'],
} as const satisfies Record<FeatureDrift['kind'], readonly FeatureTest['test'][]>;

/** The test the policy applies to a feature, and whether it is a per-feature override. */
export function testFor(
  policy: Pick<DriftPolicy, 'numeric' | 'categorical' | 'features'>,
  feature: string,
  kind: FeatureDrift['kind'],
): { test: FeatureTest; override: boolean } {
  const override = Object.hasOwn(policy.features, feature) ? policy.features[feature] : undefined;
  return override ? { test: override, override: true } : { test: policy[kind], override: false };
}

/**
 * Checks that the test applies to the feature's kind.
 *
 * @throws a final `SlipwayInvalidInput` failure naming the feature, its kind, the test and the tests that apply.
 */
export function checkTestApplies(feature: string, kind: FeatureDrift['kind'], test: FeatureTest, where: string): void {
  const allowed: readonly string[] = TESTS_BY_KIND[kind];
  if (allowed.includes(test.test)) return;
  throw finalFailure(
    SlipwayErrorType.InvalidInput,
    `${where}: feature "${feature}" is ${kind}, and the ${test.test} test does not apply to ${kind} features ` +
      `(use one of: ${allowed.join(', ')})`,
    { field: where, feature, kind, test: test.test },
  );
}

/** The labels of a column's bins, in the order `featureDrift` returns its shares. */
export function binLabels(column: ColumnProfile): string[] {
  if (column.kind === 'categorical') return [...categoricalReferenceCounts(column).categories, 'other'];
  const cuts = column.cutPoints.map(formatCut);
  if (cuts.length === 0) return ['all'];
  return [`≤ ${cuts[0]}`, ...cuts.slice(1).map((cut, i) => `(${cuts[i]}, ${cut}]`), `> ${cuts[cuts.length - 1]}`];
}

function formatCut(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, '');
}

/** Served values of a feature that the bins counted (the actual shares are over these). */
function countCompared(drift: FeatureDrift, rows: readonly FeatureRow[], feature: string): number {
  let n = 0;
  for (const row of rows) {
    const value = row[feature];
    if (value === null || value === undefined) continue;
    if (drift.kind === 'categorical') n++;
    else if (typeof value === 'number' ? !Number.isNaN(value) : value !== '' && Number.isFinite(Number(value))) n++;
  }
  return n;
}

/**
 * Tests one feature of the compared rows against its training column with the given test. A feature none of whose
 * served values could be compared, or a `ks` test on a column whose profile has no t-digest, is a clear failure:
 * missing data never passes.
 *
 * @throws a final `SlipwayInvalidInput` failure naming the feature.
 */
export function testFeature(
  feature: string,
  column: ColumnProfile,
  rows: readonly FeatureRow[],
  chosen: { test: FeatureTest; override: boolean },
): GuardFeatureResult {
  const where = chosen.override ? `policy.features.${feature}` : `policy.${column.kind}`;
  checkTestApplies(feature, column.kind, chosen.test, where);
  const drift = featureDrift(feature, column, rows, { threshold: Number.POSITIVE_INFINITY });
  const samples = countCompared(drift, rows, feature);
  if (samples === 0) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `feature "${feature}": none of the ${rows.length} compared rows holds a ${column.kind} value for it ` +
        '(a missing column, or every value null): its drift cannot be tested',
      { feature, rows: rows.length },
    );
  }
  const { statistic, pValue } = readStatistic(feature, drift, chosen.test);
  const drifted = pValue === undefined ? statistic > chosen.test.threshold : pValue < chosen.test.threshold;
  return {
    feature,
    kind: drift.kind,
    test: chosen.test.test,
    threshold: chosen.test.threshold,
    override: chosen.override,
    statistic,
    ...(pValue === undefined ? {} : { pValue }),
    drifted,
    samples,
    psi: drift.psi,
    bins: binLabels(column),
    expected: drift.expected,
    actual: drift.actual,
    ...(drift.ks ? { ks: drift.ks } : {}),
  };
}

/** The statistic (and p-value) of the chosen test, from what `featureDrift` computed. */
function readStatistic(
  feature: string,
  drift: FeatureDrift,
  test: FeatureTest,
): { statistic: number; pValue?: number } {
  switch (test.test) {
    case 'psi':
      return { statistic: drift.psi };
    case 'js':
      return { statistic: drift.jsDistance ?? jensenShannonDistance(drift.expected, drift.actual) };
    case 'chi-square':
      if (!drift.chiSquare) throw missingTest(feature, 'chi-square', 'the training column has no values');
      return { statistic: drift.chiSquare.statistic, pValue: drift.chiSquare.pValue };
    case 'ks':
      if (!drift.ks) throw missingTest(feature, 'ks', 'the training profile has no t-digest for it (or no values)');
      return { statistic: drift.ks.statistic, pValue: drift.ks.pValue };
  }
}

function missingTest(feature: string, test: string, why: string) {
  return finalFailure(SlipwayErrorType.InvalidInput, `feature "${feature}": the ${test} test cannot run: ${why}`, {
    feature,
    test,
  });
}
