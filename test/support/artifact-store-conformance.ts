/**
 * The `ArtifactStore` conformance suite: every artifact store adapter (filesystem, S3, …) runs it with a
 * factory that returns a store over fresh, empty storage and the hooks the suite needs to look at and
 * damage that storage behind the store's back.
 *
 * ```ts
 * describeArtifactStoreConformance('filesystem', async () => {
 *   const root = await mkdtemp(join(tmpdir(), 'store-'));
 *   return { store: createFsArtifactStore(root), ...hooksOver(root) };
 * });
 * ```
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayErrorType, type ArtifactRef } from '@slipway/sdk';
import type { ArtifactStore } from '../../packages/activities/src/ports.js';

/** A store under test over fresh storage, with hooks into that storage. */
export interface ArtifactStoreFixture {
  /** The store under test; its storage is empty. */
  readonly store: ArtifactStore;
  /** Another store over the same storage, as a second worker process would open it. */
  sibling(): ArtifactStore;
  /** A store of the same kind over other storage (another root, bucket or prefix). */
  foreign(): ArtifactStore;
  /** The URI the object with this hex digest and extension has in this store. */
  uriOf(hex: string, extension?: string): string;
  /**
   * Every name in the storage, relative to the store's root (`sha256/ab/<hex>`), sorted, including
   * anything a write left behind (temp files, incomplete uploads).
   */
  listObjects(): Promise<string[]>;
  /** A stamp that changes whenever the stored object is written again (not when it is read). */
  writeStamp(ref: ArtifactRef): Promise<string>;
  /** Changes stored bytes in place, keeping the length (bit rot); returns the bytes now stored. */
  corrupt(ref: ArtifactRef): Promise<Buffer>;
  /** Cuts the stored object to half its length. */
  truncate(ref: ArtifactRef): Promise<void>;
  /** Deletes the stored object. */
  remove(ref: ArtifactRef): Promise<void>;
  /** Adapter-specific URIs that must be refused for `ref` (traversals, other buckets …), labelled. */
  refusedUris(ref: ArtifactRef): Array<[label: string, uri: string]>;
  /** Releases the storage and any clients. */
  cleanup(): Promise<void>;
}

/** Creates a store over fresh, empty storage for one test. */
export type ArtifactStoreFactory = () => Promise<ArtifactStoreFixture>;

/** `sha256:<hex>` of some bytes. */
export const sha256 = (bytes: Uint8Array | string): string =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const hexOf = (bytes: Uint8Array | string): string => sha256(bytes).slice('sha256:'.length);
/** The reference a store must give for `bytes` put with `mediaType`. */
const expectedRef = (fx: ArtifactStoreFixture, bytes: Uint8Array, mediaType: string) => ({
  uri: fx.uriOf(hexOf(bytes)),
  digest: sha256(bytes),
  size: bytes.length,
  mediaType,
});

/** Length and sha256 of some bytes: compares large buffers fast, and says how they differ in length. */
export function fingerprint(bytes: Uint8Array): { length: number; sha256: string } {
  return { length: bytes.length, sha256: sha256(bytes) };
}

/** `size` bytes of a varied, repeatable pattern. */
export function patternBytes(size: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = ((i + seed) * 2_654_435_761) >>> 24;
  return bytes;
}

/** The bytes as a stream of `size`-byte chunks. */
export function chunked(bytes: Buffer, size = 64 * 1024): Readable {
  const count = Math.ceil(bytes.length / size);
  return Readable.from(Array.from({ length: count }, (_, i) => bytes.subarray(i * size, (i + 1) * size)));
}

/** Flips every bit of a file's first byte in place (same file, same length); returns the new bytes. */
export async function flipFirstByte(path: string): Promise<Buffer> {
  const handle = await open(path, 'r+');
  try {
    const first = Buffer.alloc(1);
    await handle.read(first, 0, 1, 0);
    await handle.write(Buffer.from([first[0]! ^ 0xff]), 0, 1, 0);
  } finally {
    await handle.close();
  }
  return readFile(path);
}

/** The failure a promise rejects with (`undefined` if it resolves). */
export async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

const objectName = (hex: string, extension = ''): string => `sha256/${hex.slice(0, 2)}/${hex}${extension}`;

/** What each test reads: the fixture, its store, and a scratch directory for source files. */
interface Current {
  fx: ArtifactStoreFixture;
  store: ArtifactStore;
  work: string;
}

