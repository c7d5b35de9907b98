/**
 * The deploy activity: load a registered version into the model server, smoke-check it, move the alias and
 * record the deployment. Safe under retry: the deployment id is derived from the activity's identity, the
 * server treats a repeated deployment id as a no-op, and the registry writes carry idempotency keys.
 */
import { randomUUID } from 'node:crypto';
import {
  SlipwayErrorType,
  deployStep,
  failureType,
  finalFailure,
  parseStepInput,
  parseStepOutput,
  rootMessage,
  type FeatureRow,
  type StepInput,
  type StepOutput,
  type StepParsedInput,
} from '@slipway/sdk';
import type { ArtifactStore, ModelRegistry, ModelVersionRecord } from '../ports.js';
import { sha256Digest } from '../util/digest.js';
import { currentStepIdentity, type StepIdentity } from '../util/idempotency.js';
import { currentActivityHooks } from '../data/activity-context.js';
import { loadTrainingProfile, resolveVersionOrFail } from '../monitor/training-profile.js';
import {
  ModelServerFailureType,
  createModelServerClient,
  modelServerFailureDetail,
  type ModelServerClient,
} from './model-server-client.js';
import { checkSmokeAnswer, smokeFeaturesFromProfile } from './smoke.js';

/** What the deploy activity needs. */
export interface DeployActivityDeps {
  artifacts: ArtifactStore;
  registry: ModelRegistry;
  /** Builds the model server client for a URL; by default {@link createModelServerClient}. */
  client?: (serverUrl: string, signal: AbortSignal) => ModelServerClient;
}

/** The deploy step's input, as a caller writes it (defaults not yet applied). */
export type DeployInput = StepInput<typeof deployStep>;
/** The deploy step's output. */
export type DeployOutput = StepOutput<typeof deployStep>;

/**
 * A deployment id that is the same for every attempt of one activity: `<model>-v<version>-<hash>`, the hash
 * taken over the workflow id, run id and activity id (`identity`, by default the current activity's). Outside a
 * workflow's activity a random id is used: there are no retries to match.
 */
export function deploymentIdFor(model: string, version: number, identity?: StepIdentity): string {
  const who = identity ?? currentStepIdentity();
  const key = who ? `${who.workflowId}\n${who.runId}\n${who.activityId}` : randomUUID();
  return `${model}-v${version}-${sha256Digest(key).slice('sha256:'.length, 'sha256:'.length + 16)}`;
}

/**
 * The idempotency key of a deployment's alias move: `deploy/<deploymentId>/alias/<alias>`. The deployment id
 * derives from the workflow id, run id and activity id, so every attempt moves the alias under the same key
 * and the move happens once.
 */
export function aliasMoveKey(deploymentId: string, alias: string): string {
  return `deploy/${deploymentId}/alias/${alias}`;
}

/**
 * Creates the `slipway.deploy` activity. It checks its input and output against the contract itself, so it can
 * be registered directly under `deployStep.name` or bound with `implementStep`.
 *
 * Steps: resolve the version (final `SlipwayNotFound` if missing), build smoke features (given, or from the
 * training profile), read the alias's current target, PUT the deployment, smoke-predict (not logged as
 * traffic). On a failed smoke check: roll the server back, record a `failed` deployment and throw a final
 * `SlipwayDeployFailed`; a deployment the server refuses (bad artifact, unknown model kind: the previous version
 * keeps serving) ends the same way without a rollback. Otherwise: move the alias, record the deployment, return.
 * An unreachable server is a retryable failure; a retry reuses the deployment id.
 */
export function createDeployActivity(deps: DeployActivityDeps): (input: DeployInput) => Promise<DeployOutput> {
  const makeClient = deps.client ?? ((url, signal) => createModelServerClient(url, { signal }));
  return async (raw) => {
    const input = parseStepInput(deployStep, raw, 'activity');
    const { name, version } = input.version;
    const record = await resolveVersionOrFail(deps.registry, name, version);
    if (record.artifact.digest !== input.version.digest) {
      throw finalFailure(
        SlipwayErrorType.DigestMismatch,
        `Model "${name}" version ${version} has artifact digest ${record.artifact.digest} in the registry, but the deploy input names ${input.version.digest}`,
        { model: name, version },
      );
    }
    const features = input.smokeFeatures ?? (await profileSmokeFeatures(deps.artifacts, record));
    const aliasBefore = (await deps.registry.getAlias(name, input.alias)) ?? null;
    const deploymentId = deploymentIdFor(name, version);
    const client = makeClient(input.serverUrl, currentActivityHooks().signal);
    const deployment: Deployment = { deps, client, input, record, deploymentId, aliasBefore };

    const put = await putDeployment(deployment);
    const smoke = await runSmoke(deployment, features);
    if (!smoke.ok) return failDeployment(deployment, `smoke check failed: ${smoke.reason}`, true);

    const moved = await deps.registry.setAlias(name, input.alias, version, {
      idempotencyKey: aliasMoveKey(deploymentId, input.alias),
    });
    // On a retry after the alias moved, the keyed move answers with the first call's `previous`; if the alias
    // already named this version before this deployment, the server's idempotent answer knows what served before.
    const previousVersion = moved.previous === version ? (put.previous?.version ?? null) : moved.previous;
    await recordDeployment(deployment, 'deployed', previousVersion);
    const output = {
      deploymentId,
      model: name,
      version,
      previousVersion,
      serverUrl: client.baseUrl,
      smokeScore: smoke.score,
    };
    return parseStepOutput(deployStep, output, 'activity');
  };
}

