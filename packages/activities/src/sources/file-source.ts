import { open, type FileHandle } from 'node:fs/promises';
import { addAbortSignal, type Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import type { ByteSource } from './byte-source.js';
import { accessDenied, checkOffset, checkRange, messageOf, pastTheEnd } from './source-errors.js';

/** The chunk size of file streams: large enough for fast hashing and parsing of multi-gigabyte files. */
export const FILE_STREAM_CHUNK_BYTES = 512 * 1024;

/**
 * A `ByteSource` for a local file named by a `file://` URI. Every call opens the file anew, so the source
 * holds no descriptor between calls. A missing file fails with `SlipwayNotFound`, a directory or a bad
 * URI with `SlipwayInvalidInput`, a file this process may not read with `SlipwayAccessDenied`, each
 * naming the path.
 *
 * ```ts
 * const source = createFileByteSource('file:///data/churn.csv');
 * const footer = await source.read((await source.size()) - 8, await source.size());
 * for await (const chunk of await source.stream({ start: 1024 })) process(chunk);
 * ```
 */
export function createFileByteSource(uri: string): ByteSource {
  const path = filePathOf(uri);
  return {
    uri,
    displayName: path,
    size: async () => withFile(path, (_handle, size) => Promise.resolve(size)),
    stream: async (options = {}) => streamFile(path, options.start ?? 0, options.signal),
    read: async (start, end) => readFileRange(path, start, end),
  };
}

function filePathOf(uri: string): string {
  try {
    return fileURLToPath(uri);
  } catch (err) {
    throw finalFailure(SlipwayErrorType.InvalidInput, `${uri} does not name a local file: ${messageOf(err)}`, {
      uri,
    });
  }
}

/** Opens a regular file for reading and passes its handle and size to `use`; closes it afterwards. */
async function withFile<T>(path: string, use: (handle: FileHandle, size: number) => Promise<T>): Promise<T> {
  const { handle, size } = await openRegularFile(path);
  try {
    return await use(handle, size);
  } finally {
    await handle.close();
  }
}

async function openRegularFile(path: string): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw fileFailure(err, path);
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw finalFailure(SlipwayErrorType.InvalidInput, `Dataset ${path} is not a regular file`, { path });
  }
  return { handle, size: stats.size };
}

/** Maps an `open` error to a failure that names the file; unknown errors pass through (and are retried). */
function fileFailure(err: unknown, path: string): unknown {
  switch ((err as NodeJS.ErrnoException | undefined)?.code ?? '') {
    case 'ENOENT':
    case 'ENOTDIR':
      return finalFailure(SlipwayErrorType.NotFound, `Dataset file ${path} does not exist`, { path });
    case 'EISDIR':
      return finalFailure(SlipwayErrorType.InvalidInput, `Dataset ${path} is not a regular file`, { path });
    case 'EACCES':
    case 'EPERM':
      return accessDenied(`Permission denied reading the dataset file ${path}`, { path });
    default:
      return err;
  }
}

async function streamFile(path: string, start: number, signal: AbortSignal | undefined): Promise<Readable> {
  checkOffset(path, start);
  signal?.throwIfAborted();
  const { handle, size } = await openRegularFile(path);
  if (start > size) {
    await handle.close();
    throw pastTheEnd(path, start, start, size);
  }
  // The stream owns the handle from here and closes it when it ends, fails or is destroyed.
  const stream = handle.createReadStream({ start, highWaterMark: FILE_STREAM_CHUNK_BYTES, autoClose: true });
  return signal === undefined ? stream : addAbortSignal(signal, stream);
}

async function readFileRange(path: string, start: number, end: number): Promise<Uint8Array> {
  checkRange(path, start, end);
  return withFile(path, async (handle, size) => {
    if (end > size) throw pastTheEnd(path, start, end, size);
    const buffer = Buffer.allocUnsafe(end - start);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
      if (bytesRead === 0) throw pastTheEnd(path, start, end, start + filled); // truncated meanwhile
      filled += bytesRead;
    }
    return buffer;
  });
}
