import { trainAndPromote as contract } from '../../pipelines/train-and-promote.js';
import type { PipelineInput, PipelineOutput } from '../../pipeline.js';
import { builtinSteps } from '../../steps/builtin.js';
import { createApprovalGate } from '../approval-gate.js';
import { parseWorkflowInput } from '../parse-input.js';
import {
  describeTraining,
  describeValidation,
  pipelineSchema,
  registerInput,
  tagRunWithModel,
  validateInput,
} from '../pipeline-helpers.js';
import { promoteWithApproval } from '../promotion.js';
import { servingWindowOf } from '../retrain.js';
import { RunTracker } from '../run-tracker.js';
import { useSteps } from '../use-step.js';
import { startToVerify } from '../guardian/retrain-start.js';

/**
 * The `trainAndPromote` contract's workflow: validate → train → register → approval gate → deploy. Waits at the
 * gate (holding no worker) until the policy's quorum approves, someone allowed rejects, or the timeout passes;
 * deploys only an approved version.
 */
export async function trainAndPromote(raw: PipelineInput<typeof contract>): Promise<PipelineOutput<typeof contract>> {
  const input = parseWorkflowInput(contract.input, raw, contract.name);
  const tracker = new RunTracker(contract.name, contract.steps, input.modelName);
  const gate = createApprovalGate({
    policy: input.approval,
    // A retrain started by the model guardian verifies the guardian's signed start; any other run with `retrain` is refused.
    start: startToVerify(raw, input, contract.name),
    startedBy: input.startedBy,
    tracker,
    stepOptions: input.stepOptions.resolveApprovers,
  });
  tagRunWithModel(input.modelName);
  const steps = useSteps(builtinSteps, input.stepOptions);
  await gate.checkPolicy();

  const validation = await tracker.run(
    'validate',
    () => steps.validate({ ...validateInput(input), ...servingWindowOf(input.retrain) }),
    describeValidation,
  );
  const training = await tracker.run(
    'train',
    () => steps.train({ ...input, schema: pipelineSchema(input), dataset: validation.dataset }),
    describeTraining,
  );
  const { version } = await tracker.run(
    'register',
    () => steps.register(registerInput(input.modelName, input.features, validation, training)),
    (r) => `${r.version.name} v${r.version.version}${r.created ? '' : ' (already registered)'}`,
  );
  const promotion = await promoteWithApproval({
    tracker,
    gate,
    version,
    deploy: input.deploy,
    rollout: input.rollout,
    retrain: input.retrain,
    stepOptions: input.stepOptions,
  });
  const { deployment } = promotion;
  return {
    status: promotion.status,
    model: version.name,
    version,
    metrics: training.metrics,
    dataset: {
      uri: validation.dataset.uri,
      digest: validation.dataset.digest,
      rows: validation.rows,
      badRows: validation.badRows,
    },
    validationReport: validation.report,
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
