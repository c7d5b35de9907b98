import { CancellationScope, workflowInfo } from '@temporalio/workflow';
import { SlipwayErrorType, finalFailure } from '../../errors.js';
import { rollbackModel as contract } from '../../pipelines/rollback-model.js';
import type { PipelineInput, PipelineOutput } from '../../pipeline.js';
import { rolloutWorkflowId } from '../../schemas/rollout.js';
import { resolveApproversStep } from '../../steps/resolve-approvers.js';
import { rollbackPlanStep, rollbackStep, type RollbackPlan } from '../../steps/rollback.js';
import { parseWorkflowInput } from '../parse-input.js';
import { tagRunWithModel } from '../pipeline-helpers.js';
import { RunTracker } from '../run-tracker.js';
import { verifySignedStart } from '../signed-start.js';
import { useStep } from '../use-step.js';

/**
 * The `rollbackModel` contract's workflow: rollback as a command. It runs only as `rollout:<model>` (so never beside
 * a rollout of the model), verifies the signed start first thing, plans the rollback (what serves, what is
 * restored, whether the signer may: refusals end the run before anything changes), then restores the planned
 * version, traffic and alias together. The acting step is not cancellable once it started: a half-done rollback is
 * finished by its retries, never abandoned.
 */
export async function rollbackModel(raw: PipelineInput<typeof contract>): Promise<PipelineOutput<typeof contract>> {
  const input = parseWorkflowInput(contract.input, raw, contract.name);
  const { model } = input;
  const tracker = new RunTracker(contract.name, contract.steps, model);
  tagRunWithModel(model);
  const expectedId = rolloutWorkflowId(model);
  if (workflowInfo().workflowId !== expectedId) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `A rollback of ${model} runs as ${expectedId} (one rollout or rollback of a model at a time), not as ` +
        `${workflowInfo().workflowId}: start it with \`slipway rollback\` or SlipwayClient.rollback`,
    );
  }
  const request = raw as Record<string, unknown>;
  const resolve = useStep(resolveApproversStep, input.stepOptions.resolveApprovers);
  const plan = await tracker.run(
    'plan',
    async () => {
      await verifySignedStart(raw, contract.name, (lookup) => resolve({ lookup }));
      return useStep(rollbackPlanStep, input.stepOptions.plan)({ request });
    },
    describePlan,
  );
  const act = useStep(rollbackStep, input.stepOptions.rollback);
  const done = await tracker.run(
    'rollback',
    () => CancellationScope.nonCancellable(() => act({ request, plan })),
    (d) => `v${d.live.version} serves (${d.live.deploymentId}); ${plan.alias} on v${d.aliasVersion}`,
  );
  return {
    status: 'rolled_back',
    model,
    rolledBack: done.rolledBack,
    live: done.live,
    method: plan.method,
    alias: plan.alias,
    aliasVersion: done.aliasVersion,
    by: plan.by,
    reason: plan.reason,
  };
}

function describePlan(plan: RollbackPlan): string {
  const how = plan.method === 'rollback' ? "the target's rollback" : 'a new deployment';
  return `v${plan.live.version} → v${plan.restore.version} by ${how}, for ${plan.by}: ${plan.reason}`;
}
