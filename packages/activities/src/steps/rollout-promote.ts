/**
 * The rollout's promote step: the candidate becomes the stable version on the deploy target, the target is read
 * back, then the alias moves and the deployment is recorded — so the registry names what serves.
 */
import {
  SlipwayErrorType,
  finalFailure,
  retryableFailure,
  type ServedDeployment,
  type StepParsedInput,
  type rolloutPromoteStep,
} from '@slipway/sdk';
import type { DirectorySource, ModelRegistry } from '../ports.js';
import { resolveVersionRefOrFail } from '../registry/resolve-version.js';
import { verifyRolloutProof } from '../rollout/proof.js';
import { rolloutTarget, type RolloutTargetDeps } from '../rollout/target.js';
import { recordDeployment } from './deploy-phases.js';
import { aliasMoveKey } from './deploy.js';

/** What the rollout's promote step needs. */
export interface RolloutPromoteDeps extends RolloutTargetDeps {
  registry: ModelRegistry;
  /** The worker's directory of people: the version's approval is verified against it before anything changes. */
  directory?: DirectorySource | undefined;
}

/** The promote step's input (defaults applied). */
export type RolloutPromoteInput = StepParsedInput<typeof rolloutPromoteStep>;

/**
 * Creates the `slipway.rollout.promote` activity. Verifies the approval proof (see `verifyRolloutProof`), promotes
 * `deploymentId` on the target (a repeat answers the same), reads the target back — it must serve that deployment
 * as stable with no candidate, else the step fails before the registry is touched (retryable: another attempt reads
 * again) — then moves the alias under the deployment's key (`aliasMoveKey`: a retry moves it once) and records the
 * deployment `deployed` with the version it replaced.
 */
export function createRolloutPromoteActivity(deps: RolloutPromoteDeps) {
  return async (input: RolloutPromoteInput) => {
    const { name, version } = input.version;
    const record = await resolveVersionRefOrFail(deps.registry, input.version);
    await verifyRolloutProof(input.proof, deps.directory, {
      version: input.version,
      registered: record,
      action: 'promote',
    });
    const target = await rolloutTarget(deps, input.serverUrl);
    const promoted = await target.promote(name, input.deploymentId);
    if (promoted.stable.deploymentId !== input.deploymentId || promoted.stable.version !== version) {
      throw finalFailure(
        SlipwayErrorType.InvalidOutput,
        `${target.baseUrl} answered the promotion of "${input.deploymentId}" (model "${name}" version ${version}) ` +
          `with stable ${describe(promoted.stable)}`,
        { model: name, deploymentId: input.deploymentId, serverUrl: target.baseUrl },
      );
    }
    const live = await readBackPromoted(target, name, input.deploymentId, version);
    const moved = await deps.registry.setAlias(name, input.alias, version, {
      idempotencyKey: aliasMoveKey(input.deploymentId, input.alias),
    });
    // On a retry after the alias moved, the keyed move answers with the first call's `previous`; if the alias
    // already named this version before, the target's answer knows what served before.
    const previousVersion = moved.previous === version ? (promoted.previous?.version ?? null) : moved.previous;
    const entry = { registry: deps.registry, record, deploymentId: input.deploymentId, client: target, input };
    await recordDeployment(entry, 'deployed', previousVersion);
    return { previousVersion, live };
  };
}

async function readBackPromoted(
  target: Awaited<ReturnType<typeof rolloutTarget>>,
  model: string,
  deploymentId: string,
  version: number,
): Promise<ServedDeployment> {
  const status = await target.status(model);
  const stable = status.stable ? { version: status.stable.version, deploymentId: status.stable.deploymentId } : null;
  if (stable?.deploymentId === deploymentId && stable.version === version && status.candidate === null) return stable;
  throw retryableFailure(
    SlipwayErrorType.ModelServerError,
    `After promoting "${deploymentId}" (model "${model}" version ${version}), ${target.baseUrl} serves ` +
      `${stable ? describe(stable) : 'nothing'} as stable` +
      `${status.candidate ? ` with candidate ${describe(status.candidate)}` : ''}: the registry is left as it was`,
    { model, deploymentId, serverUrl: target.baseUrl },
  );
}

function describe(d: { deploymentId: string; version: number }): string {
  return `"${d.deploymentId}" (version ${d.version})`;
}
