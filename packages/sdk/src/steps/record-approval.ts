import { z } from 'zod';
import { defineStep } from '../step.js';
import { Digest } from '../schemas/artifact.js';
import { ApprovalProof, GateDecision } from '../schemas/approval.js';
import { ModelVersionRef } from '../schemas/model.js';

/** Records the gate's outcome and every decision in the registry. */
export const recordApprovalStep = defineStep({
  name: 'slipway.recordApproval',
  description: 'record the approval outcome and approvers in the registry',
  input: z.object({
    version: ModelVersionRef,
    outcome: z.enum(['approved', 'rejected', 'expired']),
    decisions: z.array(GateDecision),
    evidenceDigest: Digest,
    /** The proof the activity re-verifies against the signed directory before it records anything. */
    proof: ApprovalProof.optional(),
  }),
  output: z.object({ recorded: z.boolean() }),
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 10 } },
});
