/**
 * The JSON lines reader: one JSON object per line, blank lines skipped. A line that is not valid JSON, or is
 * JSON but not an object, is a malformed row at its line; the read goes on.
 *
 * Columns are the union of the keys seen so far, in order of first appearance. A key first seen on a later
 * line becomes a new column from the batch it appears in on: earlier batches do not list it, and rows before
 * it have no value for it (`undefined`, which checks treat as an empty cell). A key missing from a row is
 * `undefined` too. Values keep their JSON types (string, number, boolean, null); a nested object or array
 * becomes its JSON text. Numbers are JavaScript numbers: integers beyond 2^53 lose precision, as in
 * `JSON.parse`.
 *
 * A line longer than `maxRecordBytes`, invalid UTF-8, corrupt gzip data or a file without any JSON line ends
 * the read with `SlipwayValidationFailed` naming the file and the line.
 */
import { SlipwayErrorType, finalFailure, type DatasetCompression } from '@slipway/sdk';
import type { ByteSource } from '../../sources/byte-source.js';
import { shortValue } from '../../util/bounded-sample.js';
import type { RawCell, RowBatch, RowPosition, RowReaderOptions } from '../row-batch.js';
import {
  BatchBuilder,
  DEFAULT_BATCH_SIZE,
  DEFAULT_MAX_RECORD_BYTES,
  checkAborted,
  createDatasetRowReader,
  createReaderState,
  unreadable,
  type DatasetRowReader,
  type ReaderState,
} from './batch-reader.js';
import { LineSplitter, LineTooLongError } from './line-splitter.js';
import { contentChunks } from './stored-bytes.js';
import { InvalidUtf8Error, Utf8Text } from './utf8-text.js';

/** Opens a JSON lines reader over `source` (see the module documentation). */
export function openJsonlReader(
  source: ByteSource,
  compression: DatasetCompression,
  options: RowReaderOptions,
): DatasetRowReader {
  const state = createReaderState();
  return createDatasetRowReader({
    format: 'jsonl',
    source,
    textCells: false,
    state,
    batches: () => jsonlBatches(source, compression, options, state),
    rowNumber: (position: RowPosition) => ('line' in position ? position.line : position.row + 1),
  });
}

function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'number' ? 'a number' : typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

/**
 * Why a line is not JSON, without the line: V8 quotes the start of the text it could not parse
 * (`Unexpected token 'r', "root:x:0:0"... is not valid JSON`), and a line that is not JSON may be a line of any
 * file. The quoted text is dropped; what is left names the token or the position.
 */
export function describeJsonError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // The quoted text is raw (inner quotes are not escaped): drop from its opening quote to its end.
  const withoutText = message.replace(/,?\s*".*"(?:\.\.\.)?\s+is not valid JSON\s*$/su, '');
  const quote = withoutText.indexOf('"');
  return shortValue(quote < 0 ? withoutText : `${withoutText.slice(0, quote).trimEnd()} …`, 80);
}

/** A JSON value as a cell: scalars as they are, nested values as their JSON text. */
function toCell(value: unknown): RawCell {
  if (value === null || typeof value !== 'object') return value as RawCell;
  return JSON.stringify(value);
}

/** Turns lines into rows, growing the column union in `state` as new keys appear. */
function lineHandler(state: ReaderState, builder: BatchBuilder) {
  const index = new Map<string, number>();
  let columns: string[] = [];
  return (text: string, line: number): void => {
    if (text.length === 0 || text.trim().length === 0) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      builder.bad({ line }, `not valid JSON: ${describeJsonError(err)}`);
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      builder.bad({ line }, `expected a JSON object, got ${describeJsonType(value)}`);
      return;
    }
    const cells = new Array<RawCell>(columns.length).fill(undefined);
    const record = value as Record<string, unknown>;
    for (const key in record) {
      let i = index.get(key);
      if (i === undefined) {
        i = columns.length;
        index.set(key, i);
        columns = [...columns, key];
        state.columns = columns;
      }
      cells[i] = toCell(record[key]);
    }
    state.columns ??= columns;
    builder.row(cells, { line });
  };
}

function translateError(err: unknown, source: ByteSource, splitter: LineSplitter): unknown {
  if (err instanceof InvalidUtf8Error) {
    const line = splitter.lineAfter(err.validPrefix);
    return unreadable(
      source,
      `line ${line}`,
      `invalid UTF-8 at byte ${err.byteOffset} of the content (0x${err.badByte.toString(16).padStart(2, '0')}); the file must be UTF-8 encoded`,
      { line, byteOffset: err.byteOffset },
    );
  }
  if (err instanceof LineTooLongError) {
    return unreadable(
      source,
      `line ${err.line}`,
      `the line is longer than ${err.maxBytes} bytes (raise maxRecordBytes if such lines are real)`,
      { line: err.line },
    );
  }
  return err;
}

async function* jsonlBatches(
  source: ByteSource,
  compression: DatasetCompression,
  options: RowReaderOptions,
  state: ReaderState,
): AsyncGenerator<RowBatch> {
  checkAborted(options.signal);
  state.totalBytes = await source.size();
  const builder = new BatchBuilder(options.batchSize ?? DEFAULT_BATCH_SIZE, state);
  const splitter = new LineSplitter(options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES, lineHandler(state, builder));
  const text = new Utf8Text();
  try {
    for await (const chunk of contentChunks(source, compression, state.stored, options.signal)) {
      checkAborted(options.signal);
      splitter.push(text.decode(chunk));
      yield* builder.take();
    }
    splitter.push(text.end());
    splitter.end();
  } catch (err) {
    throw translateError(err, source, splitter);
  }
  const last = builder.flush();
  if (state.rowsRead === 0) {
    const message = `Dataset ${source.displayName} is empty: expected JSON lines`;
    throw finalFailure(SlipwayErrorType.ValidationFailed, message, { uri: source.uri });
  }
  if (last !== undefined) yield last;
  state.digest = state.stored.digest;
}
