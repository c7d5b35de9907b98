import { z } from 'zod';
import { ModelVersionRef } from '../schemas/model.js';
import { defineStep } from '../step.js';

/**
 * Records in the registry (and its audit log) a deploy of an approved version that failed after its retries, as a
 * `failed` deployment naming the reason, while the run waits for an operator's `retry` or `abort`. Once per wait.
 */
export const recordDeployFailureStep = defineStep({
  name: 'slipway.recordDeployFailure',
  description: 'record a deploy that failed after its retries; the run waits for an operator',
  input: z.object({
    version: ModelVersionRef,
    serverUrl: z.string().min(1),
    alias: z.string().min(1),
    reason: z.string().min(1),
    /** The nonce of the wait the failure began: one record per wait, whatever the retries of this step. */
    waitNonce: z.string().min(1),
  }),
  output: z.object({ deploymentId: z.string(), recorded: z.boolean() }),
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 10 } },
});
