/**
 * A failed deploy keeps its approval, on a real Temporal dev server, worker, registry and model server: the churn
 * pipeline's version is approved while the model server is stopped, the deploy fails after its retries, and the run
 * does not fail: it shows `waiting for an operator: deploy failed (…)` and waits. An outsider's signed retry is
 * refused; once the server is back, an approver's `deploy retry` deploys with the same approval (registry and server
 * agree), and `slipway deploy abort` ends a run `deploy_aborted` with nothing serving changed; a rollout child that
 * cannot stage waits the same way. The retried run is the replay fixture
 * `train-and-promote-deploy-retried-deployed-generation-2.json` (its patch generation's one marker replays;
 * `…-generation-1.json` is the same run recorded with generation 1's marker, and
 * `train-and-promote-deploy-retried-deployed.json` before patch generations).
 */
import type { ModelRegistry } from '@slipway/activities';
import { failureType, rootMessage, type RunProgress, type TrainAndPromoteResult } from '@slipway/sdk';
import { SlipwayClientError } from '@slipway/sdk/client';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { LATEST_PATCH_GENERATION } from '../../packages/sdk/src/workflow/patches.js';
import { cliSession } from '../support/cli-session.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { machineValues, recordFixture } from '../support/record-history.js';
import { expectAgreement } from '../support/rollout-traffic.js';
import { eventually, waitForGate } from '../support/waits.js';

const MODEL = 'churn-wait';
let h: Harness;
let registry: ModelRegistry;
let workflowBundle: { code: string };

/** The churn pipeline for MODEL; its deploy gives up after 2 quick attempts (a server down longer than that). */
function input() {
  return {
    ...churnInput({ serverUrl: h.modelServer.url, modelName: MODEL }),
    stepOptions: { deploy: { retry: { maximumAttempts: 2, initialInterval: '200ms' } } },
  };
}

/** Starts a run and approves it (maria) while the model server is stopped. */
async function approvedWhileServerDown(more: object = {}): Promise<string> {
  const { runId } = await h.client.start('trainAndPromote', { ...input(), ...more });
  await waitForGate(h.client, runId);
  await h.modelServerControl.stop();
  await h.client.approve(runId, { as: 'maria', comment: 'good enough' });
  return runId;
}

/** Waits until the run waits for an operator, and answers its progress. */
function waitingForOperator(runId: string): Promise<RunProgress> {
  return eventually(`run ${runId} waiting for an operator`, async () => {
    const progress = (await h.client.status(runId)).progress;
    return progress?.deployWait?.phase === 'waiting' ? progress : undefined;
  });
}