/** Runs the `ArtifactStore` conformance suite against stores made by `factory`. */
export function describeArtifactStoreConformance(adapter: string, factory: ArtifactStoreFactory): void {
  describe(`ArtifactStore conformance: ${adapter}`, () => {
    let current: Current;
    beforeEach(async () => {
      const fx = await factory();
      current = { fx, store: fx.store, work: await mkdtemp(join(tmpdir(), 'slipway-conformance-')) };
    });
    afterEach(async () => {
      await current.fx.cleanup();
      await rm(current.work, { recursive: true, force: true });
    });

    const get = (): Current => current;
    describeBytesAndJson(get);
    describeFilesAndStreams(get);
    describeExtensions(get);
    describeIdempotence(get);
    describeFailedWrites(get);
    describeVerification(get);
    describeRefusals(get);
  });
}

/** Bytes and JSON round trips. */
function describeBytesAndJson(get: () => Current): void {
  describe('putBytes and putJson', () => {
    it('stores bytes content-addressed under sha256/<2 hex>/<64 hex> and reads them back', async () => {
      const { fx, store } = get();
      const bytes = Buffer.from('hello, slipway');
      const hex = hexOf(bytes);
      const ref = await store.putBytes(bytes, { mediaType: 'text/plain' });
      expect(ref).toEqual({
        uri: fx.uriOf(hex),
        digest: `sha256:${hex}`,
        size: bytes.length,
        mediaType: 'text/plain',
      });
      expect(await store.getBytes(ref)).toEqual(bytes);
      expect(await fx.listObjects()).toEqual([objectName(hex)]);
    });

    it('stores JSON canonically (sorted keys), so equal values share one object', async () => {
      const { fx, store } = get();
      const a = await store.putJson({ b: 1, a: { d: [1, 2], c: 'x' } });
      const b = await store.putJson({ a: { c: 'x', d: [1, 2] }, b: 1 });
      expect(b).toEqual(a);
      expect(a.mediaType).toBe('application/json');
      expect(a.digest).toBe(sha256('{"a":{"c":"x","d":[1,2]},"b":1}'));
      expect(await store.getJson(a)).toEqual({ a: { c: 'x', d: [1, 2] }, b: 1 });
      expect(await fx.listObjects()).toHaveLength(1);
    });

    it('refuses to store a value that has no JSON representation', async () => {
      const { store } = get();
      await expect(store.putJson(undefined)).rejects.toMatchObject({ type: SlipwayErrorType.InvalidInput });
    });

    it('stores the empty byte string', async () => {
      const { fx, store } = get();
      const ref = await store.putBytes(new Uint8Array());
      expect(ref).toMatchObject({ size: 0, digest: sha256(''), uri: fx.uriOf(hexOf('')) });
      expect((await store.getBytes(ref)).length).toBe(0);
    });
  });
}

/** File and stream round trips, multi-MB included. */
function describeFilesAndStreams(get: () => Current): void {
  describe('putFile and putStream', () => {
    it('streams a multi-MB file in and reads it back intact', async () => {
      const { fx, store, work } = get();
      const source = join(work, 'model.bin');
      const bytes = randomBytes(12 * 512 * 1024);
      await writeFile(source, bytes);
      const ref = await store.putFile(source, { mediaType: 'application/x-model' });
      expect(ref).toEqual(expectedRef(fx, bytes, 'application/x-model'));
      expect(fingerprint(await store.getBytes(ref))).toEqual(fingerprint(bytes));
      expect(await fx.listObjects()).toEqual([objectName(hexOf(bytes))]);
    });

    it('stores a multi-MB stream, equal to putBytes of the same bytes, leaving nothing else behind', async () => {
      const { fx, store } = get();
      const bytes = patternBytes(12 * 1024 * 1024);
      const ref = await store.putStream(chunked(bytes), { mediaType: 'text/csv' });
      expect(ref).toEqual(expectedRef(fx, bytes, 'text/csv'));
      expect(fingerprint(await store.getBytes(ref))).toEqual(fingerprint(bytes));
      expect(await store.putBytes(bytes, { mediaType: 'text/csv' })).toEqual(ref);
      expect(await fx.listObjects()).toEqual([objectName(hexOf(bytes))]);
    });

    it('accepts any async iterable of chunks, and the empty stream', async () => {
      const { store } = get();
      async function* parts(): AsyncGenerator<Uint8Array> {
        for (const part of ['a,b\n', '1,2\n']) yield await Promise.resolve(new TextEncoder().encode(part));
      }
      const ref = await store.putStream(parts());
      expect(ref.digest).toBe(sha256('a,b\n1,2\n'));
      expect(ref.mediaType).toBe('application/octet-stream');
      expect((await store.getBytes(ref)).toString()).toBe('a,b\n1,2\n');
      const empty = await store.putStream(Readable.from([]));
      expect(empty).toMatchObject({ size: 0, digest: sha256('') });
      expect((await store.getBytes(empty)).length).toBe(0);
    });

    it('gives the same reference for the same content from putFile, putBytes and putStream', async () => {
      const { fx, store, work } = get();
      const source = join(work, 'data.txt');
      await writeFile(source, 'same bytes');
      const fromFile = await store.putFile(source);
      expect(await store.putBytes(Buffer.from('same bytes'))).toEqual(fromFile);
      expect(await store.putStream(Readable.from([Buffer.from('same '), Buffer.from('bytes')]))).toEqual(fromFile);
      expect(fromFile.mediaType).toBe('application/octet-stream');
      expect(await fx.listObjects()).toHaveLength(1);
    });
  });
}

