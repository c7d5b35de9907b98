/**
 * The rollout's retire step: after a successful rollout's drain, the version the promotion replaced is recorded
 * `retired` in the registry — once it no longer serves. The target already released it at the promotion (it holds
 * only the stable version and a candidate in memory) and keeps it in its history, which is what a rollback needs.
 */
import type { ServedDeployment, StepParsedInput, rolloutRetireStep } from '@slipway/sdk';
import type { ModelRegistry } from '../ports.js';
import { resolveVersionOrFail } from '../registry/resolve-version.js';
import { rolloutTarget, type RolloutTargetDeps } from '../rollout/target.js';
import { currentStepIdentity } from '../util/idempotency.js';
import { recordDeployment } from './deploy-phases.js';

/** What the retire step needs. */
export interface RolloutRetireDeps extends RolloutTargetDeps {
  registry: ModelRegistry;
}

/** The retire step's input (defaults applied). */
export type RolloutRetireInput = StepParsedInput<typeof rolloutRetireStep>;

/**
 * Creates the `slipway.rollout.retire` activity. It needs no approval: it changes nothing that serves, only the
 * record. Steps: resolve the replaced version in the registry (a version the registry does not know is a final
 * `SlipwayNotFound`); read the target: when it holds the replaced deployment as stable or candidate, or the alias
 * names the replaced version, nothing is recorded and `kept` says why; otherwise record the replaced deployment
 * `retired`, naming what replaced it, under the key `deploy/<deploymentId>/retired` (a retry records it once).
 */
export function createRolloutRetireActivity(deps: RolloutRetireDeps) {
  return async (input: RolloutRetireInput) => {
    const { name } = input.version;
    const { retire } = input;
    const record = await resolveVersionOrFail(deps.registry, name, retire.version);
    const target = await rolloutTarget(deps, input.serverUrl);
    const status = await target.status(name);
    const aliasVersion = (await deps.registry.getAlias(name, input.alias)) ?? null;
    const kept = stillLive(status, retire, input.alias, aliasVersion);
    if (kept !== null) return { retired: null, kept: `v${retire.version} (${retire.deploymentId}) ${kept}` };
    const entry = { registry: deps.registry, record, deploymentId: retire.deploymentId, client: target, input };
    await recordDeployment(entry, 'retired', null, retiredDetail(input));
    return { retired: { version: retire.version, deploymentId: retire.deploymentId }, kept: null };
  };
}

/** Why the replaced deployment is still live (the target serves it, or the alias names its version); else null. */
export function stillLive(
  status: { stable: ServedDeployment | null; candidate: ServedDeployment | null },
  retire: ServedDeployment,
  alias: string,
  aliasVersion: number | null,
): string | null {
  if (status.stable?.deploymentId === retire.deploymentId) return 'serves again as stable: not retired';
  if (status.candidate?.deploymentId === retire.deploymentId) return 'is the candidate again: not retired';
  if (aliasVersion === retire.version) return `is named by the alias "${alias}" again: not retired`;
  return null;
}

/** What replaced the retired deployment, in which rollout, after how long a drain. */
export function retiredDetail(input: Pick<RolloutRetireInput, 'version' | 'deploymentId' | 'drain'>): string {
  const rollout = currentStepIdentity()?.workflowId;
  const where = rollout === undefined ? '' : ` in ${rollout}`;
  return `replaced by v${input.version.version} (${input.deploymentId})${where}; retired after the ${input.drain} drain`;
}
