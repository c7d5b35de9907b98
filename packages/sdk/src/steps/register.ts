import { z } from 'zod';
import { defineStep } from '../step.js';
import { ArtifactRef } from '../schemas/artifact.js';
import { Lineage, Metrics, ModelName, ModelVersionRef } from '../schemas/model.js';

/** Registers a model version with its lineage; a retried call returns the same version. */
export const registerStep = defineStep({
  name: 'slipway.register',
  description: 'register the model version with its lineage',
  input: z.object({
    modelName: ModelName,
    model: ArtifactRef,
    metrics: Metrics,
    lineage: Lineage,
    /** The tracking run that trained the model (the train step's `trackingRunId`): the version links to it. */
    trackingRunId: z.string().min(1).optional(),
  }),
  output: z.object({ version: ModelVersionRef, created: z.boolean() }),
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 10 } },
});
