/**
 * The SQLite connection under the registry: libsql (a better-sqlite3-style API whose binary ships in its npm
 * package, so installing compiles nothing) behind the few calls the registry makes. Where libsql differs from
 * better-sqlite3 in a way that would change the registry's behaviour, this module keeps better-sqlite3's:
 *
 * - rows from `get()` come without libsql's `_metadata` field;
 * - bound values are checked first (`sqlite-parameters.ts`): a missing, extra or unbindable value throws;
 * - the connection knows its file (libsql leaves `name` empty), and an open failure or an extended result code
 *   libsql cannot name gets its SQLite code name (`SQLITE_CANTOPEN`, `SQLITE_CONSTRAINT`, …);
 * - transactions are begun, committed and rolled back by `runTransaction`, never by libsql's `transaction()`, which
 *   sends ROLLBACK even after SQLite has rolled back by itself, hiding the real error behind "no transaction".
 */
import Libsql from 'libsql';
import { bindable, sqlParameters } from './sqlite-parameters.js';

/** What a write statement changed. */
export interface SqliteRunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

/** A prepared statement; `P` is its parameter list, `R` its row. */
export interface SqliteStatement<P extends unknown[], R> {
  /** The first row, or undefined when there is none. */
  get(...params: P): R | undefined;
  all(...params: P): R[];
  run(...params: P): SqliteRunResult;
}

/** The statement `prepare<P, R>` returns. */
export type StatementOf<P extends unknown[] | object, R> = P extends unknown[]
  ? SqliteStatement<P, R>
  : SqliteStatement<[P], R>;

/** What running SQL scripts in a transaction needs of a connection: the registry's own, or a libsql `Database`. */
export interface SqliteScriptTarget {
  /** The database file as it was opened (libsql's own `Database` leaves it empty). */
  readonly name: string;
  readonly inTransaction: boolean;
  exec(sql: string): unknown;
  prepare(sql: string): { all(): unknown[] };
}

/**
 * An open registry database. `prepare<P, R>` types a statement as better-sqlite3's typings did: `P` is a tuple of
 * positional values, or the object that holds the named ones.
 */
export interface SqliteDatabase extends SqliteScriptTarget {
  readonly memory: boolean;
  prepare<P extends unknown[] | object = unknown[], R = unknown>(sql: string): StatementOf<P, R>;
  exec(sql: string): void;
  close(): void;
}

/** How a transaction takes its locks. */
export type TransactionMode = 'DEFERRED' | 'IMMEDIATE';

/**
 * Opens (creating it if needed) the database at `path` (or `:memory:`); a write waits up to `busyTimeoutMs` for
 * another connection's lock before failing with `SQLITE_BUSY`.
 */
export function openSqliteDatabase(path: string, busyTimeoutMs: number): SqliteDatabase {
  let db: Libsql.Database;
  try {
    db = new Libsql(path, { timeout: busyTimeoutMs });
  } catch (err) {
    throw openFailure(err);
  }
  return {
    name: path,
    memory: db.memory,
    get inTransaction() {
      return db.inTransaction;
    },
    prepare: <P extends unknown[] | object, R>(sql: string) =>
      sqliteCall(() => statement(db, sql) as StatementOf<P, R>),
    exec: (sql) => sqliteCall(() => void db.exec(sql)),
    close: () => void db.close(),
  };
}

function statement(db: Libsql.Database, sql: string): SqliteStatement<unknown[], unknown> {
  const parameters = sqlParameters(sql);
  const prepared = db.prepare<[unknown[] | object]>(sql);
  const bound = (params: unknown[]) => bindable(sql, parameters, params);
  return {
    get: (...params) =>
      sqliteCall(() => {
        const row = prepared.get(bound(params)) as { _metadata?: unknown } | undefined;
        if (row !== undefined) delete row._metadata;
        return row;
      }),
    all: (...params) => sqliteCall(() => prepared.all(bound(params))),
    run: (...params) =>
      sqliteCall(() => {
        const { changes, lastInsertRowid } = prepared.run(bound(params));
        return { changes, lastInsertRowid };
      }),
  };
}

/**
 * Runs `fn` in one transaction: COMMIT when it returns, ROLLBACK (when SQLite has not already rolled back) when
 * it throws, and the error is rethrown as it was.
 */
export function runTransaction<T>(db: SqliteScriptTarget, mode: TransactionMode, fn: () => T): T {
  db.exec(`BEGIN ${mode}`);
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

/** `runTransaction` for work that awaits inside the transaction (nothing else may use the connection meanwhile). */
export async function runTransactionAsync<T>(
  db: SqliteScriptTarget,
  mode: TransactionMode,
  fn: () => Promise<T>,
): Promise<T> {
  db.exec(`BEGIN ${mode}`);
  try {
    const result = await fn();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

/** The file a connection is on: its `name`, else what SQLite reports for `main` (`:memory:` when none). */
export function databaseFile(db: SqliteScriptTarget): string {
  if (db.name !== '') return db.name;
  const [main] = db.prepare("SELECT file FROM pragma_database_list WHERE name = 'main'").all() as { file?: unknown }[];
  return typeof main?.file === 'string' && main.file !== '' ? main.file : ':memory:';
}

// SQLite's primary result codes, by number (an extended code is a primary code plus a multiple of 256).
const PRIMARY_CODES = [
  'OK', 'ERROR', 'INTERNAL', 'PERM', 'ABORT', 'BUSY', 'LOCKED', 'NOMEM', 'READONLY', 'INTERRUPT', 'IOERR', 'CORRUPT',
  'NOTFOUND', 'FULL', 'CANTOPEN', 'PROTOCOL', 'EMPTY', 'SCHEMA', 'TOOBIG', 'CONSTRAINT', 'MISMATCH', 'MISUSE',
  'NOLFS', 'AUTH', 'FORMAT', 'RANGE', 'NOTADB', 'NOTICE', 'WARNING',
] as const; // prettier-ignore

const SQLITE_CANTOPEN = 14;

function codeName(code: number): string {
  return `SQLITE_${PRIMARY_CODES[code & 0xff] ?? 'ERROR'}`;
}

/** Runs a libsql call; an extended result code libsql cannot name (`UNKNOWN_SQLITE_ERROR_3091`) gets its name. */
function sqliteCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    const unknown = typeof code === 'string' ? /^UNKNOWN_SQLITE_ERROR_(\d+)$/.exec(code) : null;
    if (unknown !== null) Object.assign(err as object, { code: codeName(Number(unknown[1])) });
    throw err;
  }
}

/**
 * libsql reports a file it cannot open as `ConnectionFailed("Unable to open connection to local database <path>:
 * 14")` with an empty code; this is SQLite's own message and code for it.
 */
function openFailure(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const raw = /: (\d+)"?\)?$/.exec(err.message)?.[1];
  const code = raw === undefined ? SQLITE_CANTOPEN : Number(raw);
  const message = code === SQLITE_CANTOPEN ? 'unable to open database file' : err.message;
  return Object.assign(new Error(message, { cause: err }), { code: codeName(code) });
}
