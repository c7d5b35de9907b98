import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ModelRegistry, MutationOptions, ExperimentTracker } from '../ports.js';
import { parseRecordApprovalInput, parseRecordDeploymentInput, parseRegisterVersionInput } from './registry-input.js';
import { migrateSqliteRegistry } from './sqlite-migrations.js';
import { prepareAuditQueries, sqliteAuditAnchor, type AuditQueries } from './sqlite-audit.js';
import { openSqliteDatabase, type SqliteDatabase } from './sqlite-database.js';
import {
  nameSqliteError,
  sqliteConnection,
  type PreparedMutation,
  type SqliteConnection,
} from './sqlite-connection.js';
import {
  listModels,
  loadVersion,
  loadVersions,
  recordApproval,
  recordDeployment,
  registerVersion,
  resolveVersion,
  setAlias,
} from './sqlite-operations.js';
import { prepareRegistryQueries } from './sqlite-queries.js';
import type { RegistryQueries } from './sqlite-queries.js';
import * as tracking from './sqlite-tracking.js';
import { prepareTrackingQueries, type TrackingQueries } from './sqlite-tracking-queries.js';
import {
  parseFinishRunInput,
  parseLogMetricSeriesInput,
  parseLogMetricsInput,
  parseLogParamsInput,
  parseRunId,
  parseRunQuery,
  parseStartRunInput,
  runNotFound,
} from './tracking-input.js';
import { assertAliasName, parseVersionSpec } from './version-spec.js';

/** How long a write waits, by default, for another connection's write to finish. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/** Options of `openSqliteRegistry`. */
export interface SqliteRegistryOptions {
  /**
   * How long a write waits for another process's write lock before failing with `SQLITE_BUSY` (a
   * retryable error). Default `DEFAULT_BUSY_TIMEOUT_MS`.
   */
  busyTimeoutMs?: number;
  /** The clock used for `createdAt` and `recordedAt`. Default: the system clock. */
  now?: () => Date;
}

/**
 * Opens (creating it, and its directory, if needed) the embedded model registry: one SQLite file in WAL
 * mode, shared safely by every worker process on the machine.
 *
 * - The schema is migrated at open (`PRAGMA user_version`, in one transaction).
 * - Every mutation is one `BEGIN IMMEDIATE` transaction: concurrent registrations from several processes
 *   get consecutive versions, and a retry with the same idempotency key returns the first result with
 *   `created: false`.
 * - Inputs are validated; a missing model version fails with `SlipwayNotFound`, bad input with
 *   `SlipwayInvalidInput`. Every SQLite error names the file (a file that is not a database says so).
 * - An audited mutation (`MutationOptions.audit`) writes its audit line while its transaction holds the write
 *   lock, then stores the line's head on its row and in `audit_heads`, in the same transaction: the registry's
 *   head covers a mutation exactly when the mutation is there. The log's writers' keys are in `audit_keys`.
 *
 * ```ts
 * const registry = openSqliteRegistry('.slipway/registry.db');
 * const { version } = await registry.registerVersion({ name: 'churn', artifact, metrics, lineage, idempotencyKey });
 * await registry.setAlias('churn', 'champion', version.version);
 * const champion = await registry.resolve('churn', 'champion');
 * ```
 */
export function openSqliteRegistry(path: string, options: SqliteRegistryOptions = {}): ModelRegistry {
  const db = openDatabase(path, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  const clock = options.now ?? (() => new Date());
  try {
    const queries = {
      registry: prepareRegistryQueries(db),
      tracking: prepareTrackingQueries(db),
      audit: prepareAuditQueries(db),
    };
    return sqliteRegistry(sqliteConnection(db), queries, () => clock().toISOString());
  } catch (err) {
    db.close();
    throw nameSqliteError(err, path);
  }
}

function openDatabase(path: string, busyTimeoutMs: number): SqliteDatabase {
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new RangeError(`busyTimeoutMs must be a non-negative integer, got ${busyTimeoutMs}`);
  }
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  let db: SqliteDatabase;
  try {
    db = openSqliteDatabase(path, busyTimeoutMs);
  } catch (err) {
    throw nameSqliteError(err, path);
  }
  try {
    db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = ON');
    migrateSqliteRegistry(db);
    return db;
  } catch (err) {
    db.close();
    throw nameSqliteError(err, path);
  }
}