interface Deployment {
  deps: DeployActivityDeps;
  client: ModelServerClient;
  input: StepParsedInput<typeof deployStep>;
  record: ModelVersionRecord;
  deploymentId: string;
  aliasBefore: number | null;
}

async function profileSmokeFeatures(artifacts: ArtifactStore, record: ModelVersionRecord): Promise<FeatureRow> {
  const profile = await loadTrainingProfile(artifacts, record.lineage);
  return smokeFeaturesFromProfile(profile, record.lineage.features, record.lineage.profile.uri);
}

/** PUTs the deployment; a deployment id the server already rolled back means an earlier attempt failed its smoke check. */
async function putDeployment(d: Deployment) {
  try {
    return await d.client.deploy(d.record.name, {
      deploymentId: d.deploymentId,
      version: d.record.version,
      artifact: d.record.artifact,
    });
  } catch (err) {
    const code = modelServerFailureDetail(err)?.code;
    if (code === 'DeploymentRolledBack') {
      return failDeployment(d, `an earlier attempt failed and was rolled back: ${rootMessage(err)}`, false);
    }
    if (failureType(err) === ModelServerFailureType.Rejected) {
      return failDeployment(d, `the model server refused the deployment: ${rootMessage(err)}`, false);
    }
    throw err;
  }
}

/** Smoke-predicts one row; connection failures propagate (retryable), every answer problem is a failed check. */
async function runSmoke(
  d: Deployment,
  features: FeatureRow,
): Promise<{ ok: true; score: number } | { ok: false; reason: string }> {
  try {
    const answer = await d.client.predict(d.record.name, [features], { smoke: true });
    return checkSmokeAnswer(answer, { version: d.record.version, deploymentId: d.deploymentId });
  } catch (err) {
    if (failureType(err) === ModelServerFailureType.Unreachable) throw err;
    return { ok: false, reason: rootMessage(err) };
  }
}

/** Rolls the server back (when asked), records a failed deployment and throws a final `SlipwayDeployFailed`. */
async function failDeployment(d: Deployment, reason: string, rollBack: boolean): Promise<never> {
  let rolledBack = '';
  if (rollBack) {
    try {
      const answer = await d.client.rollback(d.record.name, d.deploymentId);
      rolledBack = answer.current ? `; version ${answer.current.version} serves again` : '; nothing serves now';
    } catch (err) {
      const code = modelServerFailureDetail(err)?.code;
      // Another deployment replaced ours in the meantime: nothing of ours is left to roll back.
      if (code !== 'NotCurrent' && code !== 'UnknownDeployment') throw err;
      rolledBack = `; not rolled back (${code})`;
    }
  }
  await recordDeployment(d, 'failed', d.aliasBefore, reason);
  throw finalFailure(
    SlipwayErrorType.DeployFailed,
    `Deploying model "${d.record.name}" version ${d.record.version} to ${d.client.baseUrl} failed: ${reason}${rolledBack}`,
    {
      model: d.record.name,
      version: d.record.version,
      deploymentId: d.deploymentId,
      serverUrl: d.client.baseUrl,
      reason,
    },
  );
}

async function recordDeployment(
  d: Deployment,
  status: 'deployed' | 'failed',
  previousVersion: number | null,
  detail?: string,
): Promise<void> {
  await d.deps.registry.recordDeployment({
    name: d.record.name,
    version: d.record.version,
    deploymentId: d.deploymentId,
    serverUrl: d.client.baseUrl,
    alias: d.input.alias,
    previousVersion,
    status,
    ...(detail === undefined ? {} : { detail }),
    idempotencyKey: `deploy/${d.deploymentId}/${status}`,
  });
}
