/**
 * A streaming CSV row reader for `file://` datasets. One pass over the bytes gives both the sha256 of the raw
 * file and the checked rows, so the digest always names exactly the bytes that were read.
 *
 * Parsing is csv-parse@7 in arrays mode (`info` for line numbers, `bom` to drop a byte-order mark,
 * `relax_column_count` so a ragged row becomes a bad row rather than the end of the read). Errors that leave
 * the rest of the file unreadable (an unclosed quote, a stray or malformed quote, a runaway record) fail
 * with `SlipwayValidationFailed` naming the file and line.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform, pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { SlipwayErrorType, finalFailure, type RowFailure, type RowSchema } from '@slipway/sdk';
import { parse, type Info } from 'csv-parse';
import type { TypedRow } from '../ports.js';
import { checkRow, compileRowSchema, type CompiledRowSchema } from './cell-checker.js';
import { describeParseError } from './csv-errors.js';
import { throwIfAborted } from './activity-context.js';

/** One data record of the file: a typed row, or the reasons it is bad. Lines are 1-based file lines. */
export type CsvRowEvent =
  { ok: true; line: number; row: TypedRow } | { ok: false; line: number; failures: RowFailure[] };

/** Options of {@link readCsvRows}. */
export interface CsvReadOptions {
  /** The row schema every data record is checked against. */
  schema: RowSchema;
  /** Stops the read (throwing the abort reason) when aborted. */
  signal?: AbortSignal;
  /** The longest record, in characters, before the read fails (guards against an unclosed quote). */
  maxRecordChars?: number;
}

/** A single-use, streaming reader of a CSV dataset: iterate it once, then read its digest. */
export interface CsvRowReader extends AsyncIterable<CsvRowEvent> {
  /** The local path the `file://` URI points at. */
  readonly path: string;
  /** Bytes read so far (the whole file once the iteration has completed). */
  readonly bytesRead: number;
  /** The header as found in the file; `undefined` until the first data record has been read. */
  readonly header: readonly string[] | undefined;
  /** `sha256:<hex>` of every byte of the file; throws until the iteration has completed. */
  digest(): `sha256:${string}`;
}

/** The default {@link CsvReadOptions.maxRecordChars}: one mebi-character. */
export const DEFAULT_MAX_RECORD_CHARS = 1 << 20;

/**
 * The local path of a `file://` dataset URI. A URI that is not a local `file://` URI fails with a final
 * `SlipwayInvalidInput` failure.
 */
export function datasetPath(uri: string): string {
  try {
    return fileURLToPath(uri);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Dataset URI ${JSON.stringify(uri)} is not a local file:// URI (use file:///absolute/path): ${reason}`,
      { uri },
    );
  }
}

/** Fails with `SlipwayNotFound` when the dataset file does not exist, and with `InvalidInput` when it is not a file. */
export async function assertDatasetFile(path: string, uri: string): Promise<void> {
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      throw finalFailure(SlipwayErrorType.InvalidInput, `Dataset ${path} (${uri}) is not a regular file`, {
        uri,
        path,
      });
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw finalFailure(SlipwayErrorType.NotFound, `Dataset file not found: ${path} (from ${uri})`, { uri, path });
    }
    throw err;
  }
}

interface ReaderState {
  bytes: number;
  header: string[] | undefined;
  digest: `sha256:${string}` | undefined;
}

/**
 * Opens a streaming reader over a `file://` CSV dataset. The first record is the header: it must name every
 * schema column (and nothing else when `allowExtraColumns` is false), else the read fails with
 * `SlipwayValidationFailed` listing the missing columns and the header found. A missing file fails with
 * `SlipwayNotFound`, an empty file with `SlipwayValidationFailed`.
 *
 * ```ts
 * const reader = readCsvRows('file:///data/churn.csv', { schema });
 * for await (const event of reader) if (!event.ok) console.log(event.line, event.failures);
 * console.log(reader.digest());
 * ```
 */
export function readCsvRows(uri: string, options: CsvReadOptions): CsvRowReader {
  const path = datasetPath(uri);
  const compiled = compileRowSchema(options.schema);
  const state: ReaderState = { bytes: 0, header: undefined, digest: undefined };
  let started = false;
  return {
    path,
    get bytesRead() {
      return state.bytes;
    },
    get header() {
      return state.header;
    },
    digest() {
      if (state.digest === undefined) {
        throw new Error(`The digest of ${path} is known only once every row has been read`);
      }
      return state.digest;
    },
    [Symbol.asyncIterator]() {
      if (started) throw new Error(`readCsvRows(${uri}) can be iterated only once`);
      started = true;
      return iterateRows(uri, path, compiled, options, state);
    },
  };
}

interface ParsedRecord {
  /** The 1-based line the record starts on. */
  line: number;
  record: string[];
}

/**
 * Tracks real file lines. csv-parse counts each `\r` and `\n` inside a quoted field as a line (a quoted
 * CRLF counts twice), and reports the line a record ends on; this corrects both, and records the end line
 * of the last complete record synchronously, so a later parse error can point just after it.
 */
class LineTracker {
  private overcount = 0;
  /** The real line the last complete record ended on (0 before the first). */
  lastEndLine = 0;

