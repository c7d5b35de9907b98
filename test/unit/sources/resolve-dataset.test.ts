/**
 * `slipway.resolve-dataset` on local directories: the newest matching file (by modification time, then by name),
 * pinned by the sha256 of its bytes, the same ref on a repeat; refused outside the dataset roots (nothing listed,
 * nothing read), a link out of the roots refused at read, nothing matching a final NotFound naming the directory and
 * the pattern. The glob on names. S3 prefixes are listed against a real S3 server in
 * `test/integration/resolve-dataset-s3.test.ts`.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, realpath, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayErrorType, resolveDatasetStep } from '@slipway/sdk';
import {
  createActivities,
  createFsArtifactStore,
  datasetSourceOpener,
  namePattern,
  openSqliteRegistry,
  type DatasetAccess,
  type ModelRegistry,
} from '../../../packages/activities/src/index.js';
import { createResolveDatasetActivity } from '../../../packages/activities/src/steps/resolve-dataset.js';
import { rejection } from '../data/fixtures.js';

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const T0 = new Date('2026-12-01T00:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

let work: string;
let root: string;
let outside: string;
let access: DatasetAccess;

/** Writes a file with a given modification time (minutes after T0). */
async function put(dir: string, name: string, content: string, minutes: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  await utimes(path, at(minutes), at(minutes));
  return path;
}

function activity(a: DatasetAccess = access) {
  const noS3 = () => {
    throw new Error('no S3 client may be made for a local directory');
  };
  return createResolveDatasetActivity({
    access: a,
    openSource: datasetSourceOpener({ datasetAccess: a }),
    s3Client: noS3,
  });
}

const template = (dir: string, more: Record<string, unknown> = {}) =>
  resolveDatasetStep.input.parse({ template: { newestUnder: pathToFileURL(dir).href + '/', ...more } });

