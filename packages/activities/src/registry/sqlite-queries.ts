import type { SqliteDatabase } from './sqlite-database.js';

/** A `model_versions` row. */
export interface VersionRow {
  name: string;
  version: number;
  /** ArtifactRef as JSON. */
  artifact: string;
  /** Metrics as JSON. */
  metrics: string;
  /** Lineage as JSON. */
  lineage: string;
  created_at: string;
  idempotency_key: string;
  /** The tracking run that trained the version (schema 2), or null. */
  tracking_run_id: string | null;
  /** The head of the audit line that describes the row's mutation (schema 3), as JSON, or null. */
  audit_head: string | null;
}

/** An `approvals` row (without its surrogate id). */
export interface ApprovalRow {
  name: string;
  version: number;
  outcome: string;
  /** GateDecision[] as JSON. */
  decisions: string;
  evidence_digest: string;
  workflow_id: string;
  run_id: string;
  recorded_at: string;
  idempotency_key: string;
  /** The head of the audit line that describes the row's mutation (schema 3), as JSON, or null. */
  audit_head: string | null;
  /** The stored approval proof's reference (schema 4), as JSON, or null. */
  proof: string | null;
}

/** A `deployments` row (without its surrogate id). */
export interface DeploymentRow {
  name: string;
  version: number;
  deployment_id: string;
  server_url: string;
  alias: string;
  previous_version: number | null;
  status: string;
  detail: string | null;
  recorded_at: string;
  idempotency_key: string;
  /** The head of the audit line that describes the row's mutation (schema 3), as JSON, or null. */
  audit_head: string | null;
}

/** An alias and the version it points at. */
export interface AliasRow {
  name: string;
  alias: string;
  version: number;
}

/** Per-model counts for `listModels`. */
export interface ModelCountRow {
  name: string;
  latest_version: number;
  versions: number;
}

/** Rows of one model, or of one version of it when `version` is not null. */
export interface RowScope {
  name: string;
  version: number | null;
}

/** Reads and writes of a table whose rows carry a unique idempotency key and belong to a model version. */
export interface KeyedTableQueries<Row> {
  /** The row written under this idempotency key. */
  byKey(key: string): Row | undefined;
  /** Rows in scope, in the table's natural order. */
  list(scope: RowScope): Row[];
  insert(row: Row): void;
}

/** Every SQL statement of the SQLite registry, prepared once per connection. */
export interface RegistryQueries {
  versions: KeyedTableQueries<VersionRow>;
  approvals: KeyedTableQueries<ApprovalRow>;
  deployments: KeyedTableQueries<DeploymentRow>;
  /** Adds the model if it is not there yet. */
  ensureModel(name: string, createdAt: string): void;
  /** The highest version of a model; 0 when it has none. */
  latestVersion(name: string): number;
  modelCounts(): ModelCountRow[];
  /** Aliases in scope, by alias name. */
  aliases(scope: RowScope): AliasRow[];
  /** Every alias of every model, by model then alias. */
  allAliases(): AliasRow[];
  /** The version an alias points at. */
  aliasTarget(name: string, alias: string): number | undefined;
  /** Points an alias at a version and appends the change to `alias_history`. */
  moveAlias(move: AliasMove): void;
  /** The alias move recorded under an idempotency key. */
  aliasMoveByKey(key: string): KeyedAliasMove | undefined;
}

/** An alias move recorded under an idempotency key. */
export interface KeyedAliasMove {
  name: string;
  alias: string;
  previous: number | null;
  version: number;
}

/** One alias change. */
export interface AliasMove {
  name: string;
  alias: string;
  previous: number | null;
  version: number;
  at: string;
  /** Makes the move happen once (unique in `alias_history`); null for an unkeyed move. */
  key: string | null;
  /** The head of the audit line that describes the move, as JSON, or null. */
  audit: string | null;
}

const VERSION_COLUMNS = [
  'name',
  'version',
  'artifact',
  'metrics',
  'lineage',
  'created_at',
  'idempotency_key',
  'tracking_run_id',
  'audit_head',
] as const satisfies readonly (keyof VersionRow)[];

const APPROVAL_COLUMNS = [
  'name',
  'version',
  'outcome',
  'decisions',
  'evidence_digest',
  'workflow_id',
  'run_id',
  'recorded_at',
  'idempotency_key',
  'audit_head',
  'proof',
] as const satisfies readonly (keyof ApprovalRow)[];

