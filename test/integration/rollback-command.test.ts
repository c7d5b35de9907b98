/**
 * Rollback as a command, end to end: a real dev server, a real worker with the real activities, a real model server
 * and registry. `SlipwayClient.rollback` (what `slipway rollback` calls) restores the version that served before the
 * live one under loopback traffic with no failed request, and the server, the registry's alias, its deployment
 * records and the audit log agree on it, with who and why. Every refusal changes nothing; a rollback whose activity
 * dies after moving the alias is finished by its retry, which moves the alias once.
 */
import {
  defaultAuditLogPath,
  readAuditEntries,
  verifyAuditLog,
  type ModelRegistry,
  type RecordDeploymentInput,
} from '@slipway/activities';
import { FinalErrorType, failureType, rootMessage, type TrainAndPromoteResult } from '@slipway/sdk';
import { ClientErrorCode, type RollbackOptions } from '@slipway/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { clientError, failureOf } from '../support/failures.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { expectAgreement as expectAgreementOn, trafficUntil } from '../support/rollout-traffic.js';
import { recordFixture } from '../support/record-history.js';
import { eventually, waitForGate } from '../support/waits.js';

let h: Harness;
let registry: ModelRegistry;
/** How often the worker's registry refused to record a rollback of `rb-kill` (it does so once). */
let crashes = 0;

/**
 * The worker's registry, except that the first `rolled_back` record of a rollback of `rb-kill` fails as a worker
 * dying there would: after the target rolled back and the alias moved, before anything else was recorded.
 */
