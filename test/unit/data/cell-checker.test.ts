import { describe, expect, it } from 'vitest';
import { ColumnSpec, RowSchema, SlipwayErrorType, type ColumnSpecInput } from '@slipway/sdk';
import {
  checkRow,
  compileCellChecker,
  compileRowSchema,
  parseBooleanCell,
  parseNumberCell,
  rowSchemaToZod,
} from '../../../packages/activities/src/data/index.js';

function checker(spec: ColumnSpecInput) {
  return compileCellChecker('col', ColumnSpec.parse(spec));
}

describe('parseNumberCell', () => {
  it('accepts plain, signed, fractional and exponent numbers, with surrounding spaces', () => {
    expect(['0', '-3', '+4.5', '.5', '5.', '1e3', '2.5E-2', ' 7 '].map(parseNumberCell)).toEqual([
      0, -3, 4.5, 0.5, 5, 1000, 0.025, 7,
    ]);
  });

  it('rejects what Number() would accept or mangle', () => {
    for (const raw of ['abc', '1e', '', ' ', '0x1f', 'Infinity', 'NaN', '1,5', '--1', '1e400', '.']) {
      expect(parseNumberCell(raw), raw).toBeUndefined();
    }
  });
});

describe('parseBooleanCell', () => {
  it('reads true/false/1/0/yes/no in any case', () => {
    expect(['true', 'TRUE', ' Yes ', '1'].map(parseBooleanCell)).toEqual([true, true, true, true]);
    expect(['false', 'False', 'NO', '0'].map(parseBooleanCell)).toEqual([false, false, false, false]);
    expect(parseBooleanCell('maybe')).toBeUndefined();
    expect(parseBooleanCell('2')).toBeUndefined();
  });
});

describe('compileCellChecker', () => {
  it('number columns parse numbers and explain bad cells', () => {
    const check = checker({ type: 'number' });
    expect(check('42.5')).toEqual({ ok: true, value: 42.5 });
    expect(check('abc')).toEqual({ ok: false, message: 'expected a number, got "abc"' });
    expect(check('1e')).toEqual({ ok: false, message: 'expected a number, got "1e"' });
    expect(check('')).toEqual({ ok: false, message: 'expected a number, got an empty cell' });
  });

  it('number columns enforce integer, min and max', () => {
    const check = checker({ type: 'number', integer: true, min: 0, max: 120 });
    expect(check('12')).toEqual({ ok: true, value: 12 });
    expect(check('2.5')).toEqual({ ok: false, message: 'expected an integer, got "2.5"' });
    expect(check('-1')).toEqual({ ok: false, message: 'expected a number >= 0, got "-1"' });
    expect(check('121')).toEqual({ ok: false, message: 'expected a number <= 120, got "121"' });
    expect(check('120')).toEqual({ ok: true, value: 120 });
  });

  it('empty cells are null in nullable columns of every type', () => {
    for (const type of ['number', 'string', 'boolean'] as const) {
      expect(checker({ type, nullable: true })('')).toEqual({ ok: true, value: null });
      expect(checker({ type, nullable: true })('   ')).toEqual({ ok: true, value: null });
      expect(checker({ type })('').ok).toBe(false);
    }
  });

  it('string columns check the allow-list, the pattern and the lengths', () => {
    const plan = checker({ type: 'string', values: ['basic', 'pro'] });
    expect(plan('pro')).toEqual({ ok: true, value: 'pro' });
    expect(plan('gold')).toEqual({ ok: false, message: 'expected one of "basic", "pro", got "gold"' });
    const code = checker({ type: 'string', pattern: '^[A-Z]{2}-\\d+$', minLength: 4, maxLength: 6 });
    expect(code('AB-12')).toEqual({ ok: true, value: 'AB-12' });
    expect(code('ab-12')).toEqual({ ok: false, message: 'expected a value matching /^[A-Z]{2}-\\d+$/, got "ab-12"' });
    expect(checker({ type: 'string', minLength: 3 })('ab')).toEqual({
      ok: false,
      message: 'expected at least 3 characters, got 2 ("ab")',
    });
    expect(checker({ type: 'string', maxLength: 3 })('abcd')).toEqual({
      ok: false,
      message: 'expected at most 3 characters, got 4 ("abcd")',
    });
  });

  it('boolean columns accept the usual spellings', () => {
    const check = checker({ type: 'boolean' });
    expect(check('Yes')).toEqual({ ok: true, value: true });
    expect(check('0')).toEqual({ ok: true, value: false });
    expect(check('y')).toEqual({ ok: false, message: 'expected a boolean (true/false, 1/0, yes/no), got "y"' });
  });

  it('shortens very long cells in messages', () => {
    const result = checker({ type: 'number' })('x'.repeat(500));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message.length).toBeLessThan(100);
  });

  it('an invalid pattern is a final InvalidInput failure naming the column', () => {
    let caught: unknown;
    try {
      // ColumnSpec.parse refuses the pattern; the checker still defends itself against a spec built in code.
      compileCellChecker('code', { type: 'string', nullable: false, pattern: '([' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ type: SlipwayErrorType.InvalidInput, nonRetryable: true });
    expect((caught as Error).message).toContain('Row schema column "code": invalid pattern "(["');
  });
});

