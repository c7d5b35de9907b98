/**
 * `slipway data validate` as a user runs it: the built CLI on good, bad and unreadable data, with its exit
 * codes (0 passed, 1 an error-level check failed, 2 unreadable), the report tables and the progress lines.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/processes.js';

const root = resolve(import.meta.dirname, '..', '..', '..');
const expectations = join(root, 'examples', 'churn', 'expectations.json');
const churn = join(root, 'examples', 'churn', 'data', 'churn.csv');
const HEADER = 'customer_id,tenure_months,monthly_charges,support_calls,plan,contract,paperless,churned';
/** The user's own folder: the datasets they validate live here, the Slipway home below it. */
let work: string;
let home: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'slipway-data-validate-'));
  home = join(work, 'home');
  await mkdir(home);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const validate = (...args: string[]) => runCli(['--home', home, 'data', 'validate', ...args]);

describe('slipway data validate', () => {
  it('exits 0 on good data, with the checks table and progress on stderr', async () => {
    const { code, output } = await validate(churn, '--expect', expectations);
    expect(code, output).toBe(0);
    expect(output).toContain('✔ schema      2000 rows, 0 bad');
    expect(output).toMatch(/unique\(customer_id\)\s+│ 0\/2000/);
    expect(output).toContain('skipped: churn@champion does not exist yet');
    expect(output).toContain('passed: 8 expectations, 0 failed, 0 warnings');
    expect(output).toContain('validating 100% (78.8 KiB of 78.8 KiB), 2,000 rows');
  });

  it('exits 1 when an error-level check fails, naming the check, the line and the value', async () => {
    const path = join(work, 'dupes.csv');
    await writeFile(
      path,
      [HEADER, 'C00001,10,79.12,3,standard,monthly,false,1', 'C00001,12,35.72,3,basic,annual,true,0'].join('\n') + '\n',
    );
    const { code, output } = await validate(path, '--expect', expectations);
    expect(code, output).toBe(1);
    expect(output).toContain('failed 2 expectations: rowCount failed 1 of 2: dataset: 2 rows, expected 1000..∞');
    expect(output).toContain('unique(customer_id) failed 1 of 2: line 3: repeats the value at line 2');
  });

  it('exits 1 when rows break the schema beyond --max-bad-rows, naming line and column', async () => {
    const path = join(work, 'bad-cells.csv');
    await writeFile(path, [HEADER, 'C00001,abc,79.12,3,standard,monthly,false,1'].join('\n') + '\n');
    const { code, output } = await validate(path, '--expect', expectations, '--json');
    expect(code).toBe(1);
    expect(output).toContain('line 2, column "tenure_months": expected a number, got "abc"');
    expect(JSON.parse(output.slice(output.indexOf('{'), output.lastIndexOf('}') + 1))).toMatchObject({
      passed: false,
      badRows: 1,
    });
  });

  it('exits 2 when the dataset or the expectation file cannot be read', async () => {
    const missing = await validate(join(work, 'nope.csv'), '--expect', expectations);
    expect(missing.code).toBe(2);
    expect(missing.output).toContain(`Dataset file ${join(work, 'nope.csv')} does not exist`);
    const quotes = join(work, 'quotes.csv');
    await writeFile(quotes, `${HEADER}\n"C00001,10,79.12,3,standard,monthly,false,1\n`);
    const unbalanced = await validate(quotes, '--expect', expectations);
    expect(unbalanced.code, unbalanced.output).toBe(2);
    expect(unbalanced.output).toMatch(/quote/i);
    const badSet = join(work, 'set.json');
    await writeFile(badSet, JSON.stringify({ expectations: [{ expect: 'between', column: 'x', mostly: 3 }] }));
    const invalid = await validate(churn, '--expect', badSet);
    expect(invalid.code).toBe(2);
    expect(invalid.output).toContain(`${badSet}: invalid expectation set: expectations[0] (id "between(x)"): mostly:`);
  });

  it('exits 2 on an expectation file with a bad expectation, naming the file, its index and id', async () => {
    const set = join(home, 'bad-rules.json');
    const schema = { columns: { plan: { type: 'string' } } };
    await writeFile(
      set,
      JSON.stringify({
        schema,
        expectations: [
          { expect: 'matches', column: 'plan', pattern: '[a-z' },
          { expect: 'inSet', id: 'plan-known', column: 'plan', values: [] },
          { expect: 'rowCount', min: 100, max: 10 },
        ],
      }),
    );
    const { code, output } = await validate(churn, '--expect', set);
    expect(code, output).toBe(2);
    expect(output).toContain(
      `${set}: invalid expectation set: expectations[0] (id "matches(plan)"): matches: pattern "[a-z"`,
    );
    expect(output).toContain('expectations[1] (id "plan-known"): inSet: values is empty');
    expect(output).toContain('expectations[2] (id "rowCount"): rowCount: min 100 is greater than max 10');
  });

  it('exits 1 on an expectation on a misspelt column, never passing it as 0/0', async () => {
    const set = join(home, 'misspelt.json');
    const raw = JSON.parse(await readFile(expectations, 'utf8')) as { expectations: object[] };
    raw.expectations.push({ expect: 'between', column: 'tenure_month', min: 0, max: 120, severity: 'warning' });
    await writeFile(set, JSON.stringify(raw));
    const { code, output } = await validate(churn, '--expect', set);
    expect(code, output).toBe(1);
    expect(output).toMatch(/✖\s+│ between\(tenure_month\)\s+│ 1\/0/);
    expect(output).toContain(
      'between(tenure_month) failed: header: column "tenure_month" does not exist; columns are "customer_id", ' +
        '"tenure_months", "monthly_charges", "support_calls", "plan", "contract", "paperless", "churned"',
    );
  });

  it('reads any file the user names, but never one in the Slipway home: exits 2 naming the state directory', async () => {
    const inHome = join(home, 'registry-copy.csv');
    await writeFile(inHome, `${HEADER}\nC00001,10,79.12,3,standard,monthly,false,1\n`);
    const refused = await validate(inHome, '--expect', expectations);
    expect(refused.code, refused.output).toBe(2);
    expect(refused.output).toContain(`resolves to ${inHome}, which is inside ${home}, Slipway's state directory`);
    expect(refused.output).not.toContain('C00001');
  });
});
