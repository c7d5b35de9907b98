/**
 * Durability: a worker killed with SIGKILL in the middle of training. A second worker picks the run up,
 * the train step resumes from its last heartbeat checkpoint, and the run finishes with exactly one
 * registered version.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TrainAndPromoteResult } from '@slipway/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { churnInput, DATA_DIR } from '../../examples/churn/src/input.js';
import { startHarness, type Harness } from '../support/harness.js';
import type { Child } from '../support/processes.js';
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

/** The churn data repeated ten times (20,000 rows, renumbered), so training takes seconds, not milliseconds. */
async function biggerDataset(): Promise<string> {
  const [header, ...rows] = (await readFile(join(DATA_DIR, 'churn.csv'), 'utf8')).trimEnd().split('\n');
  const path = join(h.data, 'churn-x10.csv');
  // Each copy gets its own customer ids, so the expectations (one row per customer) still hold.
  const copies = Array.from({ length: 10 }, () => rows).flat();
  const renumbered = copies.map((row, i) => row.replace(/^C\d{5}/, `C${String(i + 1).padStart(5, '0')}`));
  await writeFile(path, [header, ...renumbered].join('\n') + '\n');
  return path;
}

/** The train activity's last heartbeat details, if it is running and has reported a checkpoint. */
async function trainCheckpointEpoch(runId: string): Promise<number | undefined> {
  const description = await h.client.temporal.workflow.getHandle(runId).describe();
  const pending = description.raw.pendingActivities?.find((a) => a.activityType?.name === 'slipway.train');
  const payload = pending?.heartbeatDetails?.payloads?.[0]?.data;
  if (!payload) return undefined;
  const details = JSON.parse(Buffer.from(payload).toString('utf8')) as { phase?: string; epoch?: number };
  return details.phase === 'train' && (details.epoch ?? 0) > 0 ? details.epoch : undefined;
}

it('a worker killed mid-training is replaced; training resumes; exactly one version is registered', async () => {
  const first = startWorker();
  const input = {
    ...churnInput({
      serverUrl: h.modelServer.url,
      modelName: 'survivor',
      params: { epochs: EPOCHS, learningRate: 0.2, l2: 0.001 },
    }),
    dataset: { uri: pathToFileURL(await biggerDataset()).href },
    stepOptions: { train: { heartbeatTimeout: '2s', retry: { initialInterval: '500ms' } } },
  };
  const { runId } = await h.client.start('trainAndPromote', input);
  const epochAtKill = await eventually(
    'a training checkpoint heartbeat',
    () => trainCheckpointEpoch(runId),
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