/** Object names with extensions, and unsafe extensions. */
function describeExtensions(get: () => Current): void {
  describe('extensions', () => {
    it('names the object with an extension when asked, and reads it back by that reference', async () => {
      const { fx, store, work } = get();
      const bytes = Buffer.from('id\n1\n');
      const hex = hexOf(bytes);
      const ref = await store.putStream(chunked(bytes), { extension: '.csv.gz' });
      expect(ref.uri).toBe(fx.uriOf(hex, '.csv.gz'));
      expect(fingerprint(await store.getBytes(ref))).toEqual(fingerprint(bytes));
      expect(await store.putStream(chunked(bytes), { extension: '.csv.gz' })).toEqual(ref);
      const source = join(work, 'ids.csv.gz');
      await writeFile(source, bytes);
      expect(await store.putFile(source, { extension: '.csv.gz' })).toEqual(ref);
      expect(await store.putBytes(bytes, { extension: '.csv.gz' })).toEqual(ref);
      const plain = await store.putBytes(bytes);
      expect(plain.digest).toBe(ref.digest);
      expect(await fx.listObjects()).toEqual([objectName(hex), objectName(hex, '.csv.gz')]);
    });

    it('refuses unsafe extensions before writing anything, and refs whose extension is unsafe', async () => {
      const { fx, store } = get();
      for (const extension of ['csv', '.csv/../../x', '.a.b.c.d', '.']) {
        for (const put of [
          () => store.putStream(chunked(Buffer.from('x')), { extension }),
          () => store.putBytes(Buffer.from('x'), { extension }),
        ]) {
          await expect(put()).rejects.toMatchObject({ type: SlipwayErrorType.InvalidInput });
        }
      }
      expect(await fx.listObjects()).toEqual([]);
    });
  });
}

/** Re-puts, concurrent puts, repairs. */
function describeIdempotence(get: () => Current): void {
  describe('idempotence and atomicity', () => {
    it('re-putting existing content is a no-op that returns the same reference', async () => {
      const { fx, store, work } = get();
      const bytes = patternBytes(256 * 1024, 7);
      const first = await store.putBytes(bytes);
      const stamp = await fx.writeStamp(first);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const source = join(work, 'same.bin');
      await writeFile(source, bytes);
      expect(await store.putBytes(bytes)).toEqual(first);
      expect(await store.putStream(chunked(bytes))).toEqual(first);
      expect(await store.putFile(source)).toEqual(first);
      expect(await fx.sibling().putBytes(bytes)).toEqual(first);
      expect(await fx.writeStamp(first)).toBe(stamp);
      expect(await fx.listObjects()).toHaveLength(1);
    });

    it('leaves exactly one object and nothing in progress after concurrent puts of the same content', async () => {
      const { fx, store, work } = get();
      const bytes = randomBytes(256 * 1024);
      const source = join(work, 'same.bin');
      await writeFile(source, bytes);
      const sibling = fx.sibling();
      const refs = await Promise.all([
        ...Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? store : sibling).putBytes(bytes)),
        ...Array.from({ length: 4 }, () => store.putFile(source)),
        ...Array.from({ length: 4 }, (_, i) => (i % 2 === 0 ? store : sibling).putStream(chunked(bytes))),
      ]);
      for (const ref of refs) expect(ref).toEqual(refs[0]);
      expect(await fx.listObjects()).toEqual([objectName(hexOf(bytes))]);
      expect(fingerprint(await store.getBytes(refs[0]!))).toEqual(fingerprint(bytes));
    });

    it('rewrites an object that was cut short when the same content is put again', async () => {
      const { fx, store } = get();
      const bytes = Buffer.from('repair me please');
      const ref = await store.putBytes(bytes);
      await fx.truncate(ref);
      expect(await store.putBytes(bytes)).toEqual(ref);
      expect(await store.getBytes(ref)).toEqual(bytes);
    });
  });
}

