/**
 * The ready-made pipeline workflows. Point a worker's `workflowsPath` at `@slipway/sdk/pipelines`, or
 * re-export them from your own workflows file next to your own pipelines.
 *
 * @packageDocumentation
 */
import {
  TRAIN_AND_PROMOTE_STEPS,
  TrainAndPromoteInput,
  type TrainAndPromoteInputRaw,
  type TrainAndPromoteResult,
} from '../pipelines/train-and-promote.js';
import type { DriftReport } from '../schemas/drift.js';
import { builtinSteps, monitorStep } from '../steps/builtin.js';
import type { StepInput } from '../step.js';
import { createApprovalGate } from './approval-gate.js';
import { parseWorkflowInput } from './parse-input.js';
import {
  describeTraining,
  describeValidation,
  pipelineSchema,
  registerInput,
  tagRunWithModel,
  validateInput,
} from './pipeline-helpers.js';
import { promoteWithApproval } from './promotion.js';
import { RunTracker } from './run-tracker.js';
import { useStep, useSteps } from './use-step.js';

/**
 * Validate → train → register → approval gate → deploy. Waits at the gate (holding no worker) until the
 * policy's quorum approves, someone allowed rejects, or the timeout passes; deploys only an approved version.
 */
export async function trainAndPromote(raw: TrainAndPromoteInputRaw): Promise<TrainAndPromoteResult> {
  const input = parseWorkflowInput(TrainAndPromoteInput, raw, 'trainAndPromote');
  const tracker = new RunTracker('trainAndPromote', TRAIN_AND_PROMOTE_STEPS, input.modelName);
  const gate = createApprovalGate({
    policy: input.approval,
    startedBy: input.startedBy,
    tracker,
    stepOptions: input.stepOptions.resolveApprovers,
  });
  tagRunWithModel(input.modelName);
  const steps = useSteps(builtinSteps, input.stepOptions);
  await gate.checkPolicy();

  const validation = await tracker.run('validate', () => steps.validate(validateInput(input)), describeValidation);
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
      smokeScore: deployment.smokeScore,
    },
  };
}

/** One drift check of a deployed model: PSI of the served features against the training profile. */
export async function checkDrift(raw: StepInput<typeof monitorStep>): Promise<DriftReport> {
  const input = parseWorkflowInput(monitorStep.input, raw, 'checkDrift');
  const tracker = new RunTracker('checkDrift', ['monitor'], input.model);
  tagRunWithModel(input.model);
  const monitor = useStep(monitorStep);
  return tracker.run('monitor', () => monitor(input), describeDrift);
}

function describeDrift(r: DriftReport): string {
  const left = r.imputedRows ? ` (${r.imputedRows} rows with imputed features left out)` : '';
  if (!r.enoughSamples) return `only ${r.samples} samples served${left}; no verdict`;
  const worst = [...r.features].sort((a, b) => b.psi - a.psi)[0];
  const top = worst ? `; highest PSI ${worst.feature} ${worst.psi.toFixed(3)}` : '';
  return `${r.drifted ? 'DRIFT' : 'no drift'} over ${r.samples} samples${left}${top}`;
}
