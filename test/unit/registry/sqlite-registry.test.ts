import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'libsql';
import { afterAll, describe, expect, it } from 'vitest';
import {
  SQLITE_REGISTRY_MIGRATIONS,
  migrateSqliteRegistry,
  openSqliteRegistry,
  userVersion,
} from '../../../packages/activities/src/registry/index.js';
import type { SqliteMigration } from '../../../packages/activities/src/registry/index.js';
import { describeRegistryConformance } from './registry-conformance.js';
import { approvalInput, deploymentInput, failureOf, versionInput } from './registry-fixtures.js';
import { REGISTER_CHILD_SCRIPT, transpileRegistry } from './transpiled-registry.js';

const tempDirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-registry-'));
  tempDirs.push(dir);
  return dir;
}

/** A database path in a directory that does not exist yet (the registry creates it). */
async function tempDbPath(): Promise<string> {
  return join(await tempDir(), 'nested', '.slipway', 'registry.db');
}

afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describeRegistryConformance('sqlite', async () => openSqliteRegistry(await tempDbPath()));

describe('openSqliteRegistry', () => {
  it('creates the parent directory and uses WAL mode', async () => {
    const path = await tempDbPath();
    const registry = openSqliteRegistry(path);
    await registry.close();
    expect((await stat(path)).isFile()).toBe(true);
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    } finally {
      raw.close();
    }
  });

  it('keeps everything across close and reopen', async () => {
    const path = await tempDbPath();
    const first = openSqliteRegistry(path);
    await first.registerVersion(versionInput('churn', 'k1'));
    await first.registerVersion(versionInput('churn', 'k2'));
    await first.setAlias('churn', 'champion', 2);
    await first.recordApproval(approvalInput('churn', 2, 'a1'));
    await first.recordDeployment(deploymentInput('churn', 2, 'd1'));
    const before = await first.listVersions('churn');
    await first.close();

    const second = openSqliteRegistry(path);
    try {
      expect(await second.listVersions('churn')).toEqual(before);
      expect(await second.getAlias('churn', 'champion')).toBe(2);
      expect((await second.getVersion('churn', 2))?.approvals).toHaveLength(1);
      expect((await second.getVersion('churn', 2))?.deployments).toHaveLength(1);
      expect(await second.registerVersion(versionInput('churn', 'k1'))).toMatchObject({ created: false });
      expect((await second.registerVersion(versionInput('churn', 'k3'))).version.version).toBe(3);
    } finally {
      await second.close();
    }
  });

  it('stamps records with the injected clock', async () => {
    const at = new Date('2030-05-06T07:08:09.000Z');
    const registry = openSqliteRegistry(await tempDbPath(), { now: () => at });
    try {
      const { version } = await registry.registerVersion(versionInput('churn', 'k1'));
      await registry.recordApproval(approvalInput('churn', 1, 'a1'));
      expect(version.createdAt).toBe(at.toISOString());
      expect((await registry.getVersion('churn', 1))?.approvals[0]?.recordedAt).toBe(at.toISOString());
    } finally {
      await registry.close();
    }
  });

  it('records alias moves in alias_history, but not no-op sets', async () => {
    const path = await tempDbPath();
    const registry = openSqliteRegistry(path);
    await registry.registerVersion(versionInput('churn', 'k1'));
    await registry.registerVersion(versionInput('churn', 'k2'));
    await registry.setAlias('churn', 'champion', 1);
    await registry.setAlias('churn', 'champion', 1);
    await registry.setAlias('churn', 'champion', 2);
    await registry.close();
    const raw = new Database(path, { readonly: true });
    try {
      const rows = raw.prepare('SELECT alias, previous_version, version FROM alias_history ORDER BY id').all();
      expect(rows).toEqual([
        { alias: 'champion', previous_version: null, version: 1 },
        { alias: 'champion', previous_version: 1, version: 2 },
      ]);
    } finally {
      raw.close();
    }
  });

  it('rejects calls after close with an error naming the file', async () => {
    const path = await tempDbPath();
    const registry = openSqliteRegistry(path);
    await registry.close();
    await registry.close();
    const failure = await failureOf(registry.listModels());
    expect(failure.message).toContain(path);
  });

  it('waits busy_timeout for a write lock, then fails with a retryable SQLITE_BUSY', async () => {
    const path = await tempDbPath();
    const registry = openSqliteRegistry(path, { busyTimeoutMs: 200 });
    const blocker = new Database(path);
    try {
      blocker.exec('BEGIN IMMEDIATE');
      const started = Date.now();
      const failure = await failureOf(registry.registerVersion(versionInput('churn', 'k1')));
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      expect((failure as Error & { code?: string }).code).toBe('SQLITE_BUSY');
      expect(failure.type).toBeUndefined();
      blocker.exec('ROLLBACK');
      expect((await registry.registerVersion(versionInput('churn', 'k1'))).version.version).toBe(1);
    } finally {
      blocker.close();
      await registry.close();
    }
  });
});

