/**
 * Turns the data-only {@link RowSchema} into checkers for raw CSV cells (strings). One compiled checker per
 * column: it parses the cell into a typed value (`number`, `string`, `boolean` or `null` for an empty cell)
 * or explains, in one short sentence, why the cell is wrong.
 */
import { SlipwayErrorType, finalFailure, type ColumnSpec, type RowSchema } from '@slipway/sdk';
import { z } from 'zod';
import type { TypedRow } from '../ports.js';

/** A typed cell value: what a cell becomes once checked. */
export type CellValue = string | number | boolean | null;

/** The result of checking one cell. */
export type CellResult = { ok: true; value: CellValue } | { ok: false; message: string };

/** A checker for the raw text of one cell. */
export type CellChecker = (raw: string) => CellResult;

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

function numberChecker(spec: Extract<ColumnSpec, { type: 'number' }>): (raw: string) => CellResult {
  return (raw) => {
    const value = parseNumberCell(raw);
    if (value === undefined) return { ok: false, message: `expected a number, got ${quoteCell(raw)}` };
    if (spec.integer && !Number.isInteger(value)) {
      return { ok: false, message: `expected an integer, got ${quoteCell(raw)}` };
    }
    if (spec.min !== undefined && value < spec.min) {
      return { ok: false, message: `expected a number >= ${spec.min}, got ${quoteCell(raw)}` };
    }
    if (spec.max !== undefined && value > spec.max) {
      return { ok: false, message: `expected a number <= ${spec.max}, got ${quoteCell(raw)}` };
    }
    return { ok: true, value };
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

function stringChecker(column: string, spec: Extract<ColumnSpec, { type: 'string' }>): (raw: string) => CellResult {
  const allowed = spec.values === undefined ? undefined : new Set(spec.values);
  const regex = spec.pattern === undefined ? undefined : compilePattern(column, spec.pattern);
  return (raw) => {
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

function booleanChecker(raw: string): CellResult {
  const value = parseBooleanCell(raw);
  if (value === undefined) {
    return { ok: false, message: `expected a boolean (true/false, 1/0, yes/no), got ${quoteCell(raw)}` };
  }
  return { ok: true, value };
}

/**
 * Compiles the checker of one column. A cell that is empty or only whitespace is `null`: accepted when the
 * column is nullable, otherwise a failure. Patterns are unanchored, as in zod's `.regex()`: anchor them with
 * `^…$` for a full match. An invalid pattern throws a final `SlipwayInvalidInput` failure naming the column.
 */
export function compileCellChecker(column: string, spec: ColumnSpec): CellChecker {
  const check =
    spec.type === 'number'
      ? numberChecker(spec)
      : spec.type === 'string'
        ? stringChecker(column, spec)
        : booleanChecker;
  const describeType = spec.type === 'number' ? 'a number' : spec.type === 'string' ? 'a string' : 'a boolean';
  return (raw) => {
    if (raw.trim() === '') {
      return spec.nullable
        ? { ok: true, value: null }
        : { ok: false, message: `expected ${describeType}, got an empty cell` };
    }
    return check(raw);
  };
}

/** Compiles every column of a row schema (see {@link compileCellChecker}). */
export function compileRowSchema(schema: RowSchema): CompiledRowSchema {
  const checkers = new Map<string, CellChecker>();
  for (const [column, spec] of Object.entries(schema.columns)) checkers.set(column, compileCellChecker(column, spec));
  return { columns: [...checkers.keys()], allowExtraColumns: schema.allowExtraColumns, checkers };
}

/**
 * Checks one row of raw cells, given as a lookup from column name to raw text. A column the lookup does not
 * have counts as an empty cell. Returns the typed row (schema columns only) or every failing cell.
 */
export function checkRow(compiled: CompiledRowSchema, cell: (column: string) => string | undefined): RowCheckResult {
  const row: TypedRow = {};
  let failures: CellFailure[] | undefined;
  for (const [column, checker] of compiled.checkers) {
    const result = checker(cell(column) ?? '');
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
