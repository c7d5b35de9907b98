import { databaseFile, runTransaction, type SqliteScriptTarget } from './sqlite-database.js';

/**
 * One step of the registry schema. Versions are consecutive from 1; the database's `PRAGMA user_version`
 * records the last one applied. A schema change is a new entry at the end of `SQLITE_REGISTRY_MIGRATIONS`,
 * never an edit of an applied one.
 */
export interface SqliteMigration {
  readonly version: number;
  readonly description: string;
  /** SQL run as one script, or a function for changes SQL alone cannot express. */
  readonly up: string | ((db: SqliteScriptTarget) => void);
}

const initialSchema = `
CREATE TABLE models (
  name        TEXT PRIMARY KEY NOT NULL,
  created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE model_versions (
  name             TEXT NOT NULL REFERENCES models (name),
  version          INTEGER NOT NULL CHECK (version > 0),
  artifact         TEXT NOT NULL,
  metrics          TEXT NOT NULL,
  lineage          TEXT NOT NULL,
  created_at       TEXT NOT NULL,
  idempotency_key  TEXT NOT NULL UNIQUE,
  PRIMARY KEY (name, version)
) STRICT;

CREATE TABLE aliases (
  name        TEXT NOT NULL,
  alias       TEXT NOT NULL,
  version     INTEGER NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (name, alias),
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
) STRICT;
CREATE INDEX aliases_by_version ON aliases (name, version);

CREATE TABLE alias_history (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  name              TEXT NOT NULL,
  alias             TEXT NOT NULL,
  previous_version  INTEGER,
  version           INTEGER NOT NULL,
  changed_at        TEXT NOT NULL
) STRICT;
CREATE INDEX alias_history_by_alias ON alias_history (name, alias, id);

CREATE TABLE approvals (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  name             TEXT NOT NULL,
  version          INTEGER NOT NULL,
  outcome          TEXT NOT NULL CHECK (outcome IN ('approved', 'rejected', 'expired')),
  decisions        TEXT NOT NULL,
  evidence_digest  TEXT NOT NULL,
  workflow_id      TEXT NOT NULL,
  run_id           TEXT NOT NULL,
  recorded_at      TEXT NOT NULL,
  idempotency_key  TEXT NOT NULL UNIQUE,
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
) STRICT;
CREATE INDEX approvals_by_version ON approvals (name, version, recorded_at);

CREATE TABLE deployments (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  name              TEXT NOT NULL,
  version           INTEGER NOT NULL,
  deployment_id     TEXT NOT NULL,
  server_url        TEXT NOT NULL,
  alias             TEXT NOT NULL,
  previous_version  INTEGER,
  status            TEXT NOT NULL CHECK (status IN ('deployed', 'failed', 'rolled_back')),
  detail            TEXT,
  recorded_at       TEXT NOT NULL,
  idempotency_key   TEXT NOT NULL UNIQUE,
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
) STRICT;
CREATE INDEX deployments_by_version ON deployments (name, version, recorded_at);
`;

// Experiment tracking (runs, tags, params, metrics with the calls that logged them), the tracking run of a
// version, and keyed alias moves.
const trackingSchema = `
ALTER TABLE model_versions ADD COLUMN tracking_run_id TEXT;
ALTER TABLE alias_history ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX alias_history_by_key ON alias_history (idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE runs (
  run_id           TEXT PRIMARY KEY NOT NULL,
  experiment       TEXT NOT NULL,
  name             TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'killed')),
  started_at       TEXT NOT NULL,
  ended_at         TEXT,
  idempotency_key  TEXT NOT NULL UNIQUE
) STRICT;
CREATE INDEX runs_by_experiment ON runs (experiment, started_at);

CREATE TABLE run_tags (
  run_id  TEXT NOT NULL REFERENCES runs (run_id),
  key     TEXT NOT NULL,
  value   TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) STRICT;
CREATE INDEX run_tags_by_value ON run_tags (key, value);

CREATE TABLE run_params (
  run_id  TEXT NOT NULL REFERENCES runs (run_id),
  key     TEXT NOT NULL,
  value   TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
) STRICT;

CREATE TABLE metric_logs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id           TEXT NOT NULL REFERENCES runs (run_id),
  kind             TEXT NOT NULL CHECK (kind IN ('metrics', 'series')),
  logged_at        TEXT NOT NULL,
  idempotency_key  TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE run_metrics (
  run_id  TEXT NOT NULL REFERENCES runs (run_id),
  key     TEXT NOT NULL,
  step    INTEGER NOT NULL CHECK (step >= 0),
  value   REAL NOT NULL,
  log_id  INTEGER NOT NULL REFERENCES metric_logs (id),
  PRIMARY KEY (run_id, key, step)
) STRICT;
`;

