/**
 * The deploy activity's conversation with the model server: stage, smoke-check the staged version, commit, and
 * withdraw a version that failed its check (the rollout's stage step stages and smoke-checks the same way). Each step sorts the server's answers into: go on, retry the activity
 * (the server is unreachable, failed, or lost the staged version), or fail the deployment for good.
 */
import type { ApplicationFailure } from '@temporalio/common';
import {
  SlipwayErrorType,
  failureType,
  finalFailure,
  retryableFailure,
  rootMessage,
  type CommitAnswer,
  type FeatureRow,
  type StageAnswer,
  type StepParsedInput,
  type deployStep,
} from '@slipway/sdk';
import type { DeployTarget, DeploymentRecord, ModelRegistry, ModelVersionRecord } from '../ports.js';
import { ModelServerFailureType, modelServerFailureDetail, type ModelServerClient } from '../model-server/client.js';
import { checkSmokeAnswer } from '../model-server/smoke.js';

/**
 * A version being staged and smoke-checked on a target, by the deploy activity or the rollout's stage step: the
 * target, the version, its deployment id, and how the caller ends the deployment for good (it records the failure,
 * withdraws the version when asked, and throws).
 */
export interface Staging {
  client: Pick<DeployTarget, 'baseUrl' | 'stage' | 'smoke'>;
  record: ModelVersionRecord;
  deploymentId: string;
  fail(reason: string, withdraw: boolean): Promise<never>;
}

/** What a deployment record needs: the registry, the version, the deployment, the target and the alias. */
export interface DeploymentEntry {
  registry: ModelRegistry;
  record: ModelVersionRecord;
  deploymentId: string;
  client: { readonly baseUrl: string };
  input: { alias: string };
}

/** One deployment in progress: what the deploy activity knows while it talks to the server. */
export interface Deployment extends Staging, DeploymentEntry {
  client: ModelServerClient;
  input: StepParsedInput<typeof deployStep>;
  aliasBefore: number | null;
}

/** Server codes that mean an earlier attempt (or someone else) already ended this deployment id for good. */
const ENDED_CODES = new Set(['DeploymentRolledBack', 'DeploymentDiscarded', 'DeploymentSuperseded']);
/** Server codes that mean the server lost the staged deployment (a restart): stage it again on the next attempt. */
const LOST_CODES = new Set(['StagedAbandoned', 'UnknownDeployment']);

/** Stages the version; a refusal fails the deployment for good (nothing of it serves). */
export async function stage(d: Staging): Promise<StageAnswer> {
  try {
    return await d.client.stage(d.record.name, d.deploymentId, {
      version: d.record.version,
      artifact: d.record.artifact,
    });
  } catch (err) {
    const code = modelServerFailureDetail(err)?.code ?? '';
    if (ENDED_CODES.has(code)) {
      return d.fail(`an earlier attempt of this deployment ended: ${rootMessage(err)}`, false);
    }
    if (failureType(err) === ModelServerFailureType.Rejected) {
      return d.fail(`the model server refused the deployment: ${rootMessage(err)}`, false);
    }
    throw err;
  }
}

/**
 * Smoke-predicts one row with the staged deployment. An unreachable server, or one that lost the staged version,
 * is a retryable failure; every other problem (a refused row, a model failure, a bad score) is a failed check.
 */
export async function smoke(d: Staging, features: FeatureRow): Promise<ReturnType<typeof checkSmokeAnswer>> {
  try {
    const answer = await d.client.smoke(d.record.name, d.deploymentId, [features]);
    const task = d.record.lineage.task;
    return checkSmokeAnswer(answer, {
      version: d.record.version,
      deploymentId: d.deploymentId,
      ...(task === undefined ? {} : { task }),
    });
  } catch (err) {
    if (failureType(err) === ModelServerFailureType.Unreachable) throw err;
    const code = modelServerFailureDetail(err)?.code ?? '';
    if (LOST_CODES.has(code)) throw lostStaged(d, 'smoke check', err);
    if (ENDED_CODES.has(code)) {
      return d.fail(`the staged deployment ended before its smoke check: ${rootMessage(err)}`, false);
    }
    return { ok: false, reason: rootMessage(err) };
  }
}

/** Commits the staged deployment; an unconfirmed commit is retryable, an ended deployment fails for good. */
export async function commit(d: Deployment): Promise<CommitAnswer> {
  try {
    return await d.client.commit(d.record.name, d.deploymentId);
  } catch (err) {
    const code = modelServerFailureDetail(err)?.code ?? '';
    if (LOST_CODES.has(code)) throw lostStaged(d, 'commit', err);
    if (ENDED_CODES.has(code) || failureType(err) === ModelServerFailureType.Rejected) {
      return failDeployment(d, `the model server refused the commit: ${rootMessage(err)}`, false);
    }
    throw err;
  }
}

/**
 * Withdraws the version (when asked: a failed smoke check), records a failed deployment and throws a final
 * `SlipwayDeployFailed`. Withdrawing discards the staged version; if an earlier attempt had committed it, it is
 * rolled back instead, so a version that failed its check never keeps serving.
 */
export async function failDeployment(d: Deployment, reason: string, withdraw: boolean): Promise<never> {
  const withdrawn = withdraw ? await withdrawVersion(d, reason) : '';
  await recordDeployment(d, 'failed', d.aliasBefore, reason);
  throw finalFailure(
    SlipwayErrorType.DeployFailed,
    `Deploying model "${d.record.name}" version ${d.record.version} to ${d.client.baseUrl} failed: ${reason}${withdrawn}`,
    {
      model: d.record.name,
      version: d.record.version,
      deploymentId: d.deploymentId,
      serverUrl: d.client.baseUrl,
      reason,
    },
  );
}

/** Records the deployment under a key derived from its id and status, so a retry records it once. */
export async function recordDeployment(
  d: DeploymentEntry,
  status: DeploymentRecord['status'],
  previousVersion: number | null,
  detail?: string,
): Promise<void> {
  await d.registry.recordDeployment({
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

/** Discards the staged version, or rolls it back if an earlier attempt committed it; says what serves now. */
async function withdrawVersion(d: Deployment, reason: string): Promise<string> {
  const serves = (s: { version: number } | null) => (s ? `version ${s.version} keeps serving` : 'nothing serves');
  try {
    const answer = await d.client.discard(d.record.name, d.deploymentId, reason.slice(0, 2000));
    return `; the staged version was discarded and never served; ${serves(answer.stable)}`;
  } catch (err) {
    if (modelServerFailureDetail(err)?.code !== 'NotStaged') throw err;
  }
  try {
    const answer = await d.client.rollback(d.record.name, d.deploymentId);
    return `; an earlier attempt had committed it, so it was rolled back; ${answer.current ? `version ${answer.current.version} serves again` : 'nothing serves now'}`;
  } catch (err) {
    const code = modelServerFailureDetail(err)?.code;
    // Another deployment replaced ours in the meantime: nothing of ours is left to withdraw.
    if (code !== 'NotCurrent' && code !== 'UnknownDeployment') throw err;
    return `; not rolled back (${code})`;
  }
}

function lostStaged(d: Staging, step: string, err: unknown): ApplicationFailure {
  return retryableFailure(
    ModelServerFailureType.LostStaged,
    `The model server at ${d.client.baseUrl} no longer holds staged deployment "${d.deploymentId}" of model ` +
      `"${d.record.name}" version ${d.record.version} (it restarted before the ${step}); the next attempt stages it ` +
      `again: ${rootMessage(err)}`,
    modelServerFailureDetail(err) ?? null,
  );
}
