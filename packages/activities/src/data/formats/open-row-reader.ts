/**
 * One entry point for reading any dataset in row batches, whatever its format.
 */
import { SlipwayErrorType, datasetEncoding, finalFailure, type DatasetRef } from '@slipway/sdk';
import type { ByteSource } from '../../sources/byte-source.js';
import type { RowReaderOptions } from '../row-batch.js';
import type { DatasetRowReader } from './batch-reader.js';
import { openCsvReader } from './csv-format.js';
import { openJsonlReader } from './jsonl-format.js';
import { openParquetReader } from './parquet-format.js';

function encodingOf(ref: DatasetRef): ReturnType<typeof datasetEncoding> {
  try {
    return datasetEncoding(ref);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw finalFailure(SlipwayErrorType.InvalidInput, `Dataset ${ref.uri}: ${reason}`, { uri: ref.uri });
  }
}

/**
 * Opens a single-use reader of the dataset `ref` over its stored bytes `source`, choosing the format from
 * `datasetEncoding(ref)`:
 * - **CSV** (`.csv`, `.tsv`, plain or `.gz`): header, the configured delimiter and quote, BOM, CRLF; cells
 *   are strings ({@link DatasetRowReader.textCells} is true). Positions are 1-based file lines.
 * - **JSON lines** (`.jsonl`, `.ndjson`, plain or `.gz`): one object per line, typed values, the union of the
 *   keys seen as columns. Positions are 1-based file lines.
 * - **Parquet** (`.parquet`): one row group at a time, typed values (INT64 as `bigint`). Positions are
 *   `{ rowGroup, row }`.
 *
 * Every format gives the same guarantees: batches of at most `batchSize` rows in file order; rows that
 * cannot be parsed come as `batch.malformed` and the read goes on; input that cannot be read at all
 * fails with a final `SlipwayValidationFailed` naming the file and, where it applies, the line or row group;
 * memory is bounded (no record longer than `maxRecordBytes` is buffered; Parquet holds one row group); and
 * after a complete iteration `digest()` is the sha256 of the stored bytes, compressed or not.
 *
 * **Progress and retries.** `progress()` gives the stored bytes and rows read so far, and the total size:
 * the validate and train activities heartbeat it. There is no resuming from the middle of a file: the digest
 * must cover every byte, and a hash cannot be restarted from a saved position, so a retried activity reads
 * the dataset again from the start (it is a pure function of the bytes, so the retry finds the same rows,
 * failures and digest). What a retry can use from the last heartbeat of its predecessor is the size it saw
 * (to notice the object changed) and the progress to report.
 *
 * ```ts
 * const reader = openRowReader(ref, openByteSource(ref.uri), { batchSize: 4096 });
 * for await (const batch of reader) console.log(batch.rows.length, reader.progress());
 * console.log(reader.digest());
 * ```
 *
 * A format that cannot be told from the name fails with `SlipwayInvalidInput`.
 */
export function openRowReader(ref: DatasetRef, source: ByteSource, options: RowReaderOptions = {}): DatasetRowReader {
  const encoding = encodingOf(ref);
  switch (encoding.format) {
    case 'csv':
      return openCsvReader(source, encoding, options);
    case 'jsonl':
      return openJsonlReader(source, encoding.compression, options);
    case 'parquet':
      if (encoding.compression !== 'none') {
        throw finalFailure(
          SlipwayErrorType.InvalidInput,
          `Dataset ${ref.uri}: a Parquet file cannot be gzip-compressed as a whole (Parquet compresses its pages itself)`,
          { uri: ref.uri },
        );
      }
      return openParquetReader(source, options);
  }
}
