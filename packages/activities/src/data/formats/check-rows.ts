/**
 * Checks row batches of any format against a row schema: first the columns (the CSV header or the Parquet
 * schema must name every schema column, and nothing else when extra columns are not allowed), then every
 * cell of every row, giving typed rows or failures with positions, in file order.
 */
import { type RowSchema } from '@slipway/sdk';
import type { TypedRow } from '../../ports.js';
import {
  InvalidCell,
  compileCellParser,
  compileRowSchema,
  numberRules,
  parseNumberWith,
  type CellParser,
  type CellValue,
  type CompiledRowSchema,
  type NumberRules,
} from '../cell-checker.js';
import { quoteSample, quoteValue, sampleOf, shortValue } from '../../util/bounded-sample.js';
import type { ColumnBatch } from '../profile.js';
import type { RawCell, RowBatch, RowPosition } from '../row-batch.js';
import { checkAborted, unreadable, type DatasetRowReader } from './batch-reader.js';

/**
 * One failure of a row: the cell's column (`null` for a row that could not be parsed) and why. `quoted` is the
 * part of `message` that quotes the cell's value, when it does (see `withoutValue`).
 */
export interface PositionedFailure {
  position: RowPosition;
  column: string | null;
  message: string;
  quoted?: string;
}

/** The failure of a cell, with the quoted value when its message has one. */
function cellFailure(position: RowPosition, column: string, cell: InvalidCell): PositionedFailure {
  return cell.quoted === undefined
    ? { position, column, message: cell.message }
    : { position, column, message: cell.message, quoted: cell.quoted };
}

/** A checked row: its typed cells (schema columns only), or every reason it is bad. */
export type CheckedRow =
  | { ok: true; position: RowPosition; row: TypedRow }
  | { ok: false; position: RowPosition; failures: PositionedFailure[] };

/** Receives the rows of a batch from {@link BatchChecker.scan}. */
export interface CheckedRowSink {
  /** A bad row (cells that failed, or a row that could not be parsed) with every failure; in file order. */
  bad(position: RowPosition, failures: PositionedFailure[]): void;
  /**
   * Every row of the batch, column by column, once its bad rows went to {@link CheckedRowSink.bad}: the typed
   * values of the schema's columns, with `good[i]` telling the good rows (see {@link ColumnBatch}). Reused for
   * the next batch: read it before returning.
   */
  good(rows: ColumnBatch): void;
}

/** The reused buffers of {@link BatchChecker.scan}. */
interface ScanBuffers {
  values: (Float64Array | CellValue[])[];
  good: Uint8Array;
  length: number;
}

function quoteAll(names: readonly string[]): string {
  return names.map((name) => JSON.stringify(name)).join(', ');
}

function plural(count: number, word: string): string {
  return count > 1 ? `${word}s` : word;
}

/**
 * Checks the batches of one reader (see the module documentation). Columns are checked at the first batch
 * and whenever they change (JSON lines add columns as new keys appear), and by {@link BatchChecker.finish}
 * for a file without rows.
 *
 * - CSV and Parquet: a schema column missing from the header or schema fails the read with
 *   `SlipwayValidationFailed` listing the missing columns and the columns found; so does an extra column
 *   when the schema does not allow extra columns.
 * - JSON lines have no header: a schema column absent from a row is an empty cell of that row, and a key the
 *   schema does not allow fails the read naming the line it first appears on.
 */
export class BatchChecker {
  private readonly compiled: CompiledRowSchema;
  /** The schema's columns and their parsers, in schema order. */
  private readonly names: readonly string[];
  private readonly parsers: readonly CellParser[];
  /** Per schema column: a number column's rules (its scanned values go to a `Float64Array`), else undefined. */
  private readonly numberRules: readonly (NumberRules | undefined)[];
  private buffers: ScanBuffers = { values: [], good: new Uint8Array(0), length: 0 };
  private columns: readonly string[] | undefined;
  private indexes: (number | undefined)[] = [];

  constructor(
    private readonly reader: DatasetRowReader,
    schema: RowSchema,
  ) {
    const cells = reader.textCells ? 'text' : 'typed';
    this.compiled = compileRowSchema(schema, cells);
    this.names = this.compiled.columns;
    this.parsers = this.names.map((column) => compileCellParser(column, schema.columns[column]!, cells));
    this.numberRules = this.names.map((column) => {
      const spec = schema.columns[column]!;
      return spec.type === 'number' ? numberRules(spec, cells) : undefined;
    });
  }

