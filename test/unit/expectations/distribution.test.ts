import { Expectation, RowSchema, type CheckResult, type ExpectationInput } from '@slipway/sdk';
import { describe, expect, it } from 'vitest';
import { profileRows } from '../../../packages/activities/src/data/profile.js';
import type { RawCell, RowBatch } from '../../../packages/activities/src/data/row-batch.js';
import { createExpectationRunner } from '../../../packages/activities/src/expectations/runner.js';
import { mulberry32 } from '../../../packages/activities/src/train/prng.js';

const schema = RowSchema.parse({ columns: { x: { type: 'number' }, plan: { type: 'string' } } });

function sample(n: number, seed: number, shift: number, premiumShare: number) {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const gaussian = Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12))) * Math.cos(2 * Math.PI * random());
    return { x: gaussian + shift, plan: random() < premiumShare ? 'premium' : 'basic' };
  });
}

const reference = profileRows(schema, sample(5_000, 1, 0, 0.2));

async function check(expectations: ExpectationInput[], rows: { x: number; plan: string }[]): Promise<CheckResult[]> {
  const runner = createExpectationRunner(
    expectations.map((e) => Expectation.parse(e)),
    { reference },
  );
  const cells: RawCell[][] = rows.map((r) => [String(r.x), r.plan]);
  const batch: RowBatch = {
    columns: ['x', 'plan'],
    rows: cells,
    positions: cells.map((_, i) => ({ line: i + 2 })),
    malformed: [],
  };
  await runner.observe(batch);
  return runner.finish();
}

const checks: ExpectationInput[] = [
  { expect: 'distribution', column: 'x', metric: 'psi', threshold: 0.1 },
  { expect: 'distribution', column: 'x', metric: 'ks', threshold: 0.05 },
  { expect: 'distribution', column: 'plan', metric: 'psi', threshold: 0.1 },
];

describe('distribution expectations against a reference profile', () => {
  it('pass on data drawn like the reference', async () => {
    const results = await check(checks, sample(3_000, 2, 0, 0.2));
    expect(results.map((r) => r.passed)).toEqual([true, true, true]);
    expect(Number(results[0]?.observed.psi)).toBeLessThan(0.05);
    expect(Number(results[1]?.observed.ks)).toBeLessThan(0.05);
  });

  it('fail on shifted data, saying by how much', async () => {
    const [psi, ks, plan] = await check(checks, sample(3_000, 3, 0.6, 0.5));
    expect(psi).toMatchObject({
      passed: false,
      samples: [{ message: expect.stringMatching(/^psi \d\.\d{4} exceeds 0\.1$/) }],
    });
    expect(Number(ks?.observed.ks)).toBeGreaterThan(0.15);
    expect(ks?.passed).toBe(false);
    expect(Number(plan?.observed.psi)).toBeGreaterThan(0.1);
  });

  it('fail clearly without a reference for the column', async () => {
    const runner = createExpectationRunner([
      Expectation.parse({ expect: 'distribution', column: 'x', metric: 'psi', threshold: 0.1 }),
    ]);
    await runner.observe({ columns: ['x'], rows: [['1']], positions: [{ line: 2 }], malformed: [] });
    const [result] = await runner.finish();
    expect(result?.samples[0]?.message).toBe('cannot check the distribution: no reference profile was given');
  });
});
