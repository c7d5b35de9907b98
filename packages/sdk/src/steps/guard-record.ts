/**
 * The model guardian's own steps: recording each of its decisions (with its reason) in the audit log, and reading
 * how the retrain it started is doing (the retrain outlives the guardian's runs, so a later run finds it by id).
 */
import { z } from 'zod';
import { defineStep } from '../step.js';
import { GuardianDecisionKind, RetrainOutcomeStatus } from '../schemas/guardian.js';
import { JsonRecord } from '../schemas/json-record.js';
import { ModelName } from '../schemas/model.js';

/**
 * Appends one `guardian` line to the worker's audit log: which guardian decided what after which check, and why.
 * `decisionId` (e.g. `guardian:churn/check-17:retrain_started`) keys it: a retried attempt finds its line and
 * appends no second one.
 */
export const guardRecordStep = defineStep({
  name: 'slipway.guard-record',
  description: "record a model guardian's decision in the audit log",
  input: z.strictObject({
    decisionId: z.string().min(1).max(400),
    guardian: z.string().min(1),
    model: ModelName,
    /** The version the check examined (the champion behind the alias), when known. */
    version: z.number().int().positive().optional(),
    kind: GuardianDecisionKind,
    checkId: z.string().min(1),
    reason: z.string().min(1).max(4000),
    /** Small facts about the decision (counters, the retrain's id and outcome, the report's digest). */
    details: JsonRecord.default({}),
  }),
  output: z.strictObject({ seq: z.number().int().positive(), appended: z.boolean() }),
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 10, maximumInterval: '1m' } },
});

/**
 * How a workflow the guardian started is doing, read from Temporal by id (and run id): running, or how it ended,
 * with the `status` and `version` of its result when it completed.
 */
export const guardRetrainStatusStep = defineStep({
  name: 'slipway.guard-retrain-status',
  description: 'read how the retrain a guardian started is doing',
  input: z.strictObject({ workflowId: z.string().min(1), runId: z.string().min(1) }),
  output: z.strictObject({
    state: z.enum(['running', 'ended', 'not_found']),
    /** How it ended (state `ended`). */
    outcome: RetrainOutcomeStatus.optional(),
    version: z.number().int().positive().optional(),
    detail: z.string().optional(),
  }),
  options: { startToCloseTimeout: '1m', retry: { maximumAttempts: 10, maximumInterval: '30s' } },
});
