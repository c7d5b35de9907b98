import { z } from 'zod';

/** A two-sample Kolmogorov–Smirnov test of a numeric feature: served values against the training profile. */
export const KsTest = z.object({
  /** `D = sup |F_training(x) − F_served(x)|`. */
  statistic: z.number().min(0).max(1),
  /** Two-sided p-value for "same distribution". */
  pValue: z.number().min(0).max(1),
  /** How the p-value was computed. */
  method: z.enum(['exact', 'asymptotic']),
});
/** A two-sample KS test of a numeric feature. */
export type KsTest = z.infer<typeof KsTest>;

/** Pearson's chi-square test of homogeneity of a categorical feature: served counts against training counts. */
export const ChiSquareTest = z.object({
  statistic: z.number().nonnegative(),
  /** Degrees of freedom: non-empty categories (including "other") minus one. */
  dof: z.number().int().nonnegative(),
  pValue: z.number().min(0).max(1),
});
/** A chi-square test of homogeneity of a categorical feature. */
export type ChiSquareTest = z.infer<typeof ChiSquareTest>;

/**
 * How a feature is judged drifted: `psi` (the default) when its PSI exceeds the report's `threshold`;
 * `p-value` when its test's p-value (KS for numeric features, chi-square for categorical ones) is below `alpha`,
 * falling back to PSI for a feature without a test (a profile written before t-digests, or no served values).
 * With thousands of served rows a test detects shifts too small to matter; PSI measures their size.
 */
export const DriftCriterion = z.discriminatedUnion('by', [
  z.object({ by: z.literal('psi') }),
  z.object({ by: z.literal('p-value'), alpha: z.number().gt(0).lt(1) }),
]);
/** How a feature is judged drifted. */
export type DriftCriterion = z.infer<typeof DriftCriterion>;

/** Drift of one feature between the training profile and the served window. */
export const FeatureDrift = z.object({
  feature: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  psi: z.number().nonnegative(),
  drifted: z.boolean(),
  /** Reference and served shares per bin, in the same order. */
  expected: z.array(z.number()),
  actual: z.array(z.number()),
  /** Numeric features whose profile carries a t-digest: KS of the served values against it. */
  ks: KsTest.optional(),
  /** Categorical features: chi-square test of the served counts against the training counts (same buckets). */
  chiSquare: ChiSquareTest.optional(),
  /** Categorical features: Jensen–Shannon distance (base 2, in [0, 1]) between training and served shares. */
  jsDistance: z.number().min(0).max(1).optional(),
});
/** Drift of one feature. */
export type FeatureDrift = z.infer<typeof FeatureDrift>;

/** The outcome of one drift check of a deployed model version. */
export const DriftReport = z.object({
  model: z.string(),
  version: z.number().int().positive(),
  /** Served rows compared (rows with imputed features are not among them). */
  samples: z.number().int().nonnegative(),
  /**
   * Served rows of the window left out because the model imputed some of their features: their values are the
   * model's stand-ins, not traffic, so they would hide drift. Absent in reports from before imputation existed.
   */
  imputedRows: z.number().int().nonnegative().optional(),
  /** The PSI threshold. */
  threshold: z.number().positive(),
  /** How `drifted` was decided; absent means PSI above `threshold`. */
  criterion: DriftCriterion.optional(),
  /** False when there were fewer served samples than the minimum (or none at all): no verdict was made. */
  enoughSamples: z.boolean(),
  drifted: z.boolean(),
  features: z.array(FeatureDrift),
});
/** The outcome of one drift check. */
export type DriftReport = z.infer<typeof DriftReport>;
