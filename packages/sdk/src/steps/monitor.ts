import { z } from 'zod';
import { defineStep } from '../step.js';
import { DriftCriterion, DriftReport } from '../schemas/drift.js';
import { ModelName } from '../schemas/model.js';

/** Compares the features a version served with its training profile (PSI per feature). */
export const monitorStep = defineStep({
  name: 'slipway.monitor',
  description: 'compare served features with the training profile',
  input: z.object({
    model: ModelName,
    /** The version to check; by default the one behind `alias`. */
    version: z.number().int().positive().optional(),
    alias: z.string().min(1).default('champion'),
    serverUrl: z.url(),
    psiThreshold: z.number().positive().default(0.2),
    minSamples: z.number().int().min(1).default(50),
    /** What decides drift: PSI over `psiThreshold` (default), or a test p-value under `alpha`. */
    criterion: DriftCriterion.optional(),
  }),
  output: DriftReport,
  options: { startToCloseTimeout: '10m', retry: { maximumAttempts: 5 } },
});
