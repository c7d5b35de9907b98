/**
 * Runs an expectation set over a dataset as it streams past in batches, in bounded memory, and reports every
 * check with pass/fail, counts and up to N sample failures with their position and column.
 */
import type { CheckResult, DatasetProfile, Expectation } from '@slipway/sdk';
import type { RowBatch, RowPosition } from '../data/row-batch.js';
import { missingColumnResult, type CheckEvaluator } from './check.js';
import { columnExistsCheck, rowCountCheck } from './dataset-checks.js';
import { distributionCheck } from './distribution.js';
import { uniqueCheck } from './unique.js';
import { valueCheck } from './value-checks.js';

/** Options of {@link createExpectationRunner}. */
export interface ExpectationRunnerOptions {
  /** Sample failures kept per check (default 20). */
  sampleLimit?: number;
  /** Where uniqueness checks spill sorted runs (default the system temp dir). */
  tempDir?: string;
  /** Records a uniqueness check keeps in memory before spilling (default 1 Mi). */
  uniqueBufferRecords?: number;
  /** The reference profile `distribution` expectations compare against. */
  reference?: DatasetProfile;
  /** Why there is no reference yet (distribution checks are then skipped instead of failing). */
  referenceUnavailable?: string;
}

/** Feeds batches to every check; `finish()` reports them in the order the expectations were given. */
export interface ExpectationRunner {
  observe(batch: RowBatch): Promise<void>;
  finish(): Promise<CheckResult[]>;
}

/** Creates a runner for a list of expectations. */
export function createExpectationRunner(
  expectations: readonly Expectation[],
  options: ExpectationRunnerOptions = {},
): ExpectationRunner {
  const evaluators = expectations.map((e) => evaluatorOf(e, options));
  let rows = 0;
  let columns: readonly string[] = [];
  let routes: { evaluator: CheckEvaluator; index: number }[] = [];
  return {
    async observe(batch) {
      if (batch.columns !== columns && batch.columns.length !== columns.length) {
        columns = batch.columns;
        routes = routeColumns(evaluators, columns);
      }
      rows += batch.rows.length + batch.malformed.length;
      // One check at a time over the batch (each sees its column in row order; checks do not share state).
      for (const { evaluator, index } of routes) await observeColumn(evaluator, batch, index);
    },
    async finish() {
      const context = { rows, columns };
      const results: CheckResult[] = [];
      for (const evaluator of evaluators) {
        const missing = missingColumn(evaluator.expectation, columns);
        // A check on a column the dataset lacks saw nothing; it fails rather than pass on no values (`0/0`).
        results.push(missing ? missingColumnResult(missing, columns) : await evaluator.result(context));
      }
      return results;
    },
  };
}

async function observeColumn(evaluator: CheckEvaluator, batch: RowBatch, index: number): Promise<void> {
  const { rows, positions } = batch;
  for (let r = 0; r < rows.length; r++) {
    const pending = evaluator.observe?.((rows[r] as RowBatch['rows'][number])[index], positions[r] as RowPosition);
    if (pending) await pending;
  }
}

/** The expectation when it names a column the dataset does not have (`columnExists` reports that itself). */
function missingColumn(expectation: Expectation, columns: readonly string[]) {
  if (expectation.expect === 'columnExists' || !('column' in expectation)) return undefined;
  return columns.includes(expectation.column) ? undefined : expectation;
}

function routeColumns(evaluators: readonly CheckEvaluator[], columns: readonly string[]) {
  return evaluators.flatMap((evaluator) => {
    const index = evaluator.column === undefined ? -1 : columns.indexOf(evaluator.column);
    return index >= 0 && evaluator.observe ? [{ evaluator, index }] : [];
  });
}

function evaluatorOf(expectation: Expectation, options: ExpectationRunnerOptions): CheckEvaluator {
  const sampleLimit = options.sampleLimit ?? 20;
  switch (expectation.expect) {
    case 'columnExists':
      return columnExistsCheck(expectation);
    case 'rowCount':
      return rowCountCheck(expectation);
    case 'unique':
      return uniqueCheck(expectation, { sampleLimit, ...defined(options.tempDir, options.uniqueBufferRecords) });
    case 'distribution':
      return distributionCheck(expectation, options.reference, options.referenceUnavailable);
    case 'notNull':
    case 'columnType':
    case 'between':
    case 'matches':
    case 'inSet':
      return valueCheck(expectation, sampleLimit);
  }
}

function defined(tempDir: string | undefined, bufferRecords: number | undefined) {
  return { ...(tempDir === undefined ? {} : { tempDir }), ...(bufferRecords === undefined ? {} : { bufferRecords }) };
}
