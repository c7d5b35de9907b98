/**
 * Turns the data-only {@link RowSchema} into checkers for raw cells: CSV text, or the typed values of JSON
 * lines and Parquet. One compiled checker per column: it turns the cell into a typed value (`number`,
 * `string`, `boolean`, or `null` for an empty cell) or explains, in one short sentence, why the cell is wrong.
 */
import { SlipwayErrorType, finalFailure, type ColumnSpec, type RowSchema } from '@slipway/sdk';
import { z } from 'zod';
import type { TypedRow } from '../ports.js';
import type { RawCell } from './row-batch.js';

type NumberSpec = Extract<ColumnSpec, { type: 'number' }>;
type StringSpec = Extract<ColumnSpec, { type: 'string' }>;

/** A typed cell value: what a cell becomes once checked. */
export type CellValue = string | number | boolean | null;

/** The result of checking one cell. */
export type CellResult = { ok: true; value: CellValue } | { ok: false; message: string };

/** A checker for one raw cell (CSV text, or a typed JSON lines / Parquet value). */
export type CellChecker = (raw: RawCell) => CellResult;

/** A row schema compiled into one cell checker per column. */
export interface CompiledRowSchema {
  /** The schema's column names, in schema order. */
  readonly columns: readonly string[];
  /** Whether the header may hold columns the schema does not name. */
  readonly allowExtraColumns: boolean;
  /** The checker of each column. */
  readonly checkers: ReadonlyMap<string, CellChecker>;
}

/** A cell that failed its check, with the column it belongs to. */
export interface CellFailure {
  column: string;
  message: string;
}

/** The result of checking a whole row of raw cells. */
export type RowCheckResult = { ok: true; row: TypedRow } | { ok: false; failures: CellFailure[] };

const NUMBER_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);
const QUOTED_LIMIT = 60;

/** Quotes a raw cell for an error message, shortening long values. */
export function quoteCell(raw: string): string {
  const shown = raw.length > QUOTED_LIMIT ? `${raw.slice(0, QUOTED_LIMIT)}…` : raw;
  return JSON.stringify(shown);
}

/**
 * Parses a number the way a CSV author means it: optional sign, digits, optional fraction and exponent.
 * Rejects what `Number()` would quietly accept or mangle (`""`, `"0x1f"`, `"Infinity"`, `"1e"`).
 */
