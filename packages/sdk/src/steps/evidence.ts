import { z } from 'zod';
import { defineStep } from '../step.js';
import { EvidencePacket } from '../schemas/approval.js';
import { RetrainTrigger } from '../schemas/guard.js';
import { ModelVersionRef } from '../schemas/model.js';

/** Builds the evidence packet for a candidate: its metrics next to the champion's, and the digests. */
export const evidenceStep = defineStep({
  name: 'slipway.evidence',
  description: 'gather candidate-vs-champion evidence for the approver',
  input: z.object({
    candidate: ModelVersionRef,
    alias: z.string().min(1).default('champion'),
    /** A retrain started by the model guardian: its drift report goes into the packet (see `RetrainEvidence`). */
    retrain: RetrainTrigger.optional(),
  }),
  output: EvidencePacket,
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 10 } },
});
