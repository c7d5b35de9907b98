/**
 * A split file written row by row: a header and one CSV record per row (comma separated, RFC 4180 quoting, `\n`
 * line ends), streamed to disk while its sha256 and row count are computed, so no row is held in memory.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import type { TypedRow } from '../ports.js';

/** A split file once it is complete: where it is, the digest of its bytes and how many data rows it holds. */
export interface WrittenSplitFile {
  path: string;
  format: 'csv';
  digest: string;
  rows: number;
}

/** A CSV file being written. */
export interface CsvSplitWriter {
  /** Appends one row (its `columns`, in order); waits when the disk is behind. */
  write(row: TypedRow): Promise<void>;
  /** Flushes and closes the file; its digest covers every byte written. */
  close(): Promise<WrittenSplitFile>;
  /** Closes the file without completing it (after a failure); the caller removes it. */
  abort(): Promise<void>;
}

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV cell (RFC 4180): `null` is an empty cell; a cell holding a comma, a quote or a line break is quoted,
 * quotes doubled. A cell of spaces only, or one with leading or trailing spaces, is quoted too, so no reader trims
 * it. Numbers are written as JavaScript writes them (`0.1`, `1e-7`), booleans as `true` / `false`.
 */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  if (typeof value !== 'string') return text;
  if (text === '' || NEEDS_QUOTES.test(text) || text.trim() !== text) return `"${text.replaceAll('"', '""')}"`;
  return text;
}

/** One CSV record of `columns` (without its line end). */
export function csvRecord(values: readonly (string | number | boolean | null)[]): string {
  return values.map(csvCell).join(',');
}

/**
 * Opens `path` for a new CSV split with `columns` as its header. A string column whose value is an empty string
 * is written quoted (`""`), so it is not read back as a missing value.
 */
export async function openCsvSplitWriter(path: string, columns: readonly string[]): Promise<CsvSplitWriter> {
  const stream: WriteStream = createWriteStream(path, { flags: 'wx' });
  await once(stream, 'open');
  const hash = createHash('sha256');
  let rows = 0;
  const put = async (text: string): Promise<void> => {
    const bytes = Buffer.from(text, 'utf8');
    hash.update(bytes);
    if (!stream.write(bytes)) await once(stream, 'drain');
  };
  await put(csvRecord(columns) + '\n');
  return {
    async write(row) {
      await put(csvRecord(columns.map((column) => row[column] ?? null)) + '\n');
      rows++;
    },
    async close() {
      stream.end();
      await once(stream, 'finish');
      return { path, format: 'csv', digest: `sha256:${hash.digest('hex')}`, rows };
    },
    async abort() {
      if (stream.closed) return;
      stream.destroy();
      await once(stream, 'close').catch(() => undefined);
    },
  };
}
