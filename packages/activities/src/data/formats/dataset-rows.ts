/**
 * Reading a dataset by reference, checked against a row schema, one row at a time: the convenience the
 * train step, custom steps and scripts use (the validate step works batch by batch for speed).
 */
import type { DatasetRef, RowSchema } from '@slipway/sdk';
import type { ByteSource } from '../../sources/byte-source.js';
import { openByteSource } from '../../sources/open-source.js';
import { s3SettingsFromEnv } from '../../sources/s3-settings.js';
import type { RowReaderOptions } from '../row-batch.js';
import type { DatasetRowReader } from './batch-reader.js';
import { checkedRows, type CheckedRow } from './check-rows.js';
import { openRowReader } from './open-row-reader.js';

/** Opens the stored bytes of a dataset URI. */
export type SourceOpener = (uri: string) => ByteSource;

/**
 * Opens `file://` and `s3://` URIs, reaching S3 with the settings of the environment (`AWS_*`, `SLIPWAY_S3_*`). It
 * checks no dataset roots: code that reads a dataset a caller names (a step) opens it with `datasetSourceOpener`.
 */
export const openSourceFromEnv: SourceOpener = (uri) => openByteSource(uri, { s3: s3SettingsFromEnv() });

/** Options of {@link readDatasetRows}. */
export interface DatasetRowsOptions extends RowReaderOptions {
  /** The row schema every row is checked against. */
  schema: RowSchema;
  /** Opens the dataset's bytes (default {@link openSourceFromEnv}; a step passes `datasetSourceOpener(deps)`). */
  openSource?: SourceOpener;
}

/** Checked rows of one dataset, with the reader behind them (progress, columns, and the digest at the end). */
export interface CheckedRowReader extends AsyncIterable<CheckedRow> {
  readonly reader: DatasetRowReader;
}

/**
 * Opens a dataset of any format (see `openRowReader`) and checks each row against `options.schema`. Iterate
 * it once; then `reader.digest()` is the sha256 of the bytes the rows came from.
 *
 * ```ts
 * const rows = readDatasetRows({ uri: 's3://datasets/churn.parquet' }, { schema });
 * for await (const row of rows) if (!row.ok) console.log(describePosition(row.position), row.failures);
 * console.log(rows.reader.digest());
 * ```
 */
export function readDatasetRows(ref: DatasetRef, options: DatasetRowsOptions): CheckedRowReader {
  const { schema, openSource = openSourceFromEnv, ...readerOptions } = options;
  const reader = openRowReader(ref, openSource(ref.uri), readerOptions);
  return {
    reader,
    [Symbol.asyncIterator]: () => checkedRows(reader, schema, readerOptions.signal),
  };
}
