/**
 * The churn example's workflows. Slipway's ready-made pipelines are re-exported so one worker serves them
 * all; `churnPipeline` shows a pipeline composed by hand from built-in steps plus the example's own
 * `churn.segmentAuc` step, with the gate and deploy from `promoteWithApproval`. It implements the
 * `churnPipeline` contract of `steps.ts`, which app code starts runs with.
 */
import { builtinSteps, type PipelineInput, type PipelineOutput } from '@slipway/sdk';
import {
  RunTracker,
  createApprovalGate,
  describeTraining,
  describeValidation,
  parseWorkflowInput,
  promoteWithApproval,
  tagRunWithModel,
  useStep,
  pipelineSchema,
  registerInput,
  useSteps,
  validateInput,
} from '@slipway/sdk/workflow';
import { churnPipeline as contract, segmentAucStep } from './steps.js';

// `rolloutVersion` runs the rollout a plan asks for, as the child workflow `rollout:<model>`; `modelGuardian` watches
// a model (`guardian:<model>`) and starts its retrain as the child `trainAndPromote` `retrain:<model>`.
export { checkDrift, modelGuardian, rolloutVersion, trainAndPromote } from '@slipway/sdk/pipelines';

/**
 * The `churnPipeline` contract's workflow (see `steps.ts`): validate → train → per-segment AUC check → register →
 * approval gate → deploy (in one swap, or rolled out under the input's `rollout` plan).
 */
export async function churnPipeline(raw: PipelineInput<typeof contract>): Promise<PipelineOutput<typeof contract>> {
  const input = parseWorkflowInput(contract.input, raw, contract.name);
  const tracker = new RunTracker(contract.name, contract.steps, input.modelName);
  const gate = createApprovalGate({
    policy: input.approval,
    // The run's signed start is verified first thing (checkPolicy); the signer is who started the run.
    start: { input: raw, pipeline: contract.name },
    startedBy: input.startedBy,
    tracker,
    stepOptions: input.stepOptions.resolveApprovers,
  });
  tagRunWithModel(input.modelName);
  const { validate, train, register } = useSteps(builtinSteps, input.stepOptions);
  const segmentAuc = useStep(segmentAucStep);
  await gate.checkPolicy();

  const validation = await tracker.run('validate', () => validate(validateInput(input)), describeValidation);
  const training = await tracker.run(
    'train',
    () => train({ ...input, schema: pipelineSchema(input), dataset: validation.dataset }),
    describeTraining,
  );
  const segments = await tracker.run(
    'segments',
    () =>
      segmentAuc({
        model: training.model,
        dataset: validation.dataset,
        schema: pipelineSchema(input),
        target: input.features.target,
        segmentColumn: input.segmentColumn,
        minSegmentAuc: input.minSegmentAuc,
      }),
    (s) => s.segments.map((x) => `${x.segment} ${x.auc.toFixed(3)}`).join(', '),
  );
  const metrics = { ...training.metrics, worstSegmentAuc: segments.worst.auc };
  const { version } = await tracker.run(
    'register',
    () => register(registerInput(input.modelName, input.features, validation, training, metrics)),
    (r) => `${r.version.name} v${r.version.version}`,
  );
  const promotion = await promoteWithApproval({
    tracker,
    gate,
    version,
    deploy: input.deploy,
    // With a plan (`rollout.json`) the approved version is rolled out step by step; without, one swap.
    rollout: input.rollout,
    stepOptions: input.stepOptions,
  });
  const { deployment } = promotion;
  return {
    status: promotion.status,
    model: version.name,
    version: version.version,
    metrics,
    segments: segments.segments,
    approvedBy: promotion.decisions.filter((d) => d.decision === 'approve').map((d) => d.approver),
    deployment: deployment && {
      version: deployment.version,
      previousVersion: deployment.previousVersion,
      serverUrl: deployment.serverUrl,
    },
    ...(promotion.rollout ? { rollout: promotion.rollout } : {}),
  };
}
