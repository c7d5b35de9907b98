/**
 * Checks row batches of any format against a row schema: first the columns (the CSV header or the Parquet
 * schema must name every schema column, and nothing else when extra columns are not allowed), then every
 * cell of every row, giving typed rows or failures with positions, in file order.
 */
import { type RowSchema } from '@slipway/sdk';
import type { TypedRow } from '../../ports.js';
import { compileRowSchema, type CellChecker, type CompiledRowSchema } from '../cell-checker.js';
import type { RawCell, RowBatch, RowPosition } from '../row-batch.js';
import { checkAborted, unreadable, type DatasetRowReader } from './batch-reader.js';

/** One failure of a row: the cell's column (`null` for a row that could not be parsed) and why. */
export interface PositionedFailure {
  position: RowPosition;
  column: string | null;
  message: string;
}

/** A checked row: its typed cells (schema columns only), or every reason it is bad. */
export type CheckedRow =
  | { ok: true; position: RowPosition; row: TypedRow }
  | { ok: false; position: RowPosition; failures: PositionedFailure[] };

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
  private readonly checkers: { column: string; check: CellChecker }[];
  private columns: readonly string[] | undefined;
  private indexes: (number | undefined)[] = [];

  constructor(
    private readonly reader: DatasetRowReader,
    schema: RowSchema,
  ) {
    this.compiled = compileRowSchema(schema, reader.textCells ? 'text' : 'typed');
    this.checkers = [...this.compiled.checkers].map(([column, check]) => ({ column, check }));
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

  private checkCells(cells: readonly RawCell[], position: RowPosition): CheckedRow {
    const row: TypedRow = {};
    let failures: PositionedFailure[] | undefined;
    for (let k = 0; k < this.checkers.length; k++) {
      const { column, check } = this.checkers[k] as { column: string; check: CellChecker };
      const index = this.indexes[k];
      const result = check(index === undefined ? undefined : cells[index]);
      if (result.ok) row[column] = result.value;
      else (failures ??= []).push({ position, column, message: result.message });
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
    this.indexes = this.checkers.map(({ column }) => {
      const index = columns.indexOf(column);
      return index < 0 ? undefined : index;
    });
    if (this.reader.format === 'jsonl') this.checkNewKeys(columns, previous?.length ?? 0, batch);
    else if (previous === undefined) this.checkHeader(columns);
  }

  private checkHeader(columns: readonly string[]): void {
    const where = this.reader.format === 'csv' ? `header (line ${this.reader.headerLine ?? 1})` : 'schema';
    const found = `the ${this.reader.format === 'csv' ? 'header found is' : 'columns found are'}: ${quoteAll(columns)}`;
    const missing = this.compiled.columns.filter((column) => !columns.includes(column));
    if (missing.length > 0) {
      const message = `missing ${plural(missing.length, 'column')} ${quoteAll(missing)}; ${found}`;
      throw unreadable(this.reader.source, where, message, { missing, header: columns });
    }
    const extra = columns.filter((name) => !this.compiled.checkers.has(name));
    if (!this.compiled.allowExtraColumns && extra.length > 0) {
      const message =
        `unexpected ${plural(extra.length, 'column')} ${quoteAll(extra)} (the schema does not allow extra ` +
        `columns); ${found}`;
      throw unreadable(this.reader.source, where, message, { extra, header: columns });
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
    const message = `unexpected key ${JSON.stringify(extra)} (the schema does not allow extra columns); the keys seen so far are: ${quoteAll(columns)}`;
    throw unreadable(this.reader.source, where, message, { extra: [extra] });
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
