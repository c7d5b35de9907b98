import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile, open, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayErrorType } from '@slipway/sdk';
import type { ArtifactStore } from '../../../packages/activities/src/ports.js';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';

let root: string;
let work: string;
let store: ArtifactStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-artifacts-'));
  work = await mkdtemp(join(tmpdir(), 'slipway-artifacts-src-'));
  store = createFsArtifactStore(root);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
});

/** Every regular file under `dir`, relative to it, with `/` separators. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('createFsArtifactStore', () => {
  it('stores bytes content-addressed under sha256/<2 hex>/<64 hex> and reads them back', async () => {
    const bytes = Buffer.from('hello, slipway');
    const hex = sha256Hex(bytes);
    const ref = await store.putBytes(bytes, { mediaType: 'text/plain' });
    const expectedPath = join(root, 'sha256', hex.slice(0, 2), hex);
    expect(ref).toEqual({
      uri: pathToFileURL(expectedPath).href,
      digest: `sha256:${hex}`,
      size: bytes.length,
      mediaType: 'text/plain',
    });
    expect(await readFile(expectedPath)).toEqual(bytes);
    expect(await store.getBytes(ref)).toEqual(bytes);
    expect(await filesUnder(root)).toEqual([`sha256/${hex.slice(0, 2)}/${hex}`]);
  });

  it('stores JSON canonically (sorted keys), so equal values share one object', async () => {
    const a = await store.putJson({ b: 1, a: { d: [1, 2], c: 'x' } });
    const b = await store.putJson({ a: { c: 'x', d: [1, 2] }, b: 1 });
    expect(b).toEqual(a);
    expect(a.mediaType).toBe('application/json');
    expect(a.digest).toBe(`sha256:${sha256Hex('{"a":{"c":"x","d":[1,2]},"b":1}')}`);
    expect(await store.getJson(a)).toEqual({ a: { c: 'x', d: [1, 2] }, b: 1 });
  });

  it('refuses to store a value that has no JSON representation', async () => {
    await expect(store.putJson(undefined)).rejects.toMatchObject({ type: SlipwayErrorType.InvalidInput });
  });

  it('streams a multi-MB file in and reads it back intact', async () => {
    const source = join(work, 'model.bin');
    const handle = await open(source, 'w');
    const hash = createHash('sha256');
    for (let i = 0; i < 12; i++) {
      const chunk = randomBytes(512 * 1024);
      hash.update(chunk);
      await handle.write(chunk);
    }
    await handle.close();
    const digest = `sha256:${hash.digest('hex')}`;

    const ref = await store.putFile(source, { mediaType: 'application/x-model' });
    expect(ref.digest).toBe(digest);
    expect(ref.size).toBe(12 * 512 * 1024);
    expect(ref.mediaType).toBe('application/x-model');
    const back = await store.getBytes(ref);
    expect(`sha256:${sha256Hex(back)}`).toBe(digest);
    expect(await filesUnder(root)).toHaveLength(1);
  });

  it('gives the same reference for the same content from putFile and putBytes', async () => {
    const source = join(work, 'data.txt');
    await writeFile(source, 'same bytes');
    const fromFile = await store.putFile(source);
    const fromBytes = await store.putBytes(Buffer.from('same bytes'));
    expect(fromBytes).toEqual(fromFile);
    expect(fromFile.mediaType).toBe('application/octet-stream');
  });

  it('re-putting existing content is a no-op that returns the same reference', async () => {
    const first = await store.putBytes(Buffer.from('idempotent'));
    const path = join(root, 'sha256', first.digest.slice(7, 9), first.digest.slice(7));
    const before = await stat(path);
    await new Promise((r) => setTimeout(r, 20));
    const second = await store.putBytes(Buffer.from('idempotent'));
    expect(second).toEqual(first);
    const after = await stat(path);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(await filesUnder(root)).toHaveLength(1);
  });

  it('stores the empty byte string', async () => {
    const ref = await store.putBytes(new Uint8Array());
    expect(ref.size).toBe(0);
    expect(ref.digest).toBe(`sha256:${sha256Hex('')}`);
    expect((await store.getBytes(ref)).length).toBe(0);
  });

  it('detects a corrupted object on read, naming the path and both digests', async () => {
    const ref = await store.putBytes(Buffer.from('precious model weights'));
    const path = join(root, 'sha256', ref.digest.slice(7, 9), ref.digest.slice(7));
    await writeFile(path, 'precious model weightz');
    const actual = `sha256:${sha256Hex('precious model weightz')}`;
    const failure = await store.getBytes(ref).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ type: SlipwayErrorType.DigestMismatch, nonRetryable: true });
    const message = (failure as Error).message;
    expect(message).toContain(path);
    expect(message).toContain(ref.digest);
    expect(message).toContain(actual);
    await expect(store.getJson(ref)).rejects.toMatchObject({ type: SlipwayErrorType.DigestMismatch });
  });

  it('fails with NotFound naming the digest when the object is missing', async () => {
    const ref = await store.putBytes(Buffer.from('soon gone'));
    await rm(join(root, 'sha256'), { recursive: true });
    const failure = await store.getBytes(ref).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ type: SlipwayErrorType.NotFound });
    expect((failure as Error).message).toContain(ref.digest);
  });

  it('fails with NotFound naming the source when putFile is given a missing file', async () => {
    const missing = join(work, 'nope.bin');
    const failure = await store.putFile(missing).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ type: SlipwayErrorType.NotFound });
    expect((failure as Error).message).toContain(missing);
    expect(await filesUnder(root)).toEqual([]);
  });

  it.each([
    ['an absolute path outside the store', 'file:///etc/passwd'],
    ['a relative traversal', '../../etc/passwd'],
    ['a traversal inside a file URL', 'file:///tmp/../etc/passwd'],
    ['another scheme', 'https://example.com/model.bin'],
  ])('refuses a reference whose uri is %s', async (_label, uri) => {
    const ref = await store.putBytes(Buffer.from('guarded'));
    const failure = await store.getBytes({ uri, digest: ref.digest }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ type: SlipwayErrorType.InvalidInput });
    expect((failure as Error).message).toContain(JSON.stringify(uri));
  });

  it('refuses a reference that points at another object of the same store', async () => {
    const a = await store.putBytes(Buffer.from('a'));
    const b = await store.putBytes(Buffer.from('b'));
    await expect(store.getBytes({ uri: a.uri, digest: b.digest })).rejects.toMatchObject({
      type: SlipwayErrorType.InvalidInput,
    });
  });

  it('refuses a reference of the same digest under another root', async () => {
    const other = await mkdtemp(join(tmpdir(), 'slipway-artifacts-other-'));
    try {
      const foreign = await createFsArtifactStore(other).putBytes(Buffer.from('elsewhere'));
      await store.putBytes(Buffer.from('elsewhere'));
      await expect(store.getBytes(foreign)).rejects.toMatchObject({ type: SlipwayErrorType.InvalidInput });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('refuses a malformed digest (the path-traversal guard)', async () => {
    const digest = 'sha256:../../../../etc/passwd';
    const failure = await store.getBytes({ uri: 'file:///etc/passwd', digest }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ type: SlipwayErrorType.InvalidInput });
    expect((failure as Error).message).toContain(digest);
  });

  it('accepts an equivalent file URI that normalizes to the object path', async () => {
    const ref = await store.putBytes(Buffer.from('normalized'));
    const hex = ref.digest.slice(7);
    const uri = pathToFileURL(join(root, 'sha256', hex.slice(0, 2))).href + `/../${hex.slice(0, 2)}/${hex}`;
    expect(await store.getBytes({ uri, digest: ref.digest })).toEqual(Buffer.from('normalized'));
  });

  it('leaves exactly one object and no temp files after concurrent puts of the same content', async () => {
    const bytes = randomBytes(256 * 1024);
    const source = join(work, 'same.bin');
    await writeFile(source, bytes);
    const otherStore = createFsArtifactStore(root);
    const refs = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? store : otherStore).putBytes(bytes)),
      ...Array.from({ length: 4 }, () => store.putFile(source)),
    ]);
    const hex = sha256Hex(bytes);
    for (const ref of refs) expect(ref).toEqual(refs[0]);
    expect(await filesUnder(root)).toEqual([`sha256/${hex.slice(0, 2)}/${hex}`]);
    expect(await store.getBytes(refs[0]!)).toEqual(bytes);
  });

  it('rewrites an object whose file was truncated when the same content is put again', async () => {
    const ref = await store.putBytes(Buffer.from('repair me please'));
    const path = join(root, 'sha256', ref.digest.slice(7, 9), ref.digest.slice(7));
    await writeFile(path, 'repair');
    await store.putBytes(Buffer.from('repair me please'));
    expect(await store.getBytes(ref)).toEqual(Buffer.from('repair me please'));
  });
});
