/**
 * Which class a target value is, matched by value: the class of the same type and value first (`1` and `1`,
 * `"yes"` and `"yes"`, `true` and `true`), else the one class with the same text (a target `1` read from a CSV and
 * a class `"1"` a trainer wrote; a target `true` and a class `"True"` Python wrote, booleans ignoring case; a
 * numeric string by its number, so `"1.0"` is `1`). A value no class matches, or that matches two by text, is
 * not a class.
 */
import type { ClassLabel } from '@slipway/sdk';
import { parseNumberCell } from '../data/cell-checker.js';
import { quoteValue } from '../util/bounded-sample.js';

/** A value for an error message: a string quoted and cut short, a number or boolean as it is, `null`, or its type. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return quoteValue(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return Array.isArray(value) ? 'an array' : `a value of type ${typeof value}`;
}

/** The index of a target value among the classes, or `undefined` when it is not one of them. */
export type ClassIndexer = (value: unknown) => number | undefined;

function exactKey(value: unknown): string | undefined {
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return `${type}:${String(value)}`;
  return undefined;
}

function looseKey(value: unknown): string | undefined {
  if (typeof value === 'boolean') return `b:${String(value)}`;
  if (typeof value === 'number') return Number.isFinite(value) ? `n:${String(value)}` : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') return `b:${lower}`;
  const number = text === '' ? undefined : parseNumberCell(text);
  return number === undefined ? `s:${text}` : `n:${String(number)}`;
}

/** A {@link ClassIndexer} for `classes`. */
export function classIndexer(classes: readonly ClassLabel[]): ClassIndexer {
  const exact = new Map<string, number>();
  const loose = new Map<string, number>();
  classes.forEach((c, index) => {
    exact.set(exactKey(c) as string, index);
    const key = looseKey(c) as string;
    loose.set(key, loose.has(key) ? -1 : index); // -1: two classes share this text
  });
  return (value) => {
    const key = exactKey(value);
    if (key === undefined) return undefined;
    const found = exact.get(key);
    if (found !== undefined) return found;
    const byText = loose.get(looseKey(value) as string);
    return byText === undefined || byText < 0 ? undefined : byText;
  };
}
