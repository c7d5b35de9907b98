/**
 * What the format readers share: the {@link DatasetRowReader} object around a format's batch generator (one
 * iteration only, progress, digest), a builder of size-capped batches, and the failure every format throws
 * for input it cannot read.
 */
import { SlipwayErrorType, finalFailure, type DatasetFormat } from '@slipway/sdk';
import type { ByteSource } from '../../sources/byte-source.js';
import { throwIfAborted } from '../activity-context.js';
import type { StoredBytesState } from './stored-bytes.js';
import type { MalformedRow, RawCell, ReadProgress, RowBatch, RowBatchReader, RowPosition } from '../row-batch.js';

/** The default rows per batch. */
export const DEFAULT_BATCH_SIZE = 4096;
/** The default longest record or line: 16 MiB. */
export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * A {@link RowBatchReader} that also says what it reads: the format, whether its cells are text to be parsed
 * (CSV) or typed values (JSON lines, Parquet), and how to number a row for people.
 */
export interface DatasetRowReader extends RowBatchReader {
  readonly format: DatasetFormat;
  /** The source, for messages (`displayName`) and references (`uri`). */
  readonly source: ByteSource;
  /** True when cells are text (CSV): checks parse them. False when cells are typed values. */
  readonly textCells: boolean;
  /** The CSV header's line, once read; `undefined` for the other formats. */
  readonly headerLine: number | undefined;
  /**
   * A 1-based number for a row position: the file line for CSV and JSON lines, the row number across row
   * groups for Parquet.
   */
  rowNumber(position: RowPosition): number;
}

/** The mutable state behind a reader: what its generator updates as it goes. */
export interface ReaderState {
  /** Stored bytes consumed, and their digest once every byte has gone through the hash. */
  stored: StoredBytesState;
  totalBytes: number | undefined;
  rowsRead: number;
  columns: readonly string[] | undefined;
  headerLine: number | undefined;
  /** Set by the format's generator once the iteration has completed. */
  digest: `sha256:${string}` | undefined;
}

/** A fresh reader state. */
export function createReaderState(): ReaderState {
  return {
    stored: { bytesRead: 0, digest: undefined },
    totalBytes: undefined,
    rowsRead: 0,
    columns: undefined,
    headerLine: undefined,
    digest: undefined,
  };
}

/** How a format reader is put together. */
export interface ReaderParts {
  format: DatasetFormat;
  source: ByteSource;
  textCells: boolean;
  state: ReaderState;
  batches: () => AsyncGenerator<RowBatch>;
  rowNumber: (position: RowPosition) => number;
}

/** Wraps a format's batch generator as a single-use {@link DatasetRowReader}. */
export function createDatasetRowReader(parts: ReaderParts): DatasetRowReader {
  const { state, source } = parts;
  let started = false;
  return {
    format: parts.format,
    source,
    textCells: parts.textCells,
    rowNumber: parts.rowNumber,
    get columns() {
      return state.columns;
    },
    get headerLine() {
      return state.headerLine;
    },
    progress(): ReadProgress {
      return { bytesRead: state.stored.bytesRead, totalBytes: state.totalBytes, rowsRead: state.rowsRead };
    },
    digest() {
      if (state.digest === undefined) {
        throw new Error(`The digest of ${source.displayName} is known only once every row has been read`);
      }
      return state.digest;
    },
    [Symbol.asyncIterator]() {
      if (started) throw new Error(`The reader of ${source.displayName} can be iterated only once`);
      started = true;
      return parts.batches();
    },
  };
}

/** The final `SlipwayValidationFailed` failure for input that cannot be read: `Dataset <name>[, <where>]: …`. */
export function unreadable(source: ByteSource, where: string | undefined, message: string, details?: object): Error {
  const prefix = where === undefined ? `Dataset ${source.displayName}` : `Dataset ${source.displayName}, ${where}`;
  return finalFailure(SlipwayErrorType.ValidationFailed, `${prefix}: ${message}`, { uri: source.uri, ...details });
}

/**
 * Collects rows and malformed rows into batches of at most `size` entries (rows plus malformed rows), in
 * input order. `take()` hands over the full batches collected so far; `flush()` the last, partial one.
 */
export class BatchBuilder {
  private rows: RawCell[][] = [];
  private positions: RowPosition[] = [];
  private malformed: MalformedRow[] = [];
  private readonly full: RowBatch[] = [];

  constructor(
    private readonly size: number,
    private readonly state: ReaderState,
  ) {}

  /** Adds a row of cells. */
  row(cells: RawCell[], position: RowPosition): void {
    this.rows.push(cells);
    this.positions.push(position);
    this.added();
  }

  /** Adds a row that could not be parsed. */
  bad(position: RowPosition, message: string): void {
    this.malformed.push({ position, message });
    this.added();
  }

  /** The full batches collected so far (each handed over once). */
  take(): RowBatch[] {
    return this.full.splice(0, this.full.length);
  }

  /** The last batch, or `undefined` when nothing is left. */
  flush(): RowBatch | undefined {
    if (this.rows.length + this.malformed.length === 0) return undefined;
    return this.cut();
  }

  private added(): void {
    this.state.rowsRead++;
    if (this.rows.length + this.malformed.length >= this.size) this.full.push(this.cut());
  }

  private cut(): RowBatch {
    const batch: RowBatch = {
      columns: this.state.columns ?? [],
      rows: this.rows,
      positions: this.positions,
      malformed: this.malformed,
    };
    this.rows = [];
    this.positions = [];
    this.malformed = [];
    return batch;
  }
}

/** Throws the signal's reason when it has aborted (no signal: never). */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal !== undefined) throwIfAborted(signal);
}
