import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RowSchema, type DatasetRef } from '@slipway/sdk';
import { describePosition, type CheckedRow } from '../../../packages/activities/src/data/index.js';
import { checkAll, gzip, memorySource, toCsv, toJsonl, toParquet, type Table } from './fixtures.js';

const schema = RowSchema.parse({
  columns: {
    customer_id: { type: 'string' },
    tenure_months: { type: 'number', integer: true, min: 0 },
    visits: { type: 'number', integer: true },
    monthly_fee: { type: 'number', nullable: true },
    plan: { type: 'string', values: ['basic', 'pro'] },
    churned: { type: 'boolean' },
    note: { type: 'string', nullable: true },
  },
});

/** Ten customers; rows 2, 4, 5, 7 and 9 (0-based) break a rule in a way every format can express. */
const table: Table = {
  columns: ['customer_id', 'tenure_months', 'visits', 'monthly_fee', 'plan', 'churned', 'note'],
  rows: [
    ['c0', 12, 3n, 20.5, 'basic', false, 'plain'],
    ['c1', 0, 0n, null, 'pro', true, 'has, a comma'],
    ['c2', -3, 1n, 30, 'basic', false, 'said "hi"'],
    ['c3', 40, 9007199254740991n, 25.25, 'pro', true, 'two\nlines'],
    ['c4', 5, 2n, 19.99, 'gold', false, null],
    ['c5', 2.5, 4n, 1e3, 'basic', true, 'tab\there'],
    ['c6', 7, 5n, 0, 'pro', false, 'ünïcødé ✓'],
    ['c7', 8, 6n, 10, 'basic', null, 'no churn value'],
    ['c8', 9, 7n, 11, 'pro', true, ''],
    [null, 10, 8n, 12, 'basic', false, 'no id'],
  ],
};

const csvText = toCsv(table);
const variants: { name: string; ref: DatasetRef; bytes: Uint8Array | string }[] = [
  { name: 'CSV', ref: { uri: 'file:///d/churn.csv' }, bytes: csvText },
  { name: 'TSV', ref: { uri: 'file:///d/churn.tsv' }, bytes: toCsv(table, '\t') },
  { name: 'CSV.gz', ref: { uri: 'file:///d/churn.csv.gz' }, bytes: gzip(csvText) },
  { name: 'CSV with CRLF and a BOM', ref: { uri: 'file:///d/crlf.csv' }, bytes: `\ufeff${crlf(csvText)}` },
  {
    name: 'CSV with ; and single quotes',
    ref: { uri: 'file:///d/semi.csv', csv: { delimiter: ';', quote: "'" } },
    bytes: toCsv(table, ';', "'"),
  },
  { name: 'JSONL', ref: { uri: 'file:///d/churn.jsonl' }, bytes: toJsonl(table) },
  { name: 'JSONL.gz', ref: { uri: 'file:///d/churn.ndjson.gz' }, bytes: gzip(toJsonl(table)) },
  {
    name: 'Parquet',
    ref: { uri: 'file:///d/churn.parquet' },
    bytes: toParquet(table, ['STRING', 'DOUBLE', 'INT64', 'DOUBLE', 'STRING', 'BOOLEAN', 'STRING']),
  },
];

/** CRLF line ends outside quoted fields only (a quoted newline stays as written). */
function crlf(text: string): string {
  return text.replace(/\n(?=(?:[^"]*"[^"]*")*[^"]*$)/g, '\r\n');
}

/** Failures by row ordinal (0-based data row), which every format shares, rather than by line. */
function reportOf(rows: CheckedRow[]) {
  return rows.flatMap((row, ordinal) =>
    row.ok ? [] : row.failures.map(({ column, message }) => ({ ordinal, column, message })),
  );
}

const expectedFailures = [
  { ordinal: 2, column: 'tenure_months', message: 'expected a number >= 0, got "-3"' },
  { ordinal: 4, column: 'plan', message: 'expected one of "basic", "pro", got "gold"' },
  { ordinal: 5, column: 'tenure_months', message: 'expected an integer, got "2.5"' },
  { ordinal: 7, column: 'churned', message: 'expected a boolean, got an empty cell' },
  { ordinal: 9, column: 'customer_id', message: 'expected a string, got an empty cell' },
];

describe('the same table in every format', () => {
  it.each(variants)('$name gives the same typed rows, bad-row report and stored-bytes digest', async (v) => {
    const source = memorySource(v.ref.uri.split('/').at(-1) ?? 'data', v.bytes, 7);
    const { reader, rows } = await checkAll(v.ref, source, schema, { batchSize: 3 });
    expect(rows).toHaveLength(table.rows.length);
    expect(reportOf(rows)).toEqual(expectedFailures);
    const good = rows.flatMap((row) => (row.ok ? [row.row] : []));
    expect(good).toEqual([
      {
        customer_id: 'c0',
        tenure_months: 12,
        visits: 3,
        monthly_fee: 20.5,
        plan: 'basic',
        churned: false,
        note: 'plain',
      },
      {
        customer_id: 'c1',
        tenure_months: 0,
        visits: 0,
        monthly_fee: null,
        plan: 'pro',
        churned: true,
        note: 'has, a comma',
      },
      {
        customer_id: 'c3',
        tenure_months: 40,
        visits: 9007199254740991,
        monthly_fee: 25.25,
        plan: 'pro',
        churned: true,
        note: 'two\nlines',
      },
      {
        customer_id: 'c6',
        tenure_months: 7,
        visits: 5,
        monthly_fee: 0,
        plan: 'pro',
        churned: false,
        note: 'ünïcødé ✓',
      },
      // An empty CSV cell is null; JSON and Parquet write an empty string as a string.
      {
        customer_id: 'c8',
        tenure_months: 9,
        visits: 7,
        monthly_fee: 11,
        plan: 'pro',
        churned: true,
        note: v.name.startsWith('JSON') || v.name === 'Parquet' ? '' : null,
      },
    ]);
    const bytes = typeof v.bytes === 'string' ? Buffer.from(v.bytes) : v.bytes;
    expect(reader.digest()).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    expect(reader.progress()).toEqual({ bytesRead: bytes.length, totalBytes: bytes.length, rowsRead: 10 });
    expect(reader.columns).toEqual(table.columns);
  });

  it('positions are file lines for the text formats and row groups for Parquet', async () => {
    const at = async (v: (typeof variants)[number]) => {
      const { rows } = await checkAll(v.ref, memorySource('x', v.bytes), schema);
      return rows.filter((row) => !row.ok).map((row) => describePosition(row.position));
    };
    const [csv, jsonl, parquet] = await Promise.all([at(variants[0]!), at(variants[5]!), at(variants[7]!)]);
    // The CSV header is line 1, and the quoted newline of row 3 pushes later rows down a line.
    expect(csv).toEqual(['line 4', 'line 7', 'line 8', 'line 10', 'line 12']);
    expect(jsonl).toEqual(['line 3', 'line 5', 'line 6', 'line 8', 'line 10']);
    expect(parquet).toEqual([
      'row group 0, row 2',
      'row group 1, row 0',
      'row group 1, row 1',
      'row group 1, row 3',
      'row group 2, row 1',
    ]);
  });
});
