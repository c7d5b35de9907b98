/**
 * `slipway worker` whose shutdown grace runs out: a step that never finishes and never heartbeats ignores the
 * cancellation Temporal sends when the grace ends. After SIGTERM the worker process does not wait for it forever:
 * it exits with code 1, naming the step still running and its run. Against a real Temporal dev server; the worker
 * is a child process serving a user's activities module.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { SLIPWAY_CLI, spawnNode } from '../support/processes.js';
import { workerPolling } from '../support/worker-process.js';
import { eventually } from '../support/waits.js';

let h: Harness;
let dir: string;
let connection: NativeConnection;
let workflows: Worker;
let workflowsRunning: Promise<void>;

beforeAll(async () => {
  h = await startHarness({ name: 'stuck', worker: false });
  dir = await mkdtemp(join(tmpdir(), 'slipway-stuck-step-'));
  // The workflow runs in this process; the step it waits for runs on the worker process under test.
  connection = await NativeConnection.connect({ address: h.config.temporal.address });
  workflows = await Worker.create({
    connection,
    namespace: h.config.temporal.namespace,
    taskQueue: h.config.taskQueue,
    workflowBundle: await bundle(join(import.meta.dirname, 'stuck-step', 'workflows.ts')),
  });
  workflowsRunning = workflows.run();
});
afterAll(async () => {
  workflows?.shutdown();
  await workflowsRunning;
  await connection?.close();
  await h?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('a step that ignores its cancellation does not hold the worker past its grace: exit 1, naming the step', async () => {
  const activities = join(dir, 'stuck-activities.mjs');
  // Never settles, never heartbeats: the cancellation at the end of the grace never reaches it.
  await writeFile(activities, 'export async function neverEnds() {\n  await new Promise(() => {});\n}\n');
  const stuckQueue = `${h.config.taskQueue}-stuck`;
  const worker = spawnNode(
    SLIPWAY_CLI,
    [
      ...['--address', h.config.temporal.address, '--home', h.config.home, '--task-queue', stuckQueue],
      ...['worker', '--steps', 'notify', '--activities', activities, '--shutdown-grace', '1s'],
    ],
    { SLIPWAY_DATA_ROOTS: h.config.data.roots.join(','), SLIPWAY_MODEL_SERVER: h.config.modelServer.url },
  );
  await workerPolling(worker);
  const runId = `stuck-${Date.now()}`;
  const handle = await h.client.temporal.workflow.start('waitForStuckStep', {
    workflowId: runId,
    taskQueue: h.config.taskQueue,
    args: [stuckQueue],
  });
  try {
    await eventually('the step running on the worker', async () => {
      const { raw } = await handle.describe();
      return raw.pendingActivities?.some((a) => a.activityType?.name === 'neverEnds' && a.lastStartedTime)
        ? true
        : undefined;
    });
    worker.process.kill('SIGTERM');
    expect(await worker.exited, worker.output()).toBe(1);
    expect(worker.output()).toMatch(/SIGTERM: stopped polling; draining in-flight activities \(up to 1s\)/);
    expect(worker.output()).toMatch(
      new RegExp(
        `shutdown grace \\(1s\\) ran out and this activity ignores its cancellation and still runs: ` +
          `neverEnds \\(run ${runId}, attempt 1, running \\d+s\\)\\. Exiting with code 1`,
      ),
    );
    expect(worker.output()).not.toContain('worker stopped');
  } finally {
    await handle.terminate('test done').catch(() => undefined);
  }
});
