/**
 * Parquet values as `RawCell`s. Scalars keep their types (INT64 stays a `bigint`); timestamps become
 * ISO-8601 strings, dates `YYYY-MM-DD`, JSON columns their text, bytes their hex, and nested values
 * (lists, structs, maps) their JSON text, so every cell is a scalar a check can look at.
 */
import type { ParquetParsers } from 'hyparquet';
import type { RawCell } from '../row-batch.js';

const MS_PER_DAY = 86_400_000;
const utf8 = new TextDecoder();

function isoFromMillis(millis: bigint | number): string {
  const date = new Date(Number(millis));
  return Number.isNaN(date.getTime()) ? String(millis) : date.toISOString();
}

/** The parsers handed to hyparquet, so logical types arrive as strings rather than `Date` or objects. */
export const PARQUET_PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (millis: bigint) => isoFromMillis(millis),
  timestampFromMicroseconds: (micros: bigint) => isoFromMillis(micros / 1000n),
  timestampFromNanoseconds: (nanos: bigint) => isoFromMillis(nanos / 1_000_000n),
  dateFromDays: (days: number) => isoFromMillis(days * MS_PER_DAY).slice(0, 10),
  jsonFromBytes: (bytes: Uint8Array) => utf8.decode(bytes),
};

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return hex(value);
  if (value instanceof Date) return value.toISOString();
  return value;
}

/** One decoded Parquet value as a cell (see the module documentation). */
export function parquetCell(value: unknown): RawCell {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
    case 'undefined':
      return value;
    case 'object':
      if (value === null) return null;
      if (value instanceof Date) return value.toISOString();
      if (value instanceof Uint8Array) return hex(value);
      return JSON.stringify(value, jsonReplacer);
    case 'function':
    case 'symbol':
      return String(value);
  }
}
