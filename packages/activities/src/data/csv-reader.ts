/**
 * `readCsvRows`: the row-at-a-time CSV reader of the first Slipway releases, kept for its callers. It is a
 * thin wrapper over {@link readDatasetRows} (so it reads `file://` and `s3://`, plain or gzip, with the
 * configured dialect inferred from the name: `.tsv` is tab-separated) and reports 1-based file lines.
 * New code should use `readDatasetRows` or `openRowReader`, which read every format.
 */
import type { RowFailure, RowSchema } from '@slipway/sdk';
import type { TypedRow } from '../ports.js';
import { DEFAULT_MAX_RECORD_BYTES } from './formats/batch-reader.js';
import type { CheckedRow } from './formats/check-rows.js';
import { readDatasetRows, type SourceOpener } from './formats/dataset-rows.js';
import type { RowPosition } from './row-batch.js';

/** One data record of the file: a typed row, or the reasons it is bad. Lines are 1-based file lines. */
export type CsvRowEvent =
  { ok: true; line: number; row: TypedRow } | { ok: false; line: number; failures: RowFailure[] };

/** Options of {@link readCsvRows}. */
export interface CsvReadOptions {
  /** The row schema every data record is checked against. */
  schema: RowSchema;
  /** Stops the read (throwing the abort reason) when aborted. */
  signal?: AbortSignal;
  /** The longest record, in bytes, before the read fails (default 16 MiB; guards against an unclosed quote). */
  maxRecordBytes?: number;
  /**
   * Opens the dataset's bytes (default: `file://` and `s3://` with S3 settings from the environment, checking no
   * dataset roots; a step passes `datasetSourceOpener(deps)`).
   */
  openSource?: SourceOpener;
}

/** A single-use, streaming reader of a CSV dataset: iterate it once, then read its digest. */
export interface CsvRowReader extends AsyncIterable<CsvRowEvent> {
  /** The dataset's name for messages: the local path, or `s3://bucket/key`. */
  readonly path: string;
  /** Stored bytes read so far (the whole file once the iteration has completed). */
  readonly bytesRead: number;
  /** The header as found in the file; `undefined` until it has been read. */
  readonly header: readonly string[] | undefined;
  /** `sha256:<hex>` of every stored byte of the file; throws until the iteration has completed. */
  digest(): `sha256:${string}`;
}

function lineOf(position: RowPosition): number {
  return 'line' in position ? position.line : position.row + 1;
}

function toEvent(checked: CheckedRow): CsvRowEvent {
  const line = lineOf(checked.position);
  if (checked.ok) return { ok: true, line, row: checked.row };
  return { ok: false, line, failures: checked.failures.map(({ column, message }) => ({ line, column, message })) };
}

async function* events(rows: AsyncIterable<CheckedRow>): AsyncGenerator<CsvRowEvent> {
  for await (const checked of rows) yield toEvent(checked);
}

/**
 * Opens a streaming reader over a CSV dataset. The first record is the header: it must name every schema
 * column (and nothing else when `allowExtraColumns` is false), else the read fails with
 * `SlipwayValidationFailed` listing the missing columns and the header found. A missing file fails with
 * `SlipwayNotFound`, an empty file, bad quoting, invalid UTF-8 or corrupt gzip with `SlipwayValidationFailed`
 * naming the file and line. A URI that is neither `file://` nor `s3://` fails with `SlipwayInvalidInput`.
 *
 * ```ts
 * const reader = readCsvRows('file:///data/churn.csv', { schema });
 * for await (const event of reader) if (!event.ok) console.log(event.line, event.failures);
 * console.log(reader.digest());
 * ```
 */
export function readCsvRows(uri: string, options: CsvReadOptions): CsvRowReader {
  const rows = readDatasetRows(
    { uri, format: 'csv' },
    {
      schema: options.schema,
      maxRecordBytes: options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.openSource === undefined ? {} : { openSource: options.openSource }),
    },
  );
  const { reader } = rows;
  let started = false;
  return {
    path: reader.source.displayName,
    get bytesRead() {
      return reader.progress().bytesRead;
    },
    get header() {
      return reader.columns;
    },
    digest: () => reader.digest(),
    [Symbol.asyncIterator]() {
      if (started) throw new Error(`readCsvRows(${uri}) can be iterated only once`);
      started = true;
      return events(rows);
    },
  };
}
