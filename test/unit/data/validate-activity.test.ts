import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DatasetProfile, SlipwayErrorType, ValidationSummary, type RowSchemaInput } from '@slipway/sdk';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import type { ArtifactStore } from '../../../packages/activities/src/ports.js';
import { sha256OfFile } from '../../../packages/activities/src/util/digest.js';
import type { ValidationReport } from '../../../packages/activities/src/data/index.js';
import { createValidateActivity } from '../../../packages/activities/src/steps/validate.js';
import { createCsvDir, csv, rejection, runActivity, type CsvDir } from './fixtures.js';

const schema: RowSchemaInput = {
  columns: {
    customer_id: { type: 'string' },
    tenure_months: { type: 'number', integer: true, min: 0 },
    monthly_fee: { type: 'number', min: 0 },
    plan: { type: 'string', values: ['basic', 'pro'] },
    churned: { type: 'boolean' },
  },
};
const HEADER = 'customer_id,tenure_months,monthly_fee,plan,churned';

/** `n` good rows; `bad` maps a 1-based file line to the raw row to put there instead. */
function dataset(n: number, bad: Record<number, string> = {}): string {
  const lines = [HEADER];
  for (let i = 0; i < n; i++) {
    const line = i + 2;
    lines.push(
      bad[line] ?? `c${i},${i % 48},${(20 + (i % 7) * 5).toFixed(2)},${i % 3 === 0 ? 'pro' : 'basic'},${i % 4 === 0}`,
    );
  }
  return csv(...lines);
}

let files: CsvDir;
let storeRoot: string;
let artifacts: ArtifactStore;
beforeEach(async () => {
  files = await createCsvDir();
  storeRoot = await mkdtemp(join(tmpdir(), 'slipway-validate-store-'));
  artifacts = createFsArtifactStore(storeRoot);
});
afterEach(async () => {
  await files.remove();
  await rm(storeRoot, { recursive: true, force: true });
});

