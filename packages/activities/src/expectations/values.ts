/**
 * How expectations read cells of any format: CSV gives strings, JSON lines and Parquet give typed values. A
 * check asks for a number, a boolean or text and gets undefined when the cell is not one. Text is parsed by
 * the same rules as the row schema's cell checks.
 */
import { parseBooleanCell, parseNumberCell } from '../data/cell-checker.js';
import type { RawCell } from '../data/row-batch.js';

/** True for a missing cell: null, undefined, or a CSV cell that is empty or blank. */
export function isNullCell(value: RawCell): value is null | undefined | '' {
  if (value === null || value === undefined) return true;
  if (typeof value !== 'string') return false;
  // A printable ASCII character other than a space is not white space, so trimming keeps it.
  const first = value.charCodeAt(0);
  if (first > 0x20 && first < 0x7f) return false;
  return value.trim() === '';
}

/** The number a cell holds: a finite number, a bigint, or a numeral in text; else undefined. */
export function numberOfCell(value: RawCell): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  return typeof value === 'string' ? parseNumberCell(value) : undefined;
}

/** The boolean a cell holds: a boolean, or `true/false/1/0/yes/no` text in any case. */
export function booleanOfCell(value: RawCell): boolean | undefined {
  if (typeof value === 'boolean') return value;
  return typeof value === 'string' ? parseBooleanCell(value) : undefined;
}

/** The text of a cell for pattern and set checks (numbers and booleans in their usual spelling). */
export function textOfCell(value: RawCell): string {
  return value === null || value === undefined ? '' : String(value);
}
