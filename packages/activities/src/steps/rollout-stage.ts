/**
 * The rollout's stage step: stage the approved version on the deploy target under a deployment id derived once
 * (the saga carries it to the later steps), serving no traffic, and smoke-check it. A failed check aborts the staged
 * deployment on the target (the stable version never stopped serving), records a `failed` deployment and fails for
 * good.
 */
import { SlipwayErrorType, finalFailure, type StepParsedInput, type rolloutStageStep } from '@slipway/sdk';
import type { ArtifactStore, DirectorySource, ModelRegistry } from '../ports.js';
import { smokeFeaturesOfVersion } from '../model-server/smoke.js';
import { resolveVersionRefOrFail } from '../registry/resolve-version.js';
import { verifyRolloutProof } from '../rollout/proof.js';
import { rolloutTarget, type RolloutTargetDeps } from '../rollout/target.js';
import { recordDeployment, smoke, stage, type Staging } from './deploy-phases.js';
import { deploymentIdFor } from './deploy.js';

/** What the rollout's stage step needs. */
export interface RolloutStageDeps extends RolloutTargetDeps {
  artifacts: ArtifactStore;
  registry: ModelRegistry;
  /** The worker's directory of people: the version's approval is verified against it before anything is staged. */
  directory?: DirectorySource | undefined;
}

/** The stage step's input (defaults applied). */
export type RolloutStageInput = StepParsedInput<typeof rolloutStageStep>;

/**
 * Creates the `slipway.rollout.stage` activity. Before anything is written, the approval proof is verified (see
 * `verifyRolloutProof`); the version must be registered with the artifact the input names. Then: smoke features
 * (given, or typical ones from the training profile), stage under `deploymentIdFor` the current activity (a retry
 * stages the same id again, a no-op), smoke-predict with the staged deployment (never counted as traffic). A target
 * that refuses the version, or a failed check, ends the deployment: aborted on the target, recorded `failed`, final
 * `SlipwayDeployFailed`. An unreachable target, or one that lost the staged deployment (it restarted), is retryable.
 */
export function createRolloutStageActivity(deps: RolloutStageDeps) {
  return async (input: RolloutStageInput) => {
    const { name, version } = input.version;
    const record = await resolveVersionRefOrFail(deps.registry, input.version);
    await verifyRolloutProof(input.proof, deps.directory, {
      version: input.version,
      registered: record,
      action: 'stage',
    });
    const target = await rolloutTarget(deps, input.serverUrl);
    const features = input.smokeFeatures ?? (await smokeFeaturesOfVersion(deps.artifacts, record));
    const deploymentId = deploymentIdFor(name, version);
    const entry = { registry: deps.registry, record, deploymentId, client: target, input };
    const staging: Staging = {
      client: target,
      record,
      deploymentId,
      fail: async (reason, withdraw) => {
        let withdrawn = '';
        if (withdraw) {
          const aborted = await target.abort(name, deploymentId, reason.slice(0, 4000));
          withdrawn = `; the staged version was withdrawn and never served; ${aborted.stable ? `version ${aborted.stable.version} keeps serving` : 'nothing serves'}`;
        }
        await recordDeployment(entry, 'failed', (await deps.registry.getAlias(name, input.alias)) ?? null, reason);
        throw finalFailure(
          SlipwayErrorType.DeployFailed,
          `Staging model "${name}" version ${version} on ${target.baseUrl} failed: ${reason}${withdrawn}`,
          { model: name, version, deploymentId, serverUrl: target.baseUrl, reason },
        );
      },
    };
    const staged = await stage(staging);
    const checked = await smoke(staging, features);
    if (!checked.ok) return staging.fail(`smoke check failed: ${checked.reason}`, true);
    return { deploymentId, stable: staged.stable, smokePrediction: checked.prediction };
  };
}
