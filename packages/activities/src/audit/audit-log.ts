/**
 * The audit log file: append-only, hash-chained, signed JSON lines (see `audit-entry.ts`), safe to append to
 * from many processes at once.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  chainEntry,
  parseAuditLine,
  serializeAuditEntry,
  type AuditEntry,
  type AuditEntryInput,
} from './audit-entry.js';
import { loadAuditSigner, type AuditSigner } from './audit-key.js';
import { readTail, readTailOf, setAsideTornTail, tornRepairEntry, type TornTail } from './audit-tail.js';
import { syncDirectory, writeAll } from '../util/durable-file.js';
import { withLockFile, type LockFileOptions } from '../util/lock-file.js';
import { runSerially } from '../util/serial-queue.js';

/** The audit log's file name inside a Slipway home. */
export const AUDIT_LOG_FILE_NAME = 'audit.log';

/** The default audit log of a Slipway home: `<home>/audit.log`. */
export function defaultAuditLogPath(home: string): string {
  return join(home, AUDIT_LOG_FILE_NAME);
}

/**
 * The id a new log takes, in its lines' `log` field and as its name in mirrors and the registry:
 * `<host>-<8 hex of the log's absolute path>`. A log keeps the id of its first signed line when it moves.
 */
export function defaultAuditLogId(logPath: string): string {
  const digest = createHash('sha256').update(resolve(logPath)).digest('hex').slice(0, 8);
  return `${hostname().replace(/[^A-Za-z0-9._-]/g, '_')}-${digest}`;
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
  /** The secret key file that signs lines (created with mode 0600 on first use); default `<log's directory>/audit-key.pem`. */
  keyFile?: string;
  /** A signer to use instead of loading `keyFile`. */
  signer?: AuditSigner;
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
  /**
   * Checked under the lock against every entry: an entry it returns (the line a crashed attempt of the same
   * change already wrote) is returned instead of appending a new one.
   */
  reuse?: (entries: readonly AuditEntry[]) => AuditEntry | undefined;
}

/** What {@link AuditLog.repair} did. */
export interface AuditRepair {
  /** False when there was nothing to repair. */
  repaired: boolean;
  /** The torn last line that was set aside into `<log>.torn`. */
  torn?: { offset: number; bytes: number };
  /** The `repair` entry that records it. */
  entry?: AuditEntry;
}

/** An append-only, hash-chained, signed audit log file. */
export interface AuditLog {
  /** The log file. */
  readonly path: string;
  /** The key file that signs its lines. */
  readonly keyFile: string;
  /**
   * Appends one entry as one signed line, chained to the last line, and fsyncs it; returns it (or the entry
   * `options.reuse` found). A torn last line is first set aside and recorded by a `repair` entry.
   */
  append(input: AuditEntryInput, options?: AppendOptions): Promise<AuditEntry>;
  /** Every well-formed entry, in file order (lines that do not parse are skipped; `verifyAuditLog` reports them). */
  entries(): Promise<AuditEntry[]>;
  /** The last complete line's entry (undefined for an empty log); throws when that line is not an entry. */
  last(): Promise<AuditEntry | undefined>;
  /** The log's id: its lines' `log`, or {@link defaultAuditLogId} for a log without signed lines. */
  id(): Promise<string>;
  /** The signer (the key file is loaded, or created, on first use). */
  signer(): Promise<AuditSigner>;
  /** Sets a torn last line aside into `<log>.torn` and records that with a `repair` entry; nothing when there is none. */
  repair(options?: { actor?: string }): Promise<AuditRepair>;
}

/**
 * Opens the audit log at `path` (default name {@link AUDIT_LOG_FILE_NAME}); the file and its directory are
 * created by the first append.
 *
 * Each append takes the lock file `<path>.lock`, re-reads the last line to learn `seq`, `prev` and the log's id,
 * writes the whole new line with one `O_APPEND` write and fsyncs before the lock is released, so lines from
 * concurrent processes always form one chain. A last line cut short by a crash during a write (never
 * acknowledged: the write had not returned) is never extended: it is moved to `<path>.torn` and a `repair` entry
 * recording that (offset, size, digest) is appended before the new line.
 *
 * ```ts
 * const log = openAuditLog(defaultAuditLogPath('.slipway'), { keyFile: '.slipway/audit-key.pem' });
 * await log.append({ kind: 'alias', model: 'churn', version: 3, data: { alias: 'champion', previous: 2 } });
 * ```
 */
