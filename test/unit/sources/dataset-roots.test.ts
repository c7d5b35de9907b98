/**
 * Dataset roots: a worker reads datasets only below its roots, never Slipway's state directory or a secret file,
 * judged after `..` and symbolic links are resolved, before a byte is read.
 */
import { execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayErrorType } from '@slipway/sdk';
import {
  ANYWHERE,
  checkDatasetAccess,
  guardedSourceOpener,
  isPathWithin,
  judgeLocalPath,
  openByteSource,
  parseDatasetRoot,
  s3RootCovers,
  type ByteSource,
  type DatasetAccess,
} from '../../../packages/activities/src/sources/index.js';
import { rejection } from '../data/fixtures.js';

const MARKER = 'marker-7f3a9c-not-for-your-eyes';

let work: string;
let root: string;
let outside: string;
let secret: string;
beforeEach(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), 'slipway-roots-')));
  root = join(work, 'data');
  await mkdir(join(root, 'sub'), { recursive: true });
  await writeFile(join(root, 'sub', 'churn.csv'), 'a,b\n1,2\n');
  outside = join(work, 'elsewhere', 'passwd');
  await mkdir(join(work, 'elsewhere'));
  await writeFile(outside, `${MARKER}\n`);
  secret = join(work, 'keys', 'model-server.token');
  await mkdir(join(work, 'keys'));
  await writeFile(secret, `${MARKER}\n`);
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const uriOf = (path: string) => pathToFileURL(path).href;

async function refusal(uri: string, access: DatasetAccess) {
  const err = await rejection(checkDatasetAccess(uri, access));
  expect(err).toMatchObject({ type: SlipwayErrorType.AccessDenied, nonRetryable: true });
  expect(err.message).not.toContain(MARKER);
  return err;
}

