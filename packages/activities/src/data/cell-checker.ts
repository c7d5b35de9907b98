/**
 * Turns the data-only {@link RowSchema} into checkers for raw cells: CSV text, or the typed values of JSON
 * lines and Parquet. One compiled checker per column: it turns the cell into a typed value (`number`,
 * `string`, `boolean`, or `null` for an empty cell) or explains, in one short sentence, why the cell is wrong.
 */
import { SlipwayErrorType, finalFailure, type ColumnSpec, type RowSchema } from '@slipway/sdk';
import { z } from 'zod';
import type { TypedRow } from '../ports.js';
import { quoteValue, shortValue } from '../util/bounded-sample.js';
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

/** Quotes a raw cell for an error message: at most `SAMPLE_MAX_CHARS` characters (see `quoteValue`). */
export function quoteCell(raw: string): string {
  return quoteValue(raw);
}

/** Powers of ten up to 10^15: each is exact in a double. */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);
/** At most this many digits: their integer is below 2^53, so exact in a double. */
const MAX_EXACT_DIGITS = 15;

/**
 * The fast path of {@link parseNumberCell} for plain decimals (`[+-]?digits[.digits]` or `[+-]?.digits`, at most
 * 15 digits): the digits as an exact integer divided by an exact power of ten, which IEEE division rounds
 * correctly, so the result is the same double `Number()` gives. `undefined` for anything else (an exponent,
 * surrounding spaces, more digits, no digit), which takes the general path.
 */
function parsePlainDecimal(raw: string): number | undefined {
  const length = raw.length;
  const first = raw.charCodeAt(0);
  const negative = first === 0x2d;
  let i = negative || first === 0x2b ? 1 : 0;
  const start = i;
  let mantissa = 0;
  for (; i < length; i++) {
    const digit = raw.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) break;
    mantissa = mantissa * 10 + digit;
  }
  let digits = i - start;
  let fraction = 0;
  if (i < length) {
    if (raw.charCodeAt(i) !== 0x2e) return undefined;
    const point = ++i;
    for (; i < length; i++) {
      const digit = raw.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) return undefined;
      mantissa = mantissa * 10 + digit;
    }
    fraction = i - point;
    digits += fraction;
  }
  if (digits === 0 || digits > MAX_EXACT_DIGITS) return undefined;
  const value = fraction > 0 ? mantissa / (POWERS_OF_TEN[fraction] as number) : mantissa;
  return negative ? -value : value;
}

