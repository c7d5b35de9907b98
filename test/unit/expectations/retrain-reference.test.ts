/**
 * Retraining on drifted data (issue 13, item 4). The served data moved (ages shifted up by 35 years), the model
 * guardian saw it and starts a retrain on fresh data that looks like the served window. Compared with the
 * champion's training data, as the expectation set says, that retrain fails its own distribution checks (the "Why"
 * case, as the old code did for every run); with the serving window of the triggering check as the reference, it
 * passes, and the report says which reference it used and why. A serving profile that is not what the trigger
 * pinned is refused.
 *
 * (Before item 4, the second case could not be written: the validate step had no serving-window reference.)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  RowSchema,
  SlipwayErrorType,
  failureType,
  rootMessage,
  type ArtifactRef,
  type ExpectationInput,
  type RowSchemaInput,
} from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import { profileRows, type ValidationReport } from '../../../packages/activities/src/data/index.js';
import { createValidateActivity } from '../../../packages/activities/src/steps/validate.js';
import type { ArtifactStore, ModelRegistry } from '../../../packages/activities/src/ports.js';
import { openSqliteRegistry } from '../../../packages/activities/src/registry/index.js';

const schemaInput: RowSchemaInput = {
  columns: { id: { type: 'string' }, age: { type: 'number' }, plan: { type: 'string' } },
};
const schema = RowSchema.parse(schemaInput);
/** The expectation set of the model: distribution checks against the champion's training data. */
const expectations: ExpectationInput[] = [
  { expect: 'rowCount', min: 100 },
  { expect: 'distribution', column: 'age', metric: 'psi', threshold: 0.2 },
  { expect: 'distribution', column: 'plan', metric: 'psi', threshold: 0.2 },
];
const reference = { model: 'people', alias: 'champion' };
const GUARDIAN = 'guardian:people';
const CHECK = 'guardian:people/check-9';

let dir: string;
let artifacts: ArtifactStore;
let registry: ModelRegistry;
let validate: ReturnType<typeof createValidateActivity>;
let servingProfile: ArtifactRef;
let retrainData: string;

const plan = (i: number) => (i % 3 ? 'basic' : 'pro');

async function dataset(name: string, n: number, age: (i: number) => number): Promise<string> {
  const lines = ['id,age,plan', ...Array.from({ length: n }, (_, i) => `u${i},${age(i)},${plan(i)}`)];
  const path = join(dir, name);
  await writeFile(path, lines.join('\n') + '\n');
  return pathToFileURL(path).href;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-retrain-ref-'));
  artifacts = createFsArtifactStore(join(dir, 'artifacts'));
  registry = openSqliteRegistry(join(dir, 'registry.db'));
  validate = createValidateActivity({ artifacts, registry });
  // The champion learned from ages 20–59.
  const first = await dataset('train.csv', 600, (i) => 20 + (i % 40));
  const trained = await validate({ dataset: { uri: first }, schema: schemaInput });
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
  // The served window that drifted (ages 55–94), profiled as the guardian's check stores it.
  const served = Array.from({ length: 800 }, (_, i) => ({ id: `s${i}`, age: 55 + ((i * 7) % 40), plan: plan(i) }));
  servingProfile = await artifacts.putJson(profileRows(schema, served));
  // The fresh training data the retrain reads looks like the served window.
  retrainData = await dataset('fresh.csv', 600, (i) => 55 + (i % 40));
});
afterAll(async () => {
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a retrain on drifted data', () => {
  it("fails its distribution checks against the champion's training data (the Why case)", async () => {
    const failure = await validate({
      dataset: { uri: retrainData },
      schema: schemaInput,
      expectations,
      reference,
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failureType(failure)).toBe(SlipwayErrorType.ValidationFailed);
    expect(rootMessage(failure)).toMatch(/distribution\(age\) failed 1 of 600: dataset: psi \d+\.\d{4} exceeds 0\.2/);
  });

  it('passes against the serving window that triggered it, and the report says which reference and why', async () => {
    const summary = await validate({
      dataset: { uri: retrainData },
      schema: schemaInput,
      expectations,
      reference,
      servingWindow: { guardian: GUARDIAN, checkId: CHECK, profile: servingProfile },
    });
    expect(summary.checks).toEqual({ total: 3, errors: 0, warnings: 0, skipped: 0, failed: [] });
    const report = await artifacts.getJson<ValidationReport>(summary.report);
    expect(report.reference).toEqual({
      source: `the serving window of ${GUARDIAN} check ${CHECK} (profile ${servingProfile.digest})`,
      profile: servingProfile,
      replaced: 'people@champion training data',
      reason: expect.stringContaining('because the served data drifted') as unknown,
    });
    expect(report.reference?.reason).toContain('not with people@champion training data');
    const age = report.checks.find((c) => c.expect === 'distribution' && c.column === 'age');
    expect(age?.passed).toBe(true);
    expect(age?.skipped).toBeFalsy();
  });

  it('still fails when the fresh data moved away from the serving window too', async () => {
    const elsewhere = await dataset('elsewhere.csv', 600, (i) => 1 + (i % 15));
    const failure = await validate({
      dataset: { uri: elsewhere },
      schema: schemaInput,
      expectations,
      reference,
      servingWindow: { guardian: GUARDIAN, checkId: CHECK, profile: servingProfile },
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failureType(failure)).toBe(SlipwayErrorType.ValidationFailed);
    expect(rootMessage(failure)).toContain('distribution(age)');
  });

  it('refuses a serving profile whose bytes are not the pinned ones', async () => {
    const other = await artifacts.putJson(profileRows(schema, [{ id: 'x', age: 1, plan: 'pro' }]));
    const forged = { ...servingProfile, digest: other.digest };
    const failure = await validate({
      dataset: { uri: retrainData },
      schema: schemaInput,
      expectations,
      servingWindow: { guardian: GUARDIAN, checkId: CHECK, profile: forged },
    }).then(
      () => undefined,
      (err: unknown) => err,
    );
    // The content-addressed store refuses a reference whose digest is not its bytes' before reading it.
    expect(failureType(failure)).toBe(SlipwayErrorType.InvalidInput);
    expect(rootMessage(failure)).toContain('refusing to read it');
  });
});
