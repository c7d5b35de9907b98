/**
 * Dataset formats behind one row-batch interface: CSV (with gzip), JSON lines (with gzip) and Parquet, read
 * from any `ByteSource`, with the sha256 of the stored bytes, progress, and clear failures on bad input.
 *
 * ```ts
 * const reader = openRowReader({ uri: 'file:///data/churn.jsonl.gz' }, source);
 * const checker = new BatchChecker(reader, schema);
 * for await (const batch of reader) for (const row of checker.check(batch)) if (!row.ok) report(row.failures);
 * const digest = reader.digest();
 * ```
 *
 * @packageDocumentation
 */
export { DEFAULT_BATCH_SIZE, DEFAULT_MAX_RECORD_BYTES, type DatasetRowReader } from './batch-reader.js';
export { BatchChecker, checkedRows, type CheckedRow, type PositionedFailure } from './check-rows.js';
export { CsvTokenizer, type CsvRecordHandler, type CsvTokenizerOptions } from './csv-tokenizer.js';
export {
  openSourceFromEnv,
  readDatasetRows,
  type CheckedRowReader,
  type DatasetRowsOptions,
  type SourceOpener,
} from './dataset-rows.js';
export { openRowReader } from './open-row-reader.js';
export { parquetCell } from './parquet-cells.js';
