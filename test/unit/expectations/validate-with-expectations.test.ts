/**
 * The validate step with expectations: checked in the same pass, reported with samples, failing the step only
 * at error level, and comparing with the champion's training data when one exists.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SlipwayErrorType, failureType, rootMessage, type ExpectationInput, type RowSchemaInput } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import type { ValidationReport } from '../../../packages/activities/src/data/index.js';
import { createValidateActivity } from '../../../packages/activities/src/steps/validate.js';
import type { ArtifactStore, ModelRegistry } from '../../../packages/activities/src/ports.js';
import { openSqliteRegistry } from '../../../packages/activities/src/registry/index.js';

const schema: RowSchemaInput = {
  columns: { id: { type: 'string' }, age: { type: 'number' }, plan: { type: 'string' } },
};
const expectations: ExpectationInput[] = [
  { expect: 'unique', column: 'id' },
  { expect: 'rowCount', min: 100 },
  { expect: 'between', column: 'age', min: 18, max: 99, severity: 'warning' },
  { expect: 'distribution', column: 'age', metric: 'psi', threshold: 0.2 },
];

let dir: string;
let artifacts: ArtifactStore;
let registry: ModelRegistry;
let validate: ReturnType<typeof createValidateActivity>;

async function dataset(
  name: string,
  n: number,
  age: (i: number) => number,
  id = (i: number) => `u${i}`,
): Promise<string> {
  const lines = [
    'id,age,plan',
    ...Array.from({ length: n }, (_, i) => `${id(i)},${age(i)},${i % 3 ? 'basic' : 'pro'}`),
  ];
  const path = join(dir, name);
  await writeFile(path, lines.join('\n') + '\n');
  return pathToFileURL(path).href;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-expect-'));
  artifacts = createFsArtifactStore(join(dir, 'artifacts'));
  registry = openSqliteRegistry(join(dir, 'registry.db'));
  validate = createValidateActivity({ artifacts, registry });
});
afterAll(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

describe('validate with expectations', () => {
  it('skips distribution checks while the model has no champion, and reports warnings without failing', async () => {
    const uri = await dataset('first.csv', 500, (i) => 20 + (i % 40));
    const summary = await validate({ dataset: { uri }, schema, expectations, reference: { model: 'people' } });
    expect(summary.checks).toEqual({ total: 4, errors: 0, warnings: 0, skipped: 1, failed: [] });
    const report = await artifacts.getJson<ValidationReport>(summary.report);
    const distribution = report.checks.find((c) => c.expect === 'distribution');
    expect(distribution).toMatchObject({
      skipped: true,
      samples: [{ message: 'skipped: people@champion does not exist yet: nothing to compare with' }],
    });
    expect(report.reference).toBeNull();
  });

  it("compares with the champion's training profile, and fails on duplicates and drift, naming them", async () => {
    const first = await dataset('train.csv', 500, (i) => 20 + (i % 40));
    const trained = await validate({ dataset: { uri: first }, schema });
    const { version } = await registry.registerVersion({
      name: 'people',
      artifact: trained.profile,
      metrics: {},
      lineage: {
        datasetUri: first,
        datasetDigest: trained.dataset.digest,
        validationReport: trained.report,
        profile: trained.profile,
        trainer: 'none',
        params: {},
        features: { numeric: ['age'], categorical: [], target: 'plan' },
        codeVersion: 'test',
        workflowId: 'w',
        temporalRunId: 'r',
      },
      idempotencyKey: 'people-1',
    });
    await registry.setAlias('people', 'champion', version.version);

    const shifted = await dataset(
      'shifted.csv',
      500,
      (i) => 55 + (i % 40),
      (i) => (i === 7 ? 'u3' : `u${i}`),
    );
    const failure = await validate({
      dataset: { uri: shifted },
      schema,
      expectations,
      reference: { model: 'people' },
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failureType(failure)).toBe(SlipwayErrorType.ValidationFailed);
    const message = rootMessage(failure);
    expect(message).toContain('failed 2 expectations');
    expect(message).toContain('unique(id) failed 1 of 500: line 9: repeats the value at line 5');
    expect(message).toMatch(/distribution\(age\) failed 1 of 500: dataset: psi \d+\.\d{4} exceeds 0\.2/);
    expect(message).not.toContain('between(age)');
  });
});
