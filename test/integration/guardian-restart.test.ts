/**
 * The model guardian survives its worker: on a real Temporal dev server, the worker running a guardian is shut down
 * between checks and a new one (a new process's worker: new connection, new bundle) takes over. The guardian goes on
 * checking from where it was — the same counters, the check numbers continuing, continued as new every 2 checks —
 * and its status and commands work across the restart.
 */
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlipwayWorker, type SlipwayWorker } from '../../packages/worker/src/worker/create-worker.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { eventually } from '../support/waits.js';
import { guardianInput } from './guardian/fixtures.js';

const MODEL = 'guarded-restart';
let h: Harness;
let workflowBundle: { code: string };
let current: { worker: SlipwayWorker; running: Promise<void>; connection: NativeConnection } | undefined;

async function startWorker(): Promise<void> {
  const connection = await NativeConnection.connect({ address: h.config.temporal.address });
  const worker = await createSlipwayWorker({
    config: h.config,
    connection,
    workflowBundle,
    workerOptions: { shutdownGraceTime: '1s' },
  });
  current = { worker, running: worker.run(), connection };
}

async function stopWorker(): Promise<void> {
  if (!current) return;
  current.worker.shutdown();
  await current.running;
  await current.connection.close();
  current = undefined;
}

beforeAll(async () => {
  workflowBundle = await bundle();
  h = await startHarness({ name: 'guardian-restart', worker: false });
  await startWorker();
}, 300_000);
afterAll(async () => {
  await stopWorker();
  await h?.stop();
});

describe('the model guardian across a worker restart', () => {
  it('keeps its counters and check numbers, and takes commands, after a new worker takes over', async () => {
    // No version serves yet: every check fails and is recorded, and the guardian goes on (a failure is not a stop).
    await h.client.guard.start(guardianInput(MODEL, h.modelServer.url, { every: '1s', ticksPerRun: 2 }));
    const before = await eventually('three checks', async () => {
      const s = await h.client.guard.status(MODEL);
      return s.counters.checks >= 3 ? s : undefined;
    });
    expect(before.decisions.every((d) => d.kind === 'check_failed')).toBe(true);
    await stopWorker();
    await startWorker();
    // Three more checks, and the current run (continued as new) has resolved who may command it again.
    const after = await eventually('three more checks on the new worker', async () => {
      const s = await h.client.guard.status(MODEL);
      return s.counters.checks >= before.counters.checks + 3 && s.operators ? s : undefined;
    });
    expect(after.generation).toBeGreaterThan(before.generation);
    expect(after.starter).toBe('ci-bot');
    expect(after.nonce).toBe(before.nonce);
    // Check numbers continue: no check id was used twice, none skipped.
    const numbers = after.recent.map((c) => c.n);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.at(-1)! - numbers[0]!).toBe(numbers.length - 1);
    const stopped = await h.client.guard.stop(MODEL, { as: 'lee', reason: 'end of the test' });
    expect(stopped.phase).toBe('stopped');
  });
});
