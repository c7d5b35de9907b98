/** What every part of the guardian's loop needs: its input, its signed input, its state, its steps and limits. */
import { log } from '@temporalio/workflow';
import type { GuardianLimits } from '../../guardian/decide.js';
import { keepLast } from '../../guardian/state.js';
import type { ModelGuardianInput } from '../../pipelines/model-guardian.js';
import type { GuardianDecisionKind } from '../../schemas/guardian.js';
import type { NotificationEventInput } from '../../schemas/notification.js';
import { guardCheckStep, notifyStep, resolveDatasetStep } from '../../steps/guard.js';
import { guardRecordStep, guardRetrainStatusStep } from '../../steps/guard-record.js';
import { resolveApproversStep } from '../../steps/resolve-approvers.js';
import { useSteps, type StepCalls } from '../use-step.js';
import type { GuardianControls } from './controls.js';

/** The guardian's steps. */
export const guardianSteps = {
  guardCheck: guardCheckStep,
  resolveDataset: resolveDatasetStep,
  notify: notifyStep,
  guardRecord: guardRecordStep,
  retrainStatus: guardRetrainStatusStep,
  resolveApprovers: resolveApproversStep,
} as const;

/** The guardian's loop context. */
export interface GuardianContext {
  input: ModelGuardianInput;
  /** The guardian's input exactly as its starter signed it (with `start`), carried unchanged across runs. */
  raw: Record<string, unknown>;
  workflowId: string;
  controls: GuardianControls;
  steps: StepCalls<typeof guardianSteps>;
  limits: GuardianLimits;
}

/** The guardian's steps with the input's overrides. */
export function useGuardianSteps(input: ModelGuardianInput): StepCalls<typeof guardianSteps> {
  return useSteps(guardianSteps, input.stepOptions);
}

/** A decision as the loop records it. */
export interface DecisionRecord {
  kind: GuardianDecisionKind;
  checkId: string;
  reason: string;
  version?: number | undefined;
  details?: Record<string, string | number | boolean | null>;
}

/**
 * Records a decision: in the guardian's state (the status shows the last ones) and as one `guardian` line in the
 * audit log (keyed by `<checkId>:<kind>`, so a retried step appends it once).
 */
export async function recordDecision(ctx: GuardianContext, decision: DecisionRecord): Promise<void> {
  const { carry } = ctx.controls;
  keepLast(carry.decisions, {
    at: new Date().toISOString(),
    kind: decision.kind,
    checkId: decision.checkId,
    reason: decision.reason,
  });
  await ctx.steps.guardRecord({
    decisionId: `${decision.checkId}:${decision.kind}`,
    guardian: ctx.workflowId,
    model: ctx.input.model,
    ...(decision.version === undefined ? {} : { version: decision.version }),
    kind: decision.kind,
    checkId: decision.checkId,
    reason: decision.reason,
    details: {
      consecutive: carry.counters.consecutive,
      checks: carry.counters.checks,
      ...decision.details,
    },
  });
}

/**
 * Sends a notification with the id `<checkId>:<kind>` (stable under retry and replay). A failing notification is
 * logged and never stops the guardian.
 */
export async function notifySafely(
  ctx: GuardianContext,
  checkId: string,
  event: Omit<NotificationEventInput, 'id' | 'model' | 'runId' | 'at'>,
): Promise<void> {
  try {
    await ctx.steps.notify({
      ...event,
      id: `${checkId}:${event.kind}`,
      model: ctx.input.model,
      runId: ctx.workflowId,
      at: new Date().toISOString(),
    });
  } catch (err) {
    log.warn('A guardian notification failed; the guardian goes on', {
      checkId,
      kind: event.kind,
      error: err instanceof Error ? err.message : String(err),
    });
  }
}
