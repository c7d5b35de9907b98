/**
 * The registry's SQLite connection keeps better-sqlite3's behaviour where libsql's differs: rows without libsql's
 * `_metadata`, bound values checked (libsql binds a missing value as NULL and aborts the process on a boolean or a
 * Buffer), transactions that rethrow the real error, SQLite code names for open failures and unnamed extended codes.
 */
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteRegistry, userVersion } from '../../../packages/activities/src/registry/index.js';
import {
  databaseFile,
  openSqliteDatabase,
  runTransaction,
  runTransactionAsync,
  type SqliteDatabase,
} from '../../../packages/activities/src/registry/sqlite-database.js';
import { sqlParameters } from '../../../packages/activities/src/registry/sqlite-parameters.js';

let dir: string;
let db: SqliteDatabase;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-sqlite-database-'));
  db = openSqliteDatabase(join(dir, 'test.db'), 1_000);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INTEGER) STRICT');
  db.prepare<[number, string, number | null]>('INSERT INTO t (id, name, n) VALUES (?, ?, ?)').run(1, 'a', 10);
});
afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

function failure(fn: () => unknown): Error & { code?: unknown } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: unknown };
  }
  throw new Error('expected a failure');
}

describe('rows', () => {
  it('come from get() with exactly the selected columns (no _metadata), and undefined when there is none', () => {
    const get = db.prepare<[string], { id: number; name: string; n: number | null }>(
      'SELECT id, name, n FROM t WHERE name = ?',
    );
    const row = get.get('a');
    expect(row).toEqual({ id: 1, name: 'a', n: 10 });
    expect(Object.keys(row ?? {})).toEqual(['id', 'name', 'n']);
    expect(get.get('nobody')).toBeUndefined();
    expect(db.prepare('SELECT id, name FROM t').all()).toEqual([{ id: 1, name: 'a' }]);
  });

  it('report what a write changed', () => {
    const result = db.prepare<[string]>('INSERT INTO t (name) VALUES (?)').run('b');
    expect(result).toEqual({ changes: 1, lastInsertRowid: 2 });
  });
});

describe('bound values', () => {
  const insert = () =>
    db.prepare<{ id: number; name: string; n: number | null }>('INSERT INTO t (id, name, n) VALUES (@id, @name, @n)');

  it('binds named values from one object (extra keys ignored) and a lone positional null', () => {
    insert().run({ id: 2, name: 'b', n: null, extra: true } as { id: number; name: string; n: null });
    expect(db.prepare('SELECT id, name, n FROM t WHERE id = 2').all()).toEqual([{ id: 2, name: 'b', n: null }]);
    expect(db.prepare<[null]>('SELECT ? AS v').get(null)).toEqual({ v: null });
  });

  it('refuses a missing named value instead of binding NULL', () => {
    const partial = { id: 2, name: 'b' } as unknown as { id: number; name: string; n: null };
    expect(() => insert().run(partial)).toThrow('Missing named parameter "n" of statement "INSERT INTO t');
    expect(db.prepare('SELECT COUNT(*) AS c FROM t').get()).toEqual({ c: 1 });
  });

  it('refuses too few or too many positional values', () => {
    const select = db.prepare<unknown[]>('SELECT name FROM t WHERE id = ? AND name = ?');
    expect(() => select.get(1)).toThrow('takes 2 parameter value(s), but 1 were given');
    expect(() => select.all(1, 'a', 'extra')).toThrow('takes 2 parameter value(s), but 3 were given');
  });

  it('refuses a boolean, a Buffer, undefined or an object with a TypeError (libsql would abort the process)', () => {
    const select = db.prepare<unknown[]>('SELECT ? AS v');
    expect(() => select.get(true)).toThrow(
      /binds only strings, numbers, bigints and null: parameter 1 .* is a boolean/,
    );
    expect(() => select.get(Buffer.from('x'))).toThrow(/is a Buffer/);
    expect(() => select.get(undefined)).toThrow(/is undefined/);
    expect(() => select.get({})).toThrow(/is a object/);
    expect(() =>
      insert().run({ id: 2, name: 'b', n: false } as unknown as { id: number; name: string; n: null }),
    ).toThrow(/parameter "n" of statement .* is a boolean/);
  });

  it('refuses named values given positionally', () => {
    const values = [2, 'b', null] as unknown as [{ id: number; name: string; n: null }];
    expect(() => insert().run(...values)).toThrow('takes its named parameters from one object');
  });
});

