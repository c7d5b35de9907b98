import { promoteVersion as contract } from '../../pipelines/promote-version.js';
import type { PipelineInput, PipelineOutput } from '../../pipeline.js';
import { createApprovalGate } from '../approval-gate.js';
import { parseWorkflowInput } from '../parse-input.js';
import { tagRunWithModel } from '../pipeline-helpers.js';
import { promoteWithApproval } from '../promotion.js';
import { RunTracker } from '../run-tracker.js';

/**
 * The `promoteVersion` contract's workflow: approval gate → deploy for a registered version (e.g. one imported with
 * `slipway models import`). Waits at the gate holding no worker; deploys only an approved version.
 */
export async function promoteVersion(raw: PipelineInput<typeof contract>): Promise<PipelineOutput<typeof contract>> {
  const input = parseWorkflowInput(contract.input, raw, contract.name);
  const model = input.version.name;
  const tracker = new RunTracker(contract.name, contract.steps, model);
  const gate = createApprovalGate({
    policy: input.approval,
    start: { input: raw, pipeline: contract.name },
    startedBy: input.startedBy,
    tracker,
    stepOptions: input.stepOptions.resolveApprovers,
  });
  tagRunWithModel(model);
  await gate.checkPolicy();
  const promotion = await promoteWithApproval({
    tracker,
    gate,
    version: input.version,
    deploy: input.deploy,
    rollout: input.rollout,
    stepOptions: input.stepOptions,
  });
  const { deployment } = promotion;
  return {
    status: promotion.status,
    model,
    version: input.version,
    evidenceDigest: promotion.evidenceDigest,
    decisions: promotion.decisions,
    deployment: deployment && {
      deploymentId: deployment.deploymentId,
      version: deployment.version,
      previousVersion: deployment.previousVersion,
      serverUrl: deployment.serverUrl,
      ...(deployment.smokeScore === undefined ? {} : { smokeScore: deployment.smokeScore }),
    },
    ...(promotion.rollout ? { rollout: promotion.rollout } : {}),
    ...(promotion.deployAbort ? { deployAbort: promotion.deployAbort } : {}),
  };
}
