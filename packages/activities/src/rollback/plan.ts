/**
 * Planning a rollback: what serves, what is restored and how, decided once from the deploy target and the registry,
 * before anything changes. Every refusal is a final `SlipwayRollbackRefused` naming the model, the versions and why.
 */
import {
  SlipwayErrorType,
  failureType,
  finalFailure,
  type ModelStatusAnswer,
  type RollbackModelInput,
  type RollbackPlan,
  type ServedDeployment,
} from '@slipway/sdk';
import type { DeployTarget, ModelRegistry, ModelVersionRecord } from '../ports.js';
import { latestApproval, rolledBackSince } from '../approval/recorded-approval.js';

/**
 * Decides what a rollback of `input.model` does: takes the stable deployment down and restores the one the target
 * served before it (its `previous`), or `input.to`. Refused: the target never served the model or serves nothing;
 * a rollout's candidate holds traffic; `authorize` refuses the live version (it runs as soon as that is known, before
 * anything about the versions is said); nothing served before (no `to`); `to` is the live version, is not registered,
 * never served (no `deployed` record), has no approved approval on record, or was rolled back after its approval.
 * The target's rollback restores the previous deployment; any other version is deployed again (`redeploy`).
 */
export async function planRollback(
  target: DeployTarget,
  registry: ModelRegistry,
  input: RollbackModelInput,
  by: string,
  authorize: (liveVersion: number) => Promise<unknown>,
): Promise<RollbackPlan> {
  const { model } = input;
  const refuse = (reason: string) =>
    finalFailure(SlipwayErrorType.RollbackRefused, `Refusing to roll back model "${model}": ${reason}`, {
      model,
      ...(input.to === undefined ? {} : { to: input.to }),
    });
  const status = await statusOf(target, model, refuse);
  const live = status.stable;
  if (live === null) throw refuse(`${target.baseUrl} serves no version of it: there is nothing to roll back`);
  await authorize(live.version);
  if (status.candidate) {
    throw refuse(
      `a rollout's candidate, version ${status.candidate.version} ("${status.candidate.deploymentId}"), holds ` +
        `${status.weights.candidate} % of its traffic on ${target.baseUrl}: end that rollout first ` +
        `(\`slipway rollout abort ${model}\`)`,
    );
  }
  const previous = status.previous;
  if (input.to === undefined && previous === null) {
    throw refuse(
      `nothing served before version ${live.version} on ${target.baseUrl}: there is no previous version to restore ` +
        '(name one that served earlier with --to)',
    );
  }
  const version = input.to ?? (previous as ServedDeployment).version;
  if (version === live.version) {
    throw refuse(`version ${version} is the live version (${live.deploymentId}): name one that served before it`);
  }
  const record = await registry.getVersion(model, version);
  if (record === undefined) throw refuse(`version ${version} is not in the registry`);
  checkRestorable(record, previous?.version === version, refuse);
  const viaRollback = previous !== null && previous.version === version;
  return {
    model,
    serverUrl: input.deploy.serverUrl,
    alias: input.deploy.alias,
    live: { version: live.version, deploymentId: live.deploymentId },
    restore: { version, deploymentId: viaRollback ? previous.deploymentId : null },
    method: viaRollback ? 'rollback' : 'redeploy',
    by,
    reason: input.reason,
  };
}

/** A restored version must have served before, be approved on record, and not have been rolled back since. */
function checkRestorable(record: ModelVersionRecord, servedBefore: boolean, refuse: (reason: string) => Error): void {
  const v = `version ${record.version}`;
  if (!servedBefore && !record.deployments.some((d) => d.status === 'deployed')) {
    throw refuse(
      `${v} never served (the registry records no deployment of it): only a version that served may be restored`,
    );
  }
  const approval = latestApproval(record);
  if (approval === undefined) throw refuse(`${v} has no approved approval on record: it cannot be restored`);
  const rolledBack = rolledBackSince(record, approval);
  if (rolledBack) {
    throw refuse(
      `${v} was rolled back (deployment ${rolledBack.deploymentId}, ${rolledBack.recordedAt}${rolledBack.detail ? `: ${rolledBack.detail}` : ''}) ` +
        `after its approval (${approval.recordedAt}): it needs a new approval`,
    );
  }
}

async function statusOf(
  target: DeployTarget,
  model: string,
  refuse: (reason: string) => Error,
): Promise<ModelStatusAnswer> {
  try {
    return await target.status(model);
  } catch (err) {
    if (failureType(err) === SlipwayErrorType.NotFound) {
      throw refuse(`${target.baseUrl} never served it: there is nothing to roll back`);
    }
    throw err;
  }
}