describe('sqlParameters', () => {
  it('counts ? and names @, : and $ parameters, skipping literals, quoted names and comments', () => {
    expect(sqlParameters('SELECT \'?\', "@x", [?] -- ? @y\n, ? /* :z */ FROM t WHERE a = ?')).toEqual({
      positional: 2,
      named: [],
    });
    expect(sqlParameters("SELECT @a, :b, $c, @a, 'it''s @no' FROM t WHERE x@y")).toEqual({
      positional: 0,
      named: ['a', 'b', 'c'],
    });
  });

  it('refuses numbered ? parameters and a mix of ? and named ones', () => {
    expect(() => sqlParameters('SELECT ?1')).toThrow('does not bind numbered ?NNN parameters');
    expect(() => db.prepare('SELECT ?, @a')).toThrow('does not bind both ? and named parameters');
  });
});

describe('transactions', () => {
  it('commit what the function wrote, and roll it back when it throws', () => {
    runTransaction(db, 'IMMEDIATE', () => db.exec("INSERT INTO t (name) VALUES ('b')"));
    expect(() =>
      runTransaction(db, 'IMMEDIATE', () => {
        db.exec("INSERT INTO t (name) VALUES ('c')");
        throw new Error('changed my mind');
      }),
    ).toThrow('changed my mind');
    expect(db.inTransaction).toBe(false);
    expect(db.prepare('SELECT name FROM t ORDER BY id').all()).toEqual([{ name: 'a' }, { name: 'b' }]);
  });

  it('rethrow the real error when SQLite has already rolled back (libsql’s transaction() would not)', async () => {
    db.exec("CREATE TRIGGER no_z BEFORE INSERT ON t WHEN NEW.name = 'z' BEGIN SELECT RAISE(ROLLBACK, 'no z'); END");
    const insertZ = () => db.exec("INSERT INTO t (name) VALUES ('z')");
    expect(() => runTransaction(db, 'IMMEDIATE', insertZ)).toThrow('no z');
    await expect(runTransactionAsync(db, 'IMMEDIATE', () => Promise.resolve(insertZ()))).rejects.toThrow('no z');
    expect(db.inTransaction).toBe(false);
    const raw = new Database(join(dir, 'test.db'));
    try {
      const viaLibsql = raw.transaction(() => raw.exec("INSERT INTO t (name) VALUES ('z')"));
      expect(() => viaLibsql.immediate()).toThrow('cannot rollback - no transaction is active');
    } finally {
      raw.close();
    }
  });
});

describe('errors and names', () => {
  it('names an extended result code libsql cannot name by its primary code', () => {
    const insert = db.prepare<unknown[]>('INSERT INTO t (id, name, n) VALUES (?, ?, ?)');
    const wrongType = failure(() => insert.run(2, 'b', 'not a number'));
    expect(wrongType.message).toBe('cannot store TEXT value in INTEGER column t.n');
    expect(wrongType.code).toBe('SQLITE_CONSTRAINT');
    expect(failure(() => insert.run(1, 'dup', null)).code).toBe('SQLITE_CONSTRAINT_PRIMARYKEY');
  });

  it('reports a file it cannot open as SQLite does, and the registry names the file', () => {
    const cannotOpen = failure(() => openSqliteDatabase(dir, 100));
    expect(cannotOpen.message).toBe('unable to open database file');
    expect(cannotOpen.code).toBe('SQLITE_CANTOPEN');
    expect(() => openSqliteRegistry(dir)).toThrow(
      `The SQLite registry ${dir} failed: unable to open database file (SQLITE_CANTOPEN)`,
    );
  });

  it('knows its file, and finds the file of a libsql connection (which leaves its name empty)', async () => {
    expect(db.name).toBe(join(dir, 'test.db'));
    const file = await realpath(join(dir, 'test.db'));
    const raw = new Database(join(dir, 'test.db'));
    const memory = new Database(':memory:');
    try {
      expect(raw.name).toBe('');
      expect(databaseFile(raw)).toBe(file);
      expect(databaseFile(memory)).toBe(':memory:');
      expect(userVersion(raw)).toBe(0);
    } finally {
      raw.close();
      memory.close();
    }
  });
});
