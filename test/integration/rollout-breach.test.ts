/**
 * A candidate that fails on part of the traffic, rolled out by `promoteVersion` with a canary plan on a real dev
 * server, worker, model server and the real rollout activities, under bounded loopback traffic: the error guard
 * breaches at the first step, no later step starts, traffic returns to stable, the version is recorded rolled back
 * with the reason, stable failed no request, and the registry's alias and the server agree. A slow candidate is
 * rolled back on the p99 guard the same way.
 */
import { createModelServerClient, type ModelRegistry } from '@slipway/activities';
import type { FeatureRow, PromoteVersionResult } from '@slipway/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openConfiguredArtifacts, openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { waitForGate } from '../support/waits.js';
import { ROLLOUT_PREDICTORS, failingModel, slowModel } from '../unit/rollout/rollout-fixtures.js';
import { logisticModel, registerModel, type TestWorld } from '../unit/serve/fixtures.js';

let h: Harness;
let registry: ModelRegistry;
let world: TestWorld;

beforeAll(async () => {
  h = await startHarness({ name: 'rollout-breach', workflowBundle: await bundle(), predictors: ROLLOUT_PREDICTORS });
  registry = openConfiguredRegistry(h.config);
  world = { root: h.home, artifacts: openConfiguredArtifacts(h.config), registry, close: () => registry.close() };
}, 300_000);
afterAll(async () => {
  await world?.close();
  await h?.stop();
});

/** Promotes a registered version through the gate (maria approves), with an optional rollout plan. */
async function promote(version: PromoteVersionResult['version'], rollout?: object): Promise<PromoteVersionResult> {
  const { runId } = await h.client.start('promoteVersion', {
    version,
    approval: { approvers: ['maria'] },
    deploy: { serverUrl: h.modelServer.url },
    ...(rollout ? { rollout } : {}),
  });
  await waitForGate(h.client, runId);
  await h.client.approve(runId, { as: 'maria', comment: 'promote' });
  return h.client.result<PromoteVersionResult>(runId);
}

const ref = (r: { name: string; version: number; artifact: { digest: string } }) => ({
  name: r.name,
  version: r.version,
  digest: r.artifact.digest,
});

it('rolls back a candidate that errors on part of the traffic at the step where it breached', async () => {
  const v1 = await registerModel(world, 'flaky', logisticModel({ bias: 0, tenure: 0.5, basic: 0.2, pro: -0.2 }));
  expect((await promote(ref(v1.record))).status).toBe('deployed');
  // The candidate fails every request with a row whose tenure is above 30; its smoke check (typical rows) passes.
  const v2 = await registerModel(world, 'flaky', failingModel(30));
  const plan = { strategy: 'canary', bakeTime: '2s', guards: { minRequests: 10, maxErrorRate: 0.05 }, deadline: '5m' };
  const running = promote(ref(v2.record), plan);
  const client = createModelServerClient(h.modelServer.url);
  const failedBy = new Map<string, number>();
  let finished = false;
  void running.finally(() => (finished = true)).catch(() => undefined);
  for (let i = 0; !finished; i++) {
    const row: FeatureRow = { tenure: i % 2 === 0 ? 12 : 36, plan: 'basic' };
    const outcome = await client.predict('flaky', [row]).then(
      (a) => `ok v${a.version}`,
      () => 'failed',
    );
    failedBy.set(outcome, (failedBy.get(outcome) ?? 0) + 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const result = await running;
  expect(result.status).toBe('rolled_back');
  expect(result.deployment).toBeNull();
  expect(result.rollout?.reason).toContain('breach at step 1 (10 %)');
  expect(result.rollout?.reason).toContain('maxErrorRate');
  const breach = result.rollout?.records.at(-1);
  expect(breach).toMatchObject({ step: 0, percent: 10, verdict: 'breach' });
  // Stable's share never failed: every failure was the candidate's, counted in its window.
  expect(breach?.readings?.stable?.errors).toBe(0);
  expect(breach?.readings?.candidate.errors).toBeGreaterThan(0);
  expect(failedBy.get('ok v1')).toBeGreaterThan(0);
  // Traffic is back on stable, and the registry agrees with the server.
  const served = await client.status('flaky');
  expect(served.stable?.version).toBe(1);
  expect(served.candidate).toBeNull();
  expect((await registry.resolve('flaky', 'champion'))?.version).toBe(1);
  expect((await client.predict('flaky', [{ tenure: 36, plan: 'basic' }])).version).toBe(1);
  const candidate = await registry.getVersion('flaky', 2);
  expect(candidate?.deployments.at(-1)).toMatchObject({ status: 'rolled_back' });
});

it('rolls back a slow candidate on the p99 guard, with stable serving throughout', async () => {
  const v1 = await registerModel(world, 'sluggish', logisticModel({ bias: 0, tenure: 0.5, basic: 0.2, pro: -0.2 }));
  expect((await promote(ref(v1.record))).status).toBe('deployed');
  const v2 = await registerModel(world, 'sluggish', slowModel(150));
  const plan = { strategy: 'canary', bakeTime: '2s', guards: { minRequests: 5, maxP99Ms: 60 }, deadline: '5m' };
  const running = promote(ref(v2.record), plan);
  const client = createModelServerClient(h.modelServer.url);
  let failed = 0;
  let finished = false;
  void running.finally(() => (finished = true)).catch(() => undefined);
  while (!finished) {
    await client.predict('sluggish', [{ tenure: 12, plan: 'pro' }]).catch(() => (failed += 1));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const result = await running;
  expect(failed).toBe(0);
  expect(result.status).toBe('rolled_back');
  expect(result.rollout?.reason).toContain('maxP99Ms');
  expect(result.rollout?.records.at(-1)).toMatchObject({ step: 0, verdict: 'breach' });
  expect((await client.status('sluggish')).stable?.version).toBe(1);
  expect((await registry.resolve('sluggish', 'champion'))?.version).toBe(1);
});
