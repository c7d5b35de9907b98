/**
 * Drift of served features against a training profile: PSI per feature on the profile's own buckets.
 */
import type { ColumnProfile, DatasetProfile, DriftReport, FeatureDrift, FeatureRow, FeatureSpec } from '@slipway/sdk';
import {
  DEFAULT_PSI_EPSILON,
  categoricalReference,
  categoricalServedShares,
  numericReferenceShares,
  numericServedShares,
  psi,
} from './psi.js';
import { featureProfile } from './training-profile.js';

/**
 * The drift of one feature. The profile column decides the buckets: a numeric column bins served numbers on its
 * cut points (numbers and numeric strings; other values are skipped), a categorical column shares served values (as strings, `true` →
 * `"true"`) over its categories plus "other". Nulls are skipped on both sides, as the profile counts them apart.
 * `drifted` is `psi > threshold`.
 */
export function featureDrift(
  feature: string,
  column: ColumnProfile,
  rows: readonly FeatureRow[],
  threshold: number,
  epsilon = DEFAULT_PSI_EPSILON,
): FeatureDrift {
  let expected: number[];
  let actual: number[];
  if (column.kind === 'numeric') {
    expected = numericReferenceShares(column);
    actual = numericServedShares(numericValues(rows, feature), column);
  } else {
    const reference = categoricalReference(column);
    expected = reference.shares;
    actual = categoricalServedShares(categoricalValues(rows, feature), reference.categories);
  }
  const value = psi(expected, actual, epsilon);
  return { feature, kind: column.kind, psi: value, drifted: value > threshold, expected, actual };
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
  rows: readonly FeatureRow[];
  threshold: number;
  minSamples: number;
  epsilon?: number;
}

/**
 * The drift report of served rows against a training profile, over every numeric and categorical feature (the
 * target is not a feature). With fewer rows than `minSamples` no verdict is made: `enoughSamples: false`,
 * `drifted: false`, no features.
 *
 * @throws a final `SlipwayInvalidInput` failure when a feature has no column in the profile.
 */
export function computeDriftReport(input: DriftInput): DriftReport {
  const base = { model: input.model, version: input.version, samples: input.rows.length, threshold: input.threshold };
  if (input.rows.length < input.minSamples) return { ...base, enoughSamples: false, drifted: false, features: [] };
  const names = [...new Set([...input.features.numeric, ...input.features.categorical])].filter(
    (name) => name !== input.features.target,
  );
  const features = names.map((name) =>
    featureDrift(
      name,
      featureProfile(input.profile, name, input.profileUri),
      input.rows,
      input.threshold,
      input.epsilon,
    ),
  );
  return { ...base, enoughSamples: true, drifted: features.some((f) => f.drifted), features };
}
