/**
 * Rollouts end to end: `trainAndPromote` with a rollout plan on a real dev server, a real worker with the real rollout
 * activities and a real model server, with bounded loopback traffic (about 50 requests a second while the rollout
 * runs). A healthy canary goes 10 → 50 → 100 with zero failed requests and both versions answering on the way; a
 * candidate that gets no traffic holds, then is rolled back at the deadline. After every step the registry's
 * `champion` alias names the version the server serves as stable; after the drain the replaced version is retired.
 */
import { createModelServerClient, type ModelRegistry } from '@slipway/activities';
import type { RolloutState, TrainAndPromoteResult } from '@slipway/sdk';
import { ClientErrorCode } from '@slipway/sdk/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { clientError } from '../support/failures.js';
import {
  CHURN_CUSTOMER as customer,
  expectAgreement as expectAgreementOn,
  expectHealthyCanary,
  trafficUntil as trafficTo,
} from '../support/rollout-traffic.js';
import { eventually, waitForGate } from '../support/waits.js';

let h: Harness;
let registry: ModelRegistry;

beforeAll(async () => {
  h = await startHarness({ name: 'rollout-canary', workflowBundle: await bundle() });
  registry = openConfiguredRegistry(h.config);
}, 300_000);
afterAll(async () => {
  await registry?.close();
  await h?.stop();
});

/** The registry's champion and the server's stable version agree (both absent counts as agreeing). */
function expectAgreement(model: string, when: string): Promise<number | undefined> {
  return expectAgreementOn(registry, h.modelServer.url, model, when);
}

function trafficUntil(model: string, done: Promise<unknown>) {
  return trafficTo(h.modelServer.url, model, done);
}

/**
 * Follows the rollout of `model`, checking agreement each time its step or phase changes (outside the promote and
 * compensate activities), until it ends.
 */
async function followRollout(model: string, done: Promise<unknown>): Promise<RolloutState[]> {
  const seen: RolloutState[] = [];
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  while (!finished) {
    const state = await h.client.rolloutStatus(model).catch(() => undefined);
    const last = seen.at(-1);
    if (state && (state.step !== last?.step || state.phase !== last?.phase)) {
      seen.push(state);
      // Between steps, not inside the promote or compensate activity (which moves the server, then the alias).
      if (state.phase !== 'promoting' && state.phase !== 'compensating') {
        await expectAgreement(model, `at step ${state.step} (${state.phase})`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return seen;
}

async function approvedRun(model: string, rollout?: object): Promise<string> {
  const input = { ...churnInput({ serverUrl: h.modelServer.url, modelName: model }), ...(rollout ? { rollout } : {}) };
  const { runId } = await h.client.start('trainAndPromote', input);
  await waitForGate(h.client, runId);
  await h.client.approve(runId, { as: 'maria', comment: 'roll it out' });
  return runId;
}

describe('rollouts against a real model server', () => {
  it('takes a healthy canary 10 → 50 → 100 with zero failed requests; the alias follows the server', async () => {
    const first = await h.client.result<TrainAndPromoteResult>(await approvedRun('canary-real'));
    expect(first.status).toBe('deployed');
    expect(await expectAgreement('canary-real', 'after v1')).toBe(1);

    const plan = { strategy: 'canary', bakeTime: '2s', guards: { minRequests: 10 }, deadline: '10m', drain: '1s' };
    const runId = await approvedRun('canary-real', plan);
    const done = h.client.result<TrainAndPromoteResult>(runId);
    const [traffic, states, result] = await Promise.all([
      trafficUntil('canary-real', done),
      followRollout('canary-real', done),
      done,
    ]);
    expectHealthyCanary(result, traffic);
    expect(states.length).toBeGreaterThan(1);
    expect(await expectAgreement('canary-real', 'after the promotion')).toBe(2);
    // After the drain v1 is retired: on record, with what replaced it; the server keeps only v2 live.
    const v1 = (await registry.getVersion('canary-real', 1))?.deployments ?? [];
    expect(v1.map((d) => d.status)).toEqual(['deployed', 'retired']);
    const [deployed, retired] = v1;
    expect(retired?.deploymentId).toBe(deployed?.deploymentId);
    expect(retired?.detail).toBe(
      `replaced by v2 (${result.rollout?.deploymentId}) in rollout:canary-real; retired after the 1s drain`,
    );
    expect(result.rollout?.retirement).toEqual({
      retired: { version: 1, deploymentId: deployed?.deploymentId },
      kept: null,
    });
    const status = await createModelServerClient(h.modelServer.url).status('canary-real');
    expect(status).toMatchObject({ stable: { version: 2 }, candidate: null });
  });

  it('holds a candidate that gets no traffic, then rolls it back at the deadline; stable keeps serving', async () => {
    const plan = { strategy: 'canary', bakeTime: '1s', guards: { minRequests: 10 }, deadline: '6s' };
    const runId = await approvedRun('canary-real', plan);
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result.status).toBe('rolled_back');
    expect(result.rollout?.reason).toContain('still held at the deadline');
    expect(result.rollout?.live?.version).toBe(2);
    expect(await expectAgreement('canary-real', 'after the rollback')).toBe(2);
    const answer = await createModelServerClient(h.modelServer.url).predict('canary-real', [customer]);
    expect(answer.version).toBe(2);
  });

  it("is commanded by the policy's approvers only: pause, resume, abort; an outsider is refused", async () => {
    const plan = { strategy: 'canary', bakeTime: '1s', guards: { minRequests: 10 }, deadline: '10m' };
    const runId = await approvedRun('canary-real', plan);
    await eventually('the rollout holding its first step', async () => {
      const state = await h.client.rolloutStatus('canary-real').catch(() => undefined);
      return state?.phase === 'baking' && state.records.some((r) => r.verdict === 'hold') ? state : undefined;
    });
    const say = (command: 'pause' | 'resume' | 'abort', as: string) =>
      h.client.rolloutCommand('canary-real', command, { as, reason: `${command} in the test` });
    expect((await clientError(say('abort', 'eve'))).code).toBe(ClientErrorCode.OperatorNotAllowed);
    expect((await say('pause', 'lee')).pausedBy).toBe('lee: pause in the test');
    expect((await say('resume', 'maria')).pausedBy).toBeNull();
    await say('abort', 'maria');
    const result = await h.client.result<TrainAndPromoteResult>(runId);
    expect(result).toMatchObject({ status: 'rolled_back', rollout: { reason: 'aborted by maria: abort in the test' } });
    expect(await expectAgreement('canary-real', 'after the abort')).toBe(2);
  });
});
