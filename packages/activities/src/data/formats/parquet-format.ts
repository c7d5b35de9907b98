/**
 * The Parquet reader (hyparquet, pure JS, with hyparquet-compressors for ZSTD, GZIP, BROTLI, LZ4): the
 * footer is read first, then one row group at a time through `ByteSource.read`, so memory holds one decoded
 * row group, never the whole file. Positions are `{ rowGroup, row }`, both 0-based. Columns are the
 * top-level schema fields; see `parquet-cells.ts` for how values become cells.
 *
 * The digest is the sha256 of the stored file, streamed through `ByteSource.stream` alongside the row-group
 * reads. `progress().bytesRead` is the end of the last row group decoded (the footer counts at the end).
 *
 * A file that is empty, too short, or whose footer is corrupt, and a row group that cannot be decoded, end
 * the read with `SlipwayValidationFailed` naming the file (and the row group). Compression (`gzip`) does not
 * apply: Parquet compresses inside the file.
 */
import { parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import type { ByteSource } from '../../sources/byte-source.js';
import { shortValue } from '../../util/bounded-sample.js';
import type { RawCell, RowBatch, RowPosition, RowReaderOptions } from '../row-batch.js';
import {
  BatchBuilder,
  DEFAULT_BATCH_SIZE,
  checkAborted,
  createDatasetRowReader,
  createReaderState,
  unreadable,
  type DatasetRowReader,
  type ReaderState,
} from './batch-reader.js';
import { PARQUET_PARSERS, parquetCell } from './parquet-cells.js';
import { contentChunks } from './stored-bytes.js';

/** The smallest Parquet file: magic, footer length, magic. */
const MIN_PARQUET_BYTES = 12;

/** Opens a Parquet reader over `source` (see the module documentation). */
export function openParquetReader(source: ByteSource, options: RowReaderOptions): DatasetRowReader {
  const state = createReaderState();
  const groupStarts: number[] = [];
  return createDatasetRowReader({
    format: 'parquet',
    source,
    textCells: false,
    state,
    batches: () => parquetBatches(source, options, state, groupStarts),
    rowNumber: (position: RowPosition) =>
      'line' in position ? position.line : (groupStarts[position.rowGroup] ?? 0) + position.row + 1,
  });
}

/** `ByteSource.read` as the `AsyncBuffer` hyparquet reads from. */
function asyncBuffer(source: ByteSource, byteLength: number): AsyncBuffer {
  return {
    byteLength,
    async slice(start: number, end?: number): Promise<ArrayBuffer> {
      const bytes = await source.read(start, end ?? byteLength);
      if (
        bytes.byteOffset === 0 &&
        bytes.byteLength === bytes.buffer.byteLength &&
        bytes.buffer instanceof ArrayBuffer
      ) {
        return bytes.buffer;
      }
      // A copy: a Node Buffer's `slice` is a view (and small Buffers share one pooled ArrayBuffer).
      const copy = new Uint8Array(bytes.byteLength);
      copy.set(bytes);
      return copy.buffer;
    },
  };
}

/** The library's reason, cut short (it may quote bytes of the file). */
function reason(err: unknown): string {
  return shortValue(err instanceof Error ? err.message : String(err), 160);
}

async function readMetadata(source: ByteSource, file: AsyncBuffer): Promise<FileMetaData> {
  if (file.byteLength === 0) {
    const message = `Dataset ${source.displayName} is empty: expected a Parquet file`;
    throw finalFailure(SlipwayErrorType.ValidationFailed, message, { uri: source.uri });
  }
  if (file.byteLength < MIN_PARQUET_BYTES) {
    throw unreadable(source, undefined, `not a Parquet file: only ${file.byteLength} bytes`);
  }
  try {
    return await parquetMetadataAsync(file, { parsers: PARQUET_PARSERS });
  } catch (err) {
    if ((err as { type?: unknown } | null)?.type !== undefined) throw err;
    throw unreadable(
      source,
      undefined,
      `not a readable Parquet file: the footer is corrupt or missing (${reason(err)})`,
    );
  }
}

/** The end offset (exclusive) of a row group's column chunks in the file. */
function rowGroupEnd(metadata: FileMetaData, group: number): number {
  let end = 0;
  for (const column of metadata.row_groups[group]?.columns ?? []) {
    const meta = column.meta_data;
    if (meta === undefined) continue;
    const start = meta.dictionary_page_offset ?? meta.data_page_offset;
    end = Math.max(end, Number(start + meta.total_compressed_size));
  }
  return end;
}

/** Streams the stored bytes through sha256 (in the background of the row-group reads). */
async function hashStored(source: ByteSource, signal: AbortSignal): Promise<`sha256:${string}` | undefined> {
  const hashing = { bytesRead: 0, digest: undefined as `sha256:${string}` | undefined };
  for await (const _chunk of contentChunks(source, 'none', hashing, signal)) {
    // The hashing happens as the chunks pass through.
  }
  return hashing.digest;
}

/** Reads the rows of one row group, as arrays in `columns` order. */
async function readRowGroup(
  source: ByteSource,
  file: AsyncBuffer,
  metadata: FileMetaData,
  columns: string[],
  range: { group: number; start: number; end: number },
): Promise<unknown[][]> {
  let rows: unknown[][] = [];
  try {
    await parquetRead({
      file,
      metadata,
      columns,
      rowStart: range.start,
      rowEnd: range.end,
      compressors,
      parsers: PARQUET_PARSERS,
      onComplete: (decoded: unknown[][]) => {
        rows = decoded;
      },
    });
  } catch (err) {
    if ((err as { type?: unknown } | null)?.type !== undefined) throw err;
    throw unreadable(source, `row group ${range.group}`, `cannot decode the row group: ${reason(err)}`, {
      rowGroup: range.group,
    });
  }
  return rows;
}

function addRows(builder: BatchBuilder, group: number, rows: unknown[][]): void {
  for (let r = 0; r < rows.length; r++) {
    const values = rows[r] ?? [];
    const cells: RawCell[] = new Array<RawCell>(values.length);
    for (let c = 0; c < values.length; c++) cells[c] = parquetCell(values[c]);
    builder.row(cells, { rowGroup: group, row: r });
  }
}

async function* parquetBatches(
  source: ByteSource,
  options: RowReaderOptions,
  state: ReaderState,
  groupStarts: number[],
): AsyncGenerator<RowBatch> {
  checkAborted(options.signal);
  const size = await source.size();
  state.totalBytes = size;
  const file = asyncBuffer(source, size);
  const metadata = await readMetadata(source, file);
  const columns = parquetSchema(metadata).children.map((child) => child.element.name);
  state.columns = columns;
  const stop = new AbortController();
  const signal = options.signal === undefined ? stop.signal : AbortSignal.any([stop.signal, options.signal]);
  const digest = hashStored(source, signal);
  digest.catch(() => undefined);
  try {
    yield* readRowGroups(source, file, metadata, columns, { options, state, groupStarts });
    state.stored.bytesRead = size;
    state.digest = await digest;
  } finally {
    stop.abort(new Error('the Parquet read has ended'));
  }
}

async function* readRowGroups(
  source: ByteSource,
  file: AsyncBuffer,
  metadata: FileMetaData,
  columns: string[],
  ctx: { options: RowReaderOptions; state: ReaderState; groupStarts: number[] },
): AsyncGenerator<RowBatch> {
  const builder = new BatchBuilder(ctx.options.batchSize ?? DEFAULT_BATCH_SIZE, ctx.state);
  let start = 0;
  for (let group = 0; group < metadata.row_groups.length; group++) {
    checkAborted(ctx.options.signal);
    const count = Number(metadata.row_groups[group]?.num_rows ?? 0n);
    ctx.groupStarts[group] = start;
    const rows = await readRowGroup(source, file, metadata, columns, { group, start, end: start + count });
    addRows(builder, group, rows);
    ctx.state.stored.bytesRead = Math.max(ctx.state.stored.bytesRead, rowGroupEnd(metadata, group));
    start += count;
    yield* builder.take();
  }
  const last = builder.flush();
  if (last !== undefined) yield last;
}