describe('SQLite registry with several connections', () => {
  it('gives interleaved registrations from two instances distinct consecutive versions', async () => {
    const path = await tempDbPath();
    const a = openSqliteRegistry(path);
    const b = openSqliteRegistry(path);
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).registerVersion(versionInput('churn', `k${i}`))),
      );
      const versions = results.map((r) => r.version.version).sort((x, y) => x - y);
      expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect((await a.listVersions('churn')).map((v) => v.version)).toEqual(versions);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('registers one version for the same idempotency key sent to two instances', async () => {
    const path = await tempDbPath();
    const a = openSqliteRegistry(path);
    const b = openSqliteRegistry(path);
    try {
      const [fromA, fromB] = await Promise.all([
        a.registerVersion(versionInput('churn', 'same')),
        b.registerVersion(versionInput('churn', 'same')),
      ]);
      expect([fromA.created, fromB.created].sort()).toEqual([false, true]);
      expect(fromB.version).toEqual(fromA.version);
      expect(await b.listVersions('churn')).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('gives concurrent processes consecutive versions with no duplicate or gap', async () => {
    const dir = await tempDir();
    await transpileRegistry(join(dir, 'build'));
    const script = join(dir, 'build', 'register-child.mjs');
    await writeFile(script, REGISTER_CHILD_SCRIPT);
    const path = join(dir, 'shared', 'registry.db');
    await openSqliteRegistry(path).close();
    const processes = 4;
    const perProcess = 25;
    const startAt = Date.now() + 1_500;
    const input = JSON.stringify(versionInput('churn', 'unused'));
    const run = promisify(execFile);
    const outputs = await Promise.all(
      Array.from({ length: processes }, (_, i) =>
        run(process.execPath, [script, path, `p${i}`, String(perProcess), String(startAt), input]),
      ),
    );
    const results = outputs.map(
      (o) => JSON.parse(o.stdout) as { own: number[]; shared: { version: number; created: boolean } },
    );
    const all = [...results.flatMap((r) => r.own), results[0]!.shared.version].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: processes * perProcess + 1 }, (_, i) => i + 1));
    expect(results.filter((r) => r.shared.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.shared.version)).size).toBe(1);
    const registry = openSqliteRegistry(path);
    try {
      expect(await registry.listModels()).toEqual([
        { name: 'churn', latestVersion: processes * perProcess + 1, versions: processes * perProcess + 1, aliases: {} },
      ]);
    } finally {
      await registry.close();
    }
  }, 60_000);
});

