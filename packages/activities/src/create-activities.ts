import {
  checkRecordedApprovalStep,
  deployStep,
  evidenceStep,
  guardRecordStep,
  guardRetrainStatusStep,
  guardCheckStep,
  monitorStep,
  notifyStep,
  recordApprovalStep,
  recordDeployFailureStep,
  registerStep,
  resolveApproversStep,
  resolveDatasetStep,
  rollbackPlanStep,
  rollbackStep,
  rolloutCompensateStep,
  rolloutPromoteStep,
  rolloutReadStep,
  rolloutRetireStep,
  rolloutStageStep,
  rolloutTrafficStep,
  trainStep,
  validateStep,
} from '@slipway/sdk';
import { datasetSourceOpener, defaultDatasetAccess } from './data/dataset-opener.js';
import { createGuardCheckActivity } from './guard/guard-check.js';
import { implementStep } from './implement-step.js';
import type { ActivityDeps } from './ports.js';
import { createCheckRecordedApprovalActivity } from './steps/check-recorded-approval.js';
import { createDeployActivity } from './steps/deploy.js';
import { createEvidenceActivity } from './steps/evidence.js';
import { createGuardRecordActivity, createGuardRetrainStatusActivity } from './steps/guard-record.js';
import { createMonitorActivity } from './steps/monitor.js';
import { createNotifyActivity } from './steps/notify.js';
import { createRecordApprovalActivity } from './steps/record-approval.js';
import { createRecordDeployFailureActivity } from './steps/record-deploy-failure.js';
import { createRegisterActivity } from './steps/register.js';
import { createResolveApproversActivity } from './steps/resolve-approvers.js';
import { createResolveDatasetActivity } from './steps/resolve-dataset.js';
import { createRollbackActivity, createRollbackPlanActivity } from './steps/rollback.js';
import { createRolloutCompensateActivity } from './steps/rollout-compensate.js';
import { createRolloutPromoteActivity } from './steps/rollout-promote.js';
import { createRolloutReadActivity } from './steps/rollout-read.js';
import { createRolloutRetireActivity } from './steps/rollout-retire.js';
import { createRolloutStageActivity } from './steps/rollout-stage.js';
import { createRolloutTrafficActivity } from './steps/rollout-traffic.js';
import { createTrainActivity } from './steps/train.js';
import { createValidateActivity } from './steps/validate.js';
import { builtinPredictors, builtinTrainers } from './train/builtins.js';
import { detectCodeVersion } from './util/code-version.js';
import { sharedS3Client } from './sources/open-source.js';
import { s3SettingsFromEnv } from './sources/s3-settings.js';

/**
 * Every built-in step's activity, keyed by step name, wired to the given adapters: one line per step, each
 * binding a module of `steps/` to its contract. Register the result on a Temporal worker; add your own steps with
 * `implementStep`. Steps read datasets only as `deps.datasetAccess` allows (by default below the working
 * directory); custom steps open theirs with `datasetSourceOpener(deps)`.
 *
 * ```ts
 * const deps = { artifacts: createFsArtifactStore('.slipway/artifacts'), registry: openSqliteRegistry('.slipway/registry.db') };
 * const worker = await Worker.create({ ..., activities: { ...createActivities(deps), ...implementStep(score, scoreImpl) } });
 * ```
 */
export function createActivities(deps: ActivityDeps) {
  const { artifacts, registry } = deps;
  const trainers = { ...builtinTrainers, ...deps.trainers };
  const predictors = { ...builtinPredictors, ...deps.predictors };
  const codeVersion = deps.codeVersion ?? detectCodeVersion();
  // Every dataset a step reads goes through the dataset roots (see `datasetSourceOpener`).
  const openSource = datasetSourceOpener(deps);
  const server = deps.modelServer ? { modelServer: deps.modelServer } : {};
  // Where deploys go: the model server, and the configured webhook deploy targets (each with its own token).
  const serving = { ...server, deployTargets: deps.deployTargets };
  const directory = deps.directory;
  // The rollout steps act on a deploy target: the configured one, or the local model server's client.
  const target = { ...serving, target: deps.deployTarget };
  // Training runs are tracked in the registry (`ModelRegistry` is an `ExperimentTracker` too).
  const processTrainers = { ...deps.processTrainers };
  const training = { artifacts, trainers, processTrainers, predictors, codeVersion, openSource, tracker: registry };
  return {
    ...implementStep(validateStep, createValidateActivity({ artifacts, registry, openSource })),
    ...implementStep(trainStep, createTrainActivity(training)),
    ...implementStep(registerStep, createRegisterActivity({ registry, artifacts })),
    ...implementStep(evidenceStep, createEvidenceActivity({ registry, artifacts })),
    ...implementStep(
      recordApprovalStep,
      createRecordApprovalActivity({ registry, artifacts, directory: deps.directory }),
    ),
    ...implementStep(deployStep, createDeployActivity({ artifacts, registry, ...serving, directory: deps.directory })),
    ...implementStep(monitorStep, createMonitorActivity({ artifacts, registry, ...serving })),
    ...implementStep(resolveApproversStep, createResolveApproversActivity({ directory: deps.directory })),
    ...implementStep(rolloutStageStep, createRolloutStageActivity({ artifacts, registry, ...target, directory })),
    ...implementStep(rolloutTrafficStep, createRolloutTrafficActivity(target)),
    ...implementStep(rolloutReadStep, createRolloutReadActivity(target)),
    ...implementStep(rolloutPromoteStep, createRolloutPromoteActivity({ registry, ...target, directory })),
    ...implementStep(rolloutCompensateStep, createRolloutCompensateActivity({ registry, ...target })),
    ...implementStep(
      checkRecordedApprovalStep,
      createCheckRecordedApprovalActivity({ registry, artifacts, directory: deps.directory }),
    ),
    ...implementStep(recordDeployFailureStep, createRecordDeployFailureActivity({ registry })),
    ...implementStep(rollbackPlanStep, createRollbackPlanActivity({ artifacts, registry, ...target, directory })),
    ...implementStep(rollbackStep, createRollbackActivity({ artifacts, registry, ...target, directory })),
    ...implementStep(rolloutRetireStep, createRolloutRetireActivity({ registry, ...target })),
    ...implementStep(guardRecordStep, createGuardRecordActivity({ auditLog: deps.auditLog })),
    ...implementStep(guardRetrainStatusStep, createGuardRetrainStatusActivity()),
    ...implementStep(
      guardCheckStep,
      createGuardCheckActivity({ artifacts, registry, ...serving, datasetAccess: deps.datasetAccess, s3: deps.s3 }),
    ),
    ...implementStep(resolveDatasetStep, createResolveDatasetActivity(datasetListing(deps, openSource))),
    ...implementStep(notifyStep, createNotifyActivity({ notifier: deps.notifier })),
  };
}

/** How the resolve-dataset step lists and reads: through the dataset roots, with the worker's S3 settings. */
function datasetListing(deps: ActivityDeps, openSource: ReturnType<typeof datasetSourceOpener>) {
  const s3 = deps.s3 ?? s3SettingsFromEnv();
  return { access: deps.datasetAccess ?? defaultDatasetAccess(), openSource, s3, s3Client: () => sharedS3Client(s3) };
}
