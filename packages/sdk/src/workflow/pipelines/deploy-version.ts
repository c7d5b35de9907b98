import { workflowInfo } from '@temporalio/workflow';
import { FinalErrorType, finalFailure } from '../../errors.js';
import { deployVersion as contract, deployWorkflowId } from '../../pipelines/deploy-version.js';
import type { PipelineInput, PipelineOutput } from '../../pipeline.js';
import { checkRecordedApprovalStep } from '../../steps/check-recorded-approval.js';
import { deployStep } from '../../steps/deploy.js';
import { resolveApproversStep } from '../../steps/resolve-approvers.js';
import { deployApproved } from '../deploy-approved.js';
import { parseWorkflowInput } from '../parse-input.js';
import { tagRunWithModel } from '../pipeline-helpers.js';
import { RunTracker } from '../run-tracker.js';
import { verifySignedStart } from '../signed-start.js';
import { useStep } from '../use-step.js';

/**
 * The `deployVersion` contract's workflow (`slipway deploy <model>@<version>`): verifies the run's signed start,
 * checks the version's approval on record (the check step refuses, before anything changes, a version without one,
 * rolled back since, approved against another champion, whose proof no longer verifies, or a starter the recorded
 * policy does not let decide), then deploys it with that approval, in one swap or as a rollout. A deploy that fails
 * after its retries waits for an operator's signed `retry` or `abort`, as a promotion's does.
 */
export async function deployVersion(raw: PipelineInput<typeof contract>): Promise<PipelineOutput<typeof contract>> {
  const input = parseWorkflowInput(contract.input, raw, contract.name);
  const tracker = new RunTracker(contract.name, contract.steps, input.model);
  tagRunWithModel(input.model);
  const expected = deployWorkflowId(input.model);
  if (workflowInfo().workflowId !== expected) {
    throw finalFailure(
      FinalErrorType.InvalidInput,
      `a deployVersion run of ${input.model} must have the id ${expected} (one deploy per model at a time), not ${workflowInfo().workflowId}`,
    );
  }
  const resolve = useStep(resolveApproversStep, input.stepOptions.resolveApprovers);
  const start = await verifySignedStart(raw, contract.name, (lookup) => resolve({ lookup }));
  const check = useStep(checkRecordedApprovalStep, input.stepOptions.check);
  const { start: _signed, ...startInput } = raw as Record<string, unknown>;
  const checked = await tracker.run(
    'check',
    () =>
      check({
        version: { name: input.model, version: input.version },
        alias: input.deploy.alias,
        start,
        startInput,
      }),
    (c) =>
      `approved by workflow ${c.proof.workflowId} (${c.approvedAt}) against ${c.champion === null ? 'no champion' : `champion v${c.champion}`}; started by ${start.signer}`,
  );
  const deployed = await deployApproved({
    tracker,
    version: checked.version,
    deploy: input.deploy,
    proof: checked.proof,
    ...(input.rollout ? { rollout: input.rollout } : {}),
    operators: () => checked.operators,
    deployStep: useStep(deployStep, input.stepOptions.deploy),
  });
  return {
    status: deployed.status,
    model: input.model,
    version: checked.version,
    approvedBy: checked.proof.workflowId,
    deployment: deployed.deployment && {
      deploymentId: deployed.deployment.deploymentId,
      version: deployed.deployment.version,
      previousVersion: deployed.deployment.previousVersion,
      serverUrl: deployed.deployment.serverUrl,
      ...(deployed.deployment.smokeScore === undefined ? {} : { smokeScore: deployed.deployment.smokeScore }),
    },
    ...(deployed.rollout ? { rollout: deployed.rollout } : {}),
    ...(deployed.deployAbort ? { deployAbort: deployed.deployAbort } : {}),
  };
}
