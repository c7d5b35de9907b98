/**
 * The built-in step contracts, one file per step, and `builtinSteps`: every built-in step keyed by the name
 * `useSteps` gives its function.
 */
import { checkRecordedApprovalStep } from './check-recorded-approval.js';
import { checkScheduledRunStep } from './check-scheduled-run.js';
import { deployStep } from './deploy.js';
import { evidenceStep } from './evidence.js';
import { monitorStep } from './monitor.js';
import { guardCheckStep, notifyStep, resolveDatasetStep } from './guard.js';
import { guardRecordStep, guardRetrainStatusStep } from './guard-record.js';
import { recordApprovalStep } from './record-approval.js';
import { recordDeployFailureStep } from './record-deploy-failure.js';
import { registerStep } from './register.js';
import { resolveApproversStep } from './resolve-approvers.js';
import { rollbackPlanStep, rollbackStep } from './rollback.js';
import {
  rolloutCompensateStep,
  rolloutPromoteStep,
  rolloutReadStep,
  rolloutRetireStep,
  rolloutStageStep,
  rolloutTrafficStep,
} from './rollout.js';
import { trainStep } from './train.js';
import { validateStep } from './validate.js';

export * from './validate.js';
export * from './train.js';
export * from './register.js';
export * from './evidence.js';
export * from './record-approval.js';
export * from './deploy.js';
export * from './monitor.js';
export * from './resolve-approvers.js';
export * from './rollout.js';
export * from './check-recorded-approval.js';
export * from './record-deploy-failure.js';
export * from './rollback.js';
export * from './guard.js';
export * from './check-scheduled-run.js';
export * from './guard-record.js';

/** Every built-in step, keyed by the name `useSteps` gives its function. */
export const builtinSteps = {
  validate: validateStep,
  train: trainStep,
  register: registerStep,
  evidence: evidenceStep,
  recordApproval: recordApprovalStep,
  deploy: deployStep,
  monitor: monitorStep,
  resolveApprovers: resolveApproversStep,
  rolloutStage: rolloutStageStep,
  rolloutTraffic: rolloutTrafficStep,
  rolloutRead: rolloutReadStep,
  rolloutPromote: rolloutPromoteStep,
  rolloutCompensate: rolloutCompensateStep,
  checkRecordedApproval: checkRecordedApprovalStep,
  recordDeployFailure: recordDeployFailureStep,
  rollbackPlan: rollbackPlanStep,
  rollback: rollbackStep,
  rolloutRetire: rolloutRetireStep,
  guardCheck: guardCheckStep,
  resolveDataset: resolveDatasetStep,
  notify: notifyStep,
  checkScheduledRun: checkScheduledRunStep,
  guardRecord: guardRecordStep,
  guardRetrainStatus: guardRetrainStatusStep,
} as const;
