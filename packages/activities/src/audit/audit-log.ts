/**
 * The audit log file: append-only, hash-chained JSON lines (see `audit-entry.ts`), safe to append to from many
 * processes at once.
 */
import { mkdir, open, readFile, appendFile, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  chainEntry,
  parseAuditLine,
  serializeAuditEntry,
  type AuditEntry,
  type AuditEntryInput,
} from './audit-entry.js';
import { syncDirectory, writeAll } from '../util/durable-file.js';
import { withLockFile, type LockFileOptions } from '../util/lock-file.js';

/** The audit log's file name inside a Slipway home. */
export const AUDIT_LOG_FILE_NAME = 'audit.log';

/** The default audit log of a Slipway home: `<home>/audit.log`. */
export function defaultAuditLogPath(home: string): string {
  return join(home, AUDIT_LOG_FILE_NAME);
}

/**
 * Somewhere else every appended line is copied to, such as an object store next to the artifacts. A sink is
 * called after the line is durable in the local log, outside the log's lock, so two processes may deliver their
 * lines out of order: a sink should store each line under its `seq` (e.g. `audit/000000000042.json`). A sink
 * that missed lines (it was down) can catch up from {@link readAuditEntries}, and the chain shows any gap.
 */
export interface AuditSink {
  /** A name for error messages, e.g. `s3://bucket/prefix/audit`. */
  readonly name: string;
  /** Stores one appended line (`line` is the exact bytes of the local line, newline included). */
  write(entry: AuditEntry, line: string): Promise<void>;
}

/** Options of {@link openAuditLog}. */
export interface AuditLogOptions {
  /** Mirrors of the log; a failing sink never fails an append (see `onSinkError`). */
  sinks?: readonly AuditSink[];
  /** Told about a sink that failed; by default a process warning is emitted. */
  onSinkError?: (error: unknown, sink: AuditSink, entry: AuditEntry) => void;
  /** The clock of `at`; default the system clock. */
  now?: () => Date;
  /** How long to wait for another process's append, and when its lock counts as abandoned. */
  lock?: LockFileOptions;
}

/** Options of one {@link AuditLog.append}. */
export interface AppendOptions {
  /** Checked under the lock against every entry: when it returns true, nothing is appended. */
  unless?: (entries: readonly AuditEntry[]) => boolean;
}

/** An append-only, hash-chained audit log file. */
export interface AuditLog {
  /** The log file. */
  readonly path: string;
  /**
   * Appends one entry as one line, chained to the last line, and fsyncs it. Returns the entry, or undefined
   * when `options.unless` said it was already there.
   */
  append(input: AuditEntryInput, options?: AppendOptions): Promise<AuditEntry | undefined>;
  /** Every well-formed entry, in file order (lines that do not parse are skipped; `verifyAuditLog` reports them). */
  entries(): Promise<AuditEntry[]>;
}

/**
 * Opens the audit log at `path` (default name {@link AUDIT_LOG_FILE_NAME}); the file and its directory are
 * created by the first append.
 *
 * Each append takes the lock file `<path>.lock`, re-reads the last line to learn `seq` and `prev`, writes the
 * whole new line with one `O_APPEND` write and fsyncs before the lock is released, so lines from concurrent
 * processes always form one chain. A last line cut short by a crash during a write (never acknowledged: the
 * write had not returned) is moved to `<path>.torn` before the next append.
 *
 * ```ts
 * const log = openAuditLog(defaultAuditLogPath('.slipway'));
 * await log.append({ kind: 'alias', model: 'churn', version: 3, data: { alias: 'champion', previous: 2 } });
 * ```
 */
export function openAuditLog(path: string, options: AuditLogOptions = {}): AuditLog {
  const now = options.now ?? (() => new Date());
  const sinks = options.sinks ?? [];
  const onSinkError = options.onSinkError ?? warnSinkError;
  return {
    path,
    async append(input, appendOptions = {}) {
      const entry = await serialized(path, async () => {
        await mkdir(dirname(path), { recursive: true });
        const append = () => appendUnderLock(path, input, now, appendOptions);
        return withLockFile(`${path}.lock`, append, options.lock);
      });
      if (entry === undefined) return undefined;
      const line = serializeAuditEntry(entry);
      for (const sink of sinks) await sink.write(entry, line).catch((err: unknown) => onSinkError(err, sink, entry));
      return entry;
    },
    entries: () => readAuditEntries(path),
  };
}

/** The appends in flight in this process, per log: they queue here and only contend for the lock file across processes. */
const queues = new Map<string, Promise<unknown>>();

function serialized<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const key = resolve(path);
  const run = (queues.get(key) ?? Promise.resolve()).then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return run;
}

/** Every well-formed entry of the log at `path`, in file order; none when the file does not exist. */
export async function readAuditEntries(path: string): Promise<AuditEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .map(parseAuditLine)
    .filter((entry): entry is AuditEntry => entry !== undefined);
}

async function appendUnderLock(
  path: string,
  input: AuditEntryInput,
  now: () => Date,
  options: AppendOptions,
): Promise<AuditEntry | undefined> {
  const existed = await exists(path);
  const handle = await open(path, 'a+');
  try {
    const lastLine = await readLastLine(path, handle);
    const last = lastLine === undefined ? undefined : parseLastLine(path, lastLine);
    if (options.unless?.(await readAuditEntries(path))) return undefined;
    const entry = chainEntry(input, last, now().toISOString());
    await writeAll(handle, Buffer.from(serializeAuditEntry(entry)));
    await handle.sync();
    return entry;
  } finally {
    await handle.close();
    if (!existed) await syncDirectory(dirname(path));
  }
}

function parseLastLine(path: string, line: string): AuditEntry {
  const entry = parseAuditLine(line);
  if (entry === undefined) {
    throw new Error(
      `The audit log ${path} cannot be extended: its last line is not a valid entry. ` +
        'Run `slipway audit verify` to see where it was damaged.',
    );
  }
  return entry;
}

/**
 * The last complete line of the file, without its newline (undefined when the file is empty). An incomplete
 * last line (no newline: a write cut short) is moved to `<path>.torn` and cut off first.
 */
async function readLastLine(path: string, handle: FileHandle): Promise<string | undefined> {
  const size = (await handle.stat()).size;
  let complete = size;
  if (size > 0 && (await readRange(handle, size - 1, size))[0] !== NEWLINE) {
    complete = (await lastNewlineBefore(handle, size)) + 1;
    await setAsideTornTail(path, handle, await readRange(handle, complete, size), complete);
  }
  if (complete === 0) return undefined;
  const start = (await lastNewlineBefore(handle, complete - 1)) + 1;
  return (await readRange(handle, start, complete - 1)).toString('utf8');
}

const NEWLINE = 0x0a;
const CHUNK_BYTES = 16_384;

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

async function setAsideTornTail(path: string, handle: FileHandle, torn: Buffer, keep: number): Promise<void> {
  await appendFile(`${path}.torn`, Buffer.concat([torn, Buffer.from('\n')]));
  await handle.truncate(keep);
  await handle.sync();
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

function warnSinkError(error: unknown, sink: AuditSink, entry: AuditEntry): void {
  const message = error instanceof Error ? error.message : String(error);
  process.emitWarning(`audit sink ${sink.name} did not store line ${entry.seq}: ${message}`, 'SlipwayAuditSink');
}
