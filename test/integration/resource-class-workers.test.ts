/**
 * Resource-class workers against a real Temporal dev server: a "CPU" worker serving the pipelines and every step
 * but training, and a "GPU" worker (`slipway worker --steps train --task-queue <gpu queue>`, a child process) that
 * the run's input routes training to. History shows where each step ran. Then SIGTERM on the GPU worker while it
 * trains: it drains (the training finishes on it, once) and exits 0. Every kind of start (a built-in pipeline by name,
 * deploy, rollback, the guardian) carries the client's default step queues in the input it signed.
 */
import { pathToFileURL } from 'node:url';
import {
  SigningDomain,
  builtinSteps,
  rolloutWorkflowId,
  startInputDigest,
  startPayload,
  trainAndPromote,
  verifyPayload,
  type TrainAndPromoteResult,
} from '@slipway/sdk';
import { ClientErrorCode, SlipwayClient } from '@slipway/sdk/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { createSlipwayWorker, type SlipwayWorker } from '../../packages/worker/src/worker/create-worker.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { SLIPWAY_CLI, spawnNode, type Child } from '../support/processes.js';
import { biggerChurnDataset, trainCheckpointEpoch } from '../support/training-load.js';
import { startInputOf } from '../support/start-input.js';
import { eventually, waitForGate } from '../support/waits.js';
import { guardianInput } from './guardian/fixtures.js';

let h: Harness;
let cpu: SlipwayWorker;
let cpuRunning: Promise<void>;
let gpuQueue: string;
const children: Child[] = [];
const CPU_IDENTITY = 'cpu-worker';

beforeAll(async () => {
  h = await startHarness({ name: 'queues', worker: false });
  gpuQueue = `${h.config.taskQueue}-gpu`;
  // The CPU worker: the pipelines and every built-in step except training.
  cpu = await createSlipwayWorker({
    config: h.config,
    workflowBundle: await bundle(),
    steps: Object.keys(builtinSteps).filter((step) => step !== 'train'),
    identity: CPU_IDENTITY,
    workerOptions: { shutdownGraceTime: '1s' },
  });
  cpuRunning = cpu.run();
});
afterAll(async () => {
  for (const child of children) child.process.kill('SIGKILL');
  cpu?.shutdown();
  await cpuRunning;
  await h?.stop();
});

/** `slipway worker --steps train` on the GPU queue, as a child process; resolves once it polls. */
async function startGpuWorker(): Promise<Child> {
  const { config } = h;
  const child = spawnNode(
    SLIPWAY_CLI,
    [
      ...['--address', config.temporal.address, '--home', config.home],
      ...['worker', '--steps', 'train', '--task-queue', gpuQueue, '--shutdown-grace', '10m'],
    ],
    { SLIPWAY_DATA_ROOTS: config.data.roots.join(','), SLIPWAY_MODEL_SERVER: config.modelServer.url },
  );
  children.push(child);
  await eventually('the GPU worker polling', () => {
    if (child.process.exitCode !== null) throw new Error(`the GPU worker exited:\n${child.output()}`);
    // The banner's last line: the lines before it (what it serves) are out too.
    return Promise.resolve(/directory of people/.test(child.output()) ? true : undefined);
  });
  return child;
}

/** One activity of a run, from its history: type, the queue it was scheduled on, who ran it, how it ended. */
interface ActivityRun {
  type: string;
  queue: string;
  identity?: string;
  attempt?: number;
  completed: boolean;
}

/** Every activity a run scheduled, in order, with the worker identity that ran its last attempt. */
async function activityRuns(runId: string): Promise<ActivityRun[]> {
  const events = (await h.client.temporal.workflow.getHandle(runId).fetchHistory()).events ?? [];
  const runs = new Map<string, ActivityRun>();
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const run = {
        type: scheduled.activityType?.name ?? '',
        queue: scheduled.taskQueue?.name ?? '',
        completed: false,
      };
      runs.set(String(event.eventId), run);
    }
    const started = event.activityTaskStartedEventAttributes;
    const run = started && runs.get(String(started.scheduledEventId));
    if (started && run) Object.assign(run, { identity: started.identity ?? '', attempt: started.attempt ?? 0 });
    const completed = event.activityTaskCompletedEventAttributes;
    const done = completed && runs.get(String(completed.scheduledEventId));
    if (done) done.completed = true;
  }
  return [...runs.values()];
}

