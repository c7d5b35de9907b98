/**
 * Fault: the Temporal dev server stopped and started again from its SQLite file (as `slipway dev` keeps its state),
 * once at a random point in each of several runs, and once while runs wait at their gates. Every run completes; the
 * waiting gates are still listed and pending after the restart, and are decided afterwards (two approved, one
 * rejected); nothing is registered, approved or deployed twice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultAuditLogPath, type ModelRegistry } from '@slipway/activities';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { freePort, startDevServer, type DevServer } from '../../packages/worker/src/dev-server/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import type { Child } from '../support/processes.js';
import { startWorkerProcess, workerPolling } from '../support/worker-process.js';
import { eventually, waitForGate } from '../support/waits.js';
import { checkLedger } from './support/ledger.js';
import { progress, recordFault, type Tally } from './support/outcome.js';
import { approveWhenOpen, faultFreeRun, faultRunInput, inFlight, resultWithin, sleep } from './support/runs.js';
import { randomFor } from './support/seeded.js';

const MID_RUN = 'dev server restart mid-run';
const AT_GATES = 'dev server restart, gates waiting';
const MID_RUNS = Number(process.env['SLIPWAY_FAULT_DEV_RUNS'] ?? 5);
const GATES = 3;
/** How long the server stays down: longer than a worker's poll, shorter than the steps' timeouts. */
const DOWN_MS = 3_000;

let dbDir: string;
let port: number;
let server: DevServer;
let h: Harness;
let registry: ModelRegistry;
let worker: Child | undefined;
/** How often the worker process had to be started again because it exited while the server was away. */
let workerRestarts = 0;

async function startServer(): Promise<DevServer> {
  return startDevServer({
    home: resolve(import.meta.dirname, '..', '..', '.slipway'),
    port,
    dbFile: join(dbDir, 'temporal.db'),
  });
}

beforeAll(async () => {
  dbDir = await mkdtemp(join(tmpdir(), 'slipway-fault-devserver-'));
  port = await freePort();
  server = await startServer();
  h = await startHarness({
    name: 'fault-devserver',
    worker: false,
    temporal: { address: server.address, namespace: server.namespace },
  });
  registry = openConfiguredRegistry(h.config);
  worker = startWorkerProcess(h);
  await workerPolling(worker);
});
afterAll(async () => {
  worker?.process.kill('SIGKILL');
  await registry?.close();
  await h?.stop();
  await server?.stop();
  if (dbDir) await rm(dbDir, { recursive: true, force: true });
});

/** Stops the dev server, keeps it down a moment, starts it from the same file; a worker that exited is replaced. */
async function restartServer(fault: string): Promise<void> {
  await server.stop();
  await sleep(DOWN_MS);
  server = await startServer();
  if (worker && (worker.process.exitCode !== null || worker.process.signalCode !== null)) {
    workerRestarts += 1;
    progress(fault, `the worker exited while the server was down; starting another`);
    worker = startWorkerProcess(h);
    await workerPolling(worker);
  }
}

function start(model: string): Promise<{ runId: string }> {
  return h.client.start('trainAndPromote', faultRunInput({ serverUrl: h.modelServer.url, modelName: model }));
}

async function midRun(tally: Tally, runIds: string[], n: number, stopAfterMs: number): Promise<void> {
  const { runId } = await start('fault-devserver');
  runIds.push(runId);
  tally.runs += 1;
  const approval = approveWhenOpen(h.client, runId).catch((err: unknown) => err);
  await sleep(stopAfterMs);
  const at = await inFlight(h.client, runId).catch(() => '?');
  await restartServer(MID_RUN);
  const { result, error } = await resultWithin(h.client, runId);
  await approval;
  if (result?.status === 'deployed') tally.completed += 1;
  else
    tally.lost.push(`run ${n} (${runId}, server stopped ${stopAfterMs} ms in, in ${at}): ${error ?? result?.status}`);
  progress(MID_RUN, `run ${n}/${MID_RUNS}: server stopped ${stopAfterMs} ms in (${at}) → ${result?.status ?? error}`);
}

