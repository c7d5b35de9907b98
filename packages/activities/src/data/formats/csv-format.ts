/**
 * The CSV reader: the first record is the header (names trimmed, each name once), every later record a row
 * of string cells. A record with a different field count than the header, or with a stray quote inside an
 * unquoted field, is a malformed row; the read goes on. An unclosed quote, text after a closing quote, a
 * record longer than `maxRecordBytes`, invalid UTF-8, corrupt gzip data, an empty file or a repeated header
 * name ends the read with `SlipwayValidationFailed` naming the file and the line.
 */
import { SlipwayErrorType, finalFailure, type CsvOptions, type DatasetCompression } from '@slipway/sdk';
import type { ByteSource } from '../../sources/byte-source.js';
import { describeParseError, strayQuoteMessage } from '../csv-errors.js';
import type { RowBatch, RowPosition, RowReaderOptions } from '../row-batch.js';
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
import { CsvTokenizer } from './csv-tokenizer.js';
import { contentChunks } from './stored-bytes.js';
import { InvalidUtf8Error, Utf8Text } from './utf8-text.js';

/**
 * Content chunks are decoded and tokenized in slices of this many bytes. Small slices keep every decoded string
 * in V8's young generation (a string over about 128 KB goes straight to the old generation and is freed only by
 * a full GC) and hand rows over in small groups, so few of them outlive a young-generation GC.
 */
const DECODE_SLICE_BYTES = 64 * 1024;

/** How a CSV dataset is stored. */
export interface CsvEncoding {
  compression: DatasetCompression;
  csv: CsvOptions;
}

/** Opens a CSV reader over `source` (see the module documentation). */
export function openCsvReader(source: ByteSource, encoding: CsvEncoding, options: RowReaderOptions): DatasetRowReader {
  const state = createReaderState();
  return createDatasetRowReader({
    format: 'csv',
    source,
    textCells: true,
    state,
    batches: () => csvBatches(source, encoding, options, state),
    rowNumber: (position: RowPosition) => ('line' in position ? position.line : position.row + 1),
  });
}

/**
 * The final failure for a header that names a column twice. The header has not been matched with the schema
 * yet, so the message gives the fields' positions, not their names.
 */
function duplicateHeader(source: ByteSource, line: number, header: readonly string[]): Error | undefined {
  const first = new Map<string, number>();
  for (let i = 0; i < header.length; i++) {
    const name = header[i] as string;
    const earlier = first.get(name);
    if (earlier === undefined) {
      first.set(name, i);
      continue;
    }
    return unreadable(
      source,
      `header (line ${line})`,
      `duplicate column: fields ${earlier + 1} and ${i + 1} of the header have the same name`,
      { line, fields: [earlier + 1, i + 1] },
    );
  }
  return undefined;
}

/** Routes each record: the header first, then rows and malformed rows into `builder`. */
function recordHandler(source: ByteSource, quote: string, state: ReaderState, builder: BatchBuilder) {
  let header: string[] | undefined;
  return (fields: string[], line: number, strayField: number): void => {
    if (header === undefined) {
      header = fields.map((name) => name.trim());
      const duplicate = duplicateHeader(source, line, header);
      if (duplicate !== undefined) throw duplicate;
      state.columns = header;
      state.headerLine = line;
      return;
    }
    if (fields.length !== header.length) {
      builder.bad({ line }, `expected ${header.length} fields (as in the header), found ${fields.length}`);
    } else if (strayField >= 0) {
      builder.bad({ line }, strayQuoteMessage(strayField, header, quote));
    } else builder.row(fields, { line });
  };
}

function translateError(err: unknown, source: ByteSource, state: ReaderState, tokenizer: CsvTokenizer): unknown {
  if (err instanceof InvalidUtf8Error) {
    const line = tokenizer.lineAfter(err.validPrefix);
    return unreadable(
      source,
      `line ${line}`,
      `invalid UTF-8 at byte ${err.byteOffset} of the content (0x${err.badByte.toString(16).padStart(2, '0')}); the file must be UTF-8 encoded`,
      { line, byteOffset: err.byteOffset },
    );
  }
  const described = describeParseError(err, source.displayName, state.columns);
  if (described === undefined) return err;
  return finalFailure(SlipwayErrorType.ValidationFailed, described.message, {
    uri: source.uri,
    line: described.line,
    code: (err as { code?: unknown }).code,
  });
}

async function* csvBatches(
  source: ByteSource,
  encoding: CsvEncoding,
  options: RowReaderOptions,
  state: ReaderState,
): AsyncGenerator<RowBatch> {
  checkAborted(options.signal);
  state.totalBytes = await source.size();
  const builder = new BatchBuilder(options.batchSize ?? DEFAULT_BATCH_SIZE, state);
  const tokenizer = new CsvTokenizer(
    { ...encoding.csv, maxRecordBytes: options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES },
    recordHandler(source, encoding.csv.quote, state, builder),
  );
  const text = new Utf8Text();
  try {
    for await (const chunk of contentChunks(source, encoding.compression, state.stored, options.signal)) {
      checkAborted(options.signal);
      for (let at = 0; at < chunk.length; at += DECODE_SLICE_BYTES) {
        const slice =
          at === 0 && chunk.length <= DECODE_SLICE_BYTES ? chunk : chunk.subarray(at, at + DECODE_SLICE_BYTES);
        tokenizer.push(text.decode(slice));
        yield* builder.take();
      }
    }
    tokenizer.push(text.end());
    tokenizer.end();
  } catch (err) {
    throw translateError(err, source, state, tokenizer);
  }
  if (state.columns === undefined) {
    const message = `Dataset ${source.displayName} is empty: expected a header line`;
    throw finalFailure(SlipwayErrorType.ValidationFailed, message, { uri: source.uri });
  }
  const last = builder.flush();
  if (last !== undefined) yield last;
  state.digest = state.stored.digest;
}
