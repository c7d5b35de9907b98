/**
 * The shape every expectation evaluator has: it sees values (or batches) as the dataset streams past, then
 * reports one `CheckResult`. Evaluators keep bounded state: counts, a few samples, at most a fixed buffer.
 */
import {
  expectationId,
  type CheckResult,
  type CheckSample,
  type Expectation,
  type ExpectationSeverity,
} from '@slipway/sdk';
import { describePosition, type RawCell, type RowPosition } from '../data/row-batch.js';
import { shortValue } from '../util/bounded-sample.js';

/** An evaluator of one expectation. */
export interface CheckEvaluator {
  readonly expectation: Expectation;
  /** The column whose values it wants, or undefined for dataset-level checks. */
  readonly column: string | undefined;
  /** Sees one value of its column (called only when the column exists). */
  observe?(value: RawCell, position: RowPosition): void | Promise<void>;
  /** Sees the columns of the dataset once they are known. */
  columns?(names: readonly string[]): void;
  /** The outcome, once every row has been seen. */
  result(context: CheckContext): Promise<CheckResult> | CheckResult;
}

/** What every check can use when it reports. */
export interface CheckContext {
  /** Data rows read (malformed rows included). */
  rows: number;
  /** The columns the dataset has. */
  columns: readonly string[];
}

/** The stable id of an expectation: its own `id`, else e.g. `between(tenure_months)` or `rowCount`. */
export function checkId(expectation: Expectation): string {
  return expectationId(expectation);
}

/** Column names quoted in a message at most (the rest are counted). */
const LISTED_COLUMNS = 20;

/**
 * `column "X" does not exist; columns are "a", "b", …`: the dataset's columns, at most {@link LISTED_COLUMNS} of
 * them, each shortened like a shown value.
 */
export function missingColumnMessage(column: string, columns: readonly string[]): string {
  const listed = columns.slice(0, LISTED_COLUMNS).map((c) => JSON.stringify(showValue(c)));
  const more = columns.length > LISTED_COLUMNS ? ` and ${columns.length - LISTED_COLUMNS} more` : '';
  const header = columns.length === 0 ? 'the dataset has no columns' : `columns are ${listed.join(', ')}${more}`;
  return `column ${JSON.stringify(showValue(column))} does not exist; ${header}`;
}

/**
 * The result of an expectation on a column the dataset does not have: failed at error level whatever its declared
 * severity (a misspelt column is a mistake in the expectation, not a property of the data), nothing evaluated.
 */
export function missingColumnResult(
  expectation: Expectation & { column: string },
  columns: readonly string[],
): CheckResult {
  return {
    ...checkResult(expectation, {
      passed: false,
      evaluated: 0,
      failed: 1,
      samples: [
        { position: 'header', column: expectation.column, message: missingColumnMessage(expectation.column, columns) },
      ],
    }),
    severity: 'error',
  };
}

/** Collects up to `limit` sample failures. */
export class SampleCollector {
  readonly samples: CheckSample[] = [];
  constructor(private readonly limit: number) {}

  add(position: RowPosition, column: string | undefined, value: RawCell, message: string): void {
    if (this.samples.length >= this.limit) return;
    this.samples.push({
      position: describePosition(position),
      ...(column === undefined ? {} : { column }),
      ...(value === undefined ? {} : { value: showValue(value) }),
      message,
    });
  }
}

/** A value as shown in reports: strings as they are, others in their JSON-ish form; cut short (see `shortValue`). */
export function showValue(value: RawCell): string {
  return shortValue(typeof value === 'string' ? value : value === null ? 'null' : String(value));
}

/** Builds a `CheckResult` with the fields every check shares. */
export function checkResult(
  expectation: Expectation,
  fields: {
    passed: boolean;
    evaluated: number;
    failed: number;
    observed?: Record<string, number | string>;
    samples?: CheckSample[];
  },
): CheckResult {
  const severity: ExpectationSeverity = expectation.severity;
  return {
    id: checkId(expectation),
    expect: expectation.expect,
    ...('column' in expectation ? { column: expectation.column } : {}),
    severity,
    passed: fields.passed,
    evaluated: fields.evaluated,
    failed: fields.failed,
    observed: fields.observed ?? {},
    samples: fields.samples ?? [],
    ...(expectation.description ? { description: expectation.description } : {}),
  };
}
