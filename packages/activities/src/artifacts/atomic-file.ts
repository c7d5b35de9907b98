import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { syncDirectory } from '../util/durable-file.js';

/** A uniquely named file being written, not yet visible under its final name. */
export interface TempFile {
  readonly path: string;
  readonly handle: FileHandle;
}

/** Creates a new, uniquely named temp file in `dir` (created if missing). */
export async function openTempFile(dir: string): Promise<TempFile> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `.${process.pid}-${randomUUID()}.partial`);
  return { path, handle: await open(path, 'wx') };
}

/** Closes and deletes a temp file; used when a write fails or turns out to be unneeded. */
export async function discardTempFile(temp: TempFile): Promise<void> {
  await temp.handle.close().catch(() => undefined);
  await rm(temp.path, { force: true });
}

/** True when `path` is a regular file of exactly `size` bytes. */
export async function isFileOfSize(path: string, size: number): Promise<boolean> {
  try {
    const stats = await stat(path);
    return stats.isFile() && stats.size === size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/**
 * Makes a fully written temp file visible as `target`: fsync, close, then an atomic `rename`, so readers
 * see the whole object or nothing. When a file of the same size is already at `target` (content-addressed:
 * the same bytes), or appears there while renaming (a concurrent writer of the same content won), the temp
 * file is dropped instead. The temp file never survives this call.
 */
export async function commitTempFile(temp: TempFile, target: string, size: number): Promise<void> {
  try {
    await temp.handle.sync();
    await temp.handle.close();
    if (await isFileOfSize(target, size)) return;
    await mkdir(dirname(target), { recursive: true });
    await renameOrAcceptExisting(temp.path, target, size);
    await syncDirectory(dirname(target));
  } finally {
    await discardTempFile(temp);
  }
}

async function renameOrAcceptExisting(from: string, to: string, size: number): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    // On Windows, replacing a file another process holds open fails; the object is there all the same.
    if (await isFileOfSize(to, size)) return;
    throw err;
  }
}
