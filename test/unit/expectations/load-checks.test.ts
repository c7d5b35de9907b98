/**
 * Expectation sets are checked when they are loaded, by one definition (the zod schema) that every loader uses:
 * an expectation that can never fail or never pass — a range with min > max, a `between` or `rowCount` without
 * bounds, an invalid regular expression, an empty `inSet` — is an error naming the file, the expectation's index
 * and its id, before any data is read. Row schemas get the same range and pattern checks.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ColumnSpec,
  Expectation,
  ExpectationSet,
  SlipwayErrorType,
  TrainAndPromoteInput,
  failureType,
  parseExpectationSet,
  parseStepInput,
  rootMessage,
  validateStep,
} from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunInput } from '@slipway/sdk/client';

const FILE = 'examples/churn/expectations.json';

function loadError(value: unknown, source = FILE): string {
  try {
    parseExpectationSet(value, source);
  } catch (err) {
    expect(failureType(err)).toBe(SlipwayErrorType.InvalidInput);
    return rootMessage(err);
  }
  throw new Error('the set was accepted');
}

describe('expectation sets checked when loaded', () => {
  it('names the file, the index and the id of an empty inSet', () => {
    const message = loadError({
      expectations: [
        { expect: 'rowCount', min: 1 },
        { expect: 'notNull', column: 'plan' },
        { expect: 'unique', column: 'customer_id' },
        { expect: 'inSet', id: 'plan-known', column: 'plan', values: [] },
      ],
    });
    expect(message).toBe(
      `${FILE}: invalid expectation set: expectations[3] (id "plan-known"): inSet: values is empty, so no value can pass`,
    );
  });

  it('refuses min > max in between and rowCount, and equal bounds a strict between excludes', () => {
    const message = loadError({
      expectations: [
        { expect: 'between', column: 'tenure', min: 10, max: 5 },
        { expect: 'rowCount', min: 1000, max: 10 },
        { expect: 'between', column: 'age', min: 3, max: 3, strict: true },
        { expect: 'between', column: 'age', min: 3, max: 3 },
      ],
    });
    expect(message).toContain(
      'expectations[0] (id "between(tenure)"): between: min 10 is greater than max 5, so nothing can pass',
    );
    expect(message).toContain('expectations[1] (id "rowCount"): rowCount: min 1000 is greater than max 10');
    expect(message).toContain('expectations[2] (id "between(age)"): between: min and max are both 3 and strict');
    expect(message).not.toContain('expectations[3]');
  });

  it('refuses a between or rowCount without bounds: it would pass whatever the data', () => {
    const message = loadError({
      expectations: [
        { expect: 'between', column: 'x' },
        { expect: 'rowCount', id: 'rows' },
      ],
    });
    expect(message).toContain('expectations[0] (id "between(x)"): between: give min, max or both');
    expect(message).toContain('expectations[1] (id "rows"): rowCount: give min, max or both');
  });

  it('refuses an invalid regular expression, naming the pattern and why', () => {
    const message = loadError({ expectations: [{ expect: 'matches', column: 'email', pattern: '^[a-z' }] });
    expect(message).toMatch(
      /^examples\/churn\/expectations\.json: invalid expectation set: expectations\[0\] \(id "matches\(email\)"\): matches: pattern "\^\[a-z" is not a valid regular expression \(.*\)$/,
    );
  });

  it('names shape errors by index, id and field, and refuses two expectations with the same id', () => {
    expect(loadError({ expectations: [{ expect: 'notNull', column: 'a', mostly: 3 }] })).toContain(
      'expectations[0] (id "notNull(a)"): mostly: ',
    );
    const duplicate = loadError({
      expectations: [
        { expect: 'notNull', column: 'a', id: 'same' },
        { expect: 'notNull', column: 'b', id: 'same' },
      ],
    });
    expect(duplicate).toContain('expectations[1] (id "same"): id: id is already used by expectations[0]');
  });

  it('accepts a sound set and uses an own id as the check id', () => {
    const set = parseExpectationSet(
      {
        expectations: [
          { expect: 'between', column: 'x', min: 0, max: 1 },
          { expect: 'inSet', id: 'plan-known', column: 'plan', values: ['basic'] },
          { expect: 'rowCount', max: 10 },
        ],
      },
      FILE,
    );
    expect(set.expectations.map((e) => e.id)).toEqual([undefined, 'plan-known', undefined]);
  });

  it('checks row schemas the same way: min > max, minLength > maxLength, an invalid pattern', () => {
    const result = ExpectationSet.safeParse({
      schema: {
        columns: {
          age: { type: 'number', min: 5, max: 1 },
          code: { type: 'string', pattern: '([', minLength: 4, maxLength: 2 },
        },
      },
    });
    const issues = result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues).toEqual([
      'schema.columns.age: min 5 is greater than max 1, so nothing can pass',
      'schema.columns.code: minLength 4 is greater than maxLength 2, so nothing can pass',
      expect.stringMatching(/^schema\.columns\.code: pattern "\(\[" is not a valid regular expression/),
    ]);
    expect(ColumnSpec.safeParse({ type: 'number', min: 1, max: 1 }).success).toBe(true);
  });
});

describe('every loader refuses a bad set before anything runs', () => {
  const bad = { expect: 'between', column: 'tenure', min: 9, max: 1 };

  it('the validate step input, with the field path', () => {
    let caught: unknown;
    try {
      parseStepInput(
        validateStep,
        {
          dataset: { uri: 'file:///data.csv' },
          schema: { columns: { tenure: { type: 'number' } } },
          expectations: [{ expect: 'notNull', column: 'tenure' }, bad],
        },
        'workflow',
      );
    } catch (err) {
      caught = err;
    }
    expect(failureType(caught)).toBe(SlipwayErrorType.InvalidInput);
    expect(rootMessage(caught)).toContain('expectations.1: between: min 9 is greater than max 1');
    expect(Expectation.safeParse(bad).success).toBe(false);
  });

  it('the trainAndPromote input, with the field path', () => {
    const parsed = TrainAndPromoteInput.safeParse({
      modelName: 'churn',
      dataset: { uri: 'file:///data.csv' },
      expectations: { expectations: [{ expect: 'matches', column: 'id', pattern: '(' }] },
      features: { numeric: ['tenure'], target: 'churned' },
      approval: { approvers: ['ana'] },
      deploy: { serverUrl: 'http://127.0.0.1:8080' },
    });
    const issues = parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    expect(issues).toEqual([expect.stringMatching(/^expectations\.expectations\.0: matches: pattern "\(" is not/)]);
  });

  describe('slipway run --input', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'slipway-run-input-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('names the expectations file a pipeline.json refers to, with index and id', async () => {
      await writeFile(
        join(dir, 'expectations.json'),
        JSON.stringify({
          expectations: [
            { expect: 'rowCount', min: 10 },
            { expect: 'inSet', id: 'plan-known', column: 'plan', values: [] },
          ],
        }),
      );
      await writeFile(join(dir, 'pipeline.json'), JSON.stringify({ expectations: 'expectations.json' }));
      expect(() => readRunInput(join(dir, 'pipeline.json'))).toThrow(
        `${join(dir, 'expectations.json')}: invalid expectation set: expectations[1] (id "plan-known"): inSet: values is empty`,
      );
    });

    it('names the input file for expectations written inline', async () => {
      await writeFile(
        join(dir, 'inline.json'),
        JSON.stringify({ expectations: { expectations: [{ expect: 'rowCount', min: 5, max: 1 }] } }),
      );
      expect(() => readRunInput(join(dir, 'inline.json'))).toThrow(
        `${join(dir, 'inline.json')}: expectations: invalid expectation set: expectations[0] (id "rowCount"): rowCount: min 5 is greater than max 1`,
      );
    });

    it('reads a sound pipeline.json as before', async () => {
      await writeFile(
        join(dir, 'good.json'),
        JSON.stringify({ expectations: { expectations: [{ expect: 'rowCount', min: 1 }] } }),
      );
      expect(readRunInput(join(dir, 'good.json'))).toEqual({
        expectations: { expectations: [{ expect: 'rowCount', min: 1 }] },
      });
    });
  });
});