/** The general path of {@link parseNumberCell}: surrounding spaces, exponents, long digit strings. */
function parseGeneralNumber(raw: string): number | undefined {
  const text = raw.trim();
  if (!NUMBER_PATTERN.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Parses a number the way a CSV author means it: optional sign, digits, optional fraction and exponent.
 * Rejects what `Number()` would quietly accept or mangle (`""`, `"0x1f"`, `"Infinity"`, `"1e"`).
 */
export function parseNumberCell(raw: string): number | undefined {
  return parsePlainDecimal(raw) ?? parseGeneralNumber(raw);
}

/** Parses `true/false/1/0/yes/no` (any case, surrounding spaces ignored). */
export function parseBooleanCell(raw: string): boolean | undefined {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  const text = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return undefined;
}

/**
 * Why a cell failed its check. A {@link CellParser} returns one in place of a value, so a valid cell costs no
 * allocation. `quoted` is the part of `message` that quotes the cell's value (bounded, see `quoteValue`), so that
 * a result that may carry only a few values can drop it (`withoutValue`).
 */
export class InvalidCell {
  constructor(
    readonly message: string,
    readonly quoted?: string,
  ) {}
}

/** An {@link InvalidCell} whose message quotes the value: `message(shown)` with `shown` the bounded, quoted value. */
function invalidValue(shown: string, message: (shown: string) => string): InvalidCell {
  return new InvalidCell(message(shown), shown);
}

/**
 * The allocation-free form of a {@link CellChecker}: the typed value of a valid cell, or an {@link InvalidCell}
 * saying why it is not. Readers that check millions of cells use it; {@link compileCellChecker} wraps it.
 */
export type CellParser = (raw: RawCell) => CellValue | InvalidCell;

/** The largest integer a number holds exactly (2^53 - 1), as a bigint. */
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Why a number breaks the column's rules (integer, then min, then max); `raw` is the cell, shown in quotes. */
function numberFailure(spec: NumberSpec, value: number, raw: string | number | bigint): InvalidCell {
  const shown = quoteCell(typeof raw === 'string' ? raw : String(raw));
  if (spec.integer && !Number.isInteger(value)) return invalidValue(shown, (v) => `expected an integer, got ${v}`);
  if (spec.min !== undefined && value < spec.min) {
    return invalidValue(shown, (v) => `expected a number >= ${spec.min}, got ${v}`);
  }
  return invalidValue(shown, (v) => `expected a number <= ${spec.max}, got ${v}`);
}

/** A typed cell of the wrong type: `expected a number, got the string "12"`. */
function wrongType(expected: string, raw: RawCell): InvalidCell {
  const shown = typeof raw === 'string' ? quoteCell(raw) : shortValue(String(raw));
  const kind = typeof raw === 'bigint' ? 'integer' : typeof raw;
  return invalidValue(shown, (v) => `expected ${expected}, got the ${kind} ${v}`);
}

/** True for a text cell that is empty or only white space. */
function isBlank(raw: string): boolean {
  if (raw.length === 0) return true;
  // A printable ASCII character other than a space is not white space, so trimming keeps it.
  const first = raw.charCodeAt(0);
  if (first > 0x20 && first < 0x7f) return false;
  return raw.trim() === '';
}

/** What an empty cell gives: `null` in a nullable column, else a failure. */
type EmptyCell = null | InvalidCell;

function emptyCell(spec: ColumnSpec): EmptyCell {
  const describeType = spec.type === 'number' ? 'a number' : spec.type === 'string' ? 'a string' : 'a boolean';
  return spec.nullable ? null : new InvalidCell(`expected ${describeType}, got an empty cell`);
}

/** A number column's rules, read from its spec once: what {@link parseNumberWith} checks a cell against. */
export interface NumberRules {
  readonly spec: NumberSpec;
  /** True when cells are text to be parsed (CSV). */
  readonly text: boolean;
  readonly empty: EmptyCell;
  readonly integer: boolean;
  readonly min: number;
  readonly max: number;
}

/** The rules of a number column whose cells are of the given kind. */
export function numberRules(spec: NumberSpec, cells: CellKind = 'text'): NumberRules {
  return {
    spec,
    text: cells === 'text',
    empty: emptyCell(spec),
    integer: spec.integer === true,
    min: spec.min ?? Number.NEGATIVE_INFINITY,
    max: spec.max ?? Number.POSITIVE_INFINITY,
  };
}

function checkRules(rules: NumberRules, value: number, raw: string | number | bigint): CellValue | InvalidCell {
  const { integer, min, max } = rules;
  return (integer && !Number.isInteger(value)) || value < min || value > max
    ? numberFailure(rules.spec, value, raw)
    : value;
}

/**
 * Checks a cell of a number column: the {@link CellParser} of the column, as a plain function of its rules (a
 * loop over one column calls it directly). A text cell first tries the plain decimal fast path (a cell with a
 * digit is never empty), then the empty check and the general syntax.
 */
export function parseNumberWith(rules: NumberRules, raw: RawCell): CellValue | InvalidCell {
  if (typeof raw === 'string') {
    if (!rules.text) return wrongType('a number', raw);
    const value = parsePlainDecimal(raw) ?? (isBlank(raw) ? null : parseGeneralNumber(raw));
    if (value === null) return rules.empty;
    if (value === undefined) return invalidValue(quoteCell(raw), (v) => `expected a number, got ${v}`);
    return checkRules(rules, value, raw);
  }
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return new InvalidCell(`expected a finite number, got ${String(raw)}`);
    return checkRules(rules, raw, raw);
  }
  if (typeof raw === 'bigint') {
    if (raw > MAX_EXACT || raw < -MAX_EXACT) {
      return invalidValue(quoteCell(String(raw)), (v) => `expected a number within ±${MAX_EXACT}, got ${v}`);
    }
    return checkRules(rules, Number(raw), raw);
  }
  return raw === null || raw === undefined ? rules.empty : wrongType('a number', raw);
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

/**
 * Why a string breaks the column's pattern or lengths (in that order), or `undefined` when it does not. The
 * allow-list is checked by the caller.
 */
function stringFailure(spec: StringSpec, regex: RegExp | undefined, raw: string): InvalidCell | undefined {
  if (regex !== undefined && !regex.test(raw)) {
    return invalidValue(quoteCell(raw), (v) => `expected a value matching /${spec.pattern}/, got ${v}`);
  }
  if (spec.minLength !== undefined && raw.length < spec.minLength) {
    const min = spec.minLength;
    return invalidValue(quoteCell(raw), (v) => `expected at least ${min} characters, got ${raw.length} (${v})`);
  }
  if (spec.maxLength !== undefined && raw.length > spec.maxLength) {
    const max = spec.maxLength;
    return invalidValue(quoteCell(raw), (v) => `expected at most ${max} characters, got ${raw.length} (${v})`);
  }
  return undefined;
}

/**
 * The parser of a string column. An allowed value comes back as the allow-list's own string (equal text), so the
 * profile's counters of the column compare it by identity.
 */
function stringParser(column: string, spec: StringSpec, text: boolean, empty: EmptyCell): CellParser {
  const allowed = spec.values === undefined ? undefined : new Map(spec.values.map((v) => [v, v]));
  const regex = spec.pattern === undefined ? undefined : compilePattern(column, spec.pattern);
  const other = regex !== undefined || spec.minLength !== undefined || spec.maxLength !== undefined;
  return (raw) => {
    if (typeof raw !== 'string') return raw === null || raw === undefined ? empty : wrongType('a string', raw);
    if (text && isBlank(raw)) return empty;
    let value = raw;
    if (allowed !== undefined) {
      const known = allowed.get(raw);
      if (known === undefined) {
        const allowedText = describeAllowed(spec.values ?? []);
        return invalidValue(quoteCell(raw), (v) => `expected one of ${allowedText}, got ${v}`);
      }
      value = known;
    }
    return other ? (stringFailure(spec, regex, raw) ?? value) : value;
  };
}

function booleanParser(text: boolean, empty: EmptyCell): CellParser {
  return (raw) => {
    if (typeof raw === 'boolean') return raw;
    if (typeof raw !== 'string' || !text)
      return raw === null || raw === undefined ? empty : wrongType('a boolean', raw);
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    if (isBlank(raw)) return empty;
    const value = parseBooleanCell(raw);
    if (value === undefined) {
      return invalidValue(quoteCell(raw), (v) => `expected a boolean (true/false, 1/0, yes/no), got ${v}`);
    }
    return value;
  };
}

/** How a format gives its cells: as text to be parsed (CSV), or as typed values (JSON lines, Parquet). */
export type CellKind = 'text' | 'typed';

/**
 * Compiles the allocation-free parser of one column: the same rules and messages as {@link compileCellChecker},
 * returning the typed value or an {@link InvalidCell}.
 */
export function compileCellParser(column: string, spec: ColumnSpec, cells: CellKind = 'text'): CellParser {
  const text = cells === 'text';
  switch (spec.type) {
    case 'number': {
      const rules = numberRules(spec, cells);
      return (raw) => parseNumberWith(rules, raw);
    }
    case 'string':
      return stringParser(column, spec, text, emptyCell(spec));
    case 'boolean':
      return booleanParser(text, emptyCell(spec));
  }
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
  const parse = compileCellParser(column, spec, cells);
  return (raw) => {
    const value = parse(raw);
    return value instanceof InvalidCell ? { ok: false, message: value.message } : { ok: true, value };
  };
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
