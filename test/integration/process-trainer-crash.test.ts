/**
 * Trainer processes on the dev server, with workers run as `slipway worker` child processes whose configuration
 * names a Python trainer (on the `slipway_trainer` package):
 * - SIGKILL of the worker during training: the trainer's process group is gone soon after (its stdin closed), a
 *   second worker resumes the trainer from the last stored checkpoint (no step before it runs twice), and exactly
 *   one version is registered;
 * - a trainer that hangs is stopped at the heartbeat timeout and the retry resumes it.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TrainAndPromoteResult } from '@slipway/sdk';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { groupIsRunning } from '../../packages/activities/src/train/process/process-group.js';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { SLIPWAY_CLI, spawnNode, type Child } from '../support/processes.js';
import { ensurePythonTools } from '../support/python.js';
import { eventually, waitForGate } from '../support/waits.js';

const TRAINER = resolve(import.meta.dirname, '..', 'unit', 'train', 'fixtures', 'logit_trainer.py');
const FEATURES = { numeric: ['tenure_months', 'monthly_charges', 'support_calls'], categorical: [], target: 'churned' };

let h: Harness;
let project: string;
let stepLog: string;
const workers: Child[] = [];

beforeAll(async () => {
  const python = await ensurePythonTools();
  h = await startHarness({ name: 'ptrain', worker: false });
  project = await mkdtemp(join(tmpdir(), 'slipway-ptrain-project-'));
  stepLog = join(project, 'steps.log');
  // The worker's configuration names the trainer process; a run only names "py-logit".
  const trainers = {
    'py-logit': { command: [python, TRAINER], graceSeconds: 2, env: { TRAINER_STEP_LOG: stepLog } },
  };
  await writeFile(join(project, 'slipway.config.json'), JSON.stringify({ trainers }, null, 2));
}, 900_000);
afterAll(async () => {
  for (const w of workers) w.process.kill('SIGKILL');
  await h?.stop();
  if (project) await rm(project, { recursive: true, force: true });
});

function startWorkerProcess(): Child {
  const { config } = h;
  const child = spawnNode(
    SLIPWAY_CLI,
    [
      ...['--address', config.temporal.address, '--home', config.home, '--task-queue', config.taskQueue],
      // The run's prebuilt bundle, as `slipway bundle` writes it: no webpack at each (re)start.
      ...['worker', '--workflow-bundle', inject('builtinBundlePath')],
    ],
    { SLIPWAY_DATA_ROOTS: config.data.roots.join(','), SLIPWAY_MODEL_SERVER: config.modelServer.url, ...h.people!.env },
    project,
  );
  workers.push(child);
  return child;
}

function pipelineInput(modelName: string, params: Record<string, unknown>) {
  return {
    ...churnInput({ serverUrl: h.modelServer.url, modelName, params }),
    features: FEATURES,
    trainer: 'py-logit',
    task: 'binary' as const,
    stepOptions: { train: { heartbeatTimeout: '4s', retry: { initialInterval: '500ms' } } },
  };
}

/** The steps the trainer ran, in order, with the pid of the process that ran each. */
async function stepsRun(): Promise<{ pid: number; step: number }[]> {
  const text = await readFile(stepLog, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [pid, step] = line.split(' ').map(Number);
      return { pid: pid as number, step: step as number };
    });
}

/** The stored checkpoint the train activity's last heartbeat carries, if any. */
async function heartbeatCheckpoint(runId: string): Promise<{ step: number; digest: string } | undefined> {
  const description = await h.client.temporal.workflow.getHandle(runId).describe();
  const pending = description.raw.pendingActivities?.find((a) => a.activityType?.name === 'slipway.train');
  const payload = pending?.heartbeatDetails?.payloads?.[0]?.data;
  if (!payload) return undefined;
  const details = JSON.parse(Buffer.from(payload).toString('utf8')) as {
    checkpoint?: { step: number; digest: string };
  };
  return details.checkpoint;
}

async function trainSummary(runId: string): Promise<string> {
  const train = (await h.client.status(runId)).progress?.steps.find((s) => s.step === 'train');
  return train?.summary ?? '';
}