// The audit trail's anchor: each log's writers' public keys, the head of the last mutation per log, and on
// every mutation's row the head of the audit line that describes it.
const auditSchema = `
CREATE TABLE audit_keys (
  log_id         TEXT NOT NULL,
  key_id         TEXT NOT NULL,
  public_key     TEXT NOT NULL,
  legacy_seq     INTEGER CHECK (legacy_seq > 0),
  legacy_hash    TEXT,
  registered_at  TEXT NOT NULL,
  PRIMARY KEY (log_id, key_id)
) STRICT;

CREATE TABLE audit_heads (
  log_id      TEXT PRIMARY KEY NOT NULL,
  seq         INTEGER NOT NULL CHECK (seq > 0),
  hash        TEXT NOT NULL,
  updated_at  TEXT NOT NULL
) STRICT;

ALTER TABLE model_versions ADD COLUMN audit_head TEXT;
ALTER TABLE alias_history ADD COLUMN audit_head TEXT;
ALTER TABLE approvals ADD COLUMN audit_head TEXT;
ALTER TABLE deployments ADD COLUMN audit_head TEXT;
`;

// The gate's whole approval proof, stored with its outcome: the reference (URI and digest, as JSON) of the proof's
// content-addressed JSON in the artifact store; null on approvals recorded before.
const approvalProofSchema = `
ALTER TABLE approvals ADD COLUMN proof TEXT;
`;

// A deployment may be recorded `retired` (replaced by a newer version after its rollout's drain). SQLite cannot
// change a CHECK constraint, so the table is rebuilt with every row, id and audit head kept (nothing refers to it).
const retiredStatusSchema = `
CREATE TABLE deployments_next (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  name              TEXT NOT NULL,
  version           INTEGER NOT NULL,
  deployment_id     TEXT NOT NULL,
  server_url        TEXT NOT NULL,
  alias             TEXT NOT NULL,
  previous_version  INTEGER,
  status            TEXT NOT NULL CHECK (status IN ('deployed', 'failed', 'rolled_back', 'retired')),
  detail            TEXT,
  recorded_at       TEXT NOT NULL,
  idempotency_key   TEXT NOT NULL UNIQUE,
  audit_head        TEXT,
  FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
) STRICT;
INSERT INTO deployments_next (id, name, version, deployment_id, server_url, alias, previous_version, status, detail,
    recorded_at, idempotency_key, audit_head)
  SELECT id, name, version, deployment_id, server_url, alias, previous_version, status, detail, recorded_at,
    idempotency_key, audit_head
  FROM deployments;
DROP TABLE deployments;
ALTER TABLE deployments_next RENAME TO deployments;
CREATE INDEX deployments_by_version ON deployments (name, version, recorded_at);
`;

/** The registry schema, oldest first. */
export const SQLITE_REGISTRY_MIGRATIONS: readonly SqliteMigration[] = [
  { version: 1, description: 'models, versions, aliases with history, approvals, deployments', up: initialSchema },
  {
    version: 2,
    description: 'experiment tracking runs, tracking run of a version, keyed alias moves',
    up: trackingSchema,
  },
  {
    version: 3,
    description: 'audit trail anchor: writers’ public keys, heads per log, the audit head of every mutation',
    up: auditSchema,
  },
  {
    version: 4,
    description: 'the stored approval proof of every approval recorded from now on',
    up: approvalProofSchema,
  },
  { version: 5, description: 'deployments may be recorded retired', up: retiredStatusSchema },
];

/** What `migrateSqliteRegistry` did. */
export interface MigrationResult {
  /** `user_version` before. */
  from: number;
  /** `user_version` after. */
  to: number;
  /** Versions applied by this call (empty when the schema was current). */
  applied: number[];
}

/**
 * Brings a registry database up to the latest schema, in one `BEGIN IMMEDIATE` transaction: concurrent
 * openers wait for each other and the second applies nothing. Refuses a database whose schema is newer
 * than the migrations this code knows. `db` is the registry's connection or a libsql `Database`.
 */
export function migrateSqliteRegistry(
  db: SqliteScriptTarget,
  migrations: readonly SqliteMigration[] = SQLITE_REGISTRY_MIGRATIONS,
): MigrationResult {
  assertConsecutive(migrations);
  return runTransaction(db, 'IMMEDIATE', (): MigrationResult => {
    const from = userVersion(db);
    const latest = migrations.length;
    if (from > latest) {
      throw new Error(
        `Registry database ${databaseFile(db)} has schema version ${from}, newer than the latest this Slipway ` +
          `knows (${latest}); upgrade Slipway to open it`,
      );
    }
    const pending = migrations.slice(from);
    for (const migration of pending) applyMigration(db, migration);
    return { from, to: userVersion(db), applied: pending.map((m) => m.version) };
  });
}

function applyMigration(db: SqliteScriptTarget, migration: SqliteMigration): void {
  try {
    if (typeof migration.up === 'string') db.exec(migration.up);
    else migration.up(db);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `Registry migration ${migration.version} (${migration.description}) failed on ${databaseFile(db)}: ${reason}`,
      { cause: err },
    );
  }
  db.exec(`PRAGMA user_version = ${migration.version}`);
}

/** The schema version recorded in the database (`PRAGMA user_version`). */
export function userVersion(db: SqliteScriptTarget): number {
  const [row] = db.prepare('PRAGMA user_version').all() as { user_version?: unknown }[];
  if (typeof row?.user_version !== 'number') {
    throw new Error(`Registry database ${databaseFile(db)} did not report its schema version (PRAGMA user_version)`);
  }
  return row.user_version;
}

function assertConsecutive(migrations: readonly SqliteMigration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(
        `Registry migrations must be numbered 1, 2, 3, …: entry ${index} has version ${migration.version}`,
      );
    }
  });
}
