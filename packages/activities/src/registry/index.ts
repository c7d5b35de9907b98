/**
 * Model registries: numbered versions per model, aliases (`champion`, `candidate`), and the approvals
 * and deployments recorded against each version.
 *
 * `openSqliteRegistry(path)` is the embedded default: one SQLite file shared by every worker process on
 * a machine. Other adapters (MLflow, Postgres) implement the same `ModelRegistry` interface, reuse the
 * input validation and version parsing exported here, and pass the same conformance suite.
 *
 * @packageDocumentation
 */
export { openSqliteRegistry, DEFAULT_BUSY_TIMEOUT_MS } from './sqlite-registry.js';
export type { SqliteRegistryOptions } from './sqlite-registry.js';
export { migrateSqliteRegistry, SQLITE_REGISTRY_MIGRATIONS, userVersion } from './sqlite-migrations.js';
export type { MigrationResult, SqliteMigration } from './sqlite-migrations.js';
export { parseVersionSpec, assertAliasName, LATEST_ALIAS } from './version-spec.js';
export type { VersionSpec } from './version-spec.js';
export { parseRegisterVersionInput, parseRecordApprovalInput, parseRecordDeploymentInput } from './registry-input.js';