export function parseNumberCell(raw: string): number | undefined {
  const text = raw.trim();
  if (!NUMBER_PATTERN.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Parses `true/false/1/0/yes/no` (any case, surrounding spaces ignored). */
export function parseBooleanCell(raw: string): boolean | undefined {
  const text = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return undefined;
}

/** The largest integer a number holds exactly (2^53 - 1), as a bigint. */
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Checks a number against the column's rules; `text` is how the cell is shown in messages. */
function checkNumber(spec: NumberSpec, value: number, text: string): CellResult {
  if (spec.integer && !Number.isInteger(value)) {
    return { ok: false, message: `expected an integer, got ${quoteCell(text)}` };
  }
  if (spec.min !== undefined && value < spec.min) {
    return { ok: false, message: `expected a number >= ${spec.min}, got ${quoteCell(text)}` };
  }
  if (spec.max !== undefined && value > spec.max) {
    return { ok: false, message: `expected a number <= ${spec.max}, got ${quoteCell(text)}` };
  }
  return { ok: true, value };
}

/** A typed cell of the wrong type: `expected a number, got the string "12"`. */
function wrongType(expected: string, raw: RawCell): CellResult {
  const shown = typeof raw === 'string' ? quoteCell(raw) : String(raw);
  return {
    ok: false,
    message: `expected ${expected}, got the ${typeof raw === 'bigint' ? 'integer' : typeof raw} ${shown}`,
  };
}

function numberChecker(spec: NumberSpec, text: boolean): (raw: RawCell) => CellResult {
  return (raw) => {
    if (typeof raw === 'string') {
      if (!text) return wrongType('a number', raw);
      const value = parseNumberCell(raw);
      if (value === undefined) return { ok: false, message: `expected a number, got ${quoteCell(raw)}` };
      return checkNumber(spec, value, raw);
    }
    if (typeof raw === 'number') {
      if (!Number.isFinite(raw)) return { ok: false, message: `expected a finite number, got ${String(raw)}` };
      return checkNumber(spec, raw, String(raw));
    }
    if (typeof raw === 'bigint') {
      if (raw > MAX_EXACT || raw < -MAX_EXACT) {
        return { ok: false, message: `expected a number within ±${MAX_EXACT}, got ${quoteCell(String(raw))}` };
      }
      return checkNumber(spec, Number(raw), String(raw));
    }
    return wrongType('a number', raw);
  };
}

function describeAllowed(values: readonly string[]): string {
  const shown = values.slice(0, 10).map((v) => JSON.stringify(v));
  return values.length > 10 ? `${shown.join(', ')}, … (${values.length} values)` : shown.join(', ');
}

function compilePattern(column: string, pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Row schema column "${column}": invalid pattern ${JSON.stringify(pattern)}: ${reason}`,
      { column, pattern },
    );
  }
}

function stringChecker(column: string, spec: StringSpec): (raw: RawCell) => CellResult {
  const allowed = spec.values === undefined ? undefined : new Set(spec.values);
  const regex = spec.pattern === undefined ? undefined : compilePattern(column, spec.pattern);
  return (raw) => {
    if (typeof raw !== 'string') return wrongType('a string', raw);
    if (allowed !== undefined && spec.values !== undefined && !allowed.has(raw)) {
      return { ok: false, message: `expected one of ${describeAllowed(spec.values)}, got ${quoteCell(raw)}` };
    }
    if (regex !== undefined && !regex.test(raw)) {
      return { ok: false, message: `expected a value matching /${spec.pattern}/, got ${quoteCell(raw)}` };
    }
    if (spec.minLength !== undefined && raw.length < spec.minLength) {
      return {
        ok: false,
        message: `expected at least ${spec.minLength} characters, got ${raw.length} (${quoteCell(raw)})`,
      };
    }
    if (spec.maxLength !== undefined && raw.length > spec.maxLength) {
      return {
        ok: false,
        message: `expected at most ${spec.maxLength} characters, got ${raw.length} (${quoteCell(raw)})`,
      };
    }
    return { ok: true, value: raw };
  };
}

function booleanChecker(text: boolean): (raw: RawCell) => CellResult {
  return (raw) => {
    if (typeof raw === 'boolean') return { ok: true, value: raw };
    if (typeof raw !== 'string' || !text) return wrongType('a boolean', raw);
    const value = parseBooleanCell(raw);
    if (value === undefined) {
      return { ok: false, message: `expected a boolean (true/false, 1/0, yes/no), got ${quoteCell(raw)}` };
    }
    return { ok: true, value };
  };
}

/** How a format gives its cells: as text to be parsed (CSV), or as typed values (JSON lines, Parquet). */
export type CellKind = 'text' | 'typed';

function isEmpty(raw: RawCell, text: boolean): boolean {
  if (raw === null || raw === undefined) return true;
  return text && typeof raw === 'string' && raw.trim() === '';
}

/**
 * Compiles the checker of one column. `cells` says what the format gives:
 * - `'text'` (CSV, the default): a number or boolean column parses the text; a cell that is empty or only
 *   whitespace is `null`.
 * - `'typed'` (JSON lines, Parquet): a number column takes numbers and bigints (exact up to 2^53), a string
 *   column strings, a boolean column booleans; any other type is a failure (`expected a number, got the
 *   string "12"`); `null` or a missing value is `null`, and an empty string is a string.
 *
 * A `null` cell is accepted when the column is nullable, otherwise a failure (`got an empty cell`). Rule
 * failures show the value as text in quotes (`expected a number >= 0, got "-3"`) whatever the format, so the
 * same data gives the same messages. Patterns are unanchored, as in zod's `.regex()`: anchor them with `^…$`
 * for a full match. An invalid pattern throws a final `SlipwayInvalidInput` failure naming the column.
 */
export function compileCellChecker(column: string, spec: ColumnSpec, cells: CellKind = 'text'): CellChecker {
  const text = cells === 'text';
  const check =
    spec.type === 'number'
      ? numberChecker(spec, text)
      : spec.type === 'string'
        ? stringChecker(column, spec)
        : booleanChecker(text);
  const describeType = spec.type === 'number' ? 'a number' : spec.type === 'string' ? 'a string' : 'a boolean';
  const empty: CellResult = spec.nullable
    ? { ok: true, value: null }
    : { ok: false, message: `expected ${describeType}, got an empty cell` };
  return (raw) => (isEmpty(raw, text) ? empty : check(raw));
}

/** Compiles every column of a row schema for cells of the given kind (see {@link compileCellChecker}). */
export function compileRowSchema(schema: RowSchema, cells: CellKind = 'text'): CompiledRowSchema {
  const checkers = new Map<string, CellChecker>();
  for (const [column, spec] of Object.entries(schema.columns)) {
    checkers.set(column, compileCellChecker(column, spec, cells));
  }
  return { columns: [...checkers.keys()], allowExtraColumns: schema.allowExtraColumns, checkers };
}

/**
 * Checks one row of raw cells, given as a lookup from column name to cell. A column the lookup does not
 * have counts as an empty cell. Returns the typed row (schema columns only) or every failing cell.
 */
export function checkRow(compiled: CompiledRowSchema, cell: (column: string) => RawCell): RowCheckResult {
  const row: TypedRow = {};
  let failures: CellFailure[] | undefined;
  for (const [column, checker] of compiled.checkers) {
    const result = checker(cell(column));
    if (result.ok) row[column] = result.value;
    else (failures ??= []).push({ column, message: result.message });
  }
  return failures === undefined ? { ok: true, row } : { ok: false, failures };
}

/**
 * The same rules as a zod schema over an object of raw strings (`{ column: "cell text" }`), producing a
 * {@link TypedRow}. Useful where a zod schema is expected (checking one record, composing with other
 * schemas); the CSV reader uses {@link compileRowSchema} directly, which is faster per row.
 */
export function rowSchemaToZod(schema: RowSchema): z.ZodType<TypedRow, Record<string, string | undefined>> {
  const compiled = compileRowSchema(schema);
  return z.record(z.string(), z.string().optional()).transform((cells, ctx) => {
    const result = checkRow(compiled, (column) => cells[column]);
    if (result.ok) return result.row;
    for (const failure of result.failures) {
      ctx.addIssue({ code: 'custom', path: [failure.column], message: failure.message });
    }
    return z.NEVER;
  });
}
