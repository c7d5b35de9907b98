/**
 * The model guardian watching a model served outside Slipway: its served rows land as JSON lines and Parquet
 * objects under a prefix of a real S3-compatible server (versitygw, which verifies SigV4), each row with its
 * features and a timestamp column, and the guardian monitors the prefix as it monitors the model server's log. On a
 * real Temporal dev server, worker, registry and model server (the retrain deploys there): training-like rows are no
 * drift; drifted rows (the churn example's `serving.csv`) start exactly one retrain, which deploys v2 once approved;
 * with a budget of one retrain a week and no cooldown, the next drift is skipped for the budget and starts nothing.
 * Each batch is written while the guardian is paused, stamped after its last window ended, so it lands in exactly
 * one check's window.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ModelRegistry, TypedRow } from '@slipway/activities';
import { modelGuardian } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServingRows } from '../../examples/churn/demo/traffic.js';
import { DATA_DIR, pipelineJson } from '../../examples/churn/src/input.js';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { s3ClientOf, s3SettingsOf, startS3Server, type S3TestServer } from '../support/s3-server.js';
import { waitForGate } from '../support/waits.js';
import { toJsonl, toParquet, type Table } from '../unit/formats/fixtures.js';
import { deployFirstVersion, guardianInput } from './guardian/fixtures.js';
import { approveRetrain, decisionOf, guardianAudit, nextVerdict } from './guardian/verdicts.js';

const HOME = resolve(import.meta.dirname, '..', '..', '.slipway');
const MODEL = 'guarded-churn-s3';
const BUCKET = 'served';
const PREFIX = 'churn/served/';
const COLUMNS = ['tenure_months', 'monthly_charges', 'support_calls', 'plan', 'contract', 'paperless'] as const;
const PARQUET_TYPES = ['STRING', 'DOUBLE', 'DOUBLE', 'DOUBLE', 'STRING', 'STRING', 'BOOLEAN'] as const;

let s3: S3TestServer;
let h: Harness;
let registry: ModelRegistry;
let clean: TypedRow[];
let drifted: TypedRow[];
let objects = 0;

async function rows(file: string): Promise<TypedRow[]> {
  const pipeline = pipelineJson();
  return readServingRows(pathToFileURL(join(DATA_DIR, file)).href, pipeline.expectations.schema, COLUMNS);
}

/**
 * Served rows as an export would hold them: a `ts` column (ISO time), the rows spread evenly over `[fromMs, toMs]`
 * in order, and the features.
 */
function stamped(batch: readonly TypedRow[], fromMs: number, toMs: number): Table {
  const step = batch.length > 1 ? (toMs - fromMs) / (batch.length - 1) : 0;
  return {
    columns: ['ts', ...COLUMNS],
    rows: batch.map((row, i) => [
      new Date(fromMs + Math.floor(i * step)).toISOString(),
      ...COLUMNS.map((c) => row[c] ?? null),
    ]),
  };
}

/** Writes one object of served rows under the prefix (JSON lines or Parquet), stamped from `fromMs` to now. */
async function putRows(batch: readonly TypedRow[], fromMs: number, format: 'jsonl' | 'parquet'): Promise<void> {
  const table = stamped(batch, fromMs, Math.max(fromMs, Date.now()));
  const body = format === 'jsonl' ? toJsonl(table) : toParquet(table, [...PARQUET_TYPES], 128);
  objects += 1;
  const client = s3ClientOf(s3);
  try {
    const key = `${PREFIX}dt=${String(objects).padStart(3, '0')}/part-0.${format}`;
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  } finally {
    client.destroy();
  }
}

beforeAll(async () => {
  s3 = await startS3Server({ home: HOME, onProgress: (m) => console.log(`[s3 server] ${m}`) });
  const client = s3ClientOf(s3);
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  client.destroy();
  h = await startHarness({ name: 'guardian-s3', s3: s3SettingsOf(s3), dataRoots: [`s3://${BUCKET}/churn`] });
  registry = openConfiguredRegistry(h.config);
  clean = (await rows('churn.csv')).slice(0, 300);
  drifted = await rows('serving.csv');
  await deployFirstVersion(h, MODEL);
}, 600_000);
afterAll(async () => {
  await registry?.close();
  await h?.stop();
  await s3?.stop();
});

/**
 * Writes `batch` while the guardian is paused, its rows stamped between the pause and the write: after the end of
 * every window checked so far, and before the end of the window of the first check after the resume, which reads
 * all of it.
 */
async function writeBetweenChecks(batch: readonly TypedRow[], format: 'jsonl' | 'parquet'): Promise<number> {
  const paused = await h.client.guard.pause(MODEL, { as: 'maria', reason: 'exporting a batch' });
  await putRows(batch, Date.now(), format);
  await h.client.guard.resume(MODEL, { as: 'lee', reason: 'batch exported' });
  return paused.counters.checks;
}

