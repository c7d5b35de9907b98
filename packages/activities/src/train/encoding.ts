/**
 * Feature encoding for linear models, fitted on the training split and stored inside the model, so a model
 * JSON alone is enough to score a row: a bias term, standardized numeric columns (null → the training mean,
 * i.e. 0 after standardizing) and one-hot categorical columns over the categories seen in training (an
 * unknown category or a null → all zeros).
 */
import type { FeatureSpec } from '@slipway/sdk';
import { z } from 'zod';
import type { TypedRow } from '../ports.js';
import { parseNumberCell, quoteCell } from '../data/cell-checker.js';

/** How the features of a row become a vector; part of the serialized model. */
export const FeatureEncoding = z.object({
  numeric: z.array(z.object({ column: z.string(), mean: z.number(), std: z.number().positive() })),
  categorical: z.array(z.object({ column: z.string(), categories: z.array(z.string()) })),
});
/** How the features of a row become a vector. */
export type FeatureEncoding = z.infer<typeof FeatureEncoding>;

/** A dense row-major matrix of encoded rows. */
export interface EncodedRows {
  /** `rows × dimension` values, row-major. */
  x: Float64Array;
  rows: number;
  dimension: number;
}

/** The vector length of an encoding: 1 (bias) + numeric columns + every category. */
export function encodingDimension(encoding: FeatureEncoding): number {
  return 1 + encoding.numeric.length + encoding.categorical.reduce((sum, c) => sum + c.categories.length, 0);
}

/** Names of the vector entries: `(bias)`, each numeric column, then `column=category`. */
export function encodedFeatureNames(encoding: FeatureEncoding): string[] {
  return [
    '(bias)',
    ...encoding.numeric.map((n) => n.column),
    ...encoding.categorical.flatMap((c) => c.categories.map((category) => `${c.column}=${category}`)),
  ];
}

/**
 * The numeric value of a feature: a number, a numeric string (as from a JSON request), or `null` for
 * null/missing. Anything else throws a `TypeError` naming the column and the value.
 */
export function numericFeature(column: string, value: TypedRow[string] | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    if (value.trim() === '') return null;
    const parsed = parseNumberCell(value);
    if (parsed !== undefined) return parsed;
  }
  throw new TypeError(
    `Feature "${column}": expected a number, got ${typeof value === 'string' ? quoteCell(value) : String(value)}`,
  );
}

/** The category key of a categorical value (`String(value)`), or `null` for null/missing. */
export function categoryOf(value: TypedRow[string] | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}

function fitNumeric(column: string, rows: readonly TypedRow[]): FeatureEncoding['numeric'][number] {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (const row of rows) {
    const value = numericFeature(column, row[column]);
    if (value === null) continue;
    n++;
    const delta = value - mean;
    mean += delta / n;
    m2 += delta * (value - mean);
  }
  const std = n > 0 ? Math.sqrt(m2 / n) : 0;
  return { column, mean, std: std > 0 ? std : 1 };
}

function fitCategorical(
  column: string,
  rows: readonly TypedRow[],
  maxCategories: number,
): FeatureEncoding['categorical'][number] {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const key = categoryOf(row[column]);
    if (key !== null) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const categories = [...counts]
    .sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, maxCategories)
    .map(([category]) => category);
  return { column, categories };
}

/**
 * Fits an encoding on training rows: mean and (population) standard deviation of each numeric column (a
 * constant column gets std 1), and the categories of each categorical column, most frequent first, at most
 * `maxCategories` of them (the rest encode like unknown categories).
 */
export function fitEncoding(rows: readonly TypedRow[], features: FeatureSpec, maxCategories: number): FeatureEncoding {
  return {
    numeric: features.numeric.map((column) => fitNumeric(column, rows)),
    categorical: features.categorical.map((column) => fitCategorical(column, rows, maxCategories)),
  };
}

/** Something that encodes one row into a vector slot; built once per encoding. */
export type RowEncoder = (row: TypedRow, out: Float64Array, offset: number) => void;

/** Builds a fast encoder for an encoding (category lookups become maps). */
export function createRowEncoder(encoding: FeatureEncoding): RowEncoder {
  const numeric = encoding.numeric;
  let base = 1 + numeric.length;
  const categorical = encoding.categorical.map(({ column, categories }) => {
    const index = new Map(categories.map((category, i) => [category, base + i]));
    base += categories.length;
    return { column, index };
  });
  const dimension = base;
  return (row, out, offset) => {
    out.fill(0, offset, offset + dimension);
    out[offset] = 1;
    numeric.forEach(({ column, mean, std }, i) => {
      const value = numericFeature(column, row[column]);
      out[offset + 1 + i] = value === null ? 0 : (value - mean) / std;
    });
    for (const { column, index } of categorical) {
      const key = categoryOf(row[column]);
      const slot = key === null ? undefined : index.get(key);
      if (slot !== undefined) out[offset + slot] = 1;
    }
  };
}

/** Encodes rows into a dense row-major matrix. */
export function encodeRows(encoding: FeatureEncoding, rows: readonly TypedRow[]): EncodedRows {
  const dimension = encodingDimension(encoding);
  const x = new Float64Array(rows.length * dimension);
  const encode = createRowEncoder(encoding);
  rows.forEach((row, i) => encode(row, x, i * dimension));
  return { x, rows: rows.length, dimension };
}