/** The train step as history shows it when it ran once, on the GPU queue, on `gpu`, and completed. */
const trainedOnce = (gpu: Child) => [
  {
    type: 'slipway.train',
    queue: gpuQueue,
    identity: expect.stringMatching(`^${gpu.process.pid}@`),
    attempt: 1,
    completed: true,
  },
];

const input = (modelName: string) => churnInput({ serverUrl: h.modelServer.url, modelName });

it('a pipeline spans the CPU worker and the GPU worker: training on the GPU queue, the rest on the CPU one', async () => {
  const gpu = await startGpuWorker();
  expect(gpu.output()).toContain('no workflows');
  // The route comes from the client's default step queues (`stepQueues` in slipway.config.json for the CLI): the
  // input names no queue, the client writes it in before it signs the start.
  const client = await SlipwayClient.connect({
    address: h.config.temporal.address,
    taskQueue: h.config.taskQueue,
    user: 'ci-bot',
    keys: { keysDir: h.people!.keysDir },
    stepQueues: { train: gpuQueue },
  });
  const { runId } = await client.start(trainAndPromote, input('spanned')).finally(() => client.close());
  await waitForGate(h.client, runId);
  await h.client.approve(runId, { as: 'maria' });
  const result = await h.client.result<TrainAndPromoteResult>(runId);
  expect(result.status).toBe('deployed');

  const runs = await activityRuns(runId);
  expect(runs.filter((r) => r.type === 'slipway.train')).toEqual(trainedOnce(gpu));
  const others = runs.filter((r) => r.type !== 'slipway.train');
  expect(others.map((r) => r.type)).toEqual(
    expect.arrayContaining(['slipway.validate', 'slipway.register', 'slipway.deploy']),
  );
  for (const run of others) {
    expect(run, run.type).toMatchObject({ queue: h.config.taskQueue, identity: CPU_IDENTITY, completed: true });
  }
  gpu.process.kill('SIGTERM');
  expect(await gpu.exited).toBe(0);
});

it('SIGTERM on a busy GPU worker drains: the training in flight finishes there, once, and the worker exits 0', async () => {
  // This worker is the only one on the GPU queue (one a failed test left behind would take the training).
  for (const child of children.splice(0)) {
    child.process.kill('SIGKILL');
    await child.exited;
  }
  const gpu = await startGpuWorker();
  const { runId } = await h.client.start('trainAndPromote', {
    ...input('drained'),
    // The route comes from the input.
    params: { epochs: 8000, learningRate: 0.2, l2: 0.001 },
    dataset: { uri: pathToFileURL(await biggerChurnDataset(h.data)).href },
    // Frequent heartbeats, so the test sees training under way before it stops the worker.
    stepOptions: { train: { taskQueue: gpuQueue, heartbeatTimeout: '2s' } },
  });
  await eventually('a training checkpoint heartbeat', () => trainCheckpointEpoch(h.client, runId), 120_000);
  gpu.process.kill('SIGTERM');
  expect(await gpu.exited, gpu.output()).toBe(0);
  expect(gpu.output()).toMatch(/SIGTERM: stopped polling; draining in-flight activities \(up to 10m\)/);
  expect(gpu.output()).toContain('worker stopped');

  // The run goes on past training (on the CPU worker) to its gate: the drained attempt's result was recorded.
  await waitForGate(h.client, runId);
  const train = (await activityRuns(runId)).filter((r) => r.type === 'slipway.train');
  expect(train).toEqual(trainedOnce(gpu));
  await h.client.terminate(runId, 'test done');
});