/** Writes that fail leave nothing behind. */
function describeFailedWrites(get: () => Current): void {
  describe('failed writes', () => {
    it('stores nothing when the stream fails, and throws its error', async () => {
      const { fx, store } = get();
      const failing = new Readable({ read() {} });
      failing.push(Buffer.alloc(100_000, 1));
      setImmediate(() => failing.destroy(new Error('connection reset by peer')));
      await expect(store.putStream(failing)).rejects.toThrow('connection reset by peer');
      expect(await fx.listObjects()).toEqual([]);
    });

    it('fails with NotFound naming the source when putFile is given a missing file', async () => {
      const { fx, store, work } = get();
      const missing = join(work, 'nope.bin');
      const failure = await failureOf(store.putFile(missing));
      expect(failure).toMatchObject({ type: SlipwayErrorType.NotFound });
      expect((failure as Error).message).toContain(missing);
      expect(await fx.listObjects()).toEqual([]);
    });
  });
}

/** Corrupted and missing objects. */
function describeVerification(get: () => Current): void {
  describe('verification on read', () => {
    it('detects a corrupted object on read, naming the object and both digests, and never returns it', async () => {
      const { fx, store } = get();
      const ref = await store.putBytes(Buffer.from('precious model weights'));
      const actual = sha256(await fx.corrupt(ref));
      const failure = await failureOf(store.getBytes(ref));
      expect(failure).toMatchObject({ type: SlipwayErrorType.DigestMismatch, nonRetryable: true });
      const message = (failure as Error).message;
      for (const part of [ref.digest, actual]) expect(message).toContain(part);
      await expect(store.getJson(ref)).rejects.toMatchObject({ type: SlipwayErrorType.DigestMismatch });
    });

    it('detects a corrupted multi-MB object too', async () => {
      const { fx, store } = get();
      const ref = await store.putStream(chunked(patternBytes(6 * 1024 * 1024, 3)));
      await fx.corrupt(ref);
      // Only the failure's type is compared: a store that wrongly returned the bytes must not print 6 MiB.
      const failure = await failureOf(store.getBytes(ref).then((bytes) => `${bytes.length} bytes returned`));
      expect((failure as { type?: string } | undefined)?.type ?? failure).toBe(SlipwayErrorType.DigestMismatch);
    });

    it('fails with NotFound naming the digest when the object is missing', async () => {
      const { fx, store } = get();
      const ref = await store.putBytes(Buffer.from('soon gone'));
      await fx.remove(ref);
      const failure = await failureOf(store.getBytes(ref));
      expect(failure).toMatchObject({ type: SlipwayErrorType.NotFound, nonRetryable: true });
      expect((failure as Error).message).toContain(ref.digest);
    });
  });
}

/** References that do not name this store's object. */
function describeRefusals(get: () => Current): void {
  describe('refused references', () => {
    it("refuses references that do not name this store's object for their digest", async () => {
      const { fx, store } = get();
      const ref = await store.putBytes(Buffer.from('guarded'));
      const other = await store.putBytes(Buffer.from('other'));
      const refused: Array<[string, string]> = [
        ['an absolute path outside the store', 'file:///etc/passwd'],
        ['a relative traversal', '../../etc/passwd'],
        ['another scheme', 'https://example.com/model.bin'],
        ['a name that extends the object name', `${ref.uri}-evil`],
        ['a traversal after the object name', `${ref.uri}/../../../../etc/passwd`],
        ['another object of the same store', other.uri],
        ...fx.refusedUris(ref),
      ];
      for (const [label, uri] of refused) {
        const failure = await failureOf(store.getBytes({ uri, digest: ref.digest }));
        expect(failure, label).toMatchObject({ type: SlipwayErrorType.InvalidInput });
        expect((failure as Error).message, label).toContain(JSON.stringify(uri));
      }
    });

    it('refuses a reference of the same digest from another store of the same kind', async () => {
      const { fx, store } = get();
      const foreign = await fx.foreign().putBytes(Buffer.from('elsewhere'));
      const local = await store.putBytes(Buffer.from('elsewhere'));
      expect(foreign.digest).toBe(local.digest);
      expect(foreign.uri).not.toBe(local.uri);
      await expect(store.getBytes(foreign)).rejects.toMatchObject({ type: SlipwayErrorType.InvalidInput });
    });

    it('refuses a malformed digest (the path-traversal guard)', async () => {
      const { store } = get();
      const digest = 'sha256:../../../../etc/passwd';
      const failure = await failureOf(store.getBytes({ uri: 'file:///etc/passwd', digest }));
      expect(failure).toMatchObject({ type: SlipwayErrorType.InvalidInput });
      expect((failure as Error).message).toContain(digest);
    });
  });
}
