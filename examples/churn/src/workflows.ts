/**
 * The churn example's workflows. Slipway's ready-made pipelines are re-exported so one worker serves them
 * all; `churnPipeline` shows a pipeline composed by hand from built-in steps plus the example's own
 * `churn.segmentAuc` step, with the gate and deploy from `promoteWithApproval`.
 */
import { TrainAndPromoteInput, builtinSteps } from '@slipway/sdk';
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
import { z } from 'zod';
import { segmentAucStep } from './steps.js';

export { checkDrift, trainAndPromote } from '@slipway/sdk/pipelines';

/** The churn pipeline's input: the ready-made pipeline's, plus the segment check. */
export const ChurnPipelineInput = TrainAndPromoteInput.extend({
  segmentColumn: z.string().min(1).default('plan'),
  minSegmentAuc: z.number().min(0).max(1).default(0.7),
});

/** What the churn pipeline returns. */
export interface ChurnPipelineResult {
  status: 'deployed' | 'rejected' | 'expired';
  model: string;
  version: number;
  metrics: Record<string, number>;
  segments: { segment: string; rows: number; auc: number }[];
  approvedBy: string[];
  deployment: { version: number; previousVersion: number | null; serverUrl: string } | null;
}

/** Validate → train → per-segment AUC check → register → approval gate → deploy. */
export async function churnPipeline(raw: z.input<typeof ChurnPipelineInput>): Promise<ChurnPipelineResult> {
  const input = parseWorkflowInput(ChurnPipelineInput, raw, 'churnPipeline');
  const tracker = new RunTracker(
    'churnPipeline',
    ['validate', 'train', 'segments', 'register', 'approval', 'deploy'],
    input.modelName,
  );
  const gate = createApprovalGate({
    policy: input.approval,
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
  };
}
