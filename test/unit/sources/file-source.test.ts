import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayErrorType } from '@slipway/sdk';
import { createFileByteSource, openByteSource } from '../../../packages/activities/src/sources/index.js';

/** Length and sha256 of some bytes: compares large buffers fast, and says how they differ in length. */
function fingerprint(bytes: Uint8Array): { length: number; sha256: string } {
  return { length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

let dir: string;
let path: string;
let uri: string;
/** 300,000 bytes: longer than one stream chunk, so streams from an offset cross chunk boundaries. */
const content = Buffer.from(
  Array.from({ length: 30_000 }, (_, i) => `${String(i % 100_000).padStart(9, '0')}\n`).join(''),
);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-file-source-'));
  path = join(dir, 'rows.csv');
  uri = pathToFileURL(path).href;
  await writeFile(path, content);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function bytesOf(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('file byte source', () => {
  it('gives the size and names the local path', async () => {
    const source = createFileByteSource(uri);
    expect(source.uri).toBe(uri);
    expect(source.displayName).toBe(path);
    expect(await source.size()).toBe(content.length);
  });

  it('reads exact ranges, including the empty range and the last byte', async () => {
    const source = openByteSource(uri);
    expect(fingerprint(await source.read(0, 10))).toEqual(fingerprint(content.subarray(0, 10)));
    expect(fingerprint(await source.read(123_456, 223_457))).toEqual(fingerprint(content.subarray(123_456, 223_457)));
    expect((await source.read(500, 500)).length).toBe(0);
    const size = content.length;
    expect(fingerprint(await source.read(size - 1, size))).toEqual(fingerprint(content.subarray(size - 1)));
  });

  it('streams everything, or from an offset, or nothing from the end', async () => {
    const source = createFileByteSource(uri);
    expect(fingerprint(await bytesOf(await source.stream()))).toEqual(fingerprint(content));
    expect(fingerprint(await bytesOf(await source.stream({ start: 200_001 })))).toEqual(
      fingerprint(content.subarray(200_001)),
    );
    expect((await bytesOf(await source.stream({ start: content.length }))).length).toBe(0);
  });

  it('refuses ranges past the end and malformed ranges, naming the file', async () => {
    const source = createFileByteSource(uri);
    await expect(source.read(content.length - 5, content.length + 1)).rejects.toMatchObject({
      type: SlipwayErrorType.InvalidInput,
      nonRetryable: true,
      message: expect.stringContaining(`${path}: it has only ${content.length} bytes`),
    });
    await expect(source.stream({ start: content.length + 1 })).rejects.toMatchObject({
      type: SlipwayErrorType.InvalidInput,
    });
    await expect(source.read(10, 5)).rejects.toMatchObject({ type: SlipwayErrorType.InvalidInput });
    await expect(source.read(-1, 5)).rejects.toMatchObject({ type: SlipwayErrorType.InvalidInput });
    await expect(source.stream({ start: 1.5 })).rejects.toMatchObject({ type: SlipwayErrorType.InvalidInput });
  });

  it('fails every call on a missing file with a final NotFound naming it', async () => {
    const missing = join(dir, 'nope', 'missing.csv');
    const source = createFileByteSource(pathToFileURL(missing).href);
    for (const call of [() => source.size(), () => source.stream(), () => source.read(0, 1)]) {
      await expect(call()).rejects.toMatchObject({
        type: SlipwayErrorType.NotFound,
        nonRetryable: true,
        message: `Dataset file ${missing} does not exist`,
      });
    }
  });

  it('refuses a directory', async () => {
    await expect(createFileByteSource(pathToFileURL(dir).href).size()).rejects.toMatchObject({
      type: SlipwayErrorType.InvalidInput,
      message: expect.stringContaining('is not a regular file'),
    });
  });

  it('aborts a stream when its signal fires', async () => {
    const controller = new AbortController();
    const stream = await createFileByteSource(uri).stream({ signal: controller.signal });
    const reading = text(stream);
    controller.abort();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    controller.abort();
    await expect(createFileByteSource(uri).stream({ signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});

describe('openByteSource', () => {
  it('picks the file source for file:// and the S3 source for s3://, without I/O', () => {
    expect(openByteSource(uri).displayName).toBe(path);
    const s3 = openByteSource('s3://bucket/some/key.csv', { s3: { endpoint: 'http://127.0.0.1:9', region: 'x' } });
    expect(s3.displayName).toBe('s3://bucket/some/key.csv');
  });

  it('refuses other schemes and malformed s3 URIs', () => {
    expect(() => openByteSource('https://example.invalid/a.csv')).toThrow(
      expect.objectContaining({ type: SlipwayErrorType.InvalidInput }),
    );
    expect(() => openByteSource('s3://bucket-only')).toThrow(/expected s3:\/\/bucket\/key/);
    expect(() => openByteSource('file://host/share/a.csv')).toThrow(
      expect.objectContaining({ type: SlipwayErrorType.InvalidInput }),
    );
  });
});