const DEPLOYMENT_COLUMNS = [
  'name',
  'version',
  'deployment_id',
  'server_url',
  'alias',
  'previous_version',
  'status',
  'detail',
  'recorded_at',
  'idempotency_key',
  'audit_head',
] as const satisfies readonly (keyof DeploymentRow)[];

const IN_SCOPE = 'name = @name AND (@version IS NULL OR version = @version)';

/** Prepares every statement the registry runs on `db`. */
export function prepareRegistryQueries(db: SqliteDatabase): RegistryQueries {
  return {
    versions: prepareKeyedTable<VersionRow>(db, 'model_versions', VERSION_COLUMNS, 'version'),
    approvals: prepareKeyedTable<ApprovalRow>(db, 'approvals', APPROVAL_COLUMNS, 'recorded_at, id'),
    deployments: prepareKeyedTable<DeploymentRow>(db, 'deployments', DEPLOYMENT_COLUMNS, 'recorded_at, id'),
    ...prepareModelQueries(db),
    ...prepareAliasQueries(db),
  };
}

/**
 * Statements for one keyed table. Table and column names come from the constants above, never from
 * callers, so building the SQL from them is safe.
 */
function prepareKeyedTable<Row extends object>(
  db: SqliteDatabase,
  table: string,
  columns: readonly (keyof Row & string)[],
  orderBy: string,
): KeyedTableQueries<Row> {
  const list = columns.join(', ');
  const byKey = db.prepare<[string], Row>(`SELECT ${list} FROM ${table} WHERE idempotency_key = ?`);
  const scoped = db.prepare<RowScope, Row>(`SELECT ${list} FROM ${table} WHERE ${IN_SCOPE} ORDER BY ${orderBy}`);
  const insert = db.prepare<Row>(`INSERT INTO ${table} (${list}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
  return {
    byKey: (key) => byKey.get(key),
    list: (scope) => scoped.all(scope),
    insert: (row) => {
      insert.run(row);
    },
  };
}

function prepareModelQueries(
  db: SqliteDatabase,
): Pick<RegistryQueries, 'ensureModel' | 'latestVersion' | 'modelCounts'> {
  const ensure = db.prepare<[string, string]>(
    'INSERT INTO models (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
  );
  const latest = db.prepare<[string], { latest: number }>(
    'SELECT COALESCE(MAX(version), 0) AS latest FROM model_versions WHERE name = ?',
  );
  const counts = db.prepare<[], ModelCountRow>(
    `SELECT name, MAX(version) AS latest_version, COUNT(*) AS versions
       FROM model_versions GROUP BY name ORDER BY name`,
  );
  return {
    ensureModel: (name, createdAt) => {
      ensure.run(name, createdAt);
    },
    latestVersion: (name) => latest.get(name)?.latest ?? 0,
    modelCounts: () => counts.all(),
  };
}

function prepareAliasQueries(
  db: SqliteDatabase,
): Pick<RegistryQueries, 'aliases' | 'allAliases' | 'aliasTarget' | 'moveAlias' | 'aliasMoveByKey'> {
  const scoped = db.prepare<RowScope, AliasRow>(
    `SELECT name, alias, version FROM aliases WHERE ${IN_SCOPE} ORDER BY alias`,
  );
  const all = db.prepare<[], AliasRow>('SELECT name, alias, version FROM aliases ORDER BY name, alias');
  const target = db.prepare<[string, string], { version: number }>(
    'SELECT version FROM aliases WHERE name = ? AND alias = ?',
  );
  const upsert = db.prepare<AliasMove>(
    `INSERT INTO aliases (name, alias, version, updated_at) VALUES (@name, @alias, @version, @at)
       ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at`,
  );
  const history = db.prepare<AliasMove>(
    `INSERT INTO alias_history (name, alias, previous_version, version, changed_at, idempotency_key, audit_head)
       VALUES (@name, @alias, @previous, @version, @at, @key, @audit)`,
  );
  const byKey = db.prepare<[string], KeyedAliasMove>(
    `SELECT name, alias, previous_version AS previous, version FROM alias_history WHERE idempotency_key = ?`,
  );
  return {
    aliases: (scope) => scoped.all(scope),
    allAliases: () => all.all(),
    aliasTarget: (name, alias) => target.get(name, alias)?.version,
    moveAlias: (move) => {
      upsert.run(move);
      history.run(move);
    },
    aliasMoveByKey: (key) => byKey.get(key),
  };
}