describe('registry migrations', () => {
  function rawDb(): Database.Database {
    return new Database(':memory:');
  }

  it('sets user_version at open and runs migrations only once', async () => {
    const path = await tempDbPath();
    await openSqliteRegistry(path).close();
    await openSqliteRegistry(path).close();
    const raw = new Database(path);
    try {
      expect(userVersion(raw)).toBe(SQLITE_REGISTRY_MIGRATIONS.length);
      expect(migrateSqliteRegistry(raw)).toEqual({
        from: SQLITE_REGISTRY_MIGRATIONS.length,
        to: SQLITE_REGISTRY_MIGRATIONS.length,
        applied: [],
      });
    } finally {
      raw.close();
    }
  });

  it('applies only a newly appended migration to an existing database', () => {
    const db = rawDb();
    try {
      const initial = migrateSqliteRegistry(db);
      expect(initial.applied).toEqual(SQLITE_REGISTRY_MIGRATIONS.map((m) => m.version));
      const next: SqliteMigration = {
        version: SQLITE_REGISTRY_MIGRATIONS.length + 1,
        description: 'add model descriptions',
        up: 'ALTER TABLE models ADD COLUMN description TEXT',
      };
      const result = migrateSqliteRegistry(db, [...SQLITE_REGISTRY_MIGRATIONS, next]);
      expect(result).toEqual({ from: initial.to, to: next.version, applied: [next.version] });
      const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('models');
      expect(columns).toContain('description');
    } finally {
      db.close();
    }
  });

  it('rolls a failing migration back entirely', () => {
    const db = rawDb();
    try {
      migrateSqliteRegistry(db);
      const version = SQLITE_REGISTRY_MIGRATIONS.length + 1;
      const broken: SqliteMigration = {
        version,
        description: 'half-written change',
        up: 'CREATE TABLE extra (id INTEGER); SELECT * FROM no_such_table;',
      };
      expect(() => migrateSqliteRegistry(db, [...SQLITE_REGISTRY_MIGRATIONS, broken])).toThrow(
        /migration \d+ \(half-written change\) failed/,
      );
      expect(userVersion(db)).toBe(SQLITE_REGISTRY_MIGRATIONS.length);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      expect(tables).not.toContain('extra');
    } finally {
      db.close();
    }
  });

  it('migration 5 keeps every deployment (id, audit head) and lets a deployment be recorded retired', () => {
    const db = rawDb();
    try {
      migrateSqliteRegistry(db, SQLITE_REGISTRY_MIGRATIONS.slice(0, 4));
      db.exec(`
        INSERT INTO models VALUES ('churn', '2026-01-01T00:00:00Z');
        INSERT INTO model_versions (name, version, artifact, metrics, lineage, created_at, idempotency_key)
          VALUES ('churn', 1, '{}', '{}', '{}', '2026-01-01T00:00:00Z', 'reg-1');
        INSERT INTO deployments (id, name, version, deployment_id, server_url, alias, previous_version, status,
            detail, recorded_at, idempotency_key, audit_head)
          VALUES (7, 'churn', 1, 'd1', 'http://127.0.0.1:8765', 'champion', NULL, 'deployed', 'first',
            '2026-01-01T00:00:01Z', 'deploy/d1/deployed', 'audit:3:sha256:aa');`);
      const insertRetired = () =>
        db.exec(`INSERT INTO deployments (name, version, deployment_id, server_url, alias, previous_version, status,
            recorded_at, idempotency_key) VALUES ('churn', 1, 'd1', 'http://127.0.0.1:8765', 'champion', NULL,
            'retired', '2026-01-02T00:00:00Z', 'deploy/d1/retired')`);
      expect(insertRetired).toThrow(/CHECK constraint/);
      const before = db.prepare('SELECT * FROM deployments').all();

      expect(migrateSqliteRegistry(db).applied).toEqual([5]);
      expect(db.prepare('SELECT * FROM deployments WHERE id = 7').all()).toEqual(before);
      insertRetired();
      const rows = db.prepare('SELECT id, status FROM deployments ORDER BY id').all();
      expect(rows).toEqual([
        { id: 7, status: 'deployed' },
        { id: 8, status: 'retired' },
      ]);
      const unknown = `INSERT INTO deployments (name, version, deployment_id, server_url, alias, status, recorded_at,
          idempotency_key) VALUES ('churn', 1, 'd1', 'u', 'champion', 'gone', 'now', 'k')`;
      expect(() => db.exec(unknown)).toThrow(/CHECK constraint/);
      const indexes = db.prepare('SELECT name FROM pragma_index_list(?)').pluck().all('deployments');
      expect(indexes).toContain('deployments_by_version');
    } finally {
      db.close();
    }
  });

  it('refuses a database whose schema is newer than this code', async () => {
    const path = await tempDbPath();
    await openSqliteRegistry(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${SQLITE_REGISTRY_MIGRATIONS.length + 5}`);
    raw.close();
    expect(() => openSqliteRegistry(path)).toThrow(/newer than the latest/);
  });

  it('refuses migrations that are not numbered 1, 2, 3, …', () => {
    const db = rawDb();
    try {
      const gap: SqliteMigration[] = [{ version: 2, description: 'skips one', up: 'SELECT 1' }];
      expect(() => migrateSqliteRegistry(db, gap)).toThrow(/numbered 1, 2, 3/);
      expect(userVersion(db)).toBe(0);
    } finally {
      db.close();
    }
  });
});
