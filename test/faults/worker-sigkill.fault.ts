/**
 * Fault: the worker killed with SIGKILL at a random point of each of 20 runs of `trainAndPromote` (embedded
 * defaults: SQLite registry, disk artifacts, the local model server). A new worker takes every run over. Afterwards
 * each run registered exactly one version, and no version was approved, deployed or moved to champion twice (the
 * registry, the verified audit log and the model server say so).
 */
import { defaultAuditLogPath, type ModelRegistry } from '@slipway/activities';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import type { Child } from '../support/processes.js';
import { startWorkerProcess, workerPolling } from '../support/worker-process.js';
import { checkLedger } from './support/ledger.js';
import { progress, recordFault, type Tally } from './support/outcome.js';
import { approveWhenOpen, faultFreeRun, faultRunInput, inFlight, resultWithin, sleep } from './support/runs.js';
import { randomFor } from './support/seeded.js';

const FAULT = 'worker SIGKILL';
const MODEL = 'fault-kill';
const RUNS = Number(process.env['SLIPWAY_FAULT_RUNS'] ?? 20);

let h: Harness;
let registry: ModelRegistry;
let worker: Child | undefined;

beforeAll(async () => {
  h = await startHarness({ name: 'fault-kill', worker: false });
  registry = openConfiguredRegistry(h.config);
});
afterAll(async () => {
  worker?.process.kill('SIGKILL');
  await registry?.close();
  await h?.stop();
});

async function freshWorker(): Promise<void> {
  worker = startWorkerProcess(h);
  await workerPolling(worker);
}

/** When the worker dies: `afterMs` after the run starts, or after its approval was sent (the deploy phase). */
interface KillPoint {
  from: 'start' | 'approval';
  afterMs: number;
}

/** One run: started, approved when its gate opens, the worker killed at `kill`, a new worker, the result. */
async function killedRun(tally: Tally, n: number, kill: KillPoint, runIds: string[]): Promise<void> {
  const input = faultRunInput({ serverUrl: h.modelServer.url, modelName: MODEL });
  const { runId } = await h.client.start('trainAndPromote', input);
  runIds.push(runId);
  tally.runs += 1;
  const approval = approveWhenOpen(h.client, runId).catch((err: unknown) => err);
  if (kill.from === 'approval') await approval;
  await sleep(kill.afterMs);
  const at = await inFlight(h.client, runId).catch(() => '?');
  worker?.process.kill('SIGKILL');
  await worker?.exited;
  await freshWorker();
  const { result, error } = await resultWithin(h.client, runId);
  const approved = await approval;
  const point = `${kill.afterMs} ms after its ${kill.from}`;
  if (result?.status === 'deployed') tally.completed += 1;
  else {
    const approvalSays = approved instanceof Error ? `the approval failed: ${approved.message}` : 'approved';
    tally.lost.push(`run ${n} (${runId}, killed ${point}, in ${at}): ${error ?? result?.status}; ${approvalSays}`);
  }
  progress(FAULT, `run ${n}/${RUNS}: killed ${point} (${at}) → ${result?.status ?? error} v${result?.version.version}`);
}

it('20 runs, each with its worker SIGKILLed at a random point: every run deploys once, nothing twice', async () => {
  const random = randomFor(FAULT);
  const row = await recordFault(FAULT, async (tally) => {
    const runIds: string[] = [];
    await freshWorker();
    // A first run without a fault: the champion the next runs replace, and how long a run takes here.
    const first = await faultFreeRun(h.client, faultRunInput({ serverUrl: h.modelServer.url, modelName: MODEL }));
    runIds.push(first.runId);
    // Half the kills fall anywhere in a run, half after its approval was sent (deploy, alias move, their records).
    const tail = first.ms - first.approvedMs;
    progress(FAULT, `first run (no fault) took ${first.ms} ms, ${tail} ms of it after the approval`);
    for (let n = 1; n <= RUNS; n++) {
      const kill: KillPoint =
        n % 2 === 1
          ? { from: 'start', afterMs: Math.floor(random() * first.ms) }
          : { from: 'approval', afterMs: Math.floor(random() * tail) };
      await killedRun(tally, n, kill, runIds);
    }
    await checkLedger(
      { registry, auditLog: defaultAuditLogPath(h.config.home), model: MODEL, runIds, serverUrl: h.modelServer.url },
      tally,
    );
  });
  expect(row).toMatchObject({ verdict: 'pass', lost: 0, duplicates: 0 });
}, 3_600_000);
