import { z } from 'zod';
import { defineStep } from '../step.js';
import { ApprovalProof } from '../schemas/approval.js';
import { ModelVersionRef } from '../schemas/model.js';
import { FeatureRow, Prediction } from '../schemas/serving.js';

/** Loads an approved version into the model server, smoke-checks it and moves the alias. */
export const deployStep = defineStep({
  name: 'slipway.deploy',
  description: 'load the version in the model server, smoke-check it, move the alias',
  input: z.object({
    version: ModelVersionRef,
    serverUrl: z.url(),
    alias: z.string().min(1).default('champion'),
    /** Features for the smoke prediction; by default built from the training profile. */
    smokeFeatures: FeatureRow.optional(),
    /** The approval of this version, re-verified against the signed directory before anything is deployed. */
    proof: ApprovalProof.optional(),
  }),
  output: z.object({
    deploymentId: z.string(),
    model: z.string(),
    version: z.number().int().positive(),
    previousVersion: z.number().int().positive().nullable(),
    serverUrl: z.string(),
    /** The smoke prediction's positive-class score (binary models only). */
    smokeScore: z.number().min(0).max(1).optional(),
    /** The smoke prediction, as the model server answered it. */
    smokePrediction: Prediction.optional(),
  }),
  options: { startToCloseTimeout: '5m', retry: { maximumAttempts: 5 } },
});