beforeEach(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), 'slipway-resolve-')));
  root = join(work, 'data');
  outside = join(work, 'elsewhere');
  await mkdir(join(root, 'snapshots'), { recursive: true });
  await mkdir(outside);
  access = { roots: [root], denied: [join(work, 'home')] };
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('resolve-dataset on a directory', () => {
  it('picks the newest matching file by modification time and pins the digest of its bytes', async () => {
    const dir = join(root, 'snapshots');
    await put(dir, 'churn-2026-11-30.csv', 'a\n1\n', 10);
    const newest = await put(dir, 'churn-2026-12-01.csv', 'a\n2\n', 30);
    await put(dir, 'churn-old-but-touched.jsonl', '{"a":3}\n', 50); // newer, but not matching the pattern
    await put(dir, '.churn-in-progress.csv', 'a\n4\n', 60); // hidden: skipped
    await mkdir(join(dir, 'churn-9999.csv')); // a directory is not a candidate

    const ref = await activity()(template(dir, { pattern: 'churn-*.csv' }));
    expect(ref).toEqual({ uri: pathToFileURL(newest).href, digest: sha256('a\n2\n') });
  });

  it('breaks a tie of modification times by the greatest name, and answers the same ref again', async () => {
    const dir = join(root, 'snapshots');
    await put(dir, 'b.csv', 'a\nb\n', 5);
    const c = await put(dir, 'c.csv', 'a\nc\n', 5);
    await put(dir, 'a.csv', 'a\na\n', 5);
    const resolve = activity();
    const first = await resolve(template(dir, { format: 'csv', csv: { delimiter: ';' } }));
    expect(first).toMatchObject({
      uri: pathToFileURL(c).href,
      format: 'csv',
      csv: { delimiter: ';' },
      digest: sha256('a\nc\n'),
    });
    expect(await resolve(template(dir, { format: 'csv', csv: { delimiter: ';' } }))).toEqual(first);
  });

  it('names the directory and the pattern when nothing matches', async () => {
    const dir = join(root, 'snapshots');
    await put(dir, 'churn.jsonl', '{}\n', 1);
    const err = await rejection(activity()(template(dir, { pattern: '*.parquet' })));
    expect(err).toMatchObject({ type: SlipwayErrorType.NotFound, nonRetryable: true });
    expect(err.message).toContain(pathToFileURL(dir).href);
    expect(err.message).toContain('"*.parquet"');
  });

  it('fails when the directory does not exist, naming it', async () => {
    const err = await rejection(activity()(template(join(root, 'missing'))));
    expect(err).toMatchObject({ type: SlipwayErrorType.NotFound });
    expect(err.message).toContain(join(root, 'missing'));
  });

  it('refuses a directory outside the dataset roots before listing it', async () => {
    await put(outside, 'secret-newest.csv', 'a\nsecret\n', 1);
    const err = await rejection(activity()(template(outside)));
    expect(err).toMatchObject({ type: SlipwayErrorType.AccessDenied, nonRetryable: true });
    expect(err.message).toContain('outside the dataset roots');
    expect(err.message).not.toContain('secret-newest');
  });

  it('refuses a directory reached by .. out of the roots', async () => {
    await put(outside, 'x.csv', 'a\n1\n', 1);
    const sneaky = `${pathToFileURL(root).href}/../elsewhere/`;
    const err = await rejection(activity()(resolveDatasetStep.input.parse({ template: { newestUnder: sneaky } })));
    expect(err).toMatchObject({ type: SlipwayErrorType.AccessDenied });
  });

  it('refuses to read a newest file that links out of the roots', async () => {
    const dir = join(root, 'snapshots');
    await put(dir, 'old.csv', 'a\n1\n', 1);
    const target = await put(outside, 'passwd.csv', 'a\nroot\n', 1);
    await symlink(target, join(dir, 'zz-link.csv'));
    await utimes(target, at(90), at(90));
    const err = await rejection(activity()(template(dir)));
    expect(err).toMatchObject({ type: SlipwayErrorType.AccessDenied });
    expect(err.message).toContain('outside the dataset roots');
  });

  it('fails when the newest file has no known format and the template names none', async () => {
    const dir = join(root, 'snapshots');
    await put(dir, 'export.bin', 'x', 1);
    const err = await rejection(activity()(template(dir)));
    expect(err).toMatchObject({ type: SlipwayErrorType.InvalidInput });
    expect(err.message).toContain('export.bin');
    expect(err.message).toContain('format');
  });

  it('refuses an S3 prefix outside the S3 roots without listing it', async () => {
    const input = resolveDatasetStep.input.parse({ template: { newestUnder: 's3://other-bucket/snapshots/' } });
    const err = await rejection(activity({ roots: [root, 's3://ml/datasets'], denied: [] })(input));
    expect(err).toMatchObject({ type: SlipwayErrorType.AccessDenied });
    expect(err.message).toContain('s3://other-bucket/snapshots/');
    const whole = resolveDatasetStep.input.parse({ template: { newestUnder: 's3://ml/' } });
    expect(await rejection(activity({ roots: ['s3://ml/datasets'], denied: [] })(whole))).toMatchObject({
      type: SlipwayErrorType.AccessDenied,
    });
  });

  it('is registered by createActivities under its step name', async () => {
    const dir = join(root, 'snapshots');
    const newest = await put(dir, 'n.csv', 'a\n1\n', 1);
    const registry: ModelRegistry = openSqliteRegistry(join(work, 'registry.db'));
    try {
      const activities = createActivities({
        artifacts: createFsArtifactStore(join(work, 'artifacts')),
        registry,
        datasetAccess: access,
      });
      const resolve = activities[resolveDatasetStep.name] as (input: unknown) => Promise<unknown>;
      expect(await resolve({ template: { newestUnder: pathToFileURL(dir).href } })).toEqual({
        uri: pathToFileURL(newest).href,
        digest: sha256('a\n1\n'),
      });
    } finally {
      await registry.close();
    }
  });
});

describe('namePattern', () => {
  it('matches * and ? against the whole name and everything else literally', () => {
    const match = namePattern('churn-??.csv*');
    expect(match('churn-01.csv')).toBe(true);
    expect(match('churn-01.csv.gz')).toBe(true);
    expect(match('churn-1.csv')).toBe(false);
    expect(match('xchurn-01.csv')).toBe(false);
    expect(namePattern('a.b')('axb')).toBe(false);
    expect(namePattern('(x)+[y]')('(x)+[y]')).toBe(true);
  });

  it('refuses a pattern with a "/"', () => {
    expect(() => namePattern('2026/*.csv')).toThrow(/file names only/);
  });
});