function crashingOnce(inner: ModelRegistry): ModelRegistry {
  return new Proxy(inner, {
    get(target, property) {
      if (property === 'recordDeployment') {
        return (input: RecordDeploymentInput, options?: object) => {
          if (input.name === 'rb-kill' && input.status === 'rolled_back' && crashes === 0) {
            crashes += 1;
            return Promise.reject(new Error('the worker died after moving the alias'));
          }
          return target.recordDeployment(input, options);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

beforeAll(async () => {
  h = await startHarness({
    name: 'rollback-command',
    workflowBundle: await bundle(),
    deps: (config) => ({ registry: crashingOnce(openConfiguredRegistry(config)) }),
  });
  registry = openConfiguredRegistry(h.config);
}, 300_000);
afterAll(async () => {
  await registry?.close();
  await h?.stop();
});

function expectAgreement(model: string, when: string): Promise<number | undefined> {
  return expectAgreementOn(registry, h.modelServer.url, model, when);
}

/** Trains a version of `model`, approved by maria (the policy: maria, lee), and waits for its run to end. */
async function approvedRun(model: string, rollout?: object): Promise<string> {
  const input = { ...churnInput({ serverUrl: h.modelServer.url, modelName: model }), ...(rollout ? { rollout } : {}) };
  const { runId } = await h.client.start('trainAndPromote', input);
  await waitForGate(h.client, runId);
  await h.client.approve(runId, { as: 'maria', comment: 'ship it' });
  return runId;
}

async function deployed(model: string, version: number): Promise<void> {
  const result = await h.client.result<TrainAndPromoteResult>(await approvedRun(model));
  expect(result).toMatchObject({ status: 'deployed', deployment: { version } });
}

function rollback(model: string, options: Partial<RollbackOptions> = {}) {
  return h.client.rollback(model, { as: 'maria', reason: 'in the test', serverUrl: h.modelServer.url, ...options });
}

async function refused(model: string, options: Partial<RollbackOptions>, ...said: string[]): Promise<void> {
  const err = await clientError(rollback(model, options));
  expect(err.code, err.message).toBe(ClientErrorCode.RollbackRefused);
  for (const text of said) expect(err.message).toContain(text);
}

describe('slipway rollback', () => {
  it('restores the previous version under traffic; server, alias, records and audit agree, with who and why', async () => {
    await deployed('rb', 1);
    await deployed('rb', 2);
    expect(await expectAgreement('rb', 'before the rollback')).toBe(2);
    const reason = 'v2 mislabels premium customers';
    const done = rollback('rb', { reason });
    const [traffic, result] = await Promise.all([trafficUntil(h.modelServer.url, 'rb', done), done]);
    expect(result).toMatchObject({
      status: 'rolled_back',
      rolledBack: { version: 2 },
      live: { version: 1 },
      method: 'rollback',
      aliasVersion: 1,
      by: 'maria',
      reason,
    });
    expect(traffic.failed).toBe(0);
    expect(traffic.byVersion.get(1)).toBeGreaterThan(0);
    expect(await expectAgreement('rb', 'after the rollback')).toBe(1);
    const v2 = await registry.getVersion('rb', 2);
    const taken = v2?.deployments.find((d) => d.status === 'rolled_back');
    expect(taken).toMatchObject({ deploymentId: result.rolledBack.deploymentId, previousVersion: 1 });
    expect(taken?.detail).toContain(`rolled back by maria: ${reason}`);
    const v1 = await registry.getVersion('rb', 1);
    expect(v1?.deployments.at(-1)).toMatchObject({ status: 'deployed', deploymentId: result.live.deploymentId });
    const log = defaultAuditLogPath(h.home);
    expect(await verifyAuditLog(log, registry)).toMatchObject({ ok: true });
    const entries = await readAuditEntries(log);
    const entry = entries.find((e) => e.kind === 'rollback' && e.model === 'rb' && e.version === 2);
    expect(entry?.data).toMatchObject({ status: 'rolled_back', deploymentId: result.rolledBack.deploymentId });
    expect(String(entry?.data.detail)).toContain(`rolled back by maria: ${reason}`);
    expect(await h.client.status('rollout:rb')).toMatchObject({ pipeline: 'rollbackModel', status: 'COMPLETED' });
    const notRollout = await clientError(h.client.rolloutStatus('rb'));
    expect(notRollout.code).toBe(ClientErrorCode.NoRollout);
    expect(notRollout.message).toContain('rollout:rb is a rollback of rb (rollbackModel), not a rollout');
    // The run as a replay fixture: a later change of rollbackModel must keep replaying it.
    const history = await h.client.temporal.workflow.getHandle('rollout:rb').fetchHistory();
    const fixture = await recordFixture(h, history, 'rollback-model-restored.json');
    expect(fixture.json).toContain('"name": "slipway.rollback"');
  });

  it('refuses, changing nothing: outsiders, no previous version, the live version, a version rolled back since', async () => {
    await refused('rb', { as: 'eve' }, 'eve is not among the people the approval policy of version 1 lets decide');
    // sam decides elsewhere (ml-leads, risk), but version 1's policy names maria and lee only.
    await refused('rb', { as: 'sam' }, 'sam is not among', 'allowed now: maria, lee');
    await refused('rb', {}, 'nothing served before version 1');
    await refused('rb', { to: 1 }, 'version 1 is the live version');
    await refused('rb', { to: 2 }, 'version 2 was rolled back', 'it needs a new approval');
    await refused('rb', { to: 9 }, 'version 9 is not in the registry');
    expect(await expectAgreement('rb', 'after the refusals')).toBe(1);
  });

  it('refuses a version that never served (rejected at its gate)', async () => {
    const { runId } = await h.client.start(
      'trainAndPromote',
      churnInput({ serverUrl: h.modelServer.url, modelName: 'rb' }),
    );
    await waitForGate(h.client, runId);
    await h.client.reject(runId, { as: 'maria', comment: 'not this one' });
    expect(await h.client.result<TrainAndPromoteResult>(runId)).toMatchObject({ status: 'rejected' });
    await refused('rb', { to: 3 }, 'version 3 never served');
    expect(await expectAgreement('rb', 'after the refusal')).toBe(1);
  });

  it('refuses an unsigned start', async () => {
    const start = (args: unknown) =>
      h.client.temporal.workflow.start('rollbackModel', {
        workflowId: 'rollout:rb',
        taskQueue: h.config.taskQueue,
        args: [args],
      });
    const input = { model: 'rb', to: 1, reason: 'unsigned', deploy: { serverUrl: h.modelServer.url } };
    const unsigned = await start(input);
    const err = await failureOf(unsigned.result());
    expect(failureType(err)).toBe(FinalErrorType.UnverifiedStart);
    expect(rootMessage(err)).toContain('started without a signature');
    expect(await expectAgreement('rb', 'after the unsigned start')).toBe(1);
  });

  it('refuses while a rollout of the model runs, naming it and pointing at `slipway rollout abort`', async () => {
    const plan = { strategy: 'canary', bakeTime: '1s', guards: { minRequests: 10 }, deadline: '10m' };
    const runId = await approvedRun('rb', plan);
    await eventually('the rollout holding its first step', async () => {
      const state = await h.client.rolloutStatus('rb').catch(() => undefined);
      return state?.phase === 'baking' && state.version === 4 ? state : undefined;
    });
    const err = await clientError(rollback('rb'));
    expect(err.code).toBe(ClientErrorCode.RolloutRunning);
    expect(err.message).toContain('a rollout of rb is running (rollout:rb, rolloutVersion)');
    expect(err.message).toContain('slipway rollout abort rb');
    await h.client.rolloutCommand('rb', 'abort', { as: 'maria', reason: 'make way' });
    expect(await h.client.result<TrainAndPromoteResult>(runId)).toMatchObject({ status: 'rolled_back' });
    expect(await expectAgreement('rb', 'after the aborted rollout')).toBe(1);
  });

  it('restores an older version with --to by deploying it again, by a policy approver who did not approve', async () => {
    await deployed('rb', 5);
    await deployed('rb', 6);
    const before = (await registry.getVersion('rb', 1))?.deployments.at(-1)?.deploymentId;
    // maria approved version 6; lee did not, but its policy lets lee decide, so lee may take it down.
    const result = await rollback('rb', { to: 1, as: 'lee', reason: 'back to the known good one' });
    expect(result).toMatchObject({ rolledBack: { version: 6 }, live: { version: 1 }, method: 'redeploy', by: 'lee' });
    expect(result.live.deploymentId).not.toBe(before);
    expect(await expectAgreement('rb', 'after the redeploy')).toBe(1);
    const v6 = await registry.getVersion('rb', 6);
    expect(v6?.deployments.at(-1)).toMatchObject({ status: 'rolled_back' });
  });

  it('a rollback whose activity died after moving the alias is finished by its retry; the alias moved once', async () => {
    await deployed('rb-kill', 1);
    await deployed('rb-kill', 2);
    const result = await rollback('rb-kill', { reason: 'killed halfway' });
    expect(crashes).toBe(1);
    expect(result).toMatchObject({ rolledBack: { version: 2 }, live: { version: 1 }, aliasVersion: 1 });
    expect(await expectAgreement('rb-kill', 'after the retried rollback')).toBe(1);
    const key = `rollback/${result.rolledBack.deploymentId}`;
    const entries = (await readAuditEntries(defaultAuditLogPath(h.home))).filter((e) => e.model === 'rb-kill');
    expect(entries.filter((e) => e.data.idempotencyKey === `${key}/alias/champion`)).toHaveLength(1);
    expect(entries.filter((e) => e.kind === 'rollback')).toHaveLength(1);
    expect(entries.at(-1)).toMatchObject({ kind: 'deployment', version: 1 });
    const history = await h.client.temporal.workflow.getHandle('rollout:rb-kill').fetchHistory();
    const attempts = history.events
      ?.filter((e) => e.activityTaskStartedEventAttributes)
      .map((e) => e.activityTaskStartedEventAttributes?.attempt);
    expect(attempts).toContain(2);
  });
});
