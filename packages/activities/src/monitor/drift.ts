/**
 * Drift of served features against a training profile: PSI per feature on the profile's own buckets, plus the
 * KS test for numeric features (against the profile's t-digest) and the chi-square test and Jensen–Shannon
 * distance for categorical ones.
 */
import type {
  CategoricalColumnProfile,
  ColumnProfile,
  DatasetProfile,
  DriftCriterion,
  DriftReport,
  FeatureDrift,
  FeatureRow,
  FeatureSpec,
  NumericColumnProfile,
  ServedRow,
} from '@slipway/sdk';
import {
  DEFAULT_PSI_EPSILON,
  centroidCdf,
  chiSquareHomogeneity,
  empiricalCdf,
  jensenShannonDistance,
  ksTwoSampleCdf,
  psi,
  toShares,
  type KsResult,
} from '../stats/index.js';
import {
  categoricalReferenceCounts,
  countCategorical,
  numericReferenceShares,
  numericServedShares,
} from './buckets.js';
import { featureProfile } from '../data/training-profile.js';

/** How {@link featureDrift} judges a feature. */
export interface FeatureDriftOptions {
  /** A feature drifted when its PSI exceeds this (unless `criterion` says otherwise). */
  threshold: number;
  /** The PSI share floor (default `DEFAULT_PSI_EPSILON`). */
  epsilon?: number;
  /** How `drifted` is decided (default PSI above `threshold`). */
  criterion?: DriftCriterion;
}

/**
 * The drift of one feature. The profile column decides the buckets: a numeric column bins served numbers on its
 * cut points (numbers and numeric strings; other values are skipped), a categorical column shares served values
 * (as strings, `true` → `"true"`) over its categories plus "other". Nulls are skipped on both sides, as the profile
 * counts them apart.
 *
 * Besides PSI: a numeric column whose profile carries a t-digest gets `ks`, the two-sample KS test of the served
 * values against the digest's CDF (asymptotic p-value, with the profile's `count` as the training sample size);
 * a categorical column gets `chiSquare` (test of homogeneity of the 2×k table of training and served counts over
 * the same buckets) and `jsDistance` (base 2). These are absent when there are no served values to test.
 * `drifted` is `psi > threshold`, or with `criterion: { by: 'p-value', alpha }` the test's p-value below `alpha`.
 */
export function featureDrift(
  feature: string,
  column: ColumnProfile,
  rows: readonly FeatureRow[],
  options: FeatureDriftOptions,
): FeatureDrift {
  const epsilon = options.epsilon ?? DEFAULT_PSI_EPSILON;
  if (column.kind === 'numeric') {
    const served = [...numericValues(rows, feature)];
    const expected = numericReferenceShares(column);
    const actual = numericServedShares(served, column);
    const value = psi(expected, actual, epsilon);
    const ks = numericKs(column, served);
    const drifted = isDrifted(options, value, ks?.pValue);
    return { feature, kind: 'numeric', psi: value, drifted, expected, actual, ...(ks ? { ks } : {}) };
  }
  const { categories, counts } = categoricalReferenceCounts(column);
  const servedCounts = countCategorical(categoricalValues(rows, feature), categories);
  const expected = toShares(counts);
  const actual = toShares(servedCounts);
  const value = psi(expected, actual, epsilon);
  const tests = categoricalTests(column, counts, servedCounts);
  const drifted = isDrifted(options, value, tests?.chiSquare.pValue);
  return { feature, kind: 'categorical', psi: value, drifted, expected, actual, ...tests };
}

/** KS of served values against the profile's t-digest; undefined without a digest or served values. */
function numericKs(column: NumericColumnProfile, served: readonly number[]): KsResult | undefined {
  const centroids = column.digest?.centroids;
  if (!centroids?.length || served.length === 0 || column.min === null || column.max === null) return undefined;
  return ksTwoSampleCdf(centroidCdf(centroids, column.min, column.max), empiricalCdf(served));
}

