/**
 * No silent passes: an expectation on a column the dataset does not have fails, naming the column and the columns
 * there are (a bounded list), whatever its kind and declared severity — it never reports `0/0` as a pass.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  Expectation,
  RowSchema,
  SlipwayErrorType,
  failureType,
  rootMessage,
  type CheckResult,
  type ExpectationInput,
} from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import type { ValidationReport } from '../../../packages/activities/src/data/index.js';
import { createValidateActivity } from '../../../packages/activities/src/steps/validate.js';
import { profileRows } from '../../../packages/activities/src/data/profile.js';
import type { RowBatch } from '../../../packages/activities/src/data/row-batch.js';
import { createExpectationRunner } from '../../../packages/activities/src/expectations/runner.js';
import type { ArtifactStore } from '../../../packages/activities/src/ports.js';

const columns = ['customer_id', 'tenure_months', 'plan'];
const batch: RowBatch = {
  columns,
  rows: [
    ['C1', '3', 'basic'],
    ['C2', '40', 'premium'],
  ],
  positions: [{ line: 2 }, { line: 3 }],
  malformed: [],
};
const MESSAGE = 'column "tenure_month" does not exist; columns are "customer_id", "tenure_months", "plan"';

async function run(expectations: ExpectationInput[], options = {}): Promise<CheckResult[]> {
  const runner = createExpectationRunner(
    expectations.map((e) => Expectation.parse(e)),
    options,
  );
  await runner.observe(batch);
  return runner.finish();
}

describe('expectations on a column the dataset does not have', () => {
  it('fail for every kind of check, naming the column and the columns there are', async () => {
    const kinds: ExpectationInput[] = [
      { expect: 'notNull', column: 'tenure_month' },
      { expect: 'columnType', column: 'tenure_month', type: 'integer' },
      { expect: 'between', column: 'tenure_month', min: 0, max: 120 },
      { expect: 'matches', column: 'tenure_month', pattern: '^\\d+$' },
      { expect: 'inSet', column: 'tenure_month', values: [1, 2] },
      { expect: 'unique', column: 'tenure_month' },
      { expect: 'columnExists', column: 'tenure_month' },
    ];
    const results = await run(kinds);
    for (const result of results) {
      expect(result, result.id).toMatchObject({
        passed: false,
        failed: 1,
        severity: 'error',
        samples: [{ position: 'header', column: 'tenure_month', message: MESSAGE }],
      });
    }
    expect(results.filter((r) => r.expect !== 'columnExists').every((r) => r.evaluated === 0)).toBe(true);
  });

  it('fail at error level even when declared a warning (columnExists keeps its severity)', async () => {
    const [between, exists] = await run([
      { expect: 'between', column: 'tenure_month', min: 0, severity: 'warning' },
      { expect: 'columnExists', column: 'tenure_month', severity: 'warning' },
    ]);
    expect(between).toMatchObject({ passed: false, severity: 'error' });
    expect(exists).toMatchObject({ passed: false, severity: 'warning' });
  });

  it('fail for distribution checks, with a reference, without one, and while there can be none yet', async () => {
    const schema = RowSchema.parse({ columns: { tenure_month: { type: 'number' } } });
    const reference = profileRows(schema, [{ tenure_month: 1 }, { tenure_month: 5 }]);
    const check: ExpectationInput = { expect: 'distribution', column: 'tenure_month', metric: 'psi', threshold: 0.2 };
    const [withReference] = await run([check], { reference });
    const [withoutReference] = await run([check]);
    const [firstModel] = await run([check], { referenceUnavailable: 'churn@champion does not exist yet' });
    for (const result of [withReference, withoutReference, firstModel]) {
      expect(result).toMatchObject({ passed: false, samples: [{ message: MESSAGE }] });
      expect(result?.skipped).toBeUndefined();
    }
  });

  it('bound the list of columns they quote', async () => {
    const wide: RowBatch = {
      columns: Array.from({ length: 30 }, (_, i) => `c${i}`),
      rows: [],
      positions: [],
      malformed: [],
    };
    const runner = createExpectationRunner([Expectation.parse({ expect: 'notNull', column: 'x' })]);
    await runner.observe(wide);
    const [result] = await runner.finish();
    expect(result?.samples[0]?.message).toMatch(/"c19" and 10 more$/);
    expect(result?.samples[0]?.message).not.toContain('"c20"');
  });
});

describe('the validate step', () => {
  let dir: string;
  let artifacts: ArtifactStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-missing-column-'));
    artifacts = createFsArtifactStore(join(dir, 'artifacts'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fails on an expectation on a misspelt column, naming it in the error and the report', async () => {
    const path = join(dir, 'churn.csv');
    await writeFile(path, 'customer_id,tenure_months,plan\nC1,3,basic\nC2,40,premium\n');
    const validate = createValidateActivity({ artifacts });
    let caught: unknown;
    try {
      await validate({
        dataset: { uri: pathToFileURL(path).href },
        schema: { columns: { customer_id: { type: 'string' }, tenure_months: { type: 'number' } } },
        expectations: [
          { expect: 'notNull', column: 'plan' },
          { expect: 'between', column: 'tenure_month', min: 0, max: 120, severity: 'warning' },
        ],
      });
    } catch (err) {
      caught = err;
    }
    expect(failureType(caught)).toBe(SlipwayErrorType.ValidationFailed);
    expect(rootMessage(caught)).toContain(`failed 1 expectation: between(tenure_month) failed: header: ${MESSAGE}`);
    const details = (caught as { details?: { report: { uri: string; digest: string } }[] }).details;
    const report = await artifacts.getJson<ValidationReport>(details?.[0]?.report as never);
    expect(report.passed).toBe(false);
    expect(report.checks.map((c) => [c.id, c.passed])).toEqual([
      ['notNull(plan)', true],
      ['between(tenure_month)', false],
    ]);
  });
});
