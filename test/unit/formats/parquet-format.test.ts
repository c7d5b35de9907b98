import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { RowSchema, SlipwayErrorType } from '@slipway/sdk';
import { openRowReader } from '../../../packages/activities/src/data/index.js';
import { checkAll, memorySource, readAll, rejection } from './fixtures.js';

const ref = { uri: 'file:///d/table.parquet' };

/** `rows` rows in row groups of `groupSize`: a string id, a double, an INT64 and a boolean. */
function table(rows: number, groupSize: number): Uint8Array {
  const ids = Array.from({ length: rows }, (_, i) => `customer-${String(i).padStart(7, '0')}`);
  return new Uint8Array(
    parquetWriteBuffer({
      rowGroupSize: groupSize,
      columnData: [
        { name: 'id', type: 'STRING', data: ids },
        { name: 'score', type: 'DOUBLE', data: ids.map((_, i) => Math.sin(i) * 1000) },
        { name: 'visits', type: 'INT64', data: ids.map((_, i) => BigInt(i) * 1_000_003n) },
        { name: 'active', type: 'BOOLEAN', data: ids.map((_, i) => i % 3 === 0) },
      ],
    }),
  );
}

const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('Parquet reader', () => {
  it('reads row group by row group: typed cells (INT64 as bigint), { rowGroup, row } positions, digest, progress', async () => {
    const bytes = table(10, 4);
    const source = memorySource('table.parquet', bytes);
    const reader = openRowReader(ref, source, { batchSize: 3 });
    const batches = await readAll(reader);
    expect(batches.map((b) => b.rows.length)).toEqual([3, 3, 3, 1]);
    const rows = batches.flatMap((b) => b.rows);
    expect(rows[0]).toEqual(['customer-0000000', 0, 0n, true]);
    expect(rows[9]).toEqual(['customer-0000009', Math.sin(9) * 1000, 9_000_027n, true]);
    const positions = batches.flatMap((b) => b.positions);
    expect(positions.slice(2, 6)).toEqual([
      { rowGroup: 0, row: 2 },
      { rowGroup: 0, row: 3 },
      { rowGroup: 1, row: 0 },
      { rowGroup: 1, row: 1 },
    ]);
    expect(positions.map((p) => reader.rowNumber(p))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(reader.columns).toEqual(['id', 'score', 'visits', 'active']);
    expect(reader.digest()).toBe(sha256(bytes));
    expect(reader.progress()).toEqual({ bytesRead: bytes.length, totalBytes: bytes.length, rowsRead: 10 });
  });

  it('never reads the whole file at once: one row group per read after the footer', async () => {
    const bytes = table(60_000, 10_000);
    expect(bytes.length).toBeGreaterThan(1024 * 1024);
    const source = memorySource('big.parquet', bytes);
    const reader = openRowReader(ref, source);
    let rows = 0;
    for await (const batch of reader) rows += batch.rows.length;
    expect(rows).toBe(60_000);
    const largest = Math.max(...source.reads.map((r) => r.end - r.start));
    expect(largest).toBeLessThan(bytes.length / 2);
    expect(reader.digest()).toBe(sha256(bytes));
  });

  it('checks typed values: a number column takes INT64 bigints, an integer rule sees doubles', async () => {
    const schema = RowSchema.parse({
      columns: {
        id: { type: 'string' },
        score: { type: 'number', integer: true },
        visits: { type: 'number', max: 5_000_000 },
        active: { type: 'boolean' },
      },
    });
    const { rows } = await checkAll(ref, memorySource('t.parquet', table(6, 3)), schema);
    const failures = rows.flatMap((r) => (r.ok ? [] : r.failures));
    expect(failures[0]).toEqual({
      position: { rowGroup: 0, row: 1 },
      column: 'score',
      message: `expected an integer, got "${Math.sin(1) * 1000}"`,
    });
    expect(failures.filter((f) => f.column === 'visits')).toEqual([
      { position: { rowGroup: 1, row: 2 }, column: 'visits', message: 'expected a number <= 5000000, got "5000015"' },
    ]);
  });

  it('gives timestamps and dates as ISO strings and JSON columns as text', async () => {
    const bytes = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'at', type: 'TIMESTAMP', data: [new Date('2024-05-06T07:08:09.010Z')] },
          { name: 'doc', type: 'JSON', data: [{ a: [1, 2] }] },
        ],
      }),
    );
    const batches = await readAll(openRowReader(ref, memorySource('t.parquet', bytes)));
    expect(batches[0]?.rows).toEqual([['2024-05-06T07:08:09.010Z', '{"a":[1,2]}']]);
  });

  it('fails on an empty file, a short file, a corrupt footer and a truncated file, naming the file', async () => {
    const good = table(20, 5);
    const corrupt = new Uint8Array(good);
    corrupt.set(Buffer.from('XXXX'), corrupt.length - 4);
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(0), 'Dataset /memory/t.parquet is empty: expected a Parquet file'],
      [Buffer.from('PAR1'), 'Dataset /memory/t.parquet: not a Parquet file: only 4 bytes'],
      [corrupt, 'Dataset /memory/t.parquet: not a readable Parquet file: the footer is corrupt or missing'],
      [good.subarray(0, good.length >> 1), 'Dataset /memory/t.parquet: not a readable Parquet file: the footer'],
      [Buffer.from('id,n\na,1\nb,2\nc,3\n'), 'Dataset /memory/t.parquet: not a readable Parquet file: the footer'],
    ];
    for (const [bytes, message] of cases) {
      const err = await rejection(readAll(openRowReader(ref, memorySource('t.parquet', bytes))));
      expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed, nonRetryable: true });
      expect(err.message.startsWith(message), err.message).toBe(true);
    }
  });

  it('fails on a row group that cannot be decoded, naming the row group', async () => {
    const bytes = new Uint8Array(table(20, 5));
    const metadata = parquetMetadata(bytes.buffer.slice(0));
    const chunk = metadata.row_groups[2]?.columns[0]?.meta_data;
    const start = Number(chunk?.dictionary_page_offset ?? chunk?.data_page_offset ?? 0n);
    bytes.fill(0xff, start, start + 16);
    const reader = openRowReader(ref, memorySource('t.parquet', bytes));
    let rows = 0;
    const err = await rejection(
      (async () => {
        for await (const batch of reader) rows += batch.rows.length;
      })(),
    );
    expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed });
    expect(err.message).toMatch(/^Dataset \/memory\/t\.parquet, row group 2: cannot decode the row group: /);
    expect(rows).toBe(0);
  });

  it('refuses a gzip-compressed Parquet reference', () => {
    expect(() => openRowReader({ uri: 'file:///d/t.parquet.gz' }, memorySource('t.parquet.gz', ''))).toThrow(
      /cannot be gzip-compressed as a whole/,
    );
  });
});