/** Chi-square and Jensen–Shannon of served counts against reference counts; undefined when either side is empty. */
function categoricalTests(
  column: CategoricalColumnProfile,
  reference: readonly number[],
  served: readonly number[],
): Pick<Required<FeatureDrift>, 'chiSquare' | 'jsDistance'> | undefined {
  const servedTotal = served.reduce((sum, c) => sum + c, 0);
  if (column.count === 0 || servedTotal === 0) return undefined;
  return {
    chiSquare: chiSquareHomogeneity(reference, served),
    jsDistance: jensenShannonDistance(reference, served),
  };
}

function isDrifted(options: FeatureDriftOptions, psiValue: number, pValue: number | undefined): boolean {
  if (options.criterion?.by === 'p-value' && pValue !== undefined) return pValue < options.criterion.alpha;
  return psiValue > options.threshold;
}

function* numericValues(rows: readonly FeatureRow[], feature: string): Generator<number> {
  for (const row of rows) {
    const value = row[feature];
    if (typeof value === 'number' && !Number.isNaN(value)) yield value;
    else if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) yield Number(value);
  }
}

function* categoricalValues(rows: readonly FeatureRow[], feature: string): Generator<string> {
  for (const row of rows) {
    const value = row[feature];
    if (value !== null && value !== undefined) yield String(value);
  }
}

/** What {@link computeDriftReport} compares. */
export interface DriftInput {
  model: string;
  version: number;
  profile: DatasetProfile;
  /** Where the profile came from, for error messages. */
  profileUri: string;
  features: FeatureSpec;
  /** The served rows to compare (rows with imputed features already left out, see {@link splitImputedRows}). */
  rows: readonly FeatureRow[];
  /** Served rows of the window left out because features were imputed; reported as `imputedRows`. */
  imputedRows?: number;
  /** The PSI threshold. */
  threshold: number;
  minSamples: number;
  epsilon?: number;
  /** How `drifted` is decided per feature (default: PSI above `threshold`); echoed in the report when given. */
  criterion?: DriftCriterion;
}

/**
 * Splits served rows into those to compare and the count of those with imputed features (their values are the
 * model's stand-ins, not traffic); rows logged before imputation existed have no mark and are compared.
 */
export function splitImputedRows(rows: readonly ServedRow[]): { rows: FeatureRow[]; imputedRows: number } {
  const compared = rows.filter((row) => !row.imputed?.length).map((row) => row.features);
  return { rows: compared, imputedRows: rows.length - compared.length };
}

/**
 * The drift report of served rows against a training profile, over every numeric and categorical feature (the
 * target is not a feature). With no rows, or fewer than `minSamples`, no verdict is made: `enoughSamples: false`,
 * `drifted: false`, no features — so a window where every row was imputed never reads as "no drift". The report
 * drifted when any feature did (see {@link featureDrift}).
 *
 * @throws a final `SlipwayInvalidInput` failure when a feature has no column in the profile.
 */
export function computeDriftReport(input: DriftInput): DriftReport {
  const base = {
    model: input.model,
    version: input.version,
    samples: input.rows.length,
    ...(input.imputedRows === undefined ? {} : { imputedRows: input.imputedRows }),
    threshold: input.threshold,
    ...(input.criterion ? { criterion: input.criterion } : {}),
  };
  if (input.rows.length === 0 || input.rows.length < input.minSamples)
    return { ...base, enoughSamples: false, drifted: false, features: [] };
  const names = [...new Set([...input.features.numeric, ...input.features.categorical])].filter(
    (name) => name !== input.features.target,
  );
  const options: FeatureDriftOptions = {
    threshold: input.threshold,
    epsilon: input.epsilon,
    criterion: input.criterion,
  };
  const features = names.map((name) =>
    featureDrift(name, featureProfile(input.profile, name, input.profileUri), input.rows, options),
  );
  return { ...base, enoughSamples: true, drifted: features.some((f) => f.drifted), features };
}
