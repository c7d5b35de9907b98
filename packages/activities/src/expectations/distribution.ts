/**
 * `distribution` expectations: the dataset's values against the reference profile. PSI bins the values on
 * the reference's cut points (numeric) or its categories plus "other" (categorical); KS compares the values'
 * t-digest with the reference's. Both keep bounded state.
 */
import type { CheckResult, ColumnProfile, DatasetProfile, Expectation } from '@slipway/sdk';
import { binIndex } from '../data/numeric-sketch.js';
import type { RawCell } from '../data/row-batch.js';
import { categoricalReferenceCounts, numericReferenceShares } from '../monitor/buckets.js';
import { TDigest, centroidCdf, ksTwoSampleCdf, psi, toShares } from '../stats/index.js';
import { checkResult, type CheckEvaluator } from './check.js';
import { isNullCell, numberOfCell, textOfCell } from './values.js';

type DistributionExpectation = Extract<Expectation, { expect: 'distribution' }>;

/**
 * An evaluator of a `distribution` expectation. Without a reference profile it fails, saying so, unless
 * `skipReason` says why there cannot be one yet (the first model of its name): then it is reported as skipped.
 */
export function distributionCheck(
  expectation: DistributionExpectation,
  reference: DatasetProfile | undefined,
  skipReason?: string,
): CheckEvaluator {
  if (reference === undefined && skipReason !== undefined) return skipped(expectation, skipReason);
  const column = reference?.columns[expectation.column];
  if (!column)
    return missingReference(
      expectation,
      reference === undefined
        ? 'no reference profile was given'
        : `the reference profile has no column "${expectation.column}"`,
    );
  if (expectation.metric === 'ks' && column.kind !== 'numeric')
    return missingReference(expectation, 'KS needs a numeric column');
  if (expectation.metric === 'ks' && column.kind === 'numeric' && !column.digest)
    return missingReference(expectation, 'the reference profile has no digest (profiled by an older version)');
  return column.kind === 'numeric' ? numericCheck(expectation, column) : categoricalCheck(expectation, column);
}

function numericCheck(
  expectation: DistributionExpectation,
  reference: Extract<ColumnProfile, { kind: 'numeric' }>,
): CheckEvaluator {
  const counts = new Array<number>(reference.cutPoints.length + 1).fill(0);
  const digest = new TDigest();
  let evaluated = 0;
  let unreadable = 0;
  return {
    expectation,
    column: expectation.column,
    observe(value: RawCell) {
      if (isNullCell(value)) return;
      const x = numberOfCell(value);
      if (x === undefined) return void unreadable++;
      evaluated++;
      if (expectation.metric === 'psi') counts[binIndex(reference.cutPoints, x)]! += 1;
      else digest.add(x);
    },
    result(): CheckResult {
      if (evaluated === 0)
        return checkResult(expectation, {
          passed: false,
          evaluated,
          failed: 0,
          samples: [{ position: 'dataset', message: 'no numeric values to compare' }],
        });
      const value =
        expectation.metric === 'psi'
          ? psi(numericReferenceShares(reference), toShares(counts))
          : ksAgainst(reference, digest);
      return verdict(expectation, evaluated, value, { unreadable });
    },
  };
}

function ksAgainst(reference: Extract<ColumnProfile, { kind: 'numeric' }>, digest: TDigest): number {
  const own = digest.toCdf();
  const centroids = reference.digest?.centroids ?? [];
  if (!own || reference.min === null || reference.max === null || centroids.length === 0) return 1;
  return ksTwoSampleCdf(centroidCdf(centroids, reference.min, reference.max), own).statistic;
}

function categoricalCheck(
  expectation: DistributionExpectation,
  reference: Extract<ColumnProfile, { kind: 'categorical' }>,
): CheckEvaluator {
  const { categories, counts: referenceCounts } = categoricalReferenceCounts(reference);
  const index = new Map(categories.map((c, i) => [c, i]));
  const counts = new Array<number>(categories.length + 1).fill(0);
  let evaluated = 0;
  return {
    expectation,
    column: expectation.column,
    observe(value: RawCell) {
      if (isNullCell(value)) return;
      evaluated++;
      counts[index.get(textOfCell(value)) ?? categories.length]! += 1;
    },
    result(): CheckResult {
      const value = psi(toShares(referenceCounts), toShares(counts));
      return verdict(expectation, evaluated, value, {});
    },
  };
}

function verdict(
  expectation: DistributionExpectation,
  evaluated: number,
  value: number,
  extra: Record<string, number>,
): CheckResult {
  const passed = value <= expectation.threshold;
  const metric = expectation.metric;
  return checkResult(expectation, {
    passed,
    evaluated,
    failed: passed ? 0 : 1,
    observed: { [metric]: Math.round(value * 1e6) / 1e6, threshold: expectation.threshold, ...extra },
    samples: passed
      ? []
      : [
          {
            position: 'dataset',
            column: expectation.column,
            message: `${metric} ${value.toFixed(4)} exceeds ${expectation.threshold}`,
          },
        ],
  });
}

function missingReference(expectation: DistributionExpectation, why: string): CheckEvaluator {
  return {
    expectation,
    column: undefined,
    result: () =>
      checkResult(expectation, {
        passed: false,
        evaluated: 0,
        failed: 1,
        samples: [
          { position: 'dataset', column: expectation.column, message: `cannot check the distribution: ${why}` },
        ],
      }),
  };
}

function skipped(expectation: DistributionExpectation, why: string): CheckEvaluator {
  return {
    expectation,
    column: undefined,
    result: () => ({
      ...checkResult(expectation, {
        passed: true,
        evaluated: 0,
        failed: 0,
        samples: [{ position: 'dataset', column: expectation.column, message: `skipped: ${why}` }],
      }),
      skipped: true,
    }),
  };
}
