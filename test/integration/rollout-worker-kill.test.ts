/**
 * A rollout survives its worker: the worker runs as its own process (`slipway worker`) and is killed with SIGKILL
 * while a canary bakes at its second step, with loopback traffic flowing the whole time. Another worker picks the
 * saga up from its history: the rollout goes on to 100 % and promotes, no request fails, the alias moves once, and
 * the registry's champion names the version the server serves.
 */
import { createModelServerClient, type ModelRegistry } from '@slipway/activities';
import type { TrainAndPromoteResult } from '@slipway/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import type { Child } from '../support/processes.js';
import { startWorkerProcess } from '../support/worker-process.js';
import { expectAgreement, trafficUntil } from '../support/rollout-traffic.js';
import { eventually, waitForGate } from '../support/waits.js';

const MODEL = 'rollout-survivor';

let h: Harness;
let registry: ModelRegistry;
const workers: Child[] = [];

beforeAll(async () => {
  h = await startHarness({ name: 'rollout-kill', worker: false });
  registry = openConfiguredRegistry(h.config);
}, 300_000);
afterAll(async () => {
  for (const w of workers) w.process.kill('SIGKILL');
  await registry?.close();
  await h?.stop();
});

function startWorker(): Child {
  const child = startWorkerProcess(h);
  workers.push(child);
  return child;
}

async function approvedRun(rollout?: object): Promise<string> {
  const input = { ...churnInput({ serverUrl: h.modelServer.url, modelName: MODEL }), ...(rollout ? { rollout } : {}) };
  const { runId } = await h.client.start('trainAndPromote', input);
  await waitForGate(h.client, runId);
  await h.client.approve(runId, { as: 'maria', comment: 'roll it out' });
  return runId;
}

it('SIGKILL of the worker mid-rollout: another worker continues the saga to the promotion, no request fails', async () => {
  const first = startWorker();
  const v1 = await h.client.result<TrainAndPromoteResult>(await approvedRun());
  expect(v1.status).toBe('deployed');

  const plan = { strategy: 'canary', bakeTime: '2s', guards: { minRequests: 10 }, deadline: '10m' };
  const runId = await approvedRun(plan);
  const done = h.client.result<TrainAndPromoteResult>(runId);
  const traffic = trafficUntil(h.modelServer.url, MODEL, done);

  await eventually(
    'the rollout baking its second step',
    async () => {
      const state = await h.client.rolloutStatus(MODEL).catch(() => undefined);
      return state?.phase === 'baking' && state.step === 1 ? state : undefined;
    },
    180_000,
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\nworker output:\n${first.output().slice(-4000)}`);
  });
  first.process.kill('SIGKILL');
  expect(await first.exited).toBeNull();
  // With no worker, nothing answers the rollout's Query; the server still holds the step's split.
  const split = await createModelServerClient(h.modelServer.url).status(MODEL);
  // Killed mid-way (at 50 %, or just after the next step set 100 %): version 2 is the candidate, not yet promoted.
  expect(split.candidate?.version).toBe(2);
  expect(split.weights.candidate).toBeGreaterThanOrEqual(50);
  expect(await expectAgreement(registry, h.modelServer.url, MODEL, 'with the worker dead')).toBe(1);

  startWorker();
  const [counts, result] = await Promise.all([traffic, done]);
  expect(result).toMatchObject({ status: 'deployed', deployment: { version: 2, previousVersion: 1 } });
  const records = result.rollout?.records ?? [];
  expect(records.filter((r) => r.verdict === 'breach')).toEqual([]);
  expect([...new Set(records.filter((r) => r.verdict === 'pass').map((r) => r.percent))]).toEqual([10, 50, 100]);
  expect(counts.failed).toBe(0);
  expect(counts.byVersion.get(1)).toBeGreaterThan(0);
  expect(counts.byVersion.get(2)).toBeGreaterThan(0);
  expect(await expectAgreement(registry, h.modelServer.url, MODEL, 'after the promotion')).toBe(2);
  const v2 = await registry.getVersion(MODEL, 2);
  expect(v2?.deployments.filter((d) => d.status === 'deployed')).toHaveLength(1);
  // The worker that took over retired v1 after the drain, once.
  const replaced = await registry.getVersion(MODEL, 1);
  expect(replaced?.deployments.map((d) => d.status)).toEqual(['deployed', 'retired']);
  expect(result.rollout?.retirement).toMatchObject({ retired: { version: 1 }, kept: null });
}, 600_000);