describe('checkDatasetAccess on local files', () => {
  it('allows a file below a root and returns its real path', async () => {
    const path = join(root, 'sub', 'churn.csv');
    expect(await checkDatasetAccess(uriOf(path), { roots: [root], denied: [] })).toEqual({
      kind: 'file',
      path,
      uri: uriOf(path),
    });
  });

  it('refuses a `..` escape, naming the dataset as given, what it resolves to, and the roots', async () => {
    const given = `file://${root}/sub/../../elsewhere/passwd`;
    const err = await refusal(given, { roots: [root, 's3://ml/datasets'], denied: [] });
    expect(err.message).toBe(
      `dataset ${JSON.stringify(given)} resolves to ${outside}, which is outside the dataset roots ` +
        `(${root}, s3://ml/datasets); add a root to data.roots (or SLIPWAY_DATA_ROOTS)`,
    );
  });

  it('refuses a symbolic link inside a root that points outside it', async () => {
    const escape = join(root, 'innocent.csv');
    await symlink(outside, escape);
    const err = await refusal(uriOf(escape), { roots: [root], denied: [] });
    expect(err.message).toContain(`resolves to ${outside}, which is outside the dataset roots (${root})`);
  });

  it('refuses a linked directory inside a root that points outside it', async () => {
    await symlink(join(work, 'elsewhere'), join(root, 'mounted'));
    await refusal(uriOf(join(root, 'mounted', 'passwd')), { roots: [root], denied: [] });
  });

  it('allows a symbolic link inside a root that points inside it, and reads its target', async () => {
    const alias = join(root, 'latest.csv');
    await symlink(join(root, 'sub', 'churn.csv'), alias);
    expect(await checkDatasetAccess(uriOf(alias), { roots: [root], denied: [] })).toMatchObject({
      path: join(root, 'sub', 'churn.csv'),
    });
  });

  it('matches a root that is itself reached through a symbolic link', async () => {
    const linkedRoot = join(work, 'data-link');
    await symlink(root, linkedRoot);
    const allowed = await checkDatasetAccess(uriOf(join(linkedRoot, 'sub', 'churn.csv')), {
      roots: [linkedRoot],
      denied: [],
    });
    expect(allowed).toMatchObject({ path: join(root, 'sub', 'churn.csv') });
  });

  it('judges a missing file by its nearest existing parent, and a dangling link by where it points', async () => {
    const access = { roots: [root], denied: [] };
    expect(await checkDatasetAccess(uriOf(join(root, 'new', 'later.csv')), access)).toMatchObject({
      path: join(root, 'new', 'later.csv'),
    });
    await refusal(uriOf(join(work, 'elsewhere', 'nope', 'x.csv')), access);
    const dangling = join(root, 'soon.csv');
    await symlink(join(work, 'elsewhere', 'not-yet.csv'), dangling);
    const err = await refusal(uriOf(dangling), access);
    expect(err.message).toContain(`resolves to ${join(work, 'elsewhere', 'not-yet.csv')}`);
  });

  it("refuses Slipway's state directory even when a root contains it", async () => {
    const home = join(root, '.slipway');
    await mkdir(home);
    await writeFile(join(home, 'registry.db'), MARKER);
    const err = await refusal(uriOf(join(home, 'registry.db')), { roots: [root], denied: [home] });
    expect(err.message).toBe(
      `dataset ${JSON.stringify(uriOf(join(home, 'registry.db')))} resolves to ${join(home, 'registry.db')}, ` +
        `which is inside ${home}, Slipway's state directory or a file holding a key or token: it is never read ` +
        'as a dataset, whatever data.roots says',
    );
    // Through a link from inside the root too.
    await symlink(join(home, 'registry.db'), join(root, 'models.csv'));
    await refusal(uriOf(join(root, 'models.csv')), { roots: [root], denied: [home] });
  });

  it('allows the artifact store inside the state directory, and nothing else of it', async () => {
    const home = join(work, 'home');
    const store = join(home, 'artifacts');
    await mkdir(join(store, 'sha256', 'ab'), { recursive: true });
    await writeFile(join(store, 'sha256', 'ab', 'abcd.csv'), 'a\n1\n');
    await writeFile(join(home, 'audit.log'), MARKER);
    const access = { roots: [root, store], denied: [home], allowedInsideDenied: [store] };
    expect(await checkDatasetAccess(uriOf(join(store, 'sha256', 'ab', 'abcd.csv')), access)).toMatchObject({
      kind: 'file',
    });
    await refusal(uriOf(join(home, 'audit.log')), access);
    await refusal(uriOf(join(store, '..', 'audit.log')), access);
  });

  it('refuses a denied secret file inside a root, through a link, and as a hard link', async () => {
    const access = { roots: [work], denied: [secret] };
    const err = await refusal(uriOf(secret), access);
    expect(err.message).toContain(`resolves to ${secret}, which is Slipway's state directory or a file holding`);
    await symlink(secret, join(root, 'token.csv'));
    await refusal(uriOf(join(root, 'token.csv')), access);
    await link(secret, join(root, 'hard.csv'));
    const hard = await refusal(uriOf(join(root, 'hard.csv')), access);
    expect(hard.message).toContain(`which is a hard link to ${secret}, Slipway's state directory or a file`);
  });

  it('keeps a secret file denied when it lies inside an allowed artifact store', async () => {
    const home = join(work, 'home');
    const store = join(home, 'artifacts');
    await mkdir(store, { recursive: true });
    await writeFile(join(store, 'audit.key'), MARKER);
    const access = { roots: [store], denied: [home, join(store, 'audit.key')], allowedInsideDenied: [store] };
    await refusal(uriOf(join(store, 'audit.key')), access);
  });

  it('with roots "anywhere" (a user\'s own CLI) reads any path, but never a denied one', async () => {
    const access = { roots: ANYWHERE, denied: [secret] } as const;
    expect(await checkDatasetAccess(uriOf(outside), access)).toMatchObject({ path: outside });
    await refusal(uriOf(secret), access);
  });

  it('refuses a FIFO below a root before opening it (opening one would wait for a writer)', async () => {
    const fifo = join(root, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const err = await rejection(checkDatasetAccess(uriOf(fifo), { roots: [root], denied: [] }));
    expect(err).toMatchObject({
      type: SlipwayErrorType.InvalidInput,
      message: `Dataset ${fifo} is not a regular file`,
    });
  });

  it('refuses everything when the roots are empty', async () => {
    const err = await refusal(uriOf(join(root, 'sub', 'churn.csv')), { roots: [], denied: [] });
    expect(err.message).toContain('outside the dataset roots ((none))');
  });
});

describe('checkDatasetAccess on s3:// URIs', () => {
  const access = { roots: ['s3://ml/datasets', '/srv/data'], denied: [] };

  it('allows keys below an S3 root on a "/" boundary', async () => {
    expect(await checkDatasetAccess('s3://ml/datasets/churn.csv', access)).toEqual({
      kind: 's3',
      uri: 's3://ml/datasets/churn.csv',
    });
    expect(await checkDatasetAccess('s3://ml/datasets/2026/11/churn.csv.gz', access)).toMatchObject({ kind: 's3' });
  });

  it('refuses a sibling prefix, another bucket, and `..` or `.` segments', async () => {
    for (const uri of ['s3://ml/datasets2/x.csv', 's3://other/datasets/x.csv', 's3://ml/x.csv']) {
      const err = await refusal(uri, access);
      expect(err.message).toBe(
        `dataset ${JSON.stringify(uri)} is outside the dataset roots (s3://ml/datasets, /srv/data); add a root to ` +
          'data.roots (or SLIPWAY_DATA_ROOTS)',
      );
    }
    for (const uri of ['s3://ml/datasets/../secrets/x.csv', 's3://ml/datasets/./x.csv']) {
      const err = await refusal(uri, access);
      expect(err.message).toContain('its key has a "." or ".." segment');
    }
  });

  it('a whole-bucket root covers every key of that bucket only', () => {
    expect(s3RootCovers({ bucket: 'ml', prefix: '' }, { bucket: 'ml', key: 'any/thing.csv' })).toBe(true);
    expect(s3RootCovers({ bucket: 'ml', prefix: '' }, { bucket: 'ml2', key: 'any/thing.csv' })).toBe(false);
    expect(s3RootCovers({ bucket: 'b', prefix: 'p' }, { bucket: 'b', key: 'p/x.csv' })).toBe(true);
    expect(s3RootCovers({ bucket: 'b', prefix: 'p' }, { bucket: 'b', key: 'p2/x.csv' })).toBe(false);
  });
});

describe('the pure parts', () => {
  it('parses roots: relative directories against cwd, file:// URLs, normalized S3 locations', () => {
    expect(parseDatasetRoot('data', '/srv/app')).toEqual({ kind: 'directory', path: '/srv/app/data' });
    expect(parseDatasetRoot('../shared', '/srv/app')).toEqual({ kind: 'directory', path: '/srv/shared' });
    expect(parseDatasetRoot('file:///srv/data')).toEqual({ kind: 'directory', path: '/srv/data' });
    expect(parseDatasetRoot('s3://ml/datasets/')).toEqual({
      kind: 's3',
      bucket: 'ml',
      prefix: 'datasets',
      uri: 's3://ml/datasets',
    });
    expect(parseDatasetRoot('s3://ml')).toMatchObject({ kind: 's3', prefix: '', uri: 's3://ml' });
  });

  it('refuses malformed roots, naming them', () => {
    expect(() => parseDatasetRoot('https://example.invalid/data')).toThrow(
      'dataset root "https://example.invalid/data" is not valid: expected a directory or s3://bucket/prefix',
    );
    expect(() => parseDatasetRoot('s3://ml/a/../b')).toThrow('its prefix has a "." or ".." segment');
    expect(() => parseDatasetRoot('s3://')).toThrow('expected s3://bucket or s3://bucket/prefix');
  });

  it('tells containment on path boundaries', () => {
    expect(isPathWithin('/srv/data', '/srv/data')).toBe(true);
    expect(isPathWithin('/srv/data', '/srv/data/x.csv')).toBe(true);
    expect(isPathWithin('/srv/data', '/srv/data2/x.csv')).toBe(false);
    expect(isPathWithin('/srv/data', '/srv/data/..x/y.csv')).toBe(true);
    expect(isPathWithin('/srv/data', '/srv')).toBe(false);
  });

  it('an exception lifts only the denial of a directory that contains it', () => {
    const access = {
      roots: ['/w'],
      denied: ['/w/home', '/w/home/artifacts/key'],
      allowedInsideDenied: ['/w/home/artifacts'],
    };
    expect(judgeLocalPath('/w/home/artifacts/sha256/x', access)).toEqual({ allowed: true });
    expect(judgeLocalPath('/w/home/artifacts/key', access)).toEqual({
      allowed: false,
      denied: '/w/home/artifacts/key',
    });
    expect(judgeLocalPath('/w/home/registry.db', access)).toEqual({ allowed: false, denied: '/w/home' });
    expect(judgeLocalPath('/elsewhere', access)).toEqual({ allowed: false, outside: true });
  });
});

describe('guardedSourceOpener', () => {
  /** An opener whose sources count the calls that would touch bytes. */
  function countingOpener() {
    const calls: string[] = [];
    const open = (uri: string): ByteSource => {
      const inner = openByteSource(uri);
      return {
        uri: inner.uri,
        displayName: inner.displayName,
        size: () => (calls.push(`size ${uri}`), inner.size()),
        stream: (o) => (calls.push(`stream ${uri}`), inner.stream(o)),
        read: (s, e) => (calls.push(`read ${uri}`), inner.read(s, e)),
      };
    };
    return { open, calls };
  }

  it('refuses before any byte is read: size, stream and read all fail, and nothing was opened', async () => {
    const { open, calls } = countingOpener();
    const source = guardedSourceOpener({ roots: [root], denied: [] }, open)(`file://${root}/../elsewhere/passwd`);
    for (const attempt of [source.size(), source.stream(), source.read(0, 4)]) {
      expect(await rejection(attempt)).toMatchObject({ type: SlipwayErrorType.AccessDenied });
    }
    expect(calls).toEqual([]);
  });

  it('reads an allowed link through its real path', async () => {
    const { open, calls } = countingOpener();
    await symlink(join(root, 'sub', 'churn.csv'), join(root, 'latest.csv'));
    const source = guardedSourceOpener({ roots: [root], denied: [] }, open)(uriOf(join(root, 'latest.csv')));
    expect(source.displayName).toBe(join(root, 'latest.csv'));
    expect(await source.size()).toBe(8);
    expect(Buffer.from(await source.read(0, 3)).toString()).toBe('a,b');
    expect(calls).toEqual([
      `size ${uriOf(join(root, 'sub', 'churn.csv'))}`,
      `read ${uriOf(join(root, 'sub', 'churn.csv'))}`,
    ]);
  });

  it('fails a URI it cannot read at once, as openByteSource does', () => {
    const opener = guardedSourceOpener({ roots: [root], denied: [] }, (uri) => openByteSource(uri));
    expect(() => opener('https://example.invalid/a.csv')).toThrow(/expected a file:\/\/ URI or s3:\/\/bucket\/key/);
  });
});