describe('createValidateActivity', () => {
  it('pins the digest, profiles the data, stores profile and report, and heartbeats rows and bytes', async () => {
    const { uri, path } = await files.write('good.csv', dataset(1000));
    const env = new MockActivityEnvironment();
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => heartbeats.push(d));
    const summary = await runActivity(env, createValidateActivity({ artifacts }), { dataset: { uri }, schema });

    const { digest, size } = await sha256OfFile(path);
    expect(ValidationSummary.parse(summary)).toEqual(summary);
    expect(summary).toMatchObject({
      dataset: { uri, format: 'csv', digest },
      rows: 1000,
      badRows: 0,
      badRowShare: 0,
      failures: [],
    });
    expect(heartbeats.at(-1)).toEqual({ rows: 1000, bytes: size, totalBytes: size, percent: 100 });

    const profile = DatasetProfile.parse(await artifacts.getJson(summary.profile));
    expect(profile.rows).toBe(1000);
    expect(profile.columns['tenure_months']).toMatchObject({ kind: 'numeric', count: 1000, min: 0, max: 47 });
    expect(profile.columns['plan']).toMatchObject({
      kind: 'categorical',
      distinct: 2,
      topValues: [
        { value: 'basic', count: 666 },
        { value: 'pro', count: 334 },
      ],
    });

    const report = await artifacts.getJson<ValidationReport>(summary.report);
    expect(report).toMatchObject({
      kind: 'slipway.validation-report',
      rows: 1000,
      goodRows: 1000,
      badRows: 0,
      passed: true,
      profile: summary.profile,
    });
    expect(report.dataset).toEqual({ uri, format: 'csv', digest, bytes: size, header: HEADER.split(',') });
  });

  it('is deterministic: validating the same bytes again gives the same artifacts', async () => {
    const { uri } = await files.write('same.csv', dataset(50, { 7: 'c5,x,20,basic,true' }));
    const validate = createValidateActivity({ artifacts });
    const input = { dataset: { uri }, schema, maxBadRowShare: 0.5 };
    const [a, b] = [await validate(input), await validate(input)];
    expect(b).toEqual(a);
  });

  it('fails with ValidationFailed naming the file, the counts and the first bad rows, with the report as details', async () => {
    const { uri, path } = await files.write(
      'bad.csv',
      dataset(40, { 14: 'c12,abc,20,basic,true', 20: 'c18,3,-1,gold,true', 30: 'c28,3,20' }),
    );
    const env = new MockActivityEnvironment();
    const err = await rejection(
      runActivity(env, createValidateActivity({ artifacts }), { dataset: { uri }, schema, maxBadRowShare: 0.05 }),
    );
    expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed, nonRetryable: true });
    expect(err.message).toBe(
      `Dataset ${path} failed validation: 3 of 40 rows are bad (7.5%, at most 5.0% allowed). First failures: ` +
        'line 14, column "tenure_months": expected a number, got "abc"; ' +
        'line 20, column "monthly_fee": expected a number >= 0, got "-1"; ' +
        'line 20, column "plan": expected one of "basic", "pro", got "gold"; …',
    );
    const details = err.details?.[0] as { report: { uri: string; digest: string } };
    const report = await artifacts.getJson<ValidationReport>(details.report);
    expect(report).toMatchObject({
      passed: false,
      rows: 40,
      badRows: 3,
      raggedRows: 1,
      badRowShare: 3 / 40,
      maxBadRowShare: 0.05,
    });
    expect(report.columnFailureCounts).toEqual({
      customer_id: 0,
      tenure_months: 1,
      monthly_fee: 1,
      plan: 1,
      churned: 0,
    });
    expect(report.failures).toHaveLength(4);
  });

  it('passes when the bad-row share is within maxBadRowShare, reporting at most maxFailuresReported failures', async () => {
    const bad: Record<number, string> = {};
    for (let line = 10; line < 20; line++) bad[line] = `c${line},1.5,20,basic,true`;
    const { uri } = await files.write('some-bad.csv', dataset(200, bad));
    const summary = await createValidateActivity({ artifacts })({
      dataset: { uri },
      schema,
      maxBadRowShare: 0.05,
      maxFailuresReported: 3,
    });
    expect(summary).toMatchObject({ rows: 200, badRows: 10, badRowShare: 0.05 });
    expect(summary.failures).toEqual(
      [10, 11, 12].map((line) => ({ line, column: 'tenure_months', message: 'expected an integer, got "1.5"' })),
    );
    const report = await artifacts.getJson<ValidationReport>(summary.report);
    expect(report.failures).toHaveLength(10);
    expect(DatasetProfile.parse(await artifacts.getJson(summary.profile)).columns['tenure_months']).toMatchObject({
      count: 190,
    });
  });

  it('fails with NotFound naming the path of a missing file', async () => {
    const { uri, path } = files.file('missing.csv');
    const err = await rejection(createValidateActivity({ artifacts })({ dataset: { uri }, schema }));
    expect(err).toMatchObject({ type: SlipwayErrorType.NotFound, nonRetryable: true });
    expect(err.message).toContain(path);
  });

  it('fails with ValidationFailed on an empty file and on a header-only file', async () => {
    const validate = createValidateActivity({ artifacts });
    const empty = await files.write('empty.csv', '');
    const emptyErr = await rejection(validate({ dataset: { uri: empty.uri }, schema }));
    expect(emptyErr).toMatchObject({
      type: SlipwayErrorType.ValidationFailed,
      message: `Dataset ${empty.path} is empty: expected a header line`,
    });
    const header = await files.write('header.csv', csv(HEADER));
    const headerErr = await rejection(validate({ dataset: { uri: header.uri }, schema }));
    expect(headerErr).toMatchObject({
      type: SlipwayErrorType.ValidationFailed,
      message: `Dataset ${header.path} has a header but no data rows`,
    });
  });

  it('fails with ValidationFailed on a missing column and on an unbalanced quote', async () => {
    const validate = createValidateActivity({ artifacts });
    const missing = await files.write(
      'missing-col.csv',
      csv('customer_id,tenure_months,plan,churned', 'c1,1,basic,no'),
    );
    const missingErr = await rejection(validate({ dataset: { uri: missing.uri }, schema }));
    expect(missingErr.type).toBe(SlipwayErrorType.ValidationFailed);
    expect(missingErr.message).toContain('missing column "monthly_fee"');
    const quote = await files.write('quote.csv', dataset(5, { 4: '"c2,2,20,basic,true' }));
    const quoteErr = await rejection(validate({ dataset: { uri: quote.uri }, schema }));
    expect(quoteErr.type).toBe(SlipwayErrorType.ValidationFailed);
    expect(quoteErr.message).toContain(`Dataset ${quote.path}, line 4: unbalanced quote`);
  });

  it('fails with DigestMismatch when the input pins a digest the bytes do not have', async () => {
    const { uri } = await files.write('pinned.csv', dataset(5));
    const wrong = `sha256:${'0'.repeat(64)}`;
    const err = await rejection(createValidateActivity({ artifacts })({ dataset: { uri, digest: wrong }, schema }));
    expect(err).toMatchObject({ type: SlipwayErrorType.DigestMismatch });
    expect(err.message).toContain(`expected ${wrong}`);
  });

  it('refuses invalid input with InvalidInput naming the field', async () => {
    const err = await rejection(
      createValidateActivity({ artifacts })({ dataset: { uri: 'http://x/data.csv' }, schema }),
    );
    expect(err).toMatchObject({ type: SlipwayErrorType.InvalidInput });
    expect(err.message).toContain('dataset.uri');
  });

  it('stops with a cancellation when the activity is cancelled', async () => {
    const { uri } = await files.write('big.csv', dataset(20000));
    const env = new MockActivityEnvironment();
    env.on('heartbeat', () => env.cancel('CANCELLED'));
    const err = await rejection(runActivity(env, createValidateActivity({ artifacts }), { dataset: { uri }, schema }));
    expect(err.name).toBe('CancelledFailure');
  });
});