/** The task queue of each step a run's start routes (`stepOptions.<step>.taskQueue`). */
const queuesOf = (input: unknown) =>
  Object.fromEntries(
    Object.entries((input as { stepOptions?: Record<string, { taskQueue?: string }> }).stepOptions ?? {}).map(
      ([step, options]) => [step, options.taskQueue],
    ),
  );

/** The input run `runId` of `pipeline` was started with, after checking that its start signature covers it. */
async function signedStartInput(runId: string, pipeline: string): Promise<Record<string, unknown>> {
  const { start, ...input } = await startInputOf(h.client, runId);
  const signed = start as { signer: string; at: string; signature: string };
  const payload = startPayload(signed, { pipeline, workflowId: runId, inputDigest: startInputDigest(input) });
  const publicKey = h.people!.keys[signed.signer]!.publicKey;
  expect(verifyPayload(SigningDomain.start, publicKey, payload, signed.signature), runId).toBe(true);
  return input;
}

it("every start carries the client's default step queues in the input it signs: by name, deploy, rollback, guardian", async () => {
  // No worker polls this queue: the runs wait there, and their history holds what was started.
  const idle = { taskQueue: `${h.config.taskQueue}-idle` };
  const client = await SlipwayClient.connect({
    address: h.config.temporal.address,
    taskQueue: h.config.taskQueue,
    user: 'ci-bot',
    keys: { keysDir: h.people!.keysDir },
    stepQueues: { train: gpuQueue, deploy: 'q-deploy', rollback: 'q-rollback', guardCheck: 'q-guard' },
  });
  const started: string[] = [];
  try {
    const byName = await client.start('trainAndPromote', input('routed-by-name'), idle);
    const custom = await client.start('scoreNightly', { stepOptions: { train: {} } }, idle);
    const deploy = await client.deploy(
      { model: 'routed-deploy', version: 1, deploy: { serverUrl: h.modelServer.url } },
      idle,
    );
    const guarded = guardianInput('routed-guard', h.modelServer.url);
    const retrain = { ...guarded.retrain.input, stepOptions: { deploy: { taskQueue: 'own-deploy' } } };
    const guard = await client.guard.start({ ...guarded, retrain: { input: retrain } }, idle);
    started.push(byName.runId, custom.runId, deploy.runId, guard.runId);
    const rollbackId = rolloutWorkflowId('routed-rollback');
    const rollback = client
      .rollback('routed-rollback', { as: 'maria', reason: 'routing', serverUrl: h.modelServer.url, ...idle })
      .catch((err: unknown) => err);
    await eventually('the rollback started', () =>
      h.client.status(rollbackId).then(
        () => true,
        () => undefined,
      ),
    );
    started.push(rollbackId);

    expect(queuesOf(await signedStartInput(byName.runId, 'trainAndPromote'))).toEqual({
      train: gpuQueue,
      deploy: 'q-deploy',
    });
    expect(await signedStartInput(custom.runId, 'scoreNightly')).toEqual({
      stepOptions: { train: {} },
      startedBy: 'ci-bot',
    });
    expect(queuesOf(await signedStartInput(deploy.runId, 'deployVersion'))).toEqual({ deploy: 'q-deploy' });
    expect(queuesOf(await signedStartInput(rollbackId, 'rollbackModel'))).toEqual({ rollback: 'q-rollback' });
    const guardian = await signedStartInput(guard.runId, 'modelGuardian');
    expect(queuesOf(guardian)).toEqual({ guardCheck: 'q-guard' });
    // The retrain the guardian starts carries the routes its starter signed; its own route wins.
    expect(queuesOf((guardian.retrain as { input: unknown }).input)).toEqual({ train: gpuQueue, deploy: 'own-deploy' });

    for (const runId of started.splice(0)) await h.client.terminate(runId, 'test done');
    expect(await rollback).toMatchObject({ code: ClientErrorCode.RollbackFailed });
  } finally {
    for (const runId of started) await h.client.terminate(runId, 'test done').catch(() => undefined);
    await client.close();
  }
});
