import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SlipwayErrorType } from '@slipway/sdk';
import { decompressed } from '../../../packages/activities/src/sources/index.js';

const csv = 'id,value\n' + Array.from({ length: 5_000 }, (_, i) => `${i},${(i * 0.37).toFixed(2)}`).join('\n') + '\n';

/** A stream of `bytes` in small chunks, as a network body arrives. */
function chunked(bytes: Buffer, size = 1_000): Readable {
  return Readable.from(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size)),
  );
}

describe('decompressed', () => {
  it('returns the same stream for uncompressed data', () => {
    const source = chunked(Buffer.from(csv));
    expect(decompressed(source, 'none')).toBe(source);
  });

  it('inflates gzip, after the stored bytes were hashed on the way', async () => {
    const stored = gzipSync(csv);
    const hash = createHash('sha256');
    const hashed = chunked(stored).map((chunk: Buffer) => {
      hash.update(chunk);
      return chunk;
    });
    expect(await text(decompressed(hashed, 'gzip'))).toBe(csv);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(stored).digest('hex'));
  });

  it('reads concatenated gzip members as one stream', async () => {
    const stored = Buffer.concat([gzipSync('a,b\n'), gzipSync('1,2\n')]);
    expect(await text(decompressed(chunked(stored, 7), 'gzip'))).toBe('a,b\n1,2\n');
  });

  it('fails with a final InvalidInput naming the source on data that is not gzip', async () => {
    await expect(text(decompressed(chunked(Buffer.from(csv)), 'gzip', 's3://b/k.csv.gz'))).rejects.toMatchObject({
      type: SlipwayErrorType.InvalidInput,
      nonRetryable: true,
      message: expect.stringMatching(/^Cannot decompress s3:\/\/b\/k\.csv\.gz: it is not valid gzip data/),
    });
  });

  it('says a cut-off gzip stream is truncated', async () => {
    const stored = gzipSync(csv);
    await expect(
      text(decompressed(chunked(stored.subarray(0, stored.length - 100)), 'gzip', 'a.csv.gz')),
    ).rejects.toMatchObject({
      message: 'Cannot decompress a.csv.gz: its gzip data is truncated',
    });
  });

  it('passes an error of the source through, and destroying the output destroys the source', async () => {
    const failing = new Readable({ read() {} });
    const out = decompressed(failing, 'gzip');
    const reading = text(out);
    failing.destroy(new Error('connection reset'));
    await expect(reading).rejects.toThrow('connection reset');

    const source = chunked(gzipSync(csv));
    decompressed(source, 'gzip').destroy();
    await new Promise((done) => setImmediate(done));
    expect(source.destroyed).toBe(true);
  });
});
