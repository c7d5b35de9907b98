import { rolloutVersion as contract } from '../../pipelines/rollout-version.js';
import type { PipelineInput, PipelineOutput } from '../../pipeline.js';
import { resolvedSteps } from '../../schemas/rollout.js';
import { resolveApproversStep } from '../../steps/resolve-approvers.js';
import { parseWorkflowInput } from '../parse-input.js';
import { tagRunWithModel } from '../pipeline-helpers.js';
import { createRolloutControls } from '../rollout/controls.js';
import { runRolloutSaga } from '../rollout/saga.js';
import { useRolloutSteps } from '../rollout/steps.js';
import { RunTracker } from '../run-tracker.js';
import { useStep } from '../use-step.js';

/**
 * The `rolloutVersion` contract's workflow: the rollout saga of one approved version. Answers the rollout state
 * Query and the signed command Update from its first moment; resolves who may command it (the approval policy's
 * approvers, with their keys from the directory of people) before it stages the version.
 */
export async function rolloutVersion(raw: PipelineInput<typeof contract>): Promise<PipelineOutput<typeof contract>> {
  const input = parseWorkflowInput(contract.input, raw, contract.name);
  const model = input.version.name;
  const controls = createRolloutControls(input.version, input.plan, resolvedSteps(input.plan));
  const tracker = new RunTracker(contract.name, contract.steps, model);
  tracker.attachRollout(() => controls.state);
  tagRunWithModel(model);
  const policy = input.proof?.policy ?? input.approval;
  if (policy) {
    const resolve = useStep(resolveApproversStep, input.stepOptions.resolveApprovers);
    const resolution = await resolve({ approvers: policy.approvers, approverGroups: policy.approverGroups });
    controls.setOperators(resolution.approvers, {
      startedBy: input.proof?.start?.signer,
      allowSelfApproval: policy.allowSelfApproval,
    });
  } else {
    controls.setOperators([]);
  }
  return runRolloutSaga(
    {
      version: input.version,
      serverUrl: input.deploy.serverUrl,
      alias: input.deploy.alias,
      plan: input.plan,
      proof: input.proof,
      smokeFeatures: input.smokeFeatures,
    },
    controls,
    useRolloutSteps(input.stepOptions),
    tracker,
  );
}
