/**
 * `slipway deploy <model>@<version>` on a real dev server, worker, registry and model server: a version whose
 * approval is on record (approved at a gate, its deploy aborted while the model server was down) is deployed later
 * without a new gate, through the built CLI; registry and server agree. Each refusal names the version and why and
 * changes nothing: a starter the recorded policy does not let decide, no approval on record (a rejected version), an
 * approval recorded before proofs were stored, an approval given against another champion, a stored proof that no
 * longer verifies, a version rolled back since its approval, an unsigned start, another run id. Its own deploy, failing
 * after its retries, waits for an operator like a promotion's, and a second deploy of the model meanwhile is refused.
 */
import type { ModelRegistry } from '@slipway/activities';
import {
  deployWorkflowId,
  failureType,
  rootMessage,
  type ApprovalProof,
  type DeployVersionResult,
  type TrainAndPromoteResult,
} from '@slipway/sdk';
import { SlipwayClient, type SlipwayClientError } from '@slipway/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { openConfiguredArtifacts, openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { cliSession, type CliSession } from '../support/cli-session.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { expectAgreement } from '../support/rollout-traffic.js';
import { eventually, waitForGate } from '../support/waits.js';

const MODEL = 'churn-record';
let h: Harness;
let cli: CliSession;
let registry: ModelRegistry;
/** A client whose user is maria (an approver of the churn policy): the deploys it starts are signed by her. */
let maria: SlipwayClient;

function input() {
  return {
    ...churnInput({ serverUrl: h.modelServer.url, modelName: MODEL }),
    stepOptions: { deploy: { retry: { maximumAttempts: 2, initialInterval: '200ms' } } },
  };
}

/** A trainAndPromote run decided by maria: approve (deployed), reject, or approve with its deploy aborted. */
async function version(how: 'deploy' | 'reject' | 'approve-only'): Promise<number> {
  const { runId } = await h.client.start('trainAndPromote', input());
  await waitForGate(h.client, runId);
  if (how === 'reject') {
    await h.client.reject(runId, { as: 'maria', comment: 'not this one' });
  } else {
    if (how === 'approve-only') await h.modelServerControl.stop();
    await h.client.approve(runId, { as: 'maria', comment: 'fine' });
  }
  if (how === 'approve-only') {
    await eventually('the deploy to wait', async () =>
      (await h.client.status(runId)).progress?.deployWait?.phase === 'waiting' ? true : undefined,
    );
    await h.modelServerControl.start();
    await h.client.deployCommand(runId, 'abort', { as: 'maria', reason: 'deploy it later' });
  }
  const result = await h.client.result<TrainAndPromoteResult>(runId);
  return result.version.version;
}

/** `slipway deploy <model>@<version> --as <who>`, through the built CLI. */
function deployCli(v: number, who: string) {
  return cli.slipway(['deploy', `${MODEL}@${v}`, '--as', who, '--server-url', h.modelServer.url]);
}

/** Starts a deploy as maria through `SlipwayClient.deploy` and answers its failure (the run must fail). */
async function refusal(v: number): Promise<{ type?: string; message: string }> {
  await maria.deploy({ model: MODEL, version: v, deploy: { serverUrl: h.modelServer.url } });
  const err = await maria.result(deployWorkflowId(MODEL)).then(
    () => expect.fail('expected the deploy to be refused'),
    (e: unknown) => e,
  );
  return { type: failureType(err), message: rootMessage(err) };
}

let v2: number;
let v3: number;
let v4: number;

beforeAll(async () => {
  h = await startHarness({ name: 'deploy-on-record', workflowBundle: await bundle() });
  cli = await cliSession(h);
  registry = openConfiguredRegistry(h.config);
  maria = await SlipwayClient.connect({
    address: h.config.temporal.address,
    namespace: h.config.temporal.namespace,
    taskQueue: h.config.taskQueue,
    user: 'maria',
    ...(h.people ? { keys: { keysDir: h.people.keysDir } } : {}),
  });
  expect(await version('deploy')).toBe(1);
  v2 = await version('approve-only');
  v3 = await version('reject');
  v4 = await version('approve-only');
  expect((await registry.resolve(MODEL, 'champion'))?.version).toBe(1);
}, 300_000);
afterAll(async () => {
  await maria?.close();
  await registry?.close();
  await h?.stop();
});