  startOf(parserEndLine: number, record: readonly string[]): number {
    let parserBreaks = 0;
    let realBreaks = 0;
    for (const field of record) {
      if (!field.includes('\n') && !field.includes('\r')) continue;
      parserBreaks += (field.match(/[\r\n]/g) ?? []).length;
      realBreaks += (field.match(/\r\n|\n|\r/g) ?? []).length;
    }
    this.overcount += parserBreaks - realBreaks;
    this.lastEndLine = parserEndLine - this.overcount;
    return Math.max(1, this.lastEndLine - realBreaks);
  }

  /** The real line of a line number counted by the parser. */
  correct(parserLine: number): number {
    return parserLine - this.overcount;
  }
}

function openParser(path: string, options: CsvReadOptions, state: ReaderState, hash: Hash, lines: LineTracker) {
  const source = createReadStream(path);
  const hasher = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      state.bytes += chunk.length;
      callback(null, chunk);
    },
  });
  const parser = parse({
    info: true,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS,
    // Runs synchronously inside the parser, so line tracking is exact even when a later error drops
    // records the consumer has not read yet.
    on_record: (({ info, record }: { info: Info; record: string[] }) => ({
      line: lines.startOf(info.lines, record),
      record,
    })) as unknown as (record: string[]) => string[],
  });
  // Errors of any stage destroy the parser with that error, so they surface from its iterator.
  pipeline(source, hasher, parser, () => undefined);
  return parser as unknown as AsyncIterable<ParsedRecord>;
}

async function* iterateRows(
  uri: string,
  path: string,
  compiled: CompiledRowSchema,
  options: CsvReadOptions,
  state: ReaderState,
): AsyncGenerator<CsvRowEvent> {
  const signal = options.signal ?? new AbortController().signal;
  throwIfAborted(signal);
  await assertDatasetFile(path, uri);
  const hash = createHash('sha256');
  const lines = new LineTracker();
  let columnIndex: Map<string, number> | undefined;
  try {
    for await (const { line, record } of openParser(path, options, state, hash, lines)) {
      throwIfAborted(signal);
      if (columnIndex === undefined) {
        state.header = record.map((name) => name.trim());
        columnIndex = indexHeader(path, line, state.header, compiled);
        continue;
      }
      yield toEvent(compiled, columnIndex, state.header?.length ?? 0, line, record);
    }
  } catch (err) {
    throw translateReadError(err, uri, path, lines);
  }
  if (columnIndex === undefined) {
    throw finalFailure(SlipwayErrorType.ValidationFailed, `Dataset ${path} is empty: expected a header line`, {
      uri,
      path,
    });
  }
  state.digest = `sha256:${hash.digest('hex')}`;
}

function indexHeader(
  path: string,
  line: number,
  header: readonly string[],
  compiled: CompiledRowSchema,
): Map<string, number> {
  const index = new Map<string, number>();
  const duplicates = new Set<string>();
  header.forEach((name, i) => (index.has(name) ? duplicates.add(name) : index.set(name, i)));
  const found = header.map((name) => JSON.stringify(name)).join(', ');
  const where = `Dataset ${path}, header (line ${line})`;
  const missing = compiled.columns.filter((column) => !index.has(column));
  if (missing.length > 0) {
    const names = missing.map((name) => JSON.stringify(name)).join(', ');
    throw finalFailure(
      SlipwayErrorType.ValidationFailed,
      `${where}: missing column${missing.length > 1 ? 's' : ''} ${names}; the header found is: ${found}`,
      { path, missing, header },
    );
  }
  const duplicated = [...duplicates].filter((name) => compiled.checkers.has(name) || !compiled.allowExtraColumns);
  if (duplicated.length > 0) {
    throw finalFailure(
      SlipwayErrorType.ValidationFailed,
      `${where}: duplicate column ${JSON.stringify(duplicated[0])}; the header found is: ${found}`,
      {
        path,
        duplicated,
        header,
      },
    );
  }
  const extra = header.filter((name) => !compiled.checkers.has(name));
  if (!compiled.allowExtraColumns && extra.length > 0) {
    const names = extra.map((name) => JSON.stringify(name)).join(', ');
    throw finalFailure(
      SlipwayErrorType.ValidationFailed,
      `${where}: unexpected column${extra.length > 1 ? 's' : ''} ${names} (the schema does not allow extra columns); the header found is: ${found}`,
      { path, extra, header },
    );
  }
  return index;
}

function toEvent(
  compiled: CompiledRowSchema,
  columnIndex: ReadonlyMap<string, number>,
  width: number,
  line: number,
  record: readonly string[],
): CsvRowEvent {
  if (record.length !== width) {
    const message = `expected ${width} fields (as in the header), found ${record.length}`;
    return { ok: false, line, failures: [{ line, column: null, message }] };
  }
  const result = checkRow(compiled, (column) => {
    const i = columnIndex.get(column);
    return i === undefined ? undefined : record[i];
  });
  if (result.ok) return { ok: true, line, row: result.row };
  return { ok: false, line, failures: result.failures.map((f) => ({ line, column: f.column, message: f.message })) };
}

function translateReadError(err: unknown, uri: string, path: string, lines: LineTracker): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') {
    return finalFailure(SlipwayErrorType.NotFound, `Dataset file not found: ${path} (from ${uri})`, { uri, path });
  }
  const parseError = describeParseError(err, path, lines.lastEndLine, (n) => lines.correct(n));
  if (parseError === undefined) return err;
  return finalFailure(SlipwayErrorType.ValidationFailed, parseError.message, {
    uri,
    path,
    line: parseError.line,
    code,
  });
}