it('the dev server restarted from its file at a random point of each run: every run deploys once', async () => {
  const random = randomFor(MID_RUN);
  const row = await recordFault(MID_RUN, async (tally) => {
    const runIds: string[] = [];
    const first = await faultFreeRun(
      h.client,
      faultRunInput({ serverUrl: h.modelServer.url, modelName: 'fault-devserver' }),
    );
    runIds.push(first.runId);
    const span = first.ms;
    progress(MID_RUN, `first run (no fault) took ${span} ms; stop points drawn in [0, ${span}] ms`);
    for (let n = 1; n <= MID_RUNS; n++) await midRun(tally, runIds, n, Math.floor(random() * span));
    await checkLedger(
      {
        registry,
        auditLog: defaultAuditLogPath(h.config.home),
        model: 'fault-devserver',
        runIds,
        serverUrl: h.modelServer.url,
      },
      tally,
    );
    if (workerRestarts > 0) tally.checked.push(`the worker process was started again ${workerRestarts} times`);
  });
  expect(row).toMatchObject({ verdict: 'pass', lost: 0, duplicates: 0 });
}, 3_600_000);

it('the dev server restarted while gates wait: the gates survive and are decided afterwards', async () => {
  const row = await recordFault(AT_GATES, async (tally) => {
    const runIds: string[] = [];
    for (let i = 0; i < GATES; i++) runIds.push((await start(`fault-gates-${i}`)).runId);
    tally.runs = GATES;
    const before = await Promise.all(runIds.map((runId) => waitForGate(h.client, runId)));
    progress(AT_GATES, `${GATES} gates pending; stopping the server`);
    await restartServer(AT_GATES);
    const listed = await eventually('the pending gates listed again', async () => {
      const pending = (await h.client.pendingApprovals()).map((p) => p.runId);
      return runIds.every((id) => pending.includes(id)) ? pending : undefined;
    });
    progress(AT_GATES, `after the restart ${listed.length} gates are listed pending`);
    for (const [i, runId] of runIds.entries()) {
      const gate = await waitForGate(h.client, runId);
      const was = before[i];
      if (gate.nonce !== was?.nonce || JSON.stringify(gate.evidence) !== JSON.stringify(was?.evidence)) {
        tally.problems.push(`the gate of ${runId} came back with another nonce or other evidence`);
      }
    }
    // Decided afterwards: the first two approved, the last rejected.
    for (const [i, runId] of runIds.entries()) {
      const decision = { as: 'maria', comment: 'after the restart' };
      await (i < GATES - 1 ? h.client.approve(runId, decision) : h.client.reject(runId, decision));
      const expected = i < GATES - 1 ? 'deployed' : 'rejected';
      const { result, error } = await resultWithin(h.client, runId);
      if (result?.status === expected) tally.completed += 1;
      else tally.lost.push(`gated run ${runId}: expected ${expected}, got ${error ?? result?.status}`);
      progress(AT_GATES, `run ${i + 1}/${GATES}: ${result?.status ?? error}`);
    }
    for (const [i, runId] of runIds.entries()) {
      const model = `fault-gates-${i}`;
      await checkLedger(
        {
          registry,
          auditLog: defaultAuditLogPath(h.config.home),
          model,
          runIds: [runId],
          ...(i < GATES - 1 ? { serverUrl: h.modelServer.url } : {}),
        },
        tally,
      );
      const deployed = (await registry.getVersion(model, 1))?.deployments.filter((d) => d.status === 'deployed') ?? [];
      if (deployed.length !== (i < GATES - 1 ? 1 : 0)) tally.problems.push(`${model}: ${deployed.length} deployments`);
    }
  });
  expect(row).toMatchObject({ verdict: 'pass', lost: 0, duplicates: 0 });
}, 3_600_000);
