/**
 * `@slipway/sdk/workflow` — building blocks for workflow code. Import this only from workflow files: it
 * runs in Temporal's deterministic sandbox and imports nothing from Node.
 *
 * ```ts
 * import { builtinSteps } from '@slipway/sdk';
 * import { useSteps, useStep, createApprovalGate, RunTracker } from '@slipway/sdk/workflow';
 * export { trainAndPromote, checkDrift } from '@slipway/sdk/pipelines';
 *
 * export async function myPipeline(input: MyInput) {
 *   const { validate, train } = useSteps(builtinSteps);
 *   const checked = await validate({ dataset: input.dataset, schema: input.schema });
 *   // ...
 * }
 * ```
 *
 * @packageDocumentation
 */
export { useStep, useSteps, stepActivityOptions } from './use-step.js';
export type { StepCall, StepCalls, StepOverrides } from './use-step.js';
export { GatePatch, createApprovalGate, gateDecideSignal, gateDecideUpdate } from './approval-gate.js';
export type { ApprovalGate, GateOpening, GateOutcome, StartToVerify } from './approval-gate.js';
export { verifySignedStart, type StartVerifyOptions, type VerifiedStart } from './signed-start.js';
export { createGuardianControls, guardianCommandUpdate, guardianStatusQuery } from './guardian/controls.js';
export type { GuardianControls } from './guardian/controls.js';
export { GUARDIAN_PIPELINE, startToVerify } from './guardian/retrain-start.js';
export { RunTracker, gateStateQuery, progressQuery } from './run-tracker.js';
export { parseWorkflowInput } from './parse-input.js';
export { PromotionPatch, promoteWithApproval } from './promotion.js';
export {
  RetrainPatch,
  notifyGateOpened,
  pinnedByRetrain,
  servingWindowOf,
  validateStepInput,
  type GateOpenedNotice,
} from './retrain.js';
export { createRolloutControls, rolloutCommandUpdate, rolloutStateQuery } from './rollout/controls.js';
export type { RolloutControls, StopRequest } from './rollout/controls.js';
export { runRolloutSaga, type RolloutRequest } from './rollout/saga.js';
export { RolloutPatch, retireReplaced, type RetireRequest } from './rollout/retire.js';
export { ROLLOUT_WAIT_INTERVAL, runRolloutChild } from './rollout/child.js';
export { rolloutSteps, useRolloutSteps, type RolloutSteps } from './rollout/steps.js';
export { describeReadings, describeVerdict, rolloutWindowId } from './rollout/describe.js';
export type { PromotionRequest, PromotionResult } from './promotion.js';
export {
  describeTraining,
  describeValidation,
  lineageOf,
  pipelineSchema,
  registerInput,
  PipelinePatch,
  tagRunWithModel,
  validateInput,
} from './pipeline-helpers.js';
export type { DataChecks } from './pipeline-helpers.js';