async function approveAndFinish(runId: string): Promise<TrainAndPromoteResult> {
  await waitForGate(h.client, runId);
  await h.client.approve(runId, { as: 'maria' });
  return h.client.result<TrainAndPromoteResult>(runId);
}

it('SIGKILL of the worker mid-training: the trainer goes too, another worker resumes it, one version', async () => {
  await rm(stepLog, { force: true });
  const first = startWorkerProcess();
  const { runId } = await h.client.start(
    'trainAndPromote',
    pipelineInput('py-survivor', { steps: 80, step_seconds: 0.2 }),
  );
  const checkpoint = await eventually(
    'a stored checkpoint in the train heartbeat',
    async () => {
      const found = await heartbeatCheckpoint(runId);
      return found !== undefined && found.step >= 5 ? found : undefined;
    },
    180_000,
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\nworker output:\n${first.output().slice(-4000)}`);
  });
  const trainerPid = (await stepsRun())[0]?.pid;
  expect(trainerPid).toBeGreaterThan(0);
  expect(groupIsRunning(trainerPid!)).toBe(true);

  first.process.kill('SIGKILL');
  expect(await first.exited).toBeNull();
  // The trainer's stdin closed with the worker: its whole process group exits (bounded by the 10 s).
  await eventually(
    'the trainer process group to be gone',
    () => Promise.resolve(!groupIsRunning(trainerPid!) || undefined),
    10_000,
  );

  startWorkerProcess();
  const result = await approveAndFinish(runId);
  expect(result.status).toBe('deployed');

  const resumedFrom = Number(/resumed from epoch (\d+)/.exec(await trainSummary(runId))?.[1]);
  expect(resumedFrom).toBeGreaterThanOrEqual(checkpoint.step);
  const steps = await stepsRun();
  const second = steps.filter((s) => s.pid !== trainerPid);
  expect(second[0]?.step).toBe(resumedFrom + 1);
  expect(second.at(-1)?.step).toBe(80);
  // No step up to the checkpoint ran twice; every step ran.
  const upToCheckpoint = steps.filter((s) => s.step <= resumedFrom).map((s) => s.step);
  expect(upToCheckpoint).toEqual(Array.from({ length: resumedFrom }, (_, i) => i + 1));
  expect(new Set(steps.map((s) => s.step)).size).toBe(80);

  const registry = openConfiguredRegistry(h.config);
  try {
    const versions = await registry.listVersions('py-survivor');
    expect(versions.map((v) => v.version)).toEqual([1]);
    expect(versions[0]?.lineage).toMatchObject({ trainer: 'py-logit', task: 'binary', workflowId: runId });
    expect(versions[0]?.metrics['auc']).toBeGreaterThan(0.6);
    expect(versions[0]?.lineage.predictionProfile?.digest).toMatch(/^sha256:/);
    // One tracking run across both workers, finished, whose loss series has every step once, in order.
    const runs = await registry.findRuns({ tags: { 'slipway.workflow_id': runId } });
    expect(runs.map((r) => [r.runId, r.status])).toEqual([[versions[0]?.trackingRunId, 'finished']]);
    const series = (await registry.getMetricSeries(runs[0]?.runId ?? '', 'loss')).map((p) => p.step);
    expect(series).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
  } finally {
    await registry.close();
  }
});

it('a hanging trainer is stopped at the heartbeat timeout and the retry resumes it; one version', async () => {
  await rm(stepLog, { force: true });
  const worker = startWorkerProcess();
  const { runId } = await h.client.start('trainAndPromote', pipelineInput('py-hang', { steps: 6, mode: 'hang' }));
  const result = await approveAndFinish(runId).catch((err: unknown) => {
    throw new Error(`${String(err)}\nworker output:\n${worker.output().slice(-4000)}`);
  });
  expect(result.status).toBe('deployed');
  expect(await trainSummary(runId)).toContain('resumed from epoch 2');
  const steps = await stepsRun();
  expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6]);
  const hung = steps[0]!.pid;
  expect(steps[2]?.pid).not.toBe(hung);
  expect(groupIsRunning(hung)).toBe(false);
  const registry = openConfiguredRegistry(h.config);
  try {
    expect((await registry.listVersions('py-hang')).map((v) => v.version)).toEqual([1]);
  } finally {
    await registry.close();
  }
  worker.process.kill('SIGKILL');
});
