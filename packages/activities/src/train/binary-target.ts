/**
 * Binary targets: which value of the target column is the positive class. The mapping is deterministic:
 * `true` over `false`, `1` over `0`, and for two strings the one that sorts last (`"yes"` over `"no"`,
 * `"true"` over `"false"`, `"1"` over `"0"`) unless `positiveClass` names the other one.
 */
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import { z } from 'zod';
import type { TypedRow } from '../ports.js';
import { SAMPLE_MAX_VALUES, quoteValue, sampleOf, shortValue } from '../util/bounded-sample.js';

/** A non-null target value. */
export type TargetValue = string | number | boolean;

/** The two classes of a binary target column. */
export const BinaryTarget = z.object({
  column: z.string().min(1),
  negative: z.union([z.string(), z.number(), z.boolean()]),
  positive: z.union([z.string(), z.number(), z.boolean()]),
});
/** The two classes of a binary target column. */
export type BinaryTarget = z.infer<typeof BinaryTarget>;

const SHOWN_VALUES = 10;

function distinctValues(column: string, values: Iterable<TargetValue | null | undefined>): TargetValue[] {
  const seen = new Map<string, TargetValue>();
  for (const value of values) {
    if (value === null || value === undefined) continue;
    const key = `${typeof value}:${String(value)}`;
    if (!seen.has(key)) seen.set(key, value);
    if (seen.size > SHOWN_VALUES) break;
  }
  return [...seen.values()];
}

/** A target value for a message: strings quoted and cut short, numbers and booleans as they are. */
function showTarget(value: TargetValue | null): string {
  return typeof value === 'string' ? quoteValue(value) : String(value);
}

/** The values found, as a bounded sample (at most `SAMPLE_MAX_VALUES`, each cut short). */
function describeValues(values: readonly TargetValue[]): string {
  if (values.length === 0) return '(none)';
  const shown = sampleOf(values).map(showTarget).join(', ');
  return values.length > SAMPLE_MAX_VALUES ? `${shown}, …` : shown;
}

function notBinary(column: string, values: readonly TargetValue[], why: string): never {
  throw finalFailure(
    SlipwayErrorType.InvalidInput,
    `Target column "${column}" must be binary (0/1, true/false, or two distinct strings): ${why}; values found: ${describeValues(values)}`,
    { column, values: sampleOf(values).map((v) => (typeof v === 'string' ? shortValue(v) : v)) },
  );
}

function orderPair(column: string, values: TargetValue[], positiveClass: TargetValue | undefined): BinaryTarget {
  const [a, b] = values as [TargetValue, TargetValue];
  if (positiveClass !== undefined) {
    if (positiveClass === a) return { column, negative: b, positive: a };
    if (positiveClass === b) return { column, negative: a, positive: b };
    notBinary(column, values, `positiveClass ${showTarget(positiveClass)} is not one of the values`);
  }
  return String(a) < String(b) ? { column, negative: a, positive: b } : { column, negative: b, positive: a };
}

/**
 * Resolves the two classes of a target column from its values (nulls ignored). Fails with a final
 * `SlipwayInvalidInput` failure naming the column and the values found when there are not exactly two
 * classes, when numbers other than 0 and 1 appear, or when value types are mixed.
 */
export function resolveBinaryTarget(
  column: string,
  values: Iterable<TargetValue | null | undefined>,
  positiveClass?: TargetValue,
): BinaryTarget {
  const found = distinctValues(column, values);
  if (found.length !== 2) {
    notBinary(
      column,
      found,
      found.length < 2 ? `found ${found.length} distinct value(s)` : 'found more than two distinct values',
    );
  }
  const types = new Set(found.map((v) => typeof v));
  if (types.size > 1) notBinary(column, found, 'the values mix types');
  if (types.has('number') && !found.every((v) => v === 0 || v === 1))
    notBinary(column, found, 'numeric targets must be 0 and 1');
  return orderPair(column, found, positiveClass);
}

/** The label (1 positive, 0 negative) of a value, or `undefined` for null or a value of neither class. */
export function targetLabel(target: BinaryTarget, value: TypedRow[string] | undefined): 0 | 1 | undefined {
  if (value === target.positive) return 1;
  if (value === target.negative) return 0;
  return undefined;
}

function showCell(value: TypedRow[string] | undefined): string {
  return value === undefined || value === null ? 'null' : showTarget(value);
}

/** The labels of rows; a row whose target is null or of neither class fails with `SlipwayInvalidInput`. */
export function labelsOf(target: BinaryTarget, rows: readonly TypedRow[]): Uint8Array {
  const labels = new Uint8Array(rows.length);
  rows.forEach((row, i) => {
    const label = targetLabel(target, row[target.column]);
    if (label === undefined) {
      throw finalFailure(
        SlipwayErrorType.InvalidInput,
        `Target column "${target.column}": row ${i + 1} has ${showCell(row[target.column])}, expected ${showTarget(target.negative)} or ${showTarget(target.positive)}`,
        { column: target.column },
      );
    }
    labels[i] = label;
  });
  return labels;
}