const verdictAfter = (after: number) => nextVerdict(h, MODEL, after);

describe('the model guardian on a served-rows prefix in S3', () => {
  it('retrains once on drift, then holds its budget of one retrain a week', async () => {
    // Rows exported before the guardian starts: its first window (no start) reads them.
    await putRows(clean, Date.now() - 60_000, 'jsonl');
    await h.client.guard.start(
      guardianInput(MODEL, h.modelServer.url, {
        every: '2s',
        source: { kind: 'rows', uri: `s3://${BUCKET}/${PREFIX}`, timestampColumn: 'ts' },
        policy: { minSamples: 50, driftShare: 0.3 },
        hysteresis: { consecutive: 1 },
        cooldown: '0s',
        budget: { perWeek: 1 },
      }),
    );

    // Training-like rows: no drift.
    const calm = await verdictAfter(0);
    expect(calm.check).toMatchObject({ drifted: false, version: 1, samples: clean.length });
    expect(decisionOf(calm.status, calm.check)?.kind).toBe('no_drift');

    // Drifted rows (Parquet this time): one drifted check is enough, the retrain starts.
    const drift = await verdictAfter(await writeBetweenChecks(drifted, 'parquet'));
    expect(drift.check).toMatchObject({ drifted: true, version: 1, samples: drifted.length });
    expect(drift.check.driftedFeatures).toEqual(expect.arrayContaining(['tenure_months', 'support_calls']));
    expect(decisionOf(drift.status, drift.check)?.kind).toBe('retrain_started');
    const running = drift.status.running;
    expect(running).toMatchObject({ workflowId: `retrain:${MODEL}`, checkId: drift.check.checkId });

    // Approved by maria (the guardian's starter is ci-bot): v2 deployed, the outcome recorded.
    const gate = await waitForGate(h.client, `retrain:${MODEL}`);
    expect(gate.evidence.candidate.version).toBe(2);
    const story = await approveRetrain(h, registry, MODEL, 2);
    expect(story.running).toBeNull();
    expect(story.outcomes).toEqual([
      expect.objectContaining({
        workflowId: `retrain:${MODEL}`,
        runId: running?.runId,
        status: 'deployed',
        version: 2,
      }),
    ]);

    // Drift on v2 (trained on the recent data, so the old training-like rows drifted for it), no cooldown: the
    // budget of one retrain a week holds, and nothing starts.
    const spent = await verdictAfter(await writeBetweenChecks(clean, 'jsonl'));
    expect(spent.check).toMatchObject({ drifted: true, version: 2, samples: clean.length });
    const skipped = decisionOf(spent.status, spent.check);
    expect(skipped?.kind).toBe('skipped_budget');
    expect(skipped?.reason).toContain('the budget of 1 retrain(s) in any 7 days is spent (1 started)');
    expect(spent.status.running).toBeNull();
    expect(spent.status.counters.retrainTimes).toHaveLength(1);
    expect(spent.status.limits).toMatchObject({ perWeek: 1, retrainsThisWeek: 1, cooldownUntil: null });
    expect(spent.status.decisions.filter((d) => d.kind === 'retrain_started')).toHaveLength(1);
    const latest = await h.client.temporal.workflow.getHandle(`retrain:${MODEL}`).describe();
    expect(latest.runId).toBe(running?.runId);

    // Stopped, every decision is in the audit log, once (the status keeps the latest ones).
    await h.client.guard.stop(MODEL, { as: 'maria', reason: 'end of the test' });
    const { final } = await h.client.result(`guardian:${MODEL}`, modelGuardian);
    // Each row was read by one check only: the three verdicts counted exactly their own batches (above), and every
    // other check the status keeps held none of the prefix's rows in its window. How many other checks ran depends
    // on the machine's pace, so there may be none.
    const verdicts = new Set([calm.check.checkId, drift.check.checkId, spent.check.checkId]);
    const others = final.recent.filter((c) => !verdicts.has(c.checkId));
    for (const c of others) expect(c).toMatchObject({ samples: 0, enoughSamples: false });
    const audited = await guardianAudit(h, MODEL);
    const ids = audited.map((e) => String(e.data.decisionId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(final.decisions.map((d) => `${d.checkId}:${d.kind}`)));
    expect(ids).toEqual(
      expect.arrayContaining([
        `${calm.check.checkId}:no_drift`,
        `${drift.check.checkId}:retrain_started`,
        `${drift.check.checkId}:retrain_finished`,
        `${spent.check.checkId}:skipped_budget`,
      ]),
    );
  });
});
