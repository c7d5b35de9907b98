/**
 * Durability: a worker killed with SIGKILL in the middle of training. A second worker picks the run up,
 * the train step resumes from its last heartbeat checkpoint, and the run finishes with exactly one
 * registered version.
 */
import { pathToFileURL } from 'node:url';
import type { TrainAndPromoteResult } from '@slipway/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { startHarness, type Harness } from '../support/harness.js';
import type { Child } from '../support/processes.js';
import { biggerChurnDataset, trainCheckpointEpoch } from '../support/training-load.js';
import { startWorkerProcess } from '../support/worker-process.js';
import { eventually, waitForGate } from '../support/waits.js';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';

/**
 * Enough epochs that training lasts several seconds even on a fast, idle machine: Temporal passes a heartbeat on
 * at most every 80 % of the heartbeat timeout (1.6 s here), and the test must see a checkpoint before it kills.
 */
const EPOCHS = 8000;
let h: Harness;
const workers: Child[] = [];

beforeAll(async () => {
  h = await startHarness({ name: 'crash', worker: false });
});
afterAll(async () => {
  for (const w of workers) w.process.kill('SIGKILL');
  await h?.stop();
});

function startWorker(): Child {
  const child = startWorkerProcess(h);
  workers.push(child);
  return child;
}

it('a worker killed mid-training is replaced; training resumes; exactly one version is registered', async () => {
  const first = startWorker();
  const input = {
    ...churnInput({
      serverUrl: h.modelServer.url,
      modelName: 'survivor',
      params: { epochs: EPOCHS, learningRate: 0.2, l2: 0.001 },
    }),
    dataset: { uri: pathToFileURL(await biggerChurnDataset(h.data)).href },
    stepOptions: { train: { heartbeatTimeout: '2s', retry: { initialInterval: '500ms' } } },
  };
  const { runId } = await h.client.start('trainAndPromote', input);
  const epochAtKill = await eventually(
    'a training checkpoint heartbeat',
    () => trainCheckpointEpoch(h.client, runId),
    120_000,
  ).catch(async (err: unknown) => {
    const steps = (await h.client.status(runId).catch(() => undefined))?.progress?.steps;
    throw new Error(`${String(err)}\nsteps: ${JSON.stringify(steps)}\nworker output:\n${first.output().slice(-4000)}`);
  });
  first.process.kill('SIGKILL');
  expect(await first.exited).toBeNull();

  startWorker();
  await waitForGate(h.client, runId);
  await h.client.approve(runId, { as: 'maria' });
  const result = await h.client.result<TrainAndPromoteResult>(runId);
  expect(result.status).toBe('deployed');

  const train = (await h.client.status(runId)).progress?.steps.find((s) => s.step === 'train');
  const resumedFrom = Number(/resumed from epoch (\d+)/.exec(train?.summary ?? '')?.[1]);
  expect(resumedFrom, `train summary: ${train?.summary}`).toBeGreaterThanOrEqual(epochAtKill);
  expect(resumedFrom).toBeLessThan(EPOCHS);

  const registry = openConfiguredRegistry(h.config);
  try {
    const versions = await registry.listVersions('survivor');
    expect(versions.map((v) => v.version)).toEqual([1]);
    expect(versions[0]?.lineage.workflowId).toBe(runId);
    // One tracking run for the train step across both workers, finished, holding one series with each epoch once.
    const runs = await registry.findRuns({ tags: { 'slipway.workflow_id': runId } });
    expect(runs.map((r) => [r.runId, r.status])).toEqual([[versions[0]?.trackingRunId, 'finished']]);
    const steps = (await registry.getMetricSeries(runs[0]?.runId ?? '', 'trainLoss')).map((p) => p.step);
    expect(steps[0]).toBe(0);
    expect(steps.at(-1)).toBe(EPOCHS);
    expect(steps.every((step, i) => i === 0 || step > (steps[i - 1] as number))).toBe(true);
    expect(steps.length).toBeGreaterThan(250);
    expect(steps.length).toBeLessThanOrEqual(501);
  } finally {
    await registry.close();
  }
});
