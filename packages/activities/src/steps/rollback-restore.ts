/**
 * Acting on a rollback plan on the deploy target: the target's own rollback (the previous deployment serves again),
 * or a new deployment of an older version (staged, smoke-checked, given all the traffic, promoted). Both are
 * idempotent under retry; a target whose state changed since the plan (someone else deployed or rolled back) is a
 * final `SlipwayRollbackRefused`, never acted on.
 */
import {
  SlipwayErrorType,
  failureType,
  finalFailure,
  retryableFailure,
  rootMessage,
  type FeatureRow,
  type RollbackPlan,
  type ServedDeployment,
} from '@slipway/sdk';
import { ModelServerFailureType } from '../model-server/client.js';
import type { DeployTarget } from '../ports.js';
import { smoke, stage, type Staging } from './deploy-phases.js';

function changed(plan: RollbackPlan, what: string) {
  return finalFailure(
    SlipwayErrorType.RollbackRefused,
    `Refusing to roll back model "${plan.model}": what serves changed since the rollback was planned ` +
      `(version ${plan.live.version}, "${plan.live.deploymentId}", was live): ${what}; nothing was changed, plan it again`,
    { model: plan.model, version: plan.live.version, deploymentId: plan.live.deploymentId },
  );
}

/**
 * The target's rollback of the live deployment: it restores the one before it (a repeat answers the same). Answers
 * the restored deployment id, which must be the planned one.
 */
export async function restoreByRollback(target: DeployTarget, plan: RollbackPlan): Promise<string> {
  let current: ServedDeployment | null;
  try {
    current = (await target.rollback(plan.model, plan.live.deploymentId)).current;
  } catch (err) {
    const type = failureType(err);
    if (type === ModelServerFailureType.Rejected || type === SlipwayErrorType.NotFound) {
      throw changed(plan, `${target.baseUrl} refused the rollback (${rootMessage(err)})`);
    }
    throw err;
  }
  if (current?.deploymentId !== plan.restore.deploymentId) {
    throw finalFailure(
      SlipwayErrorType.InvalidOutput,
      `${target.baseUrl} rolled "${plan.live.deploymentId}" (model "${plan.model}") back to ` +
        `${current ? `"${current.deploymentId}" (version ${current.version})` : 'nothing'}, not to the planned ` +
        `"${plan.restore.deploymentId}" (version ${plan.restore.version})`,
      { model: plan.model, deploymentId: plan.live.deploymentId, serverUrl: target.baseUrl },
    );
  }
  return current.deploymentId;
}

/**
 * Deploys the planned older version again under `staging.deploymentId` (the same for every attempt): staged,
 * smoke-checked with `features`, given all the traffic, promoted. An attempt after an earlier one went part of the
 * way goes on from where the target is. Answers the new deployment id.
 */
export async function restoreByRedeploy(
  target: DeployTarget,
  plan: RollbackPlan,
  staging: Staging,
  features: FeatureRow,
): Promise<string> {
  const id = staging.deploymentId;
  const status = await target.status(plan.model);
  if (status.stable?.deploymentId === id) return id;
  if (status.stable?.deploymentId !== plan.live.deploymentId) {
    throw changed(
      plan,
      `${target.baseUrl} now serves ${status.stable ? `"${status.stable.deploymentId}"` : 'nothing'}`,
    );
  }
  if (status.candidate !== null && status.candidate.deploymentId !== id) {
    throw changed(plan, `a rollout's candidate "${status.candidate.deploymentId}" holds traffic`);
  }
  if (status.candidate === null) {
    await stage(staging);
    const checked = await smoke(staging, features);
    if (!checked.ok) return staging.fail(`smoke check failed: ${checked.reason}`, true);
    await target.setTraffic(plan.model, { candidate: id, weights: { stable: 0, candidate: 100 }, mode: 'split' });
  }
  await target.promote(plan.model, id);
  return id;
}

/**
 * Reads the target back: it must serve `deploymentId` (version `version`) as stable with no candidate, else the
 * step retries before the registry is touched.
 */
export async function readBackRestored(
  target: DeployTarget,
  model: string,
  deploymentId: string,
  version: number,
): Promise<ServedDeployment> {
  const status = await target.status(model);
  const stable = status.stable;
  if (stable?.deploymentId === deploymentId && stable.version === version && status.candidate === null) {
    return { version: stable.version, deploymentId: stable.deploymentId };
  }
  throw retryableFailure(
    SlipwayErrorType.ModelServerError,
    `After restoring "${deploymentId}" (model "${model}" version ${version}), ${target.baseUrl} serves ` +
      `${stable ? `"${stable.deploymentId}" (version ${stable.version})` : 'nothing'} as stable` +
      `${status.candidate ? ` with candidate "${status.candidate.deploymentId}"` : ''}: the registry is left as it was`,
    { model, deploymentId, serverUrl: target.baseUrl },
  );
}