  /** Checks one batch; rows and malformed rows come back merged in file order. */
  check(batch: RowBatch): CheckedRow[] {
    if (batch.columns !== this.columns) this.useColumns(batch.columns, batch);
    const checked: CheckedRow[] = new Array<CheckedRow>(batch.rows.length);
    for (let i = 0; i < batch.rows.length; i++) {
      checked[i] = this.checkCells(batch.rows[i] ?? [], batch.positions[i] ?? { line: 0 });
    }
    if (batch.malformed.length === 0) return checked;
    const bad: CheckedRow[] = batch.malformed.map(({ position, message }) => ({
      ok: false,
      position,
      failures: [{ position, column: null, message }],
    }));
    return this.merge(checked, bad);
  }

  /** Checks the columns of a file that gave no batch at all (a CSV with only a header). */
  finish(): void {
    if (this.columns === undefined && this.reader.columns !== undefined) this.useColumns(this.reader.columns);
  }

  /**
   * Checks one batch like {@link BatchChecker.check}, handing the rows to `sink` instead of building row objects:
   * the fast path of the validate step, which only counts, profiles and keeps the first failures. The cells are
   * checked a column at a time, and the good rows' values go to `sink` as columns.
   */
  scan(batch: RowBatch, sink: CheckedRowSink): void {
    if (batch.columns !== this.columns) this.useColumns(batch.columns, batch);
    const buffers = this.buffersFor(batch.rows.length);
    const failed = this.checkColumns(batch, buffers);
    if (failed !== undefined || batch.malformed.length > 0) this.emitBad(batch, failed ?? new Map(), sink);
    sink.good(buffers);
  }

  /** The scan buffers, grown to hold `length` rows (allocated on first use, even for a batch with no rows). */
  private buffersFor(length: number): ScanBuffers {
    if (this.buffers.good.length < length || this.buffers.values.length !== this.numberRules.length) {
      const capacity = Math.max(length, 2 * this.buffers.good.length);
      this.buffers = {
        values: this.numberRules.map((rules) =>
          rules ? new Float64Array(capacity) : new Array<CellValue>(capacity).fill(null),
        ),
        good: new Uint8Array(capacity),
        length,
      };
    }
    this.buffers.length = length;
    return this.buffers;
  }

  /** Checks every cell, a column at a time, into `buffers`; the failures by row (each in column order), if any. */
  private checkColumns(batch: RowBatch, buffers: ScanBuffers): Map<number, PositionedFailure[]> | undefined {
    const { rows } = batch;
    const { good, length } = buffers;
    good.fill(1, 0, length);
    const failed = new Map<number, PositionedFailure[]>();
    for (let k = 0; k < this.parsers.length; k++) {
      const index = this.indexes[k];
      const rules = this.numberRules[k];
      const out = buffers.values[k]!;
      if (rules !== undefined) {
        // A direct call (not through the column's parser): the parsed double goes to the array unboxed.
        const numbers = out as Float64Array;
        for (let i = 0; i < length; i++) {
          const value = parseNumberWith(rules, index === undefined ? undefined : rows[i]?.[index]);
          if (value instanceof InvalidCell) this.fail(batch, buffers, failed, i, k, value);
          else numbers[i] = value === null ? Number.NaN : (value as number);
        }
        continue;
      }
      const parse = this.parsers[k]!;
      const values = out as CellValue[];
      for (let i = 0; i < length; i++) {
        const value = parse(index === undefined ? undefined : rows[i]?.[index]);
        if (value instanceof InvalidCell) this.fail(batch, buffers, failed, i, k, value);
        else values[i] = value;
      }
    }
    return failed.size === 0 ? undefined : failed;
  }

  /** Notes that cell `k` of row `i` failed. */
  private fail(
    batch: RowBatch,
    buffers: ScanBuffers,
    failed: Map<number, PositionedFailure[]>,
    i: number,
    k: number,
    cell: InvalidCell,
  ): void {
    buffers.good[i] = 0;
    const failure = cellFailure(batch.positions[i] ?? { line: 0 }, this.names[k]!, cell);
    const row = failed.get(i);
    if (row === undefined) failed.set(i, [failure]);
    else row.push(failure);
  }

  /** Hands the bad rows and the rows that could not be parsed to `sink`, merged in file order. */
  private emitBad(batch: RowBatch, failed: ReadonlyMap<number, PositionedFailure[]>, sink: CheckedRowSink): void {
    const { rows, positions, malformed } = batch;
    let next = 0;
    for (let i = 0; i < rows.length; i++) {
      const position = positions[i] ?? { line: 0 };
      if (next < malformed.length) {
        const line = this.reader.rowNumber(position);
        // A row that could not be parsed comes before a row with the same number, as in check().
        for (; next < malformed.length && this.reader.rowNumber(malformed[next]!.position) <= line; next++) {
          this.scanMalformed(malformed[next]!, sink);
        }
      }
      const failures = failed.get(i);
      if (failures !== undefined) sink.bad(position, failures);
    }
    for (; next < malformed.length; next++) this.scanMalformed(malformed[next]!, sink);
  }

