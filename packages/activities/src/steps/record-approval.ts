import type { StepParsedInput, recordApprovalStep } from '@slipway/sdk';
import type { ModelRegistry } from '../ports.js';
import { currentStepIdentity, stepIdempotencyKey } from '../util/idempotency.js';

/** The record-approval activity: writes the gate's outcome and every decision to the registry, once. */
export function createRecordApprovalActivity(deps: { registry: ModelRegistry }) {
  return async (input: StepParsedInput<typeof recordApprovalStep>) => {
    const step = currentStepIdentity();
    const workflowId = step?.workflowId ?? 'local';
    const runId = step?.runId ?? 'local';
    await deps.registry.recordApproval({
      name: input.version.name,
      version: input.version.version,
      outcome: input.outcome,
      decisions: input.decisions,
      evidenceDigest: input.evidenceDigest,
      workflowId,
      runId,
      idempotencyKey: stepIdempotencyKey(
        `approval/${input.version.name}/${input.version.version}/${input.evidenceDigest}`,
      ),
    });
    return { recorded: true };
  };
}
