import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ArtifactRef } from '@slipway/sdk';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import type { ArtifactStore, PutOptions } from '../ports.js';
import { sha256Digest } from '../util/digest.js';
import {
  DEFAULT_MEDIA_TYPE,
  JSON_MEDIA_TYPE,
  digestMismatch,
  jsonBytes,
  parseJsonArtifact,
} from './artifact-common.js';
import { writeAll } from '../util/durable-file.js';
import { commitTempFile, discardTempFile, isFileOfSize, openTempFile } from './atomic-file.js';
import type { TempFile } from './atomic-file.js';
import type { FsStoreLayout } from './fs-layout.js';
import { checkObjectExtension, fileUri, fsStoreLayout, objectPath, pathOfRef } from './fs-layout.js';

/**
 * The embedded artifact store: content-addressed files under `root`, at
 * `<root>/sha256/<first 2 hex>/<64 hex>` (followed by the `extension` a put asks for, e.g. `.csv.gz`),
 * referenced by their `file://` URI.
 *
 * - Writes go to a unique temp file under `<root>/tmp`, hashed as they are written (`putFile` and
 *   `putStream` never hold the bytes in memory), are fsynced, then renamed into place: a reader never sees
 *   a partial object, and concurrent writers of the same bytes leave exactly one object.
 * - Storing content that is already there is a no-op returning the same reference.
 * - Every read re-hashes the bytes: a corrupted object fails with `SlipwayDigestMismatch`, a missing one
 *   with `SlipwayNotFound`. A reference whose `uri` is not where its digest lives under `root` is refused.
 *
 * ```ts
 * const store = createFsArtifactStore('.slipway/artifacts');
 * const ref = await store.putJson({ weights: [0.1, 0.2] });
 * const model = await store.getJson<{ weights: number[] }>(ref);
 * ```
 */
export function createFsArtifactStore(root: string): ArtifactStore {
  const layout = fsStoreLayout(root);
  // Every method is async so that every failure, even a synchronous one, arrives as a rejection.
  return {
    putBytes: async (bytes, options) => putBytes(layout, bytes, options),
    putJson: async (value) => putBytes(layout, jsonBytes(value), { mediaType: JSON_MEDIA_TYPE }),
    putFile: async (path, options) => putFile(layout, path, options),
    putStream: async (source, options) => putChunks(layout, source, options),
    getBytes: async (ref) => getBytes(layout, ref),
    async getJson<T = unknown>(ref: Pick<ArtifactRef, 'uri' | 'digest'>): Promise<T> {
      return parseJsonArtifact(await getBytes(layout, ref), ref.digest) as T;
    },
  };
}

function makeRef(path: string, digest: string, size: number, options: PutOptions | undefined): ArtifactRef {
  return { uri: fileUri(path), digest, size, mediaType: options?.mediaType ?? DEFAULT_MEDIA_TYPE };
}

async function putBytes(layout: FsStoreLayout, bytes: Uint8Array, options?: PutOptions): Promise<ArtifactRef> {
  const digest = sha256Digest(bytes);
  const target = objectPath(layout, digest, options?.extension);
  if (!(await isFileOfSize(target, bytes.length))) {
    const temp = await openTempFile(layout.tempDir);
    await writeOrDiscard(temp, () => writeAll(temp.handle, bytes));
    await commitTempFile(temp, target, bytes.length);
  }
  return makeRef(target, digest, bytes.length, options);
}

async function putFile(layout: FsStoreLayout, source: string, options?: PutOptions): Promise<ArtifactRef> {
  try {
    return await putChunks(layout, createReadStream(source), options);
  } catch (err) {
    if (isNoEntry(err)) {
      throw finalFailure(SlipwayErrorType.NotFound, `Cannot store file ${source}: it does not exist`, { path: source });
    }
    throw err;
  }
}

/**
 * Writes chunks to a temp file, hashing as it goes, then commits the temp file under its digest. The
 * extension is checked before anything is written; a failing source leaves nothing behind.
 */
async function putChunks(
  layout: FsStoreLayout,
  source: AsyncIterable<Uint8Array>,
  options?: PutOptions,
): Promise<ArtifactRef> {
  checkObjectExtension(options?.extension);
  const { temp, digest, size } = await writeHashing(source, () => openTempFile(layout.tempDir));
  const target = objectPath(layout, digest, options?.extension);
  await commitTempFile(temp, target, size);
  return makeRef(target, digest, size, options);
}

async function writeOrDiscard<T>(temp: TempFile, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    await discardTempFile(temp);
    throw err;
  }
}

/**
 * Streams the chunks into a temp file one by one, hashing as it goes. Consumption starts at once, before
 * the temp file is opened, so a stream that fails early reports to this loop rather than to nobody.
 */
async function writeHashing(
  source: AsyncIterable<Uint8Array>,
  openTemp: () => Promise<TempFile>,
): Promise<{ temp: TempFile; digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  let temp: TempFile | undefined;
  try {
    for await (const chunk of source) {
      temp ??= await openTemp();
      hash.update(chunk);
      await writeAll(temp.handle, chunk);
      size += chunk.length;
    }
    temp ??= await openTemp();
  } catch (err) {
    if (temp !== undefined) await discardTempFile(temp);
    throw err;
  }
  return { temp, digest: `sha256:${hash.digest('hex')}`, size };
}

async function getBytes(layout: FsStoreLayout, ref: Pick<ArtifactRef, 'uri' | 'digest'>): Promise<Buffer> {
  const path = pathOfRef(layout, ref);
  const bytes = await readObject(layout, path, ref.digest);
  const actual = sha256Digest(bytes);
  if (actual !== ref.digest) throw digestMismatch(path, ref.digest, actual);
  return bytes;
}

async function readObject(layout: FsStoreLayout, path: string, digest: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    if (!isNoEntry(err)) throw err;
    throw finalFailure(
      SlipwayErrorType.NotFound,
      `Artifact ${digest} was not found in the artifact store at ${layout.root} (looked for ${path})`,
      { digest, path },
    );
  }
}

function isNoEntry(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
