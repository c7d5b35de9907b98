/**
 * "Any file the worker can read leaks": the steps a worker runs read datasets only below the dataset roots, and
 * what they say about a file — errors and the step result that goes into workflow history — quotes at most a
 * short, bounded sample of its values, never whole lines of a file that was not recognised as a dataset.
 */
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayErrorType, type ValidationSummary } from '@slipway/sdk';
import { createActivities } from '../../../packages/activities/src/create-activities.js';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import { openSqliteRegistry } from '../../../packages/activities/src/registry/index.js';
import type { ModelRegistry } from '../../../packages/activities/src/ports.js';
import type { DatasetAccess } from '../../../packages/activities/src/sources/index.js';
import { SAMPLE_MAX_CHARS, VALUE_NOT_SHOWN } from '../../../packages/activities/src/util/bounded-sample.js';
import { rejection, runActivity } from './fixtures.js';

const MARKER = 'MARKER-4b1d-secret';
/**
 * Lines like a password file's: the first (which a caller might guess and name as a column), then lines each
 * holding a secret of its own after its first 50 characters.
 */
const SHADOW = Array.from({ length: 12 }, (_, i) => `user${i}:$6$${'x'.repeat(50)}${MARKER}-${i}:19000:0:99999:7:::`);
/** The secrets of the lines after the first: none may appear in what a step says. */
const SECRETS = SHADOW.slice(1).map((_, i) => `${MARKER}-${i + 1}`);

function expectNoSecret(value: unknown): void {
  const text = JSON.stringify(value);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

let work: string;
let data: string;
let registry: ModelRegistry;
let activities: ReturnType<typeof createActivities>;
let access: DatasetAccess;

beforeEach(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), 'slipway-leaks-')));
  data = join(work, 'data');
  await mkdir(join(work, 'etc'), { recursive: true });
  await mkdir(data);
  await writeFile(join(work, 'etc', 'shadow'), SHADOW.join('\n') + '\n');
  registry = openSqliteRegistry(join(work, 'home', 'registry.db'));
  access = { roots: [data], denied: [join(work, 'home')] };
  activities = createActivities({
    artifacts: createFsArtifactStore(join(work, 'home', 'artifacts')),
    registry,
    datasetAccess: access,
  });
});
afterEach(async () => {
  await registry.close();
  await rm(work, { recursive: true, force: true });
});

const validate = (input: Record<string, unknown>) =>
  runActivity(new MockActivityEnvironment(), activities['slipway.validate'], input as never);

/** A one-column, tab-separated reading of a file: every line becomes one value of that column. */
const oneColumn = (first: string) => ({ columns: { [first]: { type: 'number' } } });

describe('dataset roots in the steps', () => {
  it('refuses a dataset outside the roots before reading it: no byte of it in the error', async () => {
    const given = `${pathToFileURL(data).href}/../etc/shadow`;
    const err = await rejection(
      validate({ dataset: { uri: given, format: 'csv', csv: { delimiter: '\t' } }, schema: oneColumn(SHADOW[0]!) }),
    );
    expect(err).toMatchObject({ type: SlipwayErrorType.AccessDenied, nonRetryable: true });
    expect(err.message).toContain(`resolves to ${join(work, 'etc', 'shadow')}, which is outside the dataset roots`);
    expect(JSON.stringify({ message: err.message, details: err.details })).not.toContain(MARKER);
    expect(JSON.stringify({ message: err.message, details: err.details })).not.toContain('user1');
  });

  it('refuses it in the train step too, whatever digest the input pins', async () => {
    const train = activities['slipway.train'];
    const err = await rejection(
      runActivity(new MockActivityEnvironment(), train, {
        dataset: {
          uri: pathToFileURL(join(work, 'etc', 'shadow')).href,
          format: 'csv',
          digest: `sha256:${'0'.repeat(64)}`,
        },
        schema: { columns: { a: { type: 'number' }, y: { type: 'number' } } },
        features: { numeric: ['a'], categorical: [], target: 'y' },
      } as never),
    );
    expect(err).toMatchObject({ type: SlipwayErrorType.AccessDenied });
    expect(err.message).not.toContain(MARKER);
  });

  it('without a configured access, reads only below the working directory', async () => {
    const bare = createActivities({ artifacts: createFsArtifactStore(join(work, 'store')), registry });
    const inData = join(data, 'ok.csv');
    await writeFile(inData, 'a\n1\n');
    const err = await rejection(
      runActivity(new MockActivityEnvironment(), bare['slipway.validate'], {
        dataset: { uri: pathToFileURL(inData).href },
        schema: { columns: { a: { type: 'number' } } },
      } as never),
    );
    expect(err).toMatchObject({ type: SlipwayErrorType.AccessDenied });
    expect(err.message).toContain(`outside the dataset roots (${process.cwd()})`);
  });
});

describe('bounded samples of a file inside the roots', () => {
  beforeEach(async () => {
    await writeFile(join(data, 'notes.txt'), SHADOW.join('\n') + '\n');
  });
  const notes = () => ({ uri: pathToFileURL(join(data, 'notes.txt')).href, format: 'csv', csv: { delimiter: '\t' } });

  it('a header that does not match the schema is never quoted: the error names expected and missing columns', async () => {
    const err = await rejection(validate({ dataset: notes(), schema: { columns: { user: { type: 'string' } } } }));
    expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed });
    expect(err.message).toContain('missing column "user": the schema expects "user"; the header found has 1 column');
    expect(JSON.stringify({ message: err.message, details: err.details })).not.toContain(MARKER);
    expect(err.message).not.toContain('user0');
  });

  it('a failing read quotes at most 3 values, each cut to 40 characters', async () => {
    const err = await rejection(validate({ dataset: notes(), schema: oneColumn(SHADOW[0]!) }));
    expect(err).toMatchObject({ type: SlipwayErrorType.ValidationFailed });
    const quoted = [...err.message.matchAll(/got "([^"]*)"/g)].map((m) => m[1]!);
    expect(quoted).toHaveLength(3);
    for (const value of quoted) expect(value.length).toBeLessThanOrEqual(SAMPLE_MAX_CHARS);
    expect(err.message).not.toContain('user4');
    expectNoSecret({ message: err.message, details: err.details });
  });

  it('the step result in workflow history keeps the value of the first 3 failures only', async () => {
    const summary: ValidationSummary = await validate({
      dataset: notes(),
      schema: oneColumn(SHADOW[0]!),
      maxBadRowShare: 1,
      maxFailuresReported: 1000,
    });
    expect(summary.failures).toHaveLength(SHADOW.length - 1);
    const withValues = summary.failures.filter((f) => /got "/.test(f.message));
    expect(withValues).toHaveLength(3);
    for (const failure of summary.failures.slice(3)) {
      expect(failure.message).toBe(`expected a number, got ${VALUE_NOT_SHOWN}`);
    }
    expect(JSON.stringify(summary)).not.toContain('user4');
    expectNoSecret(summary);
  });

  it('lines that are not JSON are reported without their text', async () => {
    await writeFile(join(data, 'notes.jsonl'), SHADOW.join('\n') + '\n');
    const summary: ValidationSummary = await validate({
      dataset: { uri: pathToFileURL(join(data, 'notes.jsonl')).href },
      schema: { columns: { user: { type: 'string', nullable: true } } },
      maxBadRowShare: 1,
      maxFailuresReported: 1000,
    });
    expect(summary.failures.map((f) => f.message)).toEqual(SHADOW.map(() => "not valid JSON: Unexpected token 'u'"));
    expect(JSON.stringify(summary)).not.toContain('user0');
    expectNoSecret(summary);
  });
});
