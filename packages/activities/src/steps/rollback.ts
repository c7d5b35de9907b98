/**
 * The activities of a rollback as a command (`rollbackModel`): `slipway.rollback.plan` decides what is restored and
 * whether the signer may; `slipway.rollback` restores it, traffic and alias together, records it in the registry
 * (and so in the audit log) and reads the target back. Both verify the run's signed request and authorize the
 * signer where they act.
 */
import {
  SlipwayErrorType,
  finalFailure,
  type RollbackPlan,
  type StepOutput,
  type StepParsedInput,
  type rollbackPlanStep,
  type rollbackStep,
} from '@slipway/sdk';
import type { ArtifactStore, DirectorySource, ModelRegistry, ModelVersionRecord } from '../ports.js';
import { smokeFeaturesOfVersion } from '../model-server/smoke.js';
import { authorizeRollback } from '../rollback/authorize.js';
import { planRollback } from '../rollback/plan.js';
import { readBackRestored, restoreByRedeploy, restoreByRollback } from './rollback-restore.js';
import { verifyRollbackRequest, type VerifiedRollbackRequest } from '../rollback/signed-request.js';
import { rolloutTarget, type RolloutTargetDeps } from '../rollout/target.js';
import { recordDeployment, type Staging } from './deploy-phases.js';
import { deploymentIdFor } from './deploy.js';

/** What the rollback activities need. */
export interface RollbackDeps extends RolloutTargetDeps {
  registry: ModelRegistry;
  artifacts: ArtifactStore;
  /** The worker's directory of people: the signed request is verified against it. */
  directory?: DirectorySource | undefined;
}

/**
 * Creates the `slipway.rollback.plan` activity: verifies the signed request, reads the target and the registry
 * (see `planRollback`), authorizing the signer for the live version as soon as it is known (see
 * `authorizeRollback`). Writes nothing.
 */
export function createRollbackPlanActivity(deps: RollbackDeps) {
  return async (input: StepParsedInput<typeof rollbackPlanStep>): Promise<RollbackPlan> => {
    const { input: request, signer } = await verifyRollbackRequest(input.request, deps.directory);
    const target = await rolloutTarget(deps, request.deploy.serverUrl);
    const authorize = (version: number) => authorizeRollback(deps, { model: request.model, version, signer });
    return planRollback(target, deps.registry, request, signer, authorize);
  };
}

/**
 * Creates the `slipway.rollback` activity. Before anything changes: the signed request verifies and is the one the
 * plan was made from, and the signer is authorized for the planned live version. Then: the target restores the
 * planned version (its rollback, or a new deployment of it; see `restoreByRollback`, `restoreByRedeploy`) and is
 * read back; the alias moves to it under a key of the deployment taken down (a retry moves it once); the registry
 * records that deployment `rolled_back` (the audit log's `rollback` entry: who and why in `detail`) and the restored
 * one `deployed`; finally the target is read again and must serve the version the alias names.
 */
export function createRollbackActivity(deps: RollbackDeps) {
  return async (input: StepParsedInput<typeof rollbackStep>): Promise<StepOutput<typeof rollbackStep>> => {
    const { plan } = input;
    const verified = await verifyRollbackRequest(input.request, deps.directory);
    checkPlanMatches(plan, verified);
    await authorizeRollback(deps, { model: plan.model, version: plan.live.version, signer: verified.signer });
    const [taken, restored] = await Promise.all([
      versionOf(deps, plan, plan.live.version),
      versionOf(deps, plan, plan.restore.version),
    ]);
    const target = await rolloutTarget(deps, plan.serverUrl);
    const deploymentId =
      plan.method === 'rollback'
        ? await restoreByRollback(target, plan)
        : await restoreByRedeploy(
            target,
            plan,
            staging(deps, target, restored, plan),
            await smokeFeaturesOfVersion(deps.artifacts, restored),
          );
    await readBackRestored(target, plan.model, deploymentId, plan.restore.version);
    const key = `rollback/${plan.live.deploymentId}`;
    await deps.registry.setAlias(plan.model, plan.alias, plan.restore.version, {
      idempotencyKey: `${key}/alias/${plan.alias}`,
    });
    const who = `rolled back by ${plan.by}: ${plan.reason}`;
    await record(deps, target.baseUrl, plan, {
      record: taken,
      deploymentId: plan.live.deploymentId,
      status: 'rolled_back',
      previousVersion: plan.restore.version,
      detail: `${who}; version ${plan.restore.version} serves again`,
      idempotencyKey: `${key}/rolled_back`,
    });
    await record(deps, target.baseUrl, plan, {
      record: restored,
      deploymentId,
      status: 'deployed',
      previousVersion: plan.live.version,
      detail: `restored when version ${plan.live.version} was ${who}`,
      idempotencyKey: `${key}/restored`,
    });
    const aliasVersion = (await deps.registry.getAlias(plan.model, plan.alias)) ?? null;
    const live = await readBackRestored(target, plan.model, deploymentId, plan.restore.version);
    if (aliasVersion !== live.version) {
      throw finalFailure(
        SlipwayErrorType.InvalidOutput,
        `After the rollback of model "${plan.model}", ${target.baseUrl} serves version ${live.version} but the ` +
          `registry's alias "${plan.alias}" names ${aliasVersion === null ? 'nothing' : `version ${aliasVersion}`}: someone moved it meanwhile`,
        { model: plan.model, alias: plan.alias },
      );
    }
    return { rolledBack: plan.live, live, aliasVersion };
  };
}

