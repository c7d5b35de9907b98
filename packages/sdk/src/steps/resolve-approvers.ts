import { z } from 'zod';
import { ApproverResolution } from '../schemas/directory.js';
import { defineStep } from '../step.js';

/**
 * Resolves who may decide at an approval gate: the policy's named approvers plus the members of its approver
 * groups, read from the worker's directory of people when the gate opens. Returns the resolved approvers (each
 * with how they qualify, their public key and the services the directory trusts to sign for them), the members
 * of `escalateTo` (marked `escalated`) when asked, the public keys of the people in `lookup`, and the directory's
 * digest, never the directory. A policy naming groups on a worker with no directory fails with a non-retryable
 * `SlipwayDirectoryNotConfigured`; an unreadable or invalid directory, or one whose administrator signature does
 * not verify, with `SlipwayInvalidDirectory` naming the file and the field or the reason.
 */
export const resolveApproversStep = defineStep({
  name: 'slipway.resolveApprovers',
  description: 'resolve the approval policy against the directory of people',
  input: z.object({
    approvers: z.array(z.string().min(1)).default([]),
    approverGroups: z.array(z.string().min(1)).default([]),
    /** More people whose public keys the caller needs (e.g. who signed the run's start), looked up by name. */
    lookup: z.array(z.string().min(1)).optional(),
    /**
     * The policy's escalation groups, once its gate escalates: their members not otherwise eligible are added,
     * marked `escalated`.
     */
    escalateTo: z.array(z.string().min(1)).optional(),
  }),
  output: ApproverResolution,
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 5 } },
});