export function openAuditLog(path: string, options: AuditLogOptions = {}): AuditLog {
  const keyFile = options.signer?.path ?? options.keyFile ?? join(dirname(path), 'audit-key.pem');
  const now = options.now ?? (() => new Date());
  let signer: Promise<AuditSigner> | undefined = options.signer ? Promise.resolve(options.signer) : undefined;
  const getSigner = (): Promise<AuditSigner> => {
    signer ??= loadAuditSigner(keyFile).catch((err: unknown) => {
      signer = undefined;
      throw err;
    });
    return signer;
  };
  const locked = <T>(fn: (signer: AuditSigner) => Promise<T>): Promise<T> =>
    // Appends in this process queue here and only contend for the lock file across processes.
    runSerially(`audit-log:${resolve(path)}`, async () => {
      const signer = await getSigner();
      await mkdir(dirname(path), { recursive: true });
      return withLockFile(`${path}.lock`, () => fn(signer), options.lock);
    });
  const deliver = async (written: readonly AuditEntry[]) => {
    for (const entry of written) {
      const line = serializeAuditEntry(entry);
      for (const sink of options.sinks ?? []) {
        await sink.write(entry, line).catch((err: unknown) => (options.onSinkError ?? warnSinkError)(err, sink, entry));
      }
    }
  };
  const last = async () => {
    const { lastLine } = await readTailOf(path);
    return lastLine === undefined ? undefined : parseLastLine(path, lastLine);
  };
  return {
    path,
    keyFile,
    async append(input, appendOptions = {}) {
      const { result, written } = await locked((signer) =>
        underLock(path, { signer, now, by: 'append' }, async (log) => {
          const reused = appendOptions.reuse?.(await readAuditEntries(path));
          return reused ?? log.write(input);
        }),
      );
      await deliver(written);
      return result;
    },
    async repair(repairOptions = {}) {
      const by = { by: 'repair', actor: repairOptions.actor } as const;
      const { repair, written } = await locked((signer) =>
        underLock(path, { signer, now, ...by }, () => Promise.resolve()),
      );
      await deliver(written);
      return repair === undefined ? { repaired: false } : { repaired: true, torn: repair.torn, entry: repair.entry };
    },
    entries: () => readAuditEntries(path),
    last,
    id: async () => (await last())?.log ?? defaultAuditLogId(path),
    signer: getSigner,
  };
}

/** The log under its lock: a way to write the next line, chained and signed. */
interface LockedLog {
  write(input: AuditEntryInput): Promise<AuditEntry>;
}

/** Who sets a torn tail aside: an append that found it, or an explicit repair (by someone). */
interface LockSettings {
  signer: AuditSigner;
  now: () => Date;
  by: 'append' | 'repair';
  actor?: string | undefined;
}

interface LockedResult<T> {
  result: T;
  /** Every line written, in order (for the sinks). */
  written: AuditEntry[];
  /** The torn tail set aside, and the `repair` entry that records it. */
  repair?: { entry: AuditEntry; torn: { offset: number; bytes: number } };
}

/** Runs `fn` on the open log, under the lock, after setting a torn tail aside and recording it; fsyncs what was written. */
async function underLock<T>(
  path: string,
  settings: LockSettings,
  fn: (log: LockedLog) => Promise<T>,
): Promise<LockedResult<T>> {
  const existed = await exists(path);
  const handle = await open(path, 'a+');
  const written: AuditEntry[] = [];
  try {
    const tail = await readTail(handle);
    let last = tail.lastLine === undefined ? undefined : parseLastLine(path, tail.lastLine);
    const log: LockedLog = {
      async write(input) {
        const signing = { signer: settings.signer, logId: last?.log ?? defaultAuditLogId(path) };
        const entry = chainEntry(input, last, settings.now().toISOString(), signing);
        await writeAll(handle, Buffer.from(serializeAuditEntry(entry)));
        written.push(entry);
        last = entry;
        return entry;
      },
    };
    const repair = tail.torn === undefined ? undefined : await setAside(path, handle, tail.torn, log, settings);
    const result = await fn(log);
    if (written.length > 0) await handle.sync();
    return { result, written, ...(repair ? { repair } : {}) };
  } finally {
    await handle.close();
    if (!existed) await syncDirectory(dirname(path));
  }
}

async function setAside(
  path: string,
  handle: FileHandle,
  torn: TornTail,
  log: LockedLog,
  settings: LockSettings,
): Promise<NonNullable<LockedResult<unknown>['repair']>> {
  await setAsideTornTail(path, handle, torn);
  const entry = await log.write(tornRepairEntry(path, torn, settings.by, settings.actor));
  return { entry, torn: { offset: torn.offset, bytes: torn.bytes.length } };
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
