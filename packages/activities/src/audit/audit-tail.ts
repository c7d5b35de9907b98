/**
 * The end of an audit log file: its last complete line, and a last line cut short by a crash during a write
 * (no newline), which is set aside into `<log>.torn` rather than extended.
 */
import { appendFile, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { sha256Digest } from '../util/digest.js';
import type { AuditEntryInput } from './audit-entry.js';

/** A last line without its newline: a write that a crash cut short (never acknowledged), or a cut. */
export interface TornTail {
  /** Where it starts in the file (the length of the file without it). */
  offset: number;
  bytes: Buffer;
}

/** The end of a log file. */
export interface LogTail {
  /** The last complete line, without its newline (undefined when there is none). */
  lastLine?: string;
  torn?: TornTail;
}

const NEWLINE = 0x0a;
const CHUNK_BYTES = 16_384;

/** Reads the end of the file behind `handle`, backwards in chunks: never the whole file. */
export async function readTail(handle: FileHandle): Promise<LogTail> {
  const size = (await handle.stat()).size;
  if (size === 0) return {};
  let complete = size;
  let torn: TornTail | undefined;
  if ((await readRange(handle, size - 1, size))[0] !== NEWLINE) {
    complete = (await lastNewlineBefore(handle, size)) + 1;
    torn = { offset: complete, bytes: await readRange(handle, complete, size) };
  }
  if (complete === 0) return torn ? { torn } : {};
  const start = (await lastNewlineBefore(handle, complete - 1)) + 1;
  const lastLine = (await readRange(handle, start, complete - 1)).toString('utf8');
  return torn ? { lastLine, torn } : { lastLine };
}

/** The end of the log at `path`, read without any lock; an empty tail when the file does not exist. */
export async function readTailOf(path: string): Promise<LogTail> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  try {
    return await readTail(handle);
  } finally {
    await handle.close();
  }
}

/** Where torn tails of the log at `path` are kept: `<path>.torn`. */
export function tornFileOf(path: string): string {
  return `${path}.torn`;
}

/** Appends the torn bytes (and a newline) to `<path>.torn`, then cuts them off the log and fsyncs it. */
export async function setAsideTornTail(path: string, handle: FileHandle, torn: TornTail): Promise<void> {
  await appendFile(tornFileOf(path), Buffer.concat([torn.bytes, Buffer.from('\n')]));
  await handle.truncate(torn.offset);
  await handle.sync();
}

/** The `repair` entry that records a torn tail set aside. */
export function tornRepairEntry(
  path: string,
  torn: TornTail,
  by: 'append' | 'repair',
  actor?: string,
): AuditEntryInput {
  return {
    kind: 'repair',
    actor,
    data: {
      action: 'set-aside',
      reason: 'the last line had no newline: a write cut short by a crash, never acknowledged',
      by,
      file: basename(tornFileOf(path)),
      offset: torn.offset,
      bytes: torn.bytes.length,
      digest: sha256Digest(torn.bytes),
    },
  };
}

/** The position of the last newline before `end`, or -1; reads backwards in chunks. */
async function lastNewlineBefore(handle: FileHandle, end: number): Promise<number> {
  for (let position = end; position > 0;) {
    const start = Math.max(0, position - CHUNK_BYTES);
    const index = (await readRange(handle, start, position)).lastIndexOf(NEWLINE);
    if (index !== -1) return start + index;
    position = start;
  }
  return -1;
}

async function readRange(handle: FileHandle, start: number, end: number): Promise<Buffer> {
  const buffer = Buffer.alloc(end - start);
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}