interface Queries {
  registry: RegistryQueries;
  tracking: TrackingQueries;
  audit: AuditQueries;
}

function sqliteRegistry(io: SqliteConnection, queries: Queries, now: () => string): ModelRegistry {
  const q = queries.registry;
  const { read, write } = io;
  // Input is validated before the write lock is taken; the mutation runs in one BEGIN IMMEDIATE transaction,
  // audited ones with their audit line written inside it and the line's head stored with them.
  const mutate = <I, T>(
    validate: () => I,
    prepare: (valid: I) => PreparedMutation<T>,
    options: MutationOptions | undefined,
  ): Promise<T> => io.mutate(validate, prepare, options?.audit, (head) => queries.audit.advanceHead(head, now()));
  return {
    registerVersion: (input, options) =>
      mutate(
        () => parseRegisterVersionInput(input),
        (v) => {
          if (v.trackingRunId !== undefined && !queries.tracking.run(v.trackingRunId)) {
            throw runNotFound(v.trackingRunId, `register model "${v.name}" as trained by`);
          }
          return registerVersion(q, v, now());
        },
        options,
      ),
    getVersion: (name, version) => read(() => loadVersion(q, name, version)),
    resolve: (name, versionOrAlias) => read(() => resolveVersion(q, name, parseVersionSpec(versionOrAlias))),
    listModels: () => read(() => listModels(q)),
    listVersions: (name) => read(() => loadVersions(q, { name, version: null })),
    getAlias: (name, alias) => read(() => q.aliasTarget(name, alias)),
    setAlias: (name, alias, version, options) =>
      mutate(
        () => assertAliasName(alias),
        () => setAlias(q, { name, alias, version, key: options?.idempotencyKey ?? null }, now()),
        options,
      ),
    recordApproval: (input, options) =>
      mutate(
        () => parseRecordApprovalInput(input),
        (v) => recordApproval(q, v, now()),
        options,
      ),
    recordDeployment: (input, options) =>
      mutate(
        () => parseRecordDeploymentInput(input),
        (v) => recordDeployment(q, v, now()),
        options,
      ),
    ...sqliteAuditAnchor(queries.audit, { read, write, now }),
    ...sqliteTracker(queries.tracking, { read, write, now }),
    close: () => io.close(),
  };
}

/** The `ExperimentTracker` half of the SQLite registry: the same transactions, on the tracking tables. */
function sqliteTracker(
  t: TrackingQueries,
  io: Pick<SqliteConnection, 'read' | 'write'> & { now: () => string },
): ExperimentTracker {
  const { read, write, now } = io;
  return {
    startRun: (input) =>
      write(
        () => parseStartRunInput(input),
        (v) => tracking.startRun(t, v, now()),
      ),
    logParams: (runId, params) =>
      write(
        () => parseLogParamsInput(runId, params),
        (v) => tracking.logParams(t, v.runId, v.params),
      ),
    logMetrics: (input) =>
      write(
        () => parseLogMetricsInput(input),
        (v) => tracking.logMetrics(t, v, now()),
      ),
    logMetricSeries: (input) =>
      write(
        () => parseLogMetricSeriesInput(input),
        (v) => tracking.logMetricSeries(t, v, now()),
      ),
    finishRun: (input) =>
      write(
        () => parseFinishRunInput(input),
        (v) => tracking.finishRun(t, v, now()),
      ),
    getRun: (runId) => read(() => tracking.loadRun(t, parseRunId(runId))),
    getMetricSeries: (runId, key) => read(() => tracking.metricSeries(t, parseRunId(runId), key)),
    findRuns: (query) => read(() => tracking.findRuns(t, parseRunQuery(query))),
  };
}
