import { z } from 'zod';
import { ApprovalProof } from '../schemas/approval.js';
import { ResolvedApprover } from '../schemas/directory.js';
import { ModelName, ModelVersionRef } from '../schemas/model.js';
import { defineStep } from '../step.js';

/** A run's verified signed start, as the check step re-verifies it. */
const VerifiedStartInput = ApprovalProof.shape.start.unwrap();

/**
 * Checks, before anything changes, that a registered version may be deployed on the approval the registry records
 * for it, without a new gate (`slipway deploy <model>@<version>`): the run's signed start verifies (signer's key from
 * the directory, this run, this input) and names this version; the version's latest approval has a stored proof;
 * it was not rolled back since; the proof still verifies against the directory of people; the champion serving now
 * is the one the approval was given against; and whoever started the run is one of the people the recorded policy
 * lets decide. Each refusal is a final failure naming the version and why.
 */
export const checkRecordedApprovalStep = defineStep({
  name: 'slipway.checkRecordedApproval',
  description: "check that a version's approval on record still allows deploying it",
  input: z.object({
    version: z.object({ name: ModelName, version: z.number().int().positive() }),
    alias: z.string().min(1).default('champion'),
    /** The run's start, verified in the workflow, verified again here. */
    start: VerifiedStartInput,
    /** The run's input as its starter signed it (without `start`): it must name this version. */
    startInput: z.record(z.string(), z.unknown()),
  }),
  output: z.object({
    version: ModelVersionRef,
    /** The approval on record, whose proof the deploy steps re-verify. */
    proof: ApprovalProof,
    /** When the registry recorded the approval. */
    approvedAt: z.string(),
    /** The version the alias names now (the one the approval was given against). */
    champion: z.number().int().positive().nullable(),
    /** Who may retry or abort a failed deploy, or command the rollout: the recorded policy's approvers. */
    operators: z.array(ResolvedApprover),
  }),
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 5 } },
});
