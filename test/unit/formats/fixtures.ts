/**
 * Test helpers for the format readers: byte sources over memory and over generators, the same small table
 * written as CSV, TSV, JSON lines and Parquet (plain and gzip), and collectors of rows and failures.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import type { DatasetRef, RowSchema } from '@slipway/sdk';
import type { ByteSource } from '../../../packages/activities/src/sources/byte-source.js';
import {
  BatchChecker,
  openRowReader,
  type CheckedRow,
  type DatasetRowReader,
  type RowBatch,
  type RowReaderOptions,
} from '../../../packages/activities/src/data/index.js';

/** A `ByteSource` over bytes in memory; counts the bytes handed out by `read` and `stream`. */
export interface MemorySource extends ByteSource {
  readonly reads: { start: number; end: number }[];
}

/** A byte source over `bytes`, streamed in chunks of `chunkSize` bytes. */
export function memorySource(name: string, bytes: Uint8Array | string, chunkSize = 64 * 1024): MemorySource {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes);
  const reads: { start: number; end: number }[] = [];
  return {
    uri: `file:///memory/${name}`,
    displayName: `/memory/${name}`,
    reads,
    size: () => Promise.resolve(data.length),
    stream: (options = {}) => {
      const start = options.start ?? 0;
      function* chunks() {
        for (let at = start; at < data.length; at += chunkSize) yield data.subarray(at, at + chunkSize);
      }
      return Promise.resolve(Readable.from(chunks(), { objectMode: false }));
    },
    read: (start, end) => {
      reads.push({ start, end });
      // Like a file source: small Buffers are views into a shared pool (byteOffset > 0).
      return Promise.resolve(Buffer.from(data.subarray(start, end)));
    },
  };
}

/**
 * A byte source whose stream is produced lazily by `chunks` (nothing is held in memory); `pulled()` says how
 * many bytes the reader has taken from it so far.
 */
export function generatorSource(
  name: string,
  size: number,
  chunks: () => Generator<Uint8Array>,
): ByteSource & { pulled(): number } {
  let pulled = 0;
  return {
    uri: `file:///generated/${name}`,
    displayName: `/generated/${name}`,
    pulled: () => pulled,
    size: () => Promise.resolve(size),
    stream: () => {
      function* counted() {
        for (const chunk of chunks()) {
          pulled += chunk.length;
          yield chunk;
        }
      }
      return Promise.resolve(Readable.from(counted(), { objectMode: false }));
    },
    read: () => Promise.reject(new Error('a streaming format must not use read()')),
  };
}

/** A cell of the shared table: what each format writes (`null` is an empty CSV cell). */
export type TableCell = string | number | bigint | boolean | null;

/** The shared table: columns, and rows of cells. */
export interface Table {
  columns: string[];
  rows: TableCell[][];
}

function csvField(cell: TableCell, delimiter: string, quote: string): string {
  if (cell === null) return '';
  const text = String(cell);
  const needsQuotes = text.includes(quote) || text.includes(delimiter) || /[\r\n]/.test(text);
  return needsQuotes ? `${quote}${text.replaceAll(quote, quote + quote)}${quote}` : text;
}

/** The table as CSV text (RFC 4180 quoting with the given delimiter and quote; `\n` line ends). */
export function toCsv(table: Table, delimiter = ',', quote = '"'): string {
  const lines = [table.columns, ...table.rows].map((row) =>
    row.map((c) => csvField(c, delimiter, quote)).join(delimiter),
  );
  return `${lines.join('\n')}\n`;
}

/** The table as JSON lines (bigints written as JSON numbers). */
export function toJsonl(table: Table): string {
  const lines = table.rows.map((row) => {
    const entries = table.columns.map((column, i) => {
      const cell = row[i] ?? null;
      return `${JSON.stringify(column)}:${typeof cell === 'bigint' ? cell.toString() : JSON.stringify(cell)}`;
    });
    return `{${entries.join(',')}}`;
  });
  return `${lines.join('\n')}\n`;
}

/** The table as Parquet, with the given column types (numbers become bigints in INT64 columns), in row groups of `rowGroupSize` rows. */
export function toParquet(table: Table, types: ColumnSource['type'][], rowGroupSize = 4): Uint8Array {
  const columnData: ColumnSource[] = table.columns.map((name, i) => ({
    name,
    type: types[i],
    data: table.rows.map((row) => {
      const cell = row[i] ?? null;
      return types[i] === 'INT64' && typeof cell === 'number' ? BigInt(cell) : cell;
    }),
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize }));
}

/** Gzip of some text or bytes. */
export function gzip(content: string | Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(content));
}

/** Reads every batch of a reader. */
export async function readAll(reader: DatasetRowReader): Promise<RowBatch[]> {
  const batches: RowBatch[] = [];
  for await (const batch of reader) batches.push(batch);
  return batches;
}

/** Opens `ref` over `source` and checks every row against `schema`, in file order. */
export async function checkAll(
  ref: DatasetRef,
  source: ByteSource,
  schema: RowSchema,
  options: RowReaderOptions = {},
): Promise<{ reader: DatasetRowReader; rows: CheckedRow[] }> {
  const reader = openRowReader(ref, source, options);
  const checker = new BatchChecker(reader, schema);
  const rows: CheckedRow[] = [];
  for await (const batch of reader) rows.push(...checker.check(batch));
  checker.finish();
  return { reader, rows };
}

/** Awaits a promise that must reject and returns the error. */
export async function rejection(promise: Promise<unknown>): Promise<Error & { type?: string; details?: unknown[] }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { type?: string; details?: unknown[] };
  }
  throw new Error('expected the promise to reject, but it resolved');
}