describe('compileCellChecker on typed cells (JSON lines, Parquet)', () => {
  function typed(spec: ColumnSpecInput) {
    return compileCellChecker('col', ColumnSpec.parse(spec), 'typed');
  }

  it('number columns take numbers and exact bigints, and refuse strings and other types', () => {
    const check = typed({ type: 'number', integer: true, min: 0 });
    expect(check(12)).toEqual({ ok: true, value: 12 });
    expect(check(9007199254740991n)).toEqual({ ok: true, value: 9007199254740991 });
    expect(check(9007199254740992n)).toEqual({
      ok: false,
      message: 'expected a number within ±9007199254740991, got "9007199254740992"',
    });
    expect(check(-3)).toEqual({ ok: false, message: 'expected a number >= 0, got "-3"' });
    expect(check(-3n)).toEqual({ ok: false, message: 'expected a number >= 0, got "-3"' });
    expect(check(2.5)).toEqual({ ok: false, message: 'expected an integer, got "2.5"' });
    expect(check('12')).toEqual({ ok: false, message: 'expected a number, got the string "12"' });
    expect(check(true)).toEqual({ ok: false, message: 'expected a number, got the boolean true' });
    expect(check(Number.NaN)).toEqual({ ok: false, message: 'expected a finite number, got NaN' });
  });

  it('string and boolean columns take only their own type', () => {
    expect(typed({ type: 'string', values: ['a'] })('a')).toEqual({ ok: true, value: 'a' });
    expect(typed({ type: 'string' })(7n)).toEqual({ ok: false, message: 'expected a string, got the integer 7' });
    expect(typed({ type: 'boolean' })(false)).toEqual({ ok: true, value: false });
    expect(typed({ type: 'boolean' })('yes')).toEqual({
      ok: false,
      message: 'expected a boolean, got the string "yes"',
    });
    expect(typed({ type: 'boolean' })(1)).toEqual({ ok: false, message: 'expected a boolean, got the number 1' });
  });

  it('null and missing values are empty cells; an empty string is a string', () => {
    for (const type of ['number', 'string', 'boolean'] as const) {
      expect(typed({ type, nullable: true })(null)).toEqual({ ok: true, value: null });
      expect(typed({ type, nullable: true })(undefined)).toEqual({ ok: true, value: null });
    }
    expect(typed({ type: 'number' })(null)).toEqual({ ok: false, message: 'expected a number, got an empty cell' });
    expect(typed({ type: 'string', nullable: true })('')).toEqual({ ok: true, value: '' });
    expect(typed({ type: 'number', nullable: true })('')).toEqual({
      ok: false,
      message: 'expected a number, got the string ""',
    });
  });

  it('text checkers (CSV) also accept typed values, and treat a missing cell as empty', () => {
    expect(checker({ type: 'number' })(4)).toEqual({ ok: true, value: 4 });
    expect(checker({ type: 'boolean' })(true)).toEqual({ ok: true, value: true });
    expect(checker({ type: 'string', nullable: true })(undefined)).toEqual({ ok: true, value: null });
  });
});

describe('checkRow and rowSchemaToZod', () => {
  const schema = RowSchema.parse({
    columns: {
      age: { type: 'number', integer: true },
      plan: { type: 'string', values: ['basic', 'pro'], nullable: true },
      active: { type: 'boolean' },
    },
  });

  it('checkRow types every schema column and reports every failing cell', () => {
    const compiled = compileRowSchema(schema);
    expect(compiled.columns).toEqual(['age', 'plan', 'active']);
    const cells: Record<string, string> = { age: '31', plan: '', active: 'yes', extra: 'ignored' };
    expect(checkRow(compiled, (c) => cells[c])).toEqual({ ok: true, row: { age: 31, plan: null, active: true } });
    const bad: Record<string, string> = { age: 'x', plan: 'gold', active: 'true' };
    expect(checkRow(compiled, (c) => bad[c])).toEqual({
      ok: false,
      failures: [
        { column: 'age', message: 'expected a number, got "x"' },
        { column: 'plan', message: 'expected one of "basic", "pro", got "gold"' },
      ],
    });
  });

  it('rowSchemaToZod applies the same rules with zod issues on the column path', () => {
    const zodSchema = rowSchemaToZod(schema);
    expect(zodSchema.parse({ age: '7', plan: 'pro', active: '0' })).toEqual({ age: 7, plan: 'pro', active: false });
    const result = zodSchema.safeParse({ age: '7.5', plan: 'pro' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path, i.message])).toEqual([
      [['age'], 'expected an integer, got "7.5"'],
      [['active'], 'expected a boolean, got an empty cell'],
    ]);
  });
});
