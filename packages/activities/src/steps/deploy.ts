/**
 * The deploy activity: stage a registered version in the model server, smoke-check the staged version, commit it,
 * move the alias and record the deployment. Safe under retry: the deployment id is derived from the activity's
 * identity, the server treats a repeated stage or commit of one id as a no-op, and the registry writes carry
 * idempotency keys.
 */
import { randomUUID } from 'node:crypto';
import { deployStep, parseStepInput, parseStepOutput, type StepInput, type StepOutput } from '@slipway/sdk';
import { verifyRolloutProof } from '../rollout/proof.js';
import type { ArtifactStore, DeployTargetAccess, DirectorySource, ModelRegistry, ModelServerAccess } from '../ports.js';
import { sha256Digest } from '../util/digest.js';
import { currentStepIdentity, type StepIdentity } from '../util/idempotency.js';
import { currentActivityHooks } from '../data/activity-context.js';
import { resolveVersionRefOrFail } from '../registry/resolve-version.js';
import { clientOptionsFor } from '../model-server/access.js';
import {
  createModelServerClient,
  type ModelServerClient,
  type ModelServerClientOptions,
} from '../model-server/client.js';
import { smokeFeaturesOfVersion } from '../model-server/smoke.js';
import { commit, failDeployment, recordDeployment, smoke, stage, type Deployment } from './deploy-phases.js';

/** What the deploy activity needs. */
export interface DeployActivityDeps {
  artifacts: ArtifactStore;
  registry: ModelRegistry;
  /**
   * The configured model server and its control-plane token. Deploys go to its URL only (the token is never sent
   * elsewhere); without it, requests carry no token, which a Slipway model server refuses.
   */
  modelServer?: ModelServerAccess;
  /** The configured webhook deploy targets: named in the refusal of a `serverUrl` that is not the model server. */
  deployTargets?: readonly DeployTargetAccess[] | undefined;
  /**
   * The worker's directory of people: the deploy re-verifies the version's approval proof against it before it
   * touches the model server or the registry. Without it nothing is deployed.
   */
  directory?: DirectorySource | undefined;
  /** Builds the model server client for a URL; by default {@link createModelServerClient}. */
  client?: (serverUrl: string, options: ModelServerClientOptions) => ModelServerClient;
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
 * First, before anything is written: the version's approval proof (`input.proof`) is re-verified against the
 * worker's own directory of people (see `verifyApprovalProof`); a missing proof or one whose gate did not approve
 * is a final `SlipwayNotApproved`, a proof that does not verify a final `SlipwayInvalidApprovalProof`, naming what
 * failed, and neither the model server nor the registry is touched.
 *
 * Steps: resolve the version (final `SlipwayNotFound` if missing), build smoke features (given, or from the
 * training profile), read the alias's current target, stage the version in the model server (it serves nothing
 * yet), smoke-predict with the staged version (never logged as traffic), commit it (now it serves), move the
 * alias, record the deployment. A failed smoke check discards the staged version (the stable one never stopped
 * serving), records a `failed` deployment and throws a final `SlipwayDeployFailed`; a deployment the server
 * refuses (bad artifact, unknown model kind) ends the same way. An unreachable server, a commit that was not
 * confirmed, or a server that lost the staged version (it restarted) is a retryable failure: the next attempt,
 * under the same deployment id, stages again (a no-op if the server still has it, or has committed it),
 * smoke-checks again and commits.
 */
export function createDeployActivity(deps: DeployActivityDeps): (input: DeployInput) => Promise<DeployOutput> {
  const makeClient = deps.client ?? createModelServerClient;
  return async (raw) => {
    const input = parseStepInput(deployStep, raw, 'activity');
    const { name, version } = input.version;
    const record = await resolveVersionRefOrFail(deps.registry, input.version);
    // In `deploy:<model>` (slipway deploy) the proof is the approval on record; elsewhere, this workflow's own.
    await verifyRolloutProof(input.proof, deps.directory, {
      version: input.version,
      registered: record,
      action: 'deploy',
    });
    const options = await clientOptionsFor(
      deps.modelServer,
      input.serverUrl,
      currentActivityHooks().signal,
      deps.deployTargets,
    );
    const features = input.smokeFeatures ?? (await smokeFeaturesOfVersion(deps.artifacts, record));
    const aliasBefore = (await deps.registry.getAlias(name, input.alias)) ?? null;
    const deploymentId = deploymentIdFor(name, version);
    const client = makeClient(input.serverUrl, options);
    const d: Deployment = {
      registry: deps.registry,
      client,
      input,
      record,
      deploymentId,
      aliasBefore,
      fail: (reason, withdraw) => failDeployment(d, reason, withdraw),
    };

    await stage(d);
    const checked = await smoke(d, features);
    if (!checked.ok) return failDeployment(d, `smoke check failed: ${checked.reason}`, true);
    const committed = await commit(d);

    const moved = await deps.registry.setAlias(name, input.alias, version, {
      idempotencyKey: aliasMoveKey(deploymentId, input.alias),
    });
    // On a retry after the alias moved, the keyed move answers with the first call's `previous`; if the alias
    // already named this version before this deployment, the server's idempotent answer knows what served before.
    const previousVersion = moved.previous === version ? (committed.previous?.version ?? null) : moved.previous;
    await recordDeployment(d, 'deployed', previousVersion);
    const output = {
      deploymentId,
      model: name,
      version,
      previousVersion,
      serverUrl: client.baseUrl,
      ...(checked.score === undefined ? {} : { smokeScore: checked.score }),
      smokePrediction: checked.prediction,
    };
    return parseStepOutput(deployStep, output, 'activity');
  };
}
