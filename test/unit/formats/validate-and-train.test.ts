import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { SlipwayErrorType, ValidationSummary } from '@slipway/sdk';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import type { ArtifactStore } from '../../../packages/activities/src/ports.js';
import { readCsvRows, type ValidationReport } from '../../../packages/activities/src/data/index.js';
import { createTrainActivity } from '../../../packages/activities/src/steps/train.js';
import { createValidateActivity } from '../../../packages/activities/src/steps/validate.js';
import { builtinPredictors, builtinTrainers } from '../../../packages/activities/src/train/index.js';
import { runActivity } from '../data/fixtures.js';
import { customerFeatures, customerSchema, customers } from '../train/synthetic.js';
import { gzip, rejection, toCsv, toJsonl, toParquet, type Table } from './fixtures.js';

const schema = customerSchema;
const features = customerFeatures;

/** 400 synthetic customers; customer 17 has a negative tenure and customer 250 an unknown plan. */
const table: Table = {
  columns: ['customer_id', 'tenure_months', 'monthly_fee', 'plan', 'churned'],
  rows: customers(400).map((c, i) => [
    `c${i}`,
    i === 17 ? -1 : c.tenure,
    c.fee,
    i === 250 ? 'gold' : c.plan,
    c.churned,
  ]),
};

const files: Record<string, Uint8Array | string> = {
  'churn.csv': toCsv(table),
  'churn.tsv.gz': gzip(toCsv(table, '\t')),
  'churn.jsonl': toJsonl(table),
  'churn.ndjson.gz': gzip(toJsonl(table)),
  'churn.parquet': toParquet(table, ['STRING', 'INT64', 'DOUBLE', 'STRING', 'BOOLEAN'], 128),
};

let dir: string;
let artifacts: ArtifactStore;
const uri = (name: string) => pathToFileURL(join(dir, name)).href;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-formats-'));
  artifacts = createFsArtifactStore(join(dir, 'store'));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('validate and train read every format', () => {
  it.each(Object.keys(files))('%s: validates with the same counts and trains on the pinned bytes', async (name) => {
    const env = new MockActivityEnvironment();
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => heartbeats.push(d));
    const validate = createValidateActivity({ artifacts });
    const summary = await runActivity(env, validate, { dataset: { uri: uri(name) }, schema, maxBadRowShare: 0.01 });
    expect(ValidationSummary.parse(summary)).toEqual(summary);
    expect(summary).toMatchObject({ rows: 400, badRows: 2 });
    expect(summary.failures.map((f) => [f.column, f.message])).toEqual([
      ['tenure_months', 'expected a number >= 0, got "-1"'],
      ['plan', 'expected one of "basic", "pro", "team", got "gold"'],
    ]);
    const size = (files[name] as Uint8Array | string).length;
    expect(heartbeats.at(-1)).toMatchObject({ rows: 400, percent: 100 });
    const report = await artifacts.getJson<ValidationReport>(summary.report);
    expect(report.dataset.bytes).toBe(typeof files[name] === 'string' ? Buffer.byteLength(files[name]) : size);
    if (name.endsWith('.parquet')) {
      expect(report.failures.map((f) => f.position)).toEqual([
        { rowGroup: 0, row: 17 },
        { rowGroup: 1, row: 122 },
      ]);
      expect(summary.failures.map((f) => f.line)).toEqual([18, 251]);
    }

    const trained = await createTrainActivity({
      artifacts,
      trainers: { ...builtinTrainers },
      predictors: { ...builtinPredictors },
      codeVersion: 'formats-test',
    })({ dataset: summary.dataset, schema, features, params: { epochs: 50 } });
    expect(trained.trainRows + trained.testRows).toBe(398);
  });

  it('names the row group and row of a Parquet failure in the validation error', async () => {
    const validate = createValidateActivity({ artifacts });
    const err = await rejection(validate({ dataset: { uri: uri('churn.parquet') }, schema }));
    expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed });
    expect(err.message).toContain(
      'First failures: row group 0, row 17, column "tenure_months": expected a number >= 0, got "-1"; ' +
        'row group 1, row 122, column "plan": expected one of "basic", "pro", "team", got "gold"',
    );
  });

  it('readCsvRows keeps working for CSV callers, gzip included', async () => {
    const events = [];
    for await (const event of readCsvRows(uri('churn.tsv.gz'), { schema: { columns: {}, allowExtraColumns: true } })) {
      events.push(event);
    }
    expect(events).toHaveLength(400);
    expect(events[0]).toEqual({ ok: true, line: 2, row: {} });
  });
});
