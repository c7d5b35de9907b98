/**
 * The dataset-level verdict of a guardian check: every feature of the version tested under the policy, and the
 * share of drifted features against `driftShare`.
 */
import {
  SlipwayErrorType,
  finalFailure,
  type DatasetProfile,
  type DriftPolicy,
  type FeatureRow,
  type FeatureSpec,
  type GuardFeatureResult,
  type GuardPredictionResult,
} from '@slipway/sdk';
import { featureProfile } from '../data/training-profile.js';
import { checkTestApplies, testFeature, testFor } from './feature-tests.js';

/** What {@link judgeFeatures} compares. */
export interface VerdictInput {
  profile: DatasetProfile;
  /** Where the profile came from, for error messages. */
  profileUri: string;
  features: FeatureSpec;
  rows: readonly FeatureRow[];
  policy: DriftPolicy;
}

/** The per-feature results and the verdict. */
export interface Verdict {
  enoughSamples: boolean;
  drifted: boolean;
  driftShare: number;
  driftedFeatures: string[];
  features: GuardFeatureResult[];
}

/** The version's features, the target left out, numeric first, in the lineage's order. */
export function comparedFeatures(features: FeatureSpec): string[] {
  return [...new Set([...features.numeric, ...features.categorical])].filter((name) => name !== features.target);
}

/**
 * Checks that every per-feature override names a feature of the version (a misspelt name would silently test
 * nothing).
 *
 * @throws a final `SlipwayInvalidInput` failure naming the override and the version's features.
 */
export function checkOverrides(policy: Pick<DriftPolicy, 'features'>, features: FeatureSpec): void {
  const names = comparedFeatures(features);
  const unknown = Object.keys(policy.features).filter((name) => !names.includes(name));
  if (unknown.length === 0) return;
  throw finalFailure(
    SlipwayErrorType.InvalidInput,
    `policy.features names ${unknown.map((n) => `"${n}"`).join(', ')}, not a feature of the model ` +
      `(its features: ${names.join(', ')})`,
    { field: 'policy.features', unknown },
  );
}

/**
 * Tests every feature under the policy and makes the verdict: drifted when drifted / tested ≥ `driftShare`. With
 * fewer rows than `minSamples` (or none) nothing is tested and no verdict is made (`enoughSamples: false`,
 * `drifted: false`): too few rows never read as "no drift" to a caller that checks `enoughSamples`.
 * A prediction result with `counted: true` counts as one more tested feature, named `prediction`.
 *
 * @throws a final `SlipwayInvalidInput` failure when a feature has no column in the profile, a test does not apply
 *   to its feature's kind, or a feature has no comparable value (see `testFeature`).
 */
export function judgeFeatures(input: VerdictInput, prediction?: GuardPredictionResult | null): Verdict {
  checkOverrides(input.policy, input.features);
  // Every feature's test is checked against its kind first, so a wrong policy fails even on a quiet window.
  const planned = comparedFeatures(input.features).map((name) => {
    const column = featureProfile(input.profile, name, input.profileUri);
    const chosen = testFor(input.policy, name, column.kind);
    checkTestApplies(
      name,
      column.kind,
      chosen.test,
      chosen.override ? `policy.features.${name}` : `policy.${column.kind}`,
    );
    return { name, column, chosen };
  });
  if (input.rows.length === 0 || input.rows.length < input.policy.minSamples)
    return { enoughSamples: false, drifted: false, driftShare: 0, driftedFeatures: [], features: [] };
  const features = planned.map(({ name, column, chosen }) => testFeature(name, column, input.rows, chosen));
  const driftedFeatures = features.filter((f) => f.drifted).map((f) => f.feature);
  let tested = features.length;
  if (prediction?.counted) {
    tested++;
    if (prediction.drifted) driftedFeatures.push('prediction');
  }
  const driftShare = tested === 0 ? 0 : driftedFeatures.length / tested;
  return {
    enoughSamples: true,
    drifted: tested > 0 && driftShare >= input.policy.driftShare,
    driftShare,
    driftedFeatures,
    features,
  };
}
