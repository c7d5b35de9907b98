/** Expectations about the dataset as a whole: its columns and its row count. */
import type { CheckResult, Expectation } from '@slipway/sdk';
import { checkResult, missingColumnMessage, type CheckContext, type CheckEvaluator } from './check.js';

/** An evaluator of `columnExists`. */
export function columnExistsCheck(expectation: Extract<Expectation, { expect: 'columnExists' }>): CheckEvaluator {
  return {
    expectation,
    column: undefined,
    result({ columns }: CheckContext): CheckResult {
      const found = columns.includes(expectation.column);
      const message = missingColumnMessage(expectation.column, columns);
      return checkResult(expectation, {
        passed: found,
        evaluated: 1,
        failed: found ? 0 : 1,
        samples: found ? [] : [{ position: 'header', column: expectation.column, message }],
      });
    },
  };
}

/** An evaluator of `rowCount`. */
export function rowCountCheck(expectation: Extract<Expectation, { expect: 'rowCount' }>): CheckEvaluator {
  return {
    expectation,
    column: undefined,
    result({ rows }: CheckContext): CheckResult {
      const tooFew = expectation.min !== undefined && rows < expectation.min;
      const tooMany = expectation.max !== undefined && rows > expectation.max;
      const bounds = `${expectation.min ?? 0}..${expectation.max ?? '∞'}`;
      const message = tooFew || tooMany ? `${rows} rows, expected ${bounds}` : undefined;
      return checkResult(expectation, {
        passed: message === undefined,
        evaluated: rows,
        failed: message === undefined ? 0 : 1,
        observed: { rows },
        samples: message ? [{ position: 'dataset', message }] : [],
      });
    },
  };
}
