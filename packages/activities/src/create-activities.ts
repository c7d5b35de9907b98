import {
  deployStep,
  evidenceStep,
  monitorStep,
  recordApprovalStep,
  registerStep,
  resolveApproversStep,
  trainStep,
  validateStep,
} from '@slipway/sdk';
import { createValidateActivity, datasetSourceOpener } from './data/index.js';
import { createDeployActivity } from './deploy/index.js';
import { implementStep } from './implement-step.js';
import { createMonitorActivity } from './monitor/index.js';
import type { ActivityDeps } from './ports.js';
import {
  createEvidenceActivity,
  createRecordApprovalActivity,
  createRegisterActivity,
} from './registry-steps/index.js';
import { createResolveApproversActivity } from './steps/resolve-approvers.js';
import { builtinPredictors, builtinTrainers, createTrainActivity } from './train/index.js';
import { detectCodeVersion } from './util/code-version.js';

/**
 * Every built-in step's activity, keyed by step name, wired to the given adapters. Register the result on a
 * Temporal worker; add your own steps with `implementStep`. Steps read datasets only as `deps.datasetAccess`
 * allows (by default below the working directory); custom steps open theirs with `datasetSourceOpener(deps)`.
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
  const modelServer = deps.modelServer;
  return {
    ...implementStep(validateStep, createValidateActivity({ artifacts, registry, openSource })),
    ...implementStep(
      trainStep,
      createTrainActivity({ artifacts, trainers, predictors, codeVersion, openSource, tracker: registry }),
    ),
    ...implementStep(registerStep, createRegisterActivity({ registry, artifacts })),
    ...implementStep(evidenceStep, createEvidenceActivity({ registry })),
    ...implementStep(recordApprovalStep, createRecordApprovalActivity({ registry })),
    ...implementStep(
      deployStep,
      createDeployActivity({ artifacts, registry, ...(modelServer ? { modelServer } : {}) }),
    ),
    ...implementStep(
      monitorStep,
      createMonitorActivity({ artifacts, registry, ...(modelServer ? { modelServer } : {}) }),
    ),
    ...implementStep(resolveApproversStep, createResolveApproversActivity({ directory: deps.directory })),
  };
}
