/**
 * The stored bytes of a dataset as a stream of content chunks: every stored byte is hashed (sha256) and
 * counted on the way in, then gunzipped when the dataset is compressed. Errors that mean the content cannot
 * be read (corrupt gzip data) become final `SlipwayValidationFailed` failures naming the dataset.
 */
import { createHash } from 'node:crypto';
import { Transform, pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SlipwayErrorType, finalFailure, type DatasetCompression } from '@slipway/sdk';
import type { ByteSource } from '../../sources/byte-source.js';

/** What has been read of the stored bytes so far. */
export interface StoredBytesState {
  /** Stored (compressed, when gzip) bytes read so far. */
  bytesRead: number;
  /** `sha256:<hex>` of every stored byte, once the stream has ended. */
  digest: `sha256:${string}` | undefined;
}

/** Whether an error came from zlib (corrupt or truncated gzip data). */
function isZlibError(err: unknown): err is Error & { code: string } {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** The final failure for gzip data that cannot be decompressed. */
export function corruptGzipFailure(source: ByteSource, err: Error & { code: string }, bytesRead: number): Error {
  return finalFailure(
    SlipwayErrorType.ValidationFailed,
    `Dataset ${source.displayName}: the gzip data is corrupt or truncated (within the first ${bytesRead} stored ` +
      `bytes): ${err.message} [${err.code}]`,
    { uri: source.uri, code: err.code },
  );
}

/**
 * Streams the content of `source` (gunzipped when `compression` is gzip) as Buffers, hashing and counting
 * the stored bytes into `state`. The digest is set when the stored stream has ended.
 */
export async function* contentChunks(
  source: ByteSource,
  compression: DatasetCompression,
  state: StoredBytesState,
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  const stored = await source.stream(signal === undefined ? {} : { signal });
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      state.bytesRead += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      state.digest = `sha256:${hash.digest('hex')}`;
      callback();
    },
  });
  const stages: (Readable | Transform)[] = [stored, tap];
  if (compression === 'gzip') stages.push(createGunzip());
  const last = stages.at(-1) as Readable;
  // An error in any stage destroys the last one with it, so it surfaces from the iteration below.
  pipeline(stages, () => undefined);
  try {
    for await (const chunk of last) yield chunk as Buffer;
  } catch (err) {
    // A cancelled read fails with the cancellation (the stream's own AbortError says less).
    if (signal?.aborted === true && signal.reason instanceof Error) throw signal.reason;
    if (isZlibError(err)) throw corruptGzipFailure(source, err, state.bytesRead);
    throw err;
  } finally {
    if (!last.destroyed) last.destroy();
    if (!stored.destroyed) stored.destroy();
  }
}