describe('slipway deploy <model>@<version>', () => {
  it('refuses a starter whom the recorded policy does not let decide, changing nothing', async () => {
    const out = await deployCli(v2, 'eve');
    expect(out.code, out.output).not.toBe(0);
    const status = await cli.closedStatus(deployWorkflowId(MODEL));
    expect(status.status).toBe('FAILED');
    expect(status.failure).toContain(
      `Refusing to deploy model "${MODEL}" version ${v2}: eve started this deploy, but only the people its recorded approval policy lets decide may (maria, lee)`,
    );
    expect(await expectAgreement(registry, h.modelServer.url, MODEL, 'after the refusal')).toBe(1);
  });

  it('refuses a version with no approval on record, then one whose approval was recorded before proofs were stored', async () => {
    const rejected = await refusal(v3);
    expect(rejected.type).toBe('SlipwayNotApproved');
    expect(rejected.message).toContain(`version ${v3}: it has no approval on record (its last gate was rejected`);
    await registry.recordApproval({
      name: MODEL,
      version: v3,
      outcome: 'approved',
      decisions: [{ decision: 'approve', approver: 'maria', at: new Date().toISOString(), via: 'update' }],
      evidenceDigest: `sha256:${'e'.repeat(64)}`,
      workflowId: 'an-old-promotion',
      runId: 'an-old-run',
      idempotencyKey: `legacy-approval-${v3}`,
    });
    const legacy = await refusal(v3);
    expect(legacy.type).toBe('SlipwayNotApproved');
    expect(legacy.message).toContain('its approval on record (workflow an-old-promotion');
    expect(legacy.message).toContain('was recorded before approvals stored their proof');
    expect(await expectAgreement(registry, h.modelServer.url, MODEL, 'after the refusals')).toBe(1);
  });

  it('deploys a version whose approval is on record, without a new gate; registry and server agree', async () => {
    const out = await deployCli(v2, 'maria');
    expect(out.code, out.output).toBe(0);
    expect(out.output).toContain(`${MODEL} v${v2}: deployed`);
    expect(await expectAgreement(registry, h.modelServer.url, MODEL, 'after slipway deploy')).toBe(v2);
    const status = await h.client.status(deployWorkflowId(MODEL));
    expect(status.progress?.steps.map((s) => [s.step, s.status])).toEqual([
      ['check', 'completed'],
      ['deploy', 'completed'],
    ]);
    expect(status.progress?.steps[0]?.summary).toContain('against champion v1; started by maria');
  });

  it('refuses a version approved against another champion than the one serving now', async () => {
    const changed = await refusal(v4);
    expect(changed.type).toBe('SlipwayNotApproved');
    expect(changed.message).toContain(
      `version ${v4}: its approval was given against champion v1, but v${v2} is the champion now`,
    );
    expect(await expectAgreement(registry, h.modelServer.url, MODEL, 'after the refusal')).toBe(v2);
  });

  it('refuses a version whose stored proof no longer verifies', async () => {
    const artifacts = openConfiguredArtifacts(h.config);
    const record = await registry.getVersion(MODEL, v4);
    const approval = record?.approvals.findLast((a) => a.outcome === 'approved');
    if (!approval?.proof) throw new Error('expected a stored proof');
    const proof = await artifacts.getJson<ApprovalProof>(approval.proof);
    // Someone rewrites a decision's comment after it was signed, and records the altered proof.
    const altered = { ...proof, decisions: proof.decisions.map((d) => ({ ...d, comment: 'rewritten' })) };
    const stored = await artifacts.putJson(altered);
    await registry.recordApproval({
      name: MODEL,
      version: v4,
      outcome: 'approved',
      decisions: altered.decisions,
      evidenceDigest: proof.evidence.digest,
      workflowId: proof.workflowId,
      runId: 'rewritten',
      idempotencyKey: `altered-approval-${v4}`,
      proof: { uri: stored.uri, digest: stored.digest },
    });
    const forged = await refusal(v4);
    expect(forged.type).toBe('SlipwayInvalidApprovalProof');
    expect(forged.message).toContain(`Refusing to deploy model "${MODEL}" version ${v4}: its approval does not verify`);
    expect(await expectAgreement(registry, h.modelServer.url, MODEL, 'after the refusal')).toBe(v2);
  });

  it('refuses a version rolled back since its approval', async () => {
    await registry.recordDeployment({
      name: MODEL,
      version: v2,
      deploymentId: `rolled-back-${v2}`,
      serverUrl: h.modelServer.url,
      alias: 'champion',
      previousVersion: 1,
      status: 'rolled_back',
      detail: 'error rate too high',
      idempotencyKey: `rolled-back-${v2}`,
    });
    const rolledBack = await refusal(v2);
    expect(rolledBack.type).toBe('SlipwayNotApproved');
    expect(rolledBack.message).toContain(`version ${v2}: it was rolled back (deployment rolled-back-${v2}`);
    expect(rolledBack.message).toContain('it needs a new approval');
  });

  it('refuses an unsigned start, and a run under another id than deploy:<model>', async () => {
    const body = { model: MODEL, version: v4, deploy: { serverUrl: h.modelServer.url } };
    const unsigned = await h.client.temporal.workflow.start('deployVersion', {
      workflowId: deployWorkflowId(MODEL),
      taskQueue: h.config.taskQueue,
      args: [body],
    });
    const err = await unsigned.result().then(
      () => expect.fail('expected the unsigned deploy to fail'),
      (e: unknown) => e,
    );
    expect(failureType(err)).toBe('SlipwayUnverifiedStart');
    const elsewhere = await maria.start('deployVersion', body, { runId: `not-the-deploy-id-${Date.now()}` });
    const wrongId = await maria.result(elsewhere.runId).then(
      () => expect.fail('expected a refusal'),
      (e: unknown) => e,
    );
    expect(failureType(wrongId)).toBe('SlipwayInvalidInput');
    expect(rootMessage(wrongId)).toContain(`must have the id ${deployWorkflowId(MODEL)}`);
    expect(await expectAgreement(registry, h.modelServer.url, MODEL, 'after the refusals')).toBe(v2);
  });

  it('waits for an operator when its deploy fails after its retries, one deploy per model at a time', async () => {
    const v5 = await version('approve-only');
    await h.modelServerControl.stop();
    const body = {
      model: MODEL,
      version: v5,
      deploy: { serverUrl: h.modelServer.url },
      stepOptions: { deploy: { retry: { maximumAttempts: 2, initialInterval: '200ms' } } },
    };
    const { runId } = await maria.deploy(body);
    await eventually('the deploy to wait for an operator', async () =>
      (await maria.status(runId)).progress?.deployWait?.phase === 'waiting' ? true : undefined,
    );
    const second = await maria.deploy(body).then(
      () => expect.fail('expected a second deploy of the model to be refused'),
      (e: unknown) => e as SlipwayClientError,
    );
    expect(second.code).toBe('AlreadyRunning');
    expect(second.message).toContain(`a deploy of ${MODEL} is already running (${deployWorkflowId(MODEL)})`);
    await h.modelServerControl.start();
    await h.client.deployCommand(runId, 'retry', { as: 'lee', reason: 'the server is back' });
    const result = await maria.result<DeployVersionResult>(runId);
    expect(result).toMatchObject({ status: 'deployed', deployment: { version: v5 } });
    expect(await expectAgreement(registry, h.modelServer.url, MODEL, 'after the retried deploy')).toBe(v5);
  });
});