/** The plan must be the one made from this signed request: same model, target, alias, signer, reason and version. */
function checkPlanMatches(plan: RollbackPlan, verified: VerifiedRollbackRequest): void {
  const { input, signer } = verified;
  const mismatch =
    plan.model !== input.model
      ? 'model'
      : plan.serverUrl !== input.deploy.serverUrl
        ? 'serverUrl'
        : plan.alias !== input.deploy.alias
          ? 'alias'
          : plan.by !== signer
            ? 'by'
            : plan.reason !== input.reason
              ? 'reason'
              : input.to !== undefined && plan.restore.version !== input.to
                ? 'restore.version'
                : undefined;
  if (mismatch !== undefined) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Refusing to roll back model "${input.model}": the plan's ${mismatch} is not what ${signer}'s signed request says`,
      { model: input.model, field: mismatch },
    );
  }
}

async function versionOf(deps: RollbackDeps, plan: RollbackPlan, version: number): Promise<ModelVersionRecord> {
  const record = await deps.registry.getVersion(plan.model, version);
  if (record !== undefined) return record;
  throw finalFailure(SlipwayErrorType.NotFound, `Model "${plan.model}" version ${version} is not in the registry`, {
    model: plan.model,
    version,
  });
}

/** A new deployment of the restored version (method `redeploy`); a failed smoke check withdraws it, nothing changed. */
function staging(
  deps: RollbackDeps,
  target: Awaited<ReturnType<typeof rolloutTarget>>,
  restored: ModelVersionRecord,
  plan: RollbackPlan,
): Staging {
  const deploymentId = deploymentIdFor(plan.model, plan.restore.version);
  return {
    client: target,
    record: restored,
    deploymentId,
    fail: async (reason, withdraw) => {
      if (withdraw) await target.abort(plan.model, deploymentId, reason.slice(0, 4000));
      const entry = { registry: deps.registry, record: restored, deploymentId, client: target, input: plan };
      await recordDeployment(entry, 'failed', plan.live.version, reason);
      throw finalFailure(
        SlipwayErrorType.DeployFailed,
        `Restoring model "${plan.model}" version ${plan.restore.version} on ${target.baseUrl} failed: ${reason}; ` +
          `version ${plan.live.version} keeps serving`,
        { model: plan.model, version: plan.restore.version, deploymentId, reason },
      );
    },
  };
}

interface Entry {
  record: ModelVersionRecord;
  deploymentId: string;
  status: 'deployed' | 'rolled_back';
  previousVersion: number;
  detail: string;
  idempotencyKey: string;
}

async function record(deps: RollbackDeps, serverUrl: string, plan: RollbackPlan, e: Entry): Promise<void> {
  await deps.registry.recordDeployment({
    name: plan.model,
    version: e.record.version,
    deploymentId: e.deploymentId,
    serverUrl,
    alias: plan.alias,
    previousVersion: e.previousVersion,
    status: e.status,
    detail: e.detail.slice(0, 4000),
    idempotencyKey: e.idempotencyKey,
  });
}
