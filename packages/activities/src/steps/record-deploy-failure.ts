/**
 * The activity that records a deploy which failed after its retries (the run now waits for an operator): a `failed`
 * deployment of the version in the registry, with the reason, under a key derived from the run and the wait, so a
 * retried attempt records it once. Nothing serving changes.
 */
import type { StepParsedInput, recordDeployFailureStep } from '@slipway/sdk';
import type { ModelRegistry } from '../ports.js';
import { resolveVersionRefOrFail } from '../registry/resolve-version.js';
import { sha256Digest } from '../util/digest.js';
import { currentStepIdentity } from '../util/idempotency.js';

/** What the activity needs. */
export interface RecordDeployFailureDeps {
  registry: ModelRegistry;
}

/** The registry keeps a deployment's detail short: the reason, cut to this many characters. */
const MAX_DETAIL = 2000;

/** Creates the `slipway.recordDeployFailure` activity. */
export function createRecordDeployFailureActivity(deps: RecordDeployFailureDeps) {
  return async (input: StepParsedInput<typeof recordDeployFailureStep>) => {
    const { name, version } = input.version;
    await resolveVersionRefOrFail(deps.registry, input.version);
    const step = currentStepIdentity();
    const key = `${step?.workflowId ?? 'local'}\n${step?.runId ?? 'local'}\n${input.waitNonce}`;
    const deploymentId = `${name}-v${version}-failed-${sha256Digest(key).slice('sha256:'.length, 'sha256:'.length + 16)}`;
    const previousVersion = (await deps.registry.getAlias(name, input.alias)) ?? null;
    const detail = `deploy failed after its retries; waiting for an operator: ${input.reason}`.slice(0, MAX_DETAIL);
    const { created } = await deps.registry.recordDeployment({
      name,
      version,
      deploymentId,
      serverUrl: input.serverUrl,
      alias: input.alias,
      previousVersion,
      status: 'failed',
      detail,
      idempotencyKey: `deploy/${deploymentId}/failed`,
    });
    return { deploymentId, recorded: created };
  };
}
