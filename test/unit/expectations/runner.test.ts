import { readdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Expectation, RowSchema, type CheckResult, type ExpectationInput } from '@slipway/sdk';
import { describe, expect, it } from 'vitest';
import type { RawCell, RowBatch } from '../../../packages/activities/src/data/row-batch.js';
import {
  createExpectationRunner,
  type ExpectationRunnerOptions,
} from '../../../packages/activities/src/expectations/runner.js';
import { schemaExpectations } from '../../../packages/activities/src/expectations/schema-expectations.js';

/** Rows as CSV would give them (line = index + 2, after the header). */
function batch(columns: string[], rows: RawCell[][], firstLine = 2): RowBatch {
  return { columns, rows, positions: rows.map((_, i) => ({ line: firstLine + i })), malformed: [] };
}

async function run(
  expectations: ExpectationInput[],
  batches: RowBatch[],
  options: ExpectationRunnerOptions = {},
): Promise<CheckResult[]> {
  const runner = createExpectationRunner(
    expectations.map((e) => Expectation.parse(e)),
    options,
  );
  for (const b of batches) await runner.observe(b);
  return runner.finish();
}

const people = batch(
  ['id', 'age', 'plan', 'email'],
  [
    ['1', '34', 'basic', 'a@x.io'],
    ['2', 'abc', 'gold', 'b@x.io'],
    ['3', '', 'basic', 'not-an-email'],
    ['4', '151', 'premium', 'd@x.io'],
    ['4', '20', 'basic', ''],
  ],
);

describe('expectation runner', () => {
  it('checks values with positions, columns, offending values and messages', async () => {
    const [type, range, set, pattern, notNull] = await run(
      [
        { expect: 'columnType', column: 'age', type: 'integer' },
        { expect: 'between', column: 'age', min: 0, max: 120 },
        { expect: 'inSet', column: 'plan', values: ['basic', 'premium'], severity: 'warning' },
        { expect: 'matches', column: 'email', pattern: '^[^@]+@[^@]+$' },
        { expect: 'notNull', column: 'email', mostly: 0.8 },
      ],
      [people],
    );
    expect(type).toMatchObject({
      id: 'columnType(age)',
      passed: false,
      evaluated: 4,
      failed: 1,
      samples: [{ position: 'line 3', column: 'age', value: 'abc', message: 'expected an integer' }],
    });
    expect(range).toMatchObject({
      passed: false,
      failed: 2,
      samples: [
        { position: 'line 3' },
        { position: 'line 5', value: '151', message: 'expected a number >= 0 and <= 120' },
      ],
    });
    expect(set).toMatchObject({
      severity: 'warning',
      passed: false,
      failed: 1,
      samples: [{ value: 'gold', message: 'expected one of "basic", "premium"' }],
    });
    expect(pattern).toMatchObject({ failed: 1, samples: [{ position: 'line 4', value: 'not-an-email' }] });
    expect(notNull).toMatchObject({
      passed: true,
      evaluated: 5,
      failed: 1,
      observed: { passedShare: 0.8, mostly: 0.8 },
    });
  });

  it('reports row counts and missing columns, naming the columns found', async () => {
    const [count, missing, present] = await run(
      [
        { expect: 'rowCount', min: 10 },
        { expect: 'columnExists', column: 'income' },
        { expect: 'columnExists', column: 'plan' },
      ],
      [people],
    );
    expect(count).toMatchObject({
      passed: false,
      observed: { rows: 5 },
      samples: [{ message: '5 rows, expected 10..∞' }],
    });
    expect(missing?.samples[0]?.message).toBe(
      'column "income" does not exist; columns are "id", "age", "plan", "email"',
    );
    expect(present?.passed).toBe(true);
  });

  it('finds every duplicate exactly, spilling sorted runs in bounded memory and cleaning up after itself', async () => {
    const tempDir = await mkdtemp(join(tmpdir(), 'slipway-unique-test-'));
    const n = 50_000;
    const repeats = new Set([17, 4_096, 33_333, 49_999]);
    const rows: RawCell[][] = Array.from({ length: n }, (_, i) => [repeats.has(i) ? `id-${i - 7}` : `id-${i}`]);
    const batches = Array.from({ length: n / 5_000 }, (_, b) =>
      batch(['id'], rows.slice(b * 5_000, (b + 1) * 5_000), 2 + b * 5_000),
    );
    const [unique] = await run([{ expect: 'unique', column: 'id' }], batches, {
      uniqueBufferRecords: 4_000,
      tempDir,
      sampleLimit: 10,
    });
    expect(unique).toMatchObject({ passed: false, evaluated: n, failed: 4 });
    expect(Number(unique?.observed.spilledRuns)).toBeGreaterThanOrEqual(12);
    expect(unique?.samples.map((s) => s.message)).toEqual(
      expect.arrayContaining(['repeats the value at line 12', 'repeats the value at line 49994']),
    );
    expect(await readdir(tempDir)).toEqual([]);
  });

  it('tells JSON numbers from the same text, and ignores nulls', async () => {
    const [unique] = await run([{ expect: 'unique', column: 'k' }], [batch(['k'], [[1], ['1'], [null], [null], [2]])]);
    expect(unique).toMatchObject({ passed: true, evaluated: 3, failed: 0 });
  });

  it("turns a row schema's rules into checks", () => {
    const schema = RowSchema.parse({
      columns: {
        age: { type: 'number', integer: true, min: 0 },
        plan: { type: 'string', values: ['a'], nullable: true },
      },
    });
    expect(schemaExpectations(schema).map((e) => ('column' in e ? `${e.expect}(${e.column})` : e.expect))).toEqual([
      'columnExists(age)',
      'notNull(age)',
      'columnType(age)',
      'between(age)',
      'columnExists(plan)',
      'inSet(plan)',
    ]);
  });
});
