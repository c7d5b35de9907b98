/**
 * One connection to the SQLite registry file: every call queued (an audited mutation keeps its transaction open
 * while its audit line is written, so nothing else may use the connection meanwhile), reads in one snapshot,
 * writes in one `BEGIN IMMEDIATE` transaction, and every SQLite error naming the file.
 */
import { resolve } from 'node:path';
import type { AuditHead, AuditRecorder, PlannedMutation } from '../ports.js';
import { runSerially } from '../util/serial-queue.js';
import { runTransaction, runTransactionAsync, type SqliteDatabase } from './sqlite-database.js';

/** A mutation checked inside its transaction: what it will change (when it changes something), and how to apply it. */
export interface PreparedMutation<T> {
  /** What will change; absent when nothing will (a retry, an alias already there): no audit line then. */
  planned?: PlannedMutation;
  /** Writes the change, with the head of its audit line (null when unaudited or nothing changes). */
  apply(head: AuditHead | null): T;
}

/** A prepared mutation that changes nothing and returns `result`. */
export function unchanged<T>(result: T): PreparedMutation<T> {
  return { apply: () => result };
}

/** The calls of the registry on its connection. */
export interface SqliteConnection {
  /** Runs `fn` in one read transaction (one snapshot). */
  read: <T>(fn: () => T) => Promise<T>;
  /** Validates (before the write lock), then runs `mutate` in one `BEGIN IMMEDIATE` transaction. */
  write: <I, T>(validate: () => I, mutate: (valid: I) => T) => Promise<T>;
  /**
   * Like `write` for an auditable mutation: inside the transaction `prepare` says what will change; when it
   * changes something and `audit` is given, the audit line is written (the transaction, and so the registry's
   * write lock, stays open meanwhile) and the change is applied with the line's head, then `recordHead` runs —
   * all in the one transaction. A failing `audit` rolls everything back.
   */
  mutate: <I, T>(
    validate: () => I,
    prepare: (valid: I) => PreparedMutation<T>,
    audit: AuditRecorder | undefined,
    recordHead: (head: AuditHead) => void,
  ) => Promise<T>;
  close: () => Promise<void>;
}

let memoryConnections = 0;

/** Wraps an open database. */
export function sqliteConnection(db: SqliteDatabase): SqliteConnection {
  let open = true;
  // An audited mutation awaits its audit line inside its transaction; meanwhile no other call may use this
  // connection, and no other connection to the same file in this process may block the event loop waiting for the
  // write lock (SQLite calls wait synchronously): calls queue per file.
  const key = `sqlite-registry:${db.memory ? `:memory:${++memoryConnections}` : resolve(db.name)}`;
  const exclusive = <T>(fn: () => T | Promise<T>): Promise<T> =>
    runSerially(key, async () => {
      if (!open) throw new Error(`The SQLite registry at ${db.name} is closed`);
      try {
        return await fn();
      } catch (err) {
        throw nameSqliteError(err, db.name);
      }
    });
  return {
    read: (fn) => exclusive(() => runTransaction(db, 'DEFERRED', fn)),
    write: (validate, mutate) =>
      exclusive(() => {
        const valid = validate();
        return runTransaction(db, 'IMMEDIATE', () => mutate(valid));
      }),
    mutate: (validate, prepare, audit, recordHead) =>
      exclusive(async () => {
        const valid = validate();
        if (audit === undefined) return runTransaction(db, 'IMMEDIATE', () => prepare(valid).apply(null));
        return runTransactionAsync(db, 'IMMEDIATE', async () => {
          const prepared = prepare(valid);
          const head = prepared.planned === undefined ? null : await audit(prepared.planned);
          const result = prepared.apply(head);
          if (head !== null) recordHead(head);
          return result;
        });
      }),
    close: () =>
      exclusive(() => {
        db.close();
        open = false;
      }).catch(() => undefined),
  };
}

const UNREADABLE_CODES: ReadonlySet<string> = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_IOERR_SHORT_READ']);

/**
 * An SQLite error with the registry file in its message (the code and the original error kept); any other
 * error as it is. A file that is not a database, or is corrupt, gets what to do about it.
 */
export function nameSqliteError(err: unknown, path: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (!(err instanceof Error) || typeof code !== 'string' || !code.startsWith('SQLITE_')) return err;
  if (err.message.includes(path)) return err;
  const advice = UNREADABLE_CODES.has(code)
    ? ': restore it from a backup, or move it aside to start a new registry'
    : '';
  return Object.assign(
    new Error(`The SQLite registry ${path} failed: ${err.message} (${code})${advice}`, { cause: err }),
    {
      code,
    },
  );
}