async function refusalOf(promise: Promise<unknown>): Promise<SlipwayClientError> {
  const err = await promise.then(
    () => expect.fail('expected a refusal'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SlipwayClientError);
  return err as SlipwayClientError;
}

beforeAll(async () => {
  workflowBundle = await bundle();
  h = await startHarness({ name: 'deploy-wait', workflowBundle });
  registry = openConfiguredRegistry(h.config);
  // v1 serves as the champion, deployed the ordinary way.
  const { runId } = await h.client.start('trainAndPromote', input());
  await waitForGate(h.client, runId);
  await h.client.approve(runId, { as: 'maria', comment: 'first version' });
  const first = await h.client.result<TrainAndPromoteResult>(runId);
  expect(first).toMatchObject({ status: 'deployed', deployment: { version: 1 } });
}, 300_000);
afterAll(async () => {
  await registry?.close();
  await h?.stop();
});

describe('a deploy that fails after the gate approved', () => {
  it('waits for an operator; an outsider is refused; an approver’s retry deploys with the same approval', async () => {
    const runId = await approvedWhileServerDown();
    const progress = await waitingForOperator(runId);
    const deploy = progress.steps.find((s) => s.step === 'deploy');
    expect(deploy?.status).toBe('running');
    expect(deploy?.summary).toContain('waiting for an operator: deploy failed (');
    expect(progress.deployWait).toMatchObject({ model: MODEL, version: 2, operators: ['maria', 'lee'] });
    expect(progress.deployWait?.failures[0]?.type).toBe('SlipwayModelServerUnreachable');
    expect((await h.client.status(runId)).status).toBe('RUNNING');
    // Nothing changed while it waits: the champion is still v1; the registry records the failed deploy.
    expect((await registry.resolve(MODEL, 'champion'))?.version).toBe(1);
    const failed = await eventually('the failed deploy on record', async () =>
      (await registry.getVersion(MODEL, 2))?.deployments.find((d) => d.status === 'failed'),
    );
    expect(failed).toMatchObject({ alias: 'champion', previousVersion: 1, serverUrl: h.modelServer.url });
    expect(failed.detail).toContain('deploy failed after its retries; waiting for an operator: ');

    const outsider = await refusalOf(h.client.deployCommand(runId, 'retry', { as: 'eve', reason: 'let me' }));
    expect(outsider.code).toBe('OperatorNotAllowed');
    expect(outsider.message).toContain("eve may not command this run's deploy");

    await h.modelServerControl.start();
    const retrying = await h.client.deployCommand(runId, 'retry', { as: 'lee', reason: 'the server is back' });
    expect(retrying.phase).toBe('retrying');
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result).toMatchObject({ status: 'deployed', deployment: { version: 2, previousVersion: 1 } });
    await expectAgreement(registry, h.modelServer.url, MODEL, 'after the retried deploy');
    expect((await registry.resolve(MODEL, 'champion'))?.version).toBe(2);
    const after = (await h.client.status(runId)).progress;
    expect(after?.deployWait).toMatchObject({ phase: 'deployed', commands: [{ command: 'retry', operator: 'lee' }] });
    expect(after?.steps.find((s) => s.step === 'deploy')).toMatchObject({ status: 'completed' });
    // A command after the run deployed is refused: it no longer waits.
    const late = await refusalOf(h.client.deployCommand(runId, 'abort', { as: 'maria', reason: 'too late' }));
    expect(late.code).toBe('NotWaiting');

    // The run as a replay fixture: its patch generation's marker and the waited-for Update replay as they ran (the
    // fixture of the same run recorded before patch generations, with its own deploy-waits marker, replays too).
    const history = await h.client.temporal.workflow.getHandle(runId).fetchHistory();
    const fixture = await recordFixture(h, history, 'train-and-promote-deploy-retried-deployed-generation-2.json');
    for (const machine of machineValues(h)) expect(fixture.json, machine).not.toContain(machine);
    const patches = (fixture.history.events ?? []).flatMap((e) =>
      Object.values(e.markerRecordedEventAttributes?.details ?? {}).flatMap((d) =>
        (d.payloads ?? []).map((p) => Buffer.from(p.data ?? new Uint8Array()).toString('utf8')),
      ),
    );
    expect(patches.join('\n')).toContain(LATEST_PATCH_GENERATION);
    expect(fixture.json).toContain('"name": "slipway.deploy.command"');
    await expect(Worker.runReplayHistory({ workflowBundle }, fixture.history, runId)).resolves.toBeUndefined();
  });

  it('ends deploy_aborted on an approver’s abort, with nothing serving changed', async () => {
    const before = await expectAgreement(registry, h.modelServer.url, MODEL, 'before the aborted run');
    const runId = await approvedWhileServerDown();
    await waitingForOperator(runId);
    await h.modelServerControl.start();
    // An unsigned abort sent past the client is refused by the run itself, writing nothing.
    const unsigned = await h.client.temporal.workflow
      .getHandle(runId)
      .executeUpdate('slipway.deploy.command', { args: [{ command: 'abort', operator: 'maria', reason: 'x' }] })
      .then(
        () => expect.fail('expected a refusal'),
        (e: unknown) => e as Error,
      );
    expect(rootMessage(unsigned)).toContain('is not signed');
    expect(failureType(unsigned)).toBe('SlipwayUnsignedDeployCommand');
    // Through the built CLI: `slipway deploy abort <runId> --as maria --reason …`, signed with maria's key.
    const cli = await cliSession(h);
    const aborted = await cli.slipway([
      'deploy',
      'abort',
      runId,
      '--as',
      'maria',
      '--reason',
      'we will ship the next version instead',
    ]);
    expect(aborted.code, aborted.output).toBe(0);
    expect(aborted.output).toContain('deploy abort by maria accepted');
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result).toMatchObject({
      status: 'deploy_aborted',
      deployment: null,
      deployAbort: { command: 'abort', operator: 'maria', reason: 'we will ship the next version instead' },
    });
    expect(await expectAgreement(registry, h.modelServer.url, MODEL, 'after the abort')).toBe(before);
    const deploy = (await h.client.status(runId)).progress?.steps.find((s) => s.step === 'deploy');
    expect(deploy).toMatchObject({ status: 'completed' });
    expect(deploy?.summary).toContain('aborted by maria');
  });

  it('waits the same way when the rollout child cannot stage; a retry rolls the version out', async () => {
    const before = await expectAgreement(registry, h.modelServer.url, MODEL, 'before the rollout');
    // The rollout's stage step keeps its own retry policy (5 attempts): the child fails once they are spent.
    const runId = await approvedWhileServerDown({ rollout: { strategy: 'blueGreen' } });
    const progress = await waitingForOperator(runId);
    expect(progress.steps.find((s) => s.step === 'deploy')?.summary).toContain(
      'waiting for an operator: deploy failed (',
    );
    expect((await registry.resolve(MODEL, 'champion'))?.version).toBe(before);
    await h.modelServerControl.start();
    await h.client.deployCommand(runId, 'retry', { as: 'maria', reason: 'the server is back' });
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result).toMatchObject({ status: 'deployed', rollout: { status: 'promoted' } });
    expect(await expectAgreement(registry, h.modelServer.url, MODEL, 'after the retried rollout')).toBe(
      result.version.version,
    );
  });
});
