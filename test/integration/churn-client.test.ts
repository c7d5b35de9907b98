/**
 * The churn example's app code (`examples/churn/dist/client.js`) as a user runs it, configured by the
 * environment only: it starts `churnPipeline` through its contract, follows it to the gate with
 * `SlipwayClient.follow`, prints the evidence, approves, follows to the end and prints the typed result. The
 * example's own worker (its workflows and its `churn.segmentAuc` step) serves the run.
 */
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
// The built module: its workflows path points at the built workflows next to it.
import { createChurnWorker } from '../../examples/churn/dist/churn-worker.js';
import type { SlipwayWorker } from '../../packages/worker/src/worker/create-worker.js';
import { startHarness, type Harness } from '../support/harness.js';
import { spawnNode } from '../support/processes.js';

const CLIENT = join(resolve(import.meta.dirname, '..', '..'), 'examples', 'churn', 'dist', 'client.js');
let h: Harness;
let worker: SlipwayWorker;
let running: Promise<void>;

beforeAll(async () => {
  h = await startHarness({ name: 'churn-client', worker: false });
  worker = await createChurnWorker(h.config, { workerOptions: { shutdownGraceTime: '1s' } });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await h?.stop();
});

it('starts the churn pipeline, follows it to the gate, approves and prints the typed result', async () => {
  const client = spawnNode(CLIENT, ['--approve-as', 'maria'], {
    TEMPORAL_ADDRESS: h.config.temporal.address,
    TEMPORAL_NAMESPACE: h.config.temporal.namespace,
    SLIPWAY_TASK_QUEUE: h.config.taskQueue,
    SLIPWAY_MODEL_SERVER: h.modelServer.url,
    SLIPWAY_IDENTITY: 'ci-bot',
    // ci-bot's key signs the start, maria's the approval (keys made by the harness).
    ...h.people!.env,
  });
  const code = await client.exited;
  const output = client.output();
  expect(code, output).toBe(0);
  const runId = /^started (churnPipeline-\S+)$/m.exec(output)?.[1];
  expect(runId, output).toBeDefined();
  // Each step once, as follow reports it: to the gate, then (with what it saw) on to the end.
  for (const step of ['validate', 'train', 'segments', 'register', 'approval', 'deploy']) {
    expect(output.match(new RegExp(`^ {2}completed +${step} `, 'gm')), step).toHaveLength(1);
  }
  expect(output).toMatch(/^gate for churn v1: pending, until /m);
  expect(output).toMatch(/^ {2}auc +0\.\d{4} {2}champion —$/m);
  const result = JSON.parse(output.slice(output.indexOf('\n{') + 1)) as Record<string, unknown>;
  expect(result).toMatchObject({ status: 'deployed', model: 'churn', version: 1, approvedBy: ['maria'] });
  expect(result.segments).toEqual(expect.arrayContaining([expect.objectContaining({ segment: 'premium' })]));

  const status = await h.client.status(runId!);
  expect(status).toMatchObject({ pipeline: 'churnPipeline', status: 'COMPLETED' });
  expect(status.progress?.gate?.startedBy).toBe('ci-bot');
});
