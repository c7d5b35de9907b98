/**
 * `@slipway/activities/steps` — the built-in steps' activities, one module per step contract of `@slipway/sdk`
 * (`slipway.validate` → `validate.ts`, `slipway.recordApproval` → `record-approval.ts`, …). Each builds its activity
 * from ports and the library folders (`data`, `expectations`, `train`, `registry`, `model-server`, `monitor`, …),
 * which never import a step module. `createActivities` (the package root) binds every one of them to its contract;
 * take a factory from here to run one step's implementation on its own, or bound to adapters of your choosing.
 *
 * ```ts
 * import { createFsArtifactStore, datasetSourceOpener, implementStep, openSqliteRegistry } from '@slipway/activities';
 * import { createValidateActivity } from '@slipway/activities/steps';
 * import { validateStep } from '@slipway/sdk';
 * const validate = createValidateActivity({ artifacts, registry, openSource: datasetSourceOpener({}) });
 * const report = await validate({ dataset: { uri: 'file:///data/churn.csv', format: 'csv' }, schema });
 * const activities = implementStep(validateStep, validate); // the same activity as createActivities registers
 * ```
 *
 * @packageDocumentation
 */
export { createValidateActivity, type ValidateActivity, type ValidateActivityDeps } from './validate.js';
export { checkFeatures, createTrainActivity, type TrainActivity, type TrainActivityDeps } from './train.js';
export { trainWithProcess, type ProcessTrainDeps } from './train-process.js';
export { beginTrainAttempt, type TrainAttempt, type TrainAttemptDeps } from './train-attempt.js';
export { loadTrainedPredictor, scoreHeldOut, type EvaluationDeps, type HeldOutScore } from './train-evaluation.js';
export {
  DEFAULT_EXPERIMENT,
  TrainRunTag,
  flattenParams,
  startTrainingRun,
  trackingKeys,
  type TrainingOutcome,
  type TrainingRun,
  type TrainingSubject,
} from './train-tracking.js';
export { trackTraining, type TrackTrainingOptions, type TrackedOutcome, type TrackedRun } from './track-training.js';
export { createRegisterActivity } from './register.js';
export { createEvidenceActivity } from './evidence.js';
export {
  createGuardRecordActivity,
  createGuardRetrainStatusActivity,
  type GuardRecordDeps,
  type GuardRetrainStatusDeps,
  type WorkflowReader,
} from './guard-record.js';
export { createRecordApprovalActivity } from './record-approval.js';
export {
  aliasMoveKey,
  createDeployActivity,
  deploymentIdFor,
  type DeployActivityDeps,
  type DeployInput,
  type DeployOutput,
} from './deploy.js';
export { createGuardCheckActivity, type GuardCheckActivityDeps, type GuardCheckInput } from '../guard/guard-check.js';
export {
  createMonitorActivity,
  DEFAULT_MONITOR_WINDOW,
  type MonitorActivityDeps,
  type MonitorInput,
} from './monitor.js';
export { createResolveApproversActivity } from './resolve-approvers.js';
export { createCheckScheduledRunActivity } from './check-scheduled-run.js';
export { createRolloutStageActivity, type RolloutStageDeps, type RolloutStageInput } from './rollout-stage.js';
export { createRolloutTrafficActivity, type RolloutTrafficInput } from './rollout-traffic.js';
export { createRolloutReadActivity, type RolloutReadInput } from './rollout-read.js';
export { createRolloutPromoteActivity, type RolloutPromoteDeps, type RolloutPromoteInput } from './rollout-promote.js';
export {
  createRolloutCompensateActivity,
  rollbackDetail,
  type RolloutCompensateDeps,
  type RolloutCompensateInput,
} from './rollout-compensate.js';
export { createCheckRecordedApprovalActivity, type CheckRecordedApprovalDeps } from './check-recorded-approval.js';
export { createRecordDeployFailureActivity, type RecordDeployFailureDeps } from './record-deploy-failure.js';
export { createRollbackActivity, createRollbackPlanActivity, type RollbackDeps } from './rollback.js';
export {
  createRolloutRetireActivity,
  retiredDetail,
  stillLive,
  type RolloutRetireDeps,
  type RolloutRetireInput,
} from './rollout-retire.js';
export { createResolveDatasetActivity, type ResolveDatasetDeps, type ResolvedDataset } from './resolve-dataset.js';
export { createNotifyActivity, type NotifyActivityDeps } from './notify.js';
