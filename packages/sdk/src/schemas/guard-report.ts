/**
 * The full report of one guardian check, stored as a JSON artifact (the check's `report`): what was compared
 * (model, version, alias, source, window, the policy applied), every feature's test with the training and serving
 * shares per bin, the prediction drift, the serving health and the verdict. The guardian's history carries only
 * its reference (see `GuardCheckResult`); `slipway guard report` and the check's HTML page render it.
 */
import { z } from 'zod';
import { KsTest } from './drift.js';
import { DriftPolicy, FeatureTest, GuardCheckResult, PredictionDriftSummary, ServingHealth } from './guard.js';

/** One feature's test in a guard report, with the bins it compared. */
export const GuardFeatureResult = z.strictObject({
  feature: z.string().min(1),
  kind: z.enum(['numeric', 'categorical']),
  /** The test the policy applied to this feature (its override, or the default for its kind). */
  test: FeatureTest.shape.test,
  threshold: FeatureTest.shape.threshold,
  /** Whether `test` came from a per-feature override of the policy. */
  override: z.boolean(),
  /** PSI, the KS statistic, the chi-square statistic, or the Jensen–Shannon distance. */
  statistic: z.number().nonnegative(),
  /** The p-value of `ks` and `chi-square`. */
  pValue: z.number().min(0).max(1).optional(),
  drifted: z.boolean(),
  /** Served values of this feature that were compared (nulls and, for numeric features, non-numbers left out). */
  samples: z.number().int().nonnegative(),
  /** The PSI of the feature over the same bins, whatever the test (a measure of the size of a shift). */
  psi: z.number().nonnegative(),
  /** The bins' labels: numeric `≤ c1`, `(c1, c2]`, …, `> ck`; categorical the training categories, then `other`. */
  bins: z.array(z.string()),
  /** Training (expected) and serving (actual) shares per bin, in the order of `bins`. */
  expected: z.array(z.number().min(0).max(1)),
  actual: z.array(z.number().min(0).max(1)),
  /** The KS test of the served values against the training digest, when it was computed. */
  ks: KsTest.optional(),
});
/** One feature's test in a guard report. */
export type GuardFeatureResult = z.infer<typeof GuardFeatureResult>;

/** The prediction drift in a guard report: the summary and the bins it compared. */
export const GuardPredictionResult = PredictionDriftSummary.extend({
  threshold: FeatureTest.shape.threshold,
  /** Served predictions compared. */
  samples: z.number().int().nonnegative(),
  /** What was compared: a binary model's positive-class score, a regressor's value, or a multiclass model's class. */
  of: z.enum(['score', 'value', 'class']),
  /** Whether the prediction's test counted towards the verdict as one more feature (see `GuardReport`). */
  counted: z.boolean(),
  bins: z.array(z.string()),
  expected: z.array(z.number().min(0).max(1)),
  actual: z.array(z.number().min(0).max(1)),
});
/** The prediction drift in a guard report. */
export type GuardPredictionResult = z.infer<typeof GuardPredictionResult>;

/**
 * The full report of one guardian check. `drifted` is true when `driftedFeatures.length / tested ≥
 * policy.driftShare`, where the tested features are the version's features (plus the prediction, when
 * `predictionCounts` is true). With fewer than `policy.minSamples` compared rows there is no verdict:
 * `enoughSamples: false`, `drifted: false`, no feature results. `predictionNote` says why `prediction` is null.
 */
export const GuardReport = z.strictObject({
  checkId: z.string().min(1),
  model: z.string().min(1),
  version: z.number().int().positive(),
  alias: z.string().min(1),
  /** Where the rows came from, for people: the model server's URL or the rows URI and its format. */
  source: z.string().min(1),
  window: GuardCheckResult.shape.window,
  policy: DriftPolicy,
  /** Rows compared. */
  samples: z.number().int().nonnegative(),
  /** Rows of the window left out because the model imputed some of their features. */
  imputedRows: z.number().int().nonnegative(),
  /** Rows of the window before the newest `policy.maxRows` were kept. */
  windowRows: z.number().int().nonnegative(),
  enoughSamples: z.boolean(),
  drifted: z.boolean(),
  driftShare: z.number().min(0).max(1),
  driftedFeatures: z.array(z.string()),
  /** Whether the prediction's test counted towards the verdict as one more feature. */
  predictionCounts: z.boolean(),
  features: z.array(GuardFeatureResult),
  prediction: GuardPredictionResult.nullable(),
  /** Why `prediction` is null (no held-out prediction profile, no served predictions, too few samples). */
  predictionNote: z.string().optional(),
  /** Serving health over the window (model-server source; null for a rows source). */
  health: ServingHealth.nullable(),
  /** Why the health covers less than the window (the model server keeps its request record in memory). */
  healthNote: z.string().optional(),
});
/** The full report of one guardian check. */
export type GuardReport = z.infer<typeof GuardReport>;
