/**
 * Fault: the model server (`slipway serve`, its own process) killed with SIGKILL in the middle of a canary rollout
 * (10 → 50 → 100 %) at a random step and moment, under loopback traffic, and started again on its state a moment
 * later. The rollout saga recovers (its measurement window is gone with the process: it reads a new one) and
 * promotes; afterwards the registry's champion is what the server serves, and nothing was deployed or moved twice.
 */
import { defaultAuditLogPath, type ModelRegistry } from '@slipway/activities';
import type { RolloutPlanInput } from '@slipway/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startModelServerProcess, type ModelServerProcess } from '../../examples/churn/demo/model-server-process.js';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { freePort } from '../../packages/worker/src/dev-server/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import type { Child } from '../support/processes.js';
import { trafficUntil } from '../support/rollout-traffic.js';
import { eventually } from '../support/waits.js';
import { startWorkerProcess, workerPolling } from '../support/worker-process.js';
import { checkLedger } from './support/ledger.js';
import { progress, recordFault, type Tally } from './support/outcome.js';
import { approveWhenOpen, faultFreeRun, faultRunInput, resultWithin, sleep } from './support/runs.js';
import { randomFor } from './support/seeded.js';

const FAULT = 'model server killed mid-rollout';
const MODEL = 'fault-serve';
const RUNS = Number(process.env['SLIPWAY_FAULT_ROLLOUT_RUNS'] ?? 3);
const STEPS = [10, 50, 100];
const BAKE_MS = 2_000;
const PLAN: RolloutPlanInput = {
  strategy: 'canary',
  steps: STEPS,
  bakeTime: `${BAKE_MS}ms`,
  guards: { minRequests: 10 },
  deadline: '10m',
};
/** How long the server stays dead before it is started again. */
const DOWN_MS = 2_000;

let h: Harness;
let port: number;
let server: ModelServerProcess;
let worker: Child | undefined;
let registry: ModelRegistry;

beforeAll(async () => {
  h = await startHarness({ name: 'fault-serve', worker: false });
  port = await freePort();
  server = await startModelServerProcess({ home: h.home, port });
  // The worker deploys to the server process (and nowhere else), with the home's token.
  worker = startWorkerProcess(h, { SLIPWAY_MODEL_SERVER: server.url });
  await workerPolling(worker);
  registry = openConfiguredRegistry(h.config);
});
afterAll(async () => {
  worker?.process.kill('SIGKILL');
  await server?.kill();
  await registry?.close();
  await h?.stop();
});

/** Waits until the rollout bakes step `step`, waits `extraMs` more, and kills the server; starts it again. */
async function killWhileBaking(step: number, extraMs: number): Promise<string> {
  const state = await eventually(
    `the rollout baking step ${step}`,
    async () => {
      const rollout = await h.client.rolloutStatus(MODEL).catch(() => undefined);
      return rollout?.phase === 'baking' && rollout.step === step ? rollout : undefined;
    },
    180_000,
  );
  await sleep(extraMs);
  await server.kill();
  await sleep(DOWN_MS);
  server = await startModelServerProcess({ home: h.home, port });
  return `${STEPS[step]} % (v${state.version})`;
}

async function rolloutRun(tally: Tally, runIds: string[], n: number, step: number, extraMs: number): Promise<void> {
  const input = { ...faultRunInput({ serverUrl: server.url, modelName: MODEL }), rollout: PLAN };
  const { runId } = await h.client.start('trainAndPromote', input);
  runIds.push(runId);
  tally.runs += 1;
  await approveWhenOpen(h.client, runId);
  const done = resultWithin(h.client, runId);
  const traffic = trafficUntil(server.url, MODEL, done);
  const at = await killWhileBaking(step, extraMs).catch((err: unknown) => `no kill: ${String(err)}`);
  const [{ result, error }, counts] = await Promise.all([done, traffic]);
  const promoted = result?.status === 'deployed' && result.rollout?.records.at(-1)?.percent === 100;
  if (promoted) tally.completed += 1;
  else tally.lost.push(`rollout ${n} (${runId}, killed at ${at} + ${extraMs} ms): ${error ?? result?.status}`);
  const unanswered = `${counts.failed}/${counts.sent} requests unanswered`;
  progress(
    FAULT,
    `rollout ${n}/${RUNS}: killed baking ${at} + ${extraMs} ms → ${result?.status ?? error} (${unanswered})`,
  );
}

it('the model server killed at a random point of each rollout: every rollout promotes; registry and server agree', async () => {
  const random = randomFor(FAULT);
  const row = await recordFault(FAULT, async (tally) => {
    const runIds: string[] = [];
    const first = await faultFreeRun(h.client, faultRunInput({ serverUrl: server.url, modelName: MODEL }));
    runIds.push(first.runId);
    for (let n = 1; n <= RUNS; n++) {
      const step = Math.floor(random() * STEPS.length);
      await rolloutRun(tally, runIds, n, step, Math.floor(random() * BAKE_MS));
    }
    await checkLedger(
      { registry, auditLog: defaultAuditLogPath(h.config.home), model: MODEL, runIds, serverUrl: server.url },
      tally,
    );
  });
  expect(row).toMatchObject({ verdict: 'pass', lost: 0, duplicates: 0 });
}, 3_600_000);
