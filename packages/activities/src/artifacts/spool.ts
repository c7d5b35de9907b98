import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform, pipeline, type Readable } from 'node:stream';
import { writeAll } from '../util/durable-file.js';
import { discardTempFile, openTempFile, type TempFile } from './atomic-file.js';
import { DigestCounter } from './artifact-common.js';

/** The `name` of the error a `verifiedFileStream` fails with when the file changed since it was hashed. */
export const CONTENT_CHANGED_ERROR = 'SlipwayContentChanged';

/** A local file holding a copy of a stream's bytes, with their digest and size. */
export interface SpooledFile {
  readonly path: string;
  readonly digest: `sha256:${string}`;
  readonly size: number;
  /** Deletes the file; calling it again does nothing. */
  remove(): Promise<void>;
}

/**
 * Copies a stream into a new temp file under `dir`, hashing as it goes, so its digest is known before the
 * bytes go anywhere else. Consumption starts at once, before the file is opened, so a stream that fails
 * early reports to this loop. If the stream (or the disk) fails, the file is deleted and the error thrown.
 */
export async function spoolHashing(source: AsyncIterable<Uint8Array>, dir: string): Promise<SpooledFile> {
  const counter = new DigestCounter();
  let temp: TempFile | undefined;
  try {
    for await (const chunk of source) {
      temp ??= await openTempFile(dir);
      counter.update(chunk);
      await writeAll(temp.handle, chunk);
    }
    temp ??= await openTempFile(dir);
    await temp.handle.close();
  } catch (err) {
    if (temp !== undefined) await discardTempFile(temp);
    throw err;
  }
  const { path } = temp;
  return { path, digest: counter.digest(), size: counter.size, remove: () => rm(path, { force: true }) };
}

/**
 * Reads a file whose digest and size are already known, failing at its end — before the consumer sees the
 * end of the stream — when the bytes read do not hash to `digest` (the file changed since it was hashed).
 * An upload fed by this stream therefore never completes with bytes other than the content its key names.
 */
export function verifiedFileStream(path: string, digest: string, size: number): Readable {
  const counter = new DigestCounter();
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      counter.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const actual = counter.digest();
      if (actual === digest && counter.size === size) return done();
      const error = new Error(
        `${path} changed while it was being stored: it was ${size} bytes hashing to ${digest} when hashed, ` +
          `then ${counter.size} bytes hashing to ${actual} when uploaded; store it again once it no longer changes`,
      );
      error.name = CONTENT_CHANGED_ERROR;
      done(error);
    },
  });
  // pipeline() passes a read error on to `check`, and closes the file when the consumer gives up early.
  return pipeline(createReadStream(path), check, () => undefined);
}
