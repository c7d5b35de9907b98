import { z } from 'zod';

/** Drift of one feature between the training profile and the served window. */
export const FeatureDrift = z.object({
  feature: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  psi: z.number().nonnegative(),
  drifted: z.boolean(),
  /** Reference and served shares per bin, in the same order. */
  expected: z.array(z.number()),
  actual: z.array(z.number()),
});
/** Drift of one feature. */
export type FeatureDrift = z.infer<typeof FeatureDrift>;

/** The outcome of one drift check of a deployed model version. */
export const DriftReport = z.object({
  model: z.string(),
  version: z.number().int().positive(),
  samples: z.number().int().nonnegative(),
  threshold: z.number().positive(),
  /** False when there were fewer served samples than the minimum: no verdict was made. */
  enoughSamples: z.boolean(),
  drifted: z.boolean(),
  features: z.array(FeatureDrift),
});
/** The outcome of one drift check. */
export type DriftReport = z.infer<typeof DriftReport>;
