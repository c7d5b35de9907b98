/**
 * Fault: the backends a team already runs go away in the middle of a step. The registry is a real `mlflow server`
 * and every artifact lives in a real S3-compatible server (versitygw); at a random point of each run one of them is
 * stopped, stays down a few seconds, and comes back with its data. The steps retry; every run deploys, and nothing
 * is registered, approved, deployed or moved twice.
 */
import { resolve } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { defaultAuditLogPath, type ModelRegistry } from '@slipway/activities';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { startProjectMlflowServer, type MlflowTestServer } from '../support/mlflow-server.js';
import { startS3Server, type S3TestServer } from '../support/s3-server.js';
import { checkLedger } from './support/ledger.js';
import { progress, recordFault, type Tally } from './support/outcome.js';
import { approveWhenOpen, faultFreeRun, faultRunInput, inFlight, resultWithin, sleep } from './support/runs.js';
import { randomFor } from './support/seeded.js';

const HOME = resolve(import.meta.dirname, '..', '..', '.slipway');
const BUCKET = 'fault-artifacts';
const RUNS = Number(process.env['SLIPWAY_FAULT_OUTAGE_RUNS'] ?? 4);
/** How long a backend stays down: several retries of a step, well within its timeout. */
const DOWN_MS = 5_000;

let s3: S3TestServer;
let mlflow: MlflowTestServer;
let h: Harness;
let registry: ModelRegistry;

beforeAll(async () => {
  [s3, mlflow] = await Promise.all([startS3Server({ home: HOME }), startProjectMlflowServer()]);
  const settings = { endpoint: s3.endpoint, region: s3.region, forcePathStyle: true };
  const keys = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
  const client = new S3Client({ ...settings, credentials: { ...keys } });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  client.destroy();
  h = await startHarness({
    name: 'fault-outage',
    s3: { ...settings, ...keys },
    config: { registry: mlflow.registryUrl, artifacts: `s3://${BUCKET}/slipway` },
  });
  registry = openConfiguredRegistry(h.config);
}, 900_000);
afterAll(async () => {
  await registry?.close();
  await h?.stop();
  await Promise.all([s3?.stop(), mlflow?.stop()]);
});

/** Runs with `outage` (stop the backend, wait, start it) at a random point of each; then the ledger. */
async function outageRuns(fault: string, model: string, outage: () => Promise<void>, tally: Tally): Promise<void> {
  const random = randomFor(fault);
  const runIds: string[] = [];
  const first = await faultFreeRun(h.client, faultRunInput({ serverUrl: h.modelServer.url, modelName: model }));
  runIds.push(first.runId);
  const span = first.ms;
  progress(fault, `first run (no fault) took ${span} ms; outage points drawn in [0, ${span}] ms`);
  for (let n = 1; n <= RUNS; n++) {
    const after = Math.floor(random() * span);
    const { runId } = await h.client.start(
      'trainAndPromote',
      faultRunInput({ serverUrl: h.modelServer.url, modelName: model }),
    );
    runIds.push(runId);
    tally.runs += 1;
    const approval = approveWhenOpen(h.client, runId).catch((err: unknown) => err);
    await sleep(after);
    const at = await inFlight(h.client, runId).catch(() => '?');
    await outage();
    const { result, error } = await resultWithin(h.client, runId);
    await approval;
    if (result?.status === 'deployed') tally.completed += 1;
    else tally.lost.push(`run ${n} (${runId}, outage ${after} ms in, in ${at}): ${error ?? result?.status}`);
    progress(fault, `run ${n}/${RUNS}: outage ${after} ms in (${at}) → ${result?.status ?? error}`);
  }
  await checkLedger(
    { registry, auditLog: defaultAuditLogPath(h.config.home), model, runIds, serverUrl: h.modelServer.url },
    tally,
  );
}

/** The two outages: which backend goes down, how, and how it comes back (with its data). */
const OUTAGES = [
  {
    fault: 'S3 outage mid-step',
    model: 'fault-s3',
    how: 'versitygw killed, restarted with its data',
    down: () => s3.kill(),
    up: () => s3.restart(),
  },
  {
    fault: 'MLflow outage mid-step',
    model: 'fault-mlflow',
    how: 'the server stopped, started on its data',
    down: () => mlflow.halt(),
    up: () => mlflow.start(),
  },
];

it.each(OUTAGES)(
  '$fault ($how): the runs retry and deploy once each',
  async ({ fault, model, down, up }) => {
    const outage = async () => {
      await down();
      await sleep(DOWN_MS);
      await up();
    };
    const row = await recordFault(fault, (tally) => outageRuns(fault, model, outage, tally));
    expect(row).toMatchObject({ verdict: 'pass', lost: 0, duplicates: 0 });
  },
  3_600_000,
);
