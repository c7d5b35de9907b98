/**
 * The rollout's compensation: all traffic back to stable, the candidate rolled back on the deploy target, the alias
 * on what serves, the candidate recorded `rolled_back` with the reason and the readings (the audited registry writes
 * the `rollback` entry), then the target read back to confirm what is live. It must finish: every failure but a
 * target that serves the candidate as stable (it was promoted) is retried.
 */
import {
  SlipwayErrorType,
  failureType,
  finalFailure,
  retryableFailure,
  type AbortCandidateAnswer,
  type ModelStatusAnswer,
  type ServedDeployment,
  type StepParsedInput,
  type rolloutCompensateStep,
} from '@slipway/sdk';
import { ModelServerFailureType } from '../model-server/client.js';
import { canonicalJson } from '../util/digest.js';
import type { DeployTarget, ModelRegistry } from '../ports.js';
import { resolveVersionRefOrFail } from '../registry/resolve-version.js';
import { rolloutTarget, type RolloutTargetDeps } from '../rollout/target.js';
import { recordDeployment } from './deploy-phases.js';

/** What the compensation needs. */
export interface RolloutCompensateDeps extends RolloutTargetDeps {
  registry: ModelRegistry;
}

/** The compensation's input (defaults applied). */
export type RolloutCompensateInput = StepParsedInput<typeof rolloutCompensateStep>;

/**
 * Creates the `slipway.rollout.compensate` activity. It needs no approval: it only restores what served. Steps:
 * abort `deploymentId` on the target with the reason (a repeat answers the same; a target that refuses because the
 * deployment no longer holds traffic — it was already aborted, or lost at a restart before it served — is read
 * back instead); read the target back: the deployment must be neither stable nor candidate, else the compensation
 * retries (a candidate already promoted to stable is a final `SlipwayRolloutAborted`: roll it back as a command);
 * point the alias at the stable version when it names another (keyed, so a retry moves it once); record the
 * candidate `rolled_back` with the reason, the step and the readings in `detail`.
 */
export function createRolloutCompensateActivity(deps: RolloutCompensateDeps) {
  return async (input: RolloutCompensateInput) => {
    const { name, version } = input.version;
    const record = await resolveVersionRefOrFail(deps.registry, input.version);
    const target = await rolloutTarget(deps, input.serverUrl);
    await abortOrConfirm(target, name, input.deploymentId, input.reason);
    const live = await readBackAborted(target, name, input.deploymentId, version);
    const aliasBefore = (await deps.registry.getAlias(name, input.alias)) ?? null;
    if (live !== null && aliasBefore !== live.version) {
      await deps.registry.setAlias(name, input.alias, live.version, {
        idempotencyKey: `rollout/${input.deploymentId}/compensate/alias/${input.alias}`,
      });
    }
    const entry = { registry: deps.registry, record, deploymentId: input.deploymentId, client: target, input };
    await recordDeployment(entry, 'rolled_back', live?.version ?? null, rollbackDetail(input));
    const aliasVersion = (await deps.registry.getAlias(name, input.alias)) ?? null;
    return { live, aliasVersion };
  };
}

/** The reason, the step at which the rollout stopped (1-based for people) and its readings, as the record's detail. */
export function rollbackDetail(input: Pick<RolloutCompensateInput, 'reason' | 'step' | 'readings'>): string {
  const at = input.step === undefined ? '' : ` (at step ${input.step + 1})`;
  const readings = input.readings === undefined ? '' : `; readings: ${canonicalJson(input.readings)}`;
  return `${input.reason}${at}${readings}`;
}

/** Aborts the deployment; a refusal (4xx) is left to the read-back, which says whether anything of it still serves. */
async function abortOrConfirm(
  target: DeployTarget,
  model: string,
  deploymentId: string,
  reason: string,
): Promise<AbortCandidateAnswer | null> {
  try {
    return await target.abort(model, deploymentId, reason);
  } catch (err) {
    const type = failureType(err);
    if (type === ModelServerFailureType.Rejected || type === SlipwayErrorType.NotFound) return null;
    throw err;
  }
}

async function readBackAborted(
  target: DeployTarget,
  model: string,
  deploymentId: string,
  version: number,
): Promise<ServedDeployment | null> {
  const status = await target.status(model).catch((err: unknown) => {
    // A model the target never deployed (a first rollout lost with the target's state) serves nothing.
    if (failureType(err) === SlipwayErrorType.NotFound) return null;
    throw err;
  });
  if (status === null) return null;
  const stable = served(status.stable);
  if (stable?.deploymentId === deploymentId) {
    throw finalFailure(
      SlipwayErrorType.RolloutAborted,
      `Cannot compensate the rollout of model "${model}" version ${version}: ${target.baseUrl} already serves ` +
        `"${deploymentId}" as stable (it was promoted); roll it back as a command (\`slipway rollback ${model}\`)`,
      { model, version, deploymentId, serverUrl: target.baseUrl },
    );
  }
  if (status.candidate?.deploymentId === deploymentId) {
    throw retryableFailure(
      SlipwayErrorType.ModelServerError,
      `After aborting "${deploymentId}" (model "${model}" version ${version}), ${target.baseUrl} still holds it as ` +
        `the candidate (${status.weights.candidate} % ${status.mode}): retrying`,
      { model, deploymentId, serverUrl: target.baseUrl },
    );
  }
  return stable;
}

function served(d: ModelStatusAnswer['stable']): ServedDeployment | null {
  return d ? { version: d.version, deploymentId: d.deploymentId } : null;
}
