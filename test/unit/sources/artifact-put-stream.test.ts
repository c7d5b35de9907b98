import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayErrorType } from '@slipway/sdk';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import type { ArtifactStore } from '../../../packages/activities/src/ports.js';

/** Length and sha256 of some bytes: compares large buffers fast, and says how they differ in length. */
function fingerprint(bytes: Uint8Array): { length: number; sha256: string } {
  return { length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

let root: string;
let store: ArtifactStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-put-stream-'));
  store = createFsArtifactStore(root);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const hexOf = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** 3 MiB of varied bytes in 64 KiB chunks. */
function bigBytes(): Buffer {
  const bytes = Buffer.alloc(3 * 1024 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2_654_435_761) >>> 24;
  return bytes;
}

function chunks(bytes: Buffer, size = 64 * 1024): Readable {
  return Readable.from(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)),
  );
}

describe('ArtifactStore.putStream (filesystem)', () => {
  it('stores a stream content-addressed, equal to putBytes of the same bytes', async () => {
    const bytes = bigBytes();
    const hex = hexOf(bytes);
    const ref = await store.putStream(chunks(bytes), { mediaType: 'text/csv' });
    expect(ref).toEqual({
      uri: pathToFileURL(join(root, 'sha256', hex.slice(0, 2), hex)).href,
      digest: `sha256:${hex}`,
      size: bytes.length,
      mediaType: 'text/csv',
    });
    expect(fingerprint(await store.getBytes(ref))).toEqual(fingerprint(bytes));
    expect(await store.putBytes(bytes, { mediaType: 'text/csv' })).toEqual(ref);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('accepts any async iterable of chunks, and the empty stream', async () => {
    async function* parts(): AsyncGenerator<Uint8Array> {
      for (const part of ['a,b\n', '1,2\n']) yield await Promise.resolve(new TextEncoder().encode(part));
    }
    const ref = await store.putStream(parts());
    expect(ref.digest).toBe(`sha256:${hexOf(Buffer.from('a,b\n1,2\n'))}`);
    expect(ref.mediaType).toBe('application/octet-stream');
    const empty = await store.putStream(Readable.from([]));
    expect(empty.size).toBe(0);
  });

  it('names the object with an extension when asked, and reads it back by that reference', async () => {
    const bytes = Buffer.from('id\n1\n');
    const hex = hexOf(bytes);
    const ref = await store.putStream(chunks(bytes), { extension: '.csv.gz' });
    expect(ref.uri.endsWith(`/sha256/${hex.slice(0, 2)}/${hex}.csv.gz`)).toBe(true);
    expect(fingerprint(await readFile(fileURLToPath(ref.uri)))).toEqual(fingerprint(bytes));
    expect(fingerprint(await store.getBytes(ref))).toEqual(fingerprint(bytes));
    expect(await store.putStream(chunks(bytes), { extension: '.csv.gz' })).toEqual(ref);
    const fileRef = await store.putFile(fileURLToPath(ref.uri), { extension: '.csv.gz' });
    expect(fileRef).toEqual(ref);
  });

  it('refuses unsafe extensions before writing anything, and refs whose extension is unsafe', async () => {
    for (const extension of ['csv', '.csv/../../x', '.a.b.c.d', '.']) {
      await expect(store.putStream(chunks(Buffer.from('x')), { extension })).rejects.toMatchObject({
        type: SlipwayErrorType.InvalidInput,
      });
    }
    const ref = await store.putBytes(Buffer.from('x'));
    await expect(store.getBytes({ ...ref, uri: `${ref.uri}-evil` })).rejects.toMatchObject({
      type: SlipwayErrorType.InvalidInput,
    });
  });

  it('stores nothing when the stream fails, and throws its error', async () => {
    const failing = new Readable({ read() {} });
    failing.push(Buffer.alloc(100_000, 1));
    setImmediate(() => failing.destroy(new Error('connection reset by peer')));
    await expect(store.putStream(failing)).rejects.toThrow('connection reset by peer');
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    await expect(readdir(join(root, 'sha256'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps putFile mapping a missing file to NotFound', async () => {
    const missing = join(root, 'missing.csv');
    await expect(store.putFile(missing)).rejects.toMatchObject({ type: SlipwayErrorType.NotFound });
    await writeFile(missing, 'now here');
    expect((await store.putFile(missing)).size).toBe(8);
  });
});