  private scanMalformed({ position, message }: RowBatch['malformed'][number], sink: CheckedRowSink): void {
    sink.bad(position, [{ position, column: null, message }]);
  }

  private checkCells(cells: readonly RawCell[], position: RowPosition): CheckedRow {
    const row: TypedRow = {};
    let failures: PositionedFailure[] | undefined;
    for (let k = 0; k < this.parsers.length; k++) {
      const column = this.names[k]!;
      const index = this.indexes[k];
      const value = this.parsers[k]!(index === undefined ? undefined : cells[index]);
      if (value instanceof InvalidCell) (failures ??= []).push({ position, column, message: value.message });
      else row[column] = value;
    }
    return failures === undefined ? { ok: true, position, row } : { ok: false, position, failures };
  }

  private merge(rows: CheckedRow[], bad: CheckedRow[]): CheckedRow[] {
    const out: CheckedRow[] = [];
    let i = 0;
    let j = 0;
    while (i < rows.length || j < bad.length) {
      const a = rows[i];
      const b = bad[j];
      const takeRow =
        a !== undefined && (b === undefined || this.reader.rowNumber(a.position) < this.reader.rowNumber(b.position));
      if (takeRow) {
        out.push(a);
        i++;
      } else if (b !== undefined) {
        out.push(b);
        j++;
      }
    }
    return out;
  }

  private useColumns(columns: readonly string[], batch?: RowBatch): void {
    const previous = this.columns;
    this.columns = columns;
    this.indexes = this.names.map((column) => {
      const index = columns.indexOf(column);
      return index < 0 ? undefined : index;
    });
    if (this.reader.format === 'jsonl') this.checkNewKeys(columns, previous?.length ?? 0, batch);
    else if (previous === undefined) this.checkHeader(columns);
  }

  /**
   * Fails the read when the columns do not match the schema. A header that misses schema columns may not be a
   * dataset at all, so it is never quoted: the message names the missing and the expected columns and counts the
   * columns found. Unexpected extra columns of a header that has every schema column are quoted as a bounded
   * sample (see `quoteSample`).
   */
  private checkHeader(columns: readonly string[]): void {
    const csv = this.reader.format === 'csv';
    const where = csv ? `header (line ${this.reader.headerLine ?? 1})` : 'schema';
    const expected = `the schema expects ${quoteAll(this.compiled.columns)}`;
    const missing = this.compiled.columns.filter((column) => !columns.includes(column));
    if (missing.length > 0) {
      const found = `${csv ? 'the header found has' : 'the file has'} ${columns.length} ${plural(columns.length, 'column')}`;
      const message =
        `missing ${plural(missing.length, 'column')} ${quoteAll(missing)}: ${expected}; ${found} ` +
        '(not quoted: a file that does not match the schema is not shown)';
      throw unreadable(this.reader.source, where, message, {
        missing,
        expected: this.compiled.columns,
        columns: columns.length,
      });
    }
    const extra = columns.filter((name) => !this.compiled.checkers.has(name));
    if (!this.compiled.allowExtraColumns && extra.length > 0) {
      const message =
        `unexpected ${plural(extra.length, 'column')} ${quoteSample(extra)} (the schema does not allow extra ` +
        `columns): ${expected}`;
      throw unreadable(this.reader.source, where, message, { extra: sampleOf(extra).map((name) => shortValue(name)) });
    }
  }

  private checkNewKeys(columns: readonly string[], from: number, batch: RowBatch | undefined): void {
    if (this.compiled.allowExtraColumns) return;
    const extra = columns.slice(from).find((name) => !this.compiled.checkers.has(name));
    if (extra === undefined) return;
    const index = columns.indexOf(extra);
    const first = batch?.rows.findIndex((cells) => cells.length > index && cells[index] !== undefined) ?? -1;
    const position = batch?.positions[first];
    const where = position === undefined ? undefined : `line ${this.reader.rowNumber(position)}`;
    const message =
      `unexpected key ${quoteValue(extra)} (the schema does not allow extra columns): ` +
      `the schema expects ${quoteAll(this.compiled.columns)}`;
    throw unreadable(this.reader.source, where, message, { extra: [shortValue(extra)] });
  }
}

/**
 * The checked rows of a reader, one at a time, in file order. Iterating it iterates the reader; afterwards the
 * reader's `digest()` names the bytes that were checked. When `signal` aborts, the next row throws its reason.
 */
export async function* checkedRows(
  reader: DatasetRowReader,
  schema: RowSchema,
  signal?: AbortSignal,
): AsyncGenerator<CheckedRow> {
  const checker = new BatchChecker(reader, schema);
  for await (const batch of reader) {
    for (const row of checker.check(batch)) {
      checkAborted(signal);
      yield row;
    }
  }
  checker.finish();
}
