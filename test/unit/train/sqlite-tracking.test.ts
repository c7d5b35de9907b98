/**
 * The train step's experiment tracking on the SQLite registry: the shared scenario (train-tracking-scenario.ts),
 * with the stored rows counted straight from the database file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'libsql';
import { afterAll } from 'vitest';
import { openSqliteRegistry } from '../../../packages/activities/src/registry/index.js';
import type { ModelRegistry } from '../../../packages/activities/src/ports.js';
import { describeTrainTracking } from './train-tracking-scenario.js';

let dir: string | undefined;
let registry: ModelRegistry | undefined;
let db: Database.Database | undefined;

afterAll(async () => {
  db?.close();
  await registry?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describeTrainTracking('sqlite', async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-sqlite-tracking-'));
  const path = join(dir, 'registry.db');
  registry = openSqliteRegistry(path);
  await registry.listModels(); // creates and migrates the database before it is opened read-only below
  const reader = new Database(path, { readonly: true });
  db = reader;
  const count = (sql: string, ...args: string[]) => (reader.prepare(sql).get(...args) as { n: number }).n;
  return {
    registry,
    storedValues: (runId, key) =>
      Promise.resolve(count('SELECT COUNT(*) AS n FROM run_metrics WHERE run_id = ? AND key = ?', runId, key)),
    aliasMoves: (name, alias) =>
      Promise.resolve(count('SELECT COUNT(*) AS n FROM alias_history WHERE name = ? AND alias = ?', name, alias)),
    metricLogs: (runId) => Promise.resolve(count('SELECT COUNT(*) AS n FROM metric_logs WHERE run_id = ?', runId)),
  };
});
