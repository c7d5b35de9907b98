/**
 * The one interface every dataset format is read through, so checks and profiles never care whether the rows
 * came from CSV, JSON lines or Parquet.
 */

/** A cell as its format gives it: CSV gives strings, JSON lines and Parquet give typed values. */
export type RawCell = string | number | bigint | boolean | null | undefined;

/** Where a row is: a 1-based file line (CSV, JSON lines), or a row group and row within it (Parquet, 0-based). */
export type RowPosition = { line: number } | { rowGroup: number; row: number };

/** A row that could not be parsed at all (a ragged CSV row, a line that is not a JSON object, …). */
export interface MalformedRow {
  position: RowPosition;
  message: string;
}

/** A batch of rows, row-major: `rows[i][j]` is the cell of column `columns[j]` in the row at `positions[i]`. */
export interface RowBatch {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly RawCell[])[];
  readonly positions: readonly RowPosition[];
  readonly malformed: readonly MalformedRow[];
}

/** Reading progress: stored bytes consumed so far, and the total when known. */
export interface ReadProgress {
  bytesRead: number;
  totalBytes: number | undefined;
  rowsRead: number;
}

/**
 * A single-use reader of one dataset in batches. Iterate it once; afterwards `digest()` is the sha256 of the
 * stored bytes (for every format). Unreadable input (unbalanced quotes, invalid UTF-8, a record longer than the
 * limit, an empty file, a corrupt Parquet footer) fails with a final `SlipwayValidationFailed` naming the file
 * and, where it applies, the line or row group.
 */
export interface RowBatchReader extends AsyncIterable<RowBatch> {
  /** The column names: the CSV header, the union of JSON keys seen, or the Parquet schema. Set after the first batch. */
  readonly columns: readonly string[] | undefined;
  progress(): ReadProgress;
  /** `sha256:<hex>` of the stored bytes; throws until the iteration has completed. */
  digest(): `sha256:${string}`;
}

/** Options every format reader takes. */
export interface RowReaderOptions {
  /** Rows per batch (default 4096). */
  batchSize?: number;
  /** The longest record or line, in bytes, before the read fails (default 16 MiB). */
  maxRecordBytes?: number;
  signal?: AbortSignal;
}

/** Formats a position for messages: `line 14` or `row group 2, row 17`. */
export function describePosition(position: RowPosition): string {
  return 'line' in position ? `line ${position.line}` : `row group ${position.rowGroup}, row ${position.row}`;
}
