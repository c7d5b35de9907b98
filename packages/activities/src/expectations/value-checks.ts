/**
 * Expectations decided value by value: not-null, type, range, pattern and allowed values. Each honours
 * `mostly`: the share of non-null values that must pass (not-null counts every row).
 */
import type { CheckResult, Expectation } from '@slipway/sdk';
import type { RawCell, RowPosition } from '../data/row-batch.js';
import { SampleCollector, checkResult, type CheckEvaluator } from './check.js';
import { booleanOfCell, isNullCell, numberOfCell, textOfCell } from './values.js';

type ValueExpectation = Extract<Expectation, { expect: 'notNull' | 'columnType' | 'between' | 'matches' | 'inSet' }>;

/** Why a value fails, or undefined when it passes. */
type ValueRule = (value: RawCell) => string | undefined;

/** An evaluator that applies one rule to every value of a column. */
export function valueCheck(expectation: ValueExpectation, sampleLimit: number): CheckEvaluator {
  const rule = ruleOf(expectation);
  const samples = new SampleCollector(sampleLimit);
  const countsNulls = expectation.expect === 'notNull';
  let evaluated = 0;
  let failed = 0;
  return {
    expectation,
    column: expectation.column,
    observe(value: RawCell, position: RowPosition) {
      if (!countsNulls && isNullCell(value)) return;
      evaluated++;
      const message = rule(value);
      if (message === undefined) return;
      failed++;
      samples.add(position, expectation.column, value, message);
    },
    result(): CheckResult {
      const passedShare = evaluated === 0 ? 1 : (evaluated - failed) / evaluated;
      return checkResult(expectation, {
        passed: passedShare >= expectation.mostly,
        evaluated,
        failed,
        observed: { passedShare: round(passedShare), mostly: expectation.mostly },
        samples: samples.samples,
      });
    },
  };
}

function ruleOf(expectation: ValueExpectation): ValueRule {
  switch (expectation.expect) {
    case 'notNull':
      return (v) => (isNullCell(v) ? 'expected a value, found none' : undefined);
    case 'columnType':
      return typeRule(expectation.type);
    case 'between':
      return betweenRule(expectation);
    case 'matches': {
      const pattern = new RegExp(expectation.pattern);
      return (v) => (pattern.test(textOfCell(v)) ? undefined : `expected to match /${expectation.pattern}/`);
    }
    case 'inSet': {
      const allowed = new Set(expectation.values.map(String));
      const shown = expectation.values.map((x) => JSON.stringify(x)).join(', ');
      return (v) => (allowed.has(textOfCell(v)) ? undefined : `expected one of ${shown}`);
    }
  }
}

function typeRule(type: 'number' | 'integer' | 'string' | 'boolean'): ValueRule {
  switch (type) {
    case 'number':
      return (v) => (numberOfCell(v) === undefined ? 'expected a number' : undefined);
    case 'integer':
      return (v) => (Number.isInteger(numberOfCell(v)) ? undefined : 'expected an integer');
    case 'boolean':
      return (v) => (booleanOfCell(v) === undefined ? 'expected a boolean' : undefined);
    case 'string':
      return (v) => (typeof v === 'string' ? undefined : 'expected text');
  }
}

function betweenRule(e: Extract<Expectation, { expect: 'between' }>): ValueRule {
  const low = e.min === undefined ? '' : `${e.strict ? '>' : '>='} ${e.min}`;
  const high = e.max === undefined ? '' : `${e.strict ? '<' : '<='} ${e.max}`;
  const wanted = `expected a number ${[low, high].filter(Boolean).join(' and ')}`;
  return (v) => {
    const n = numberOfCell(v);
    if (n === undefined) return 'expected a number';
    const belowMin = e.min !== undefined && (e.strict ? n <= e.min : n < e.min);
    const aboveMax = e.max !== undefined && (e.strict ? n >= e.max : n > e.max);
    return belowMin || aboveMax ? wanted : undefined;
  };
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
