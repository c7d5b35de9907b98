import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import type {
  AuditHead,
  ModelSummary,
  ModelVersionRecord,
  RecordApprovalInput,
  RecordDeploymentInput,
  RegisterVersionInput,
} from '../ports.js';
import type { RegistryQueries, RowScope, VersionRow } from './sqlite-queries.js';
import {
  aliasMap,
  approvalToRow,
  auditHeadColumn,
  deploymentToRow,
  groupBy,
  rowToApproval,
  rowToDeployment,
  rowToVersion,
  versionToRow,
} from './sqlite-rows.js';
import type { VersionSpec } from './version-spec.js';
import { assertKeyTarget, assertSameAliasMove } from './key-conflicts.js';
import { unchanged, type PreparedMutation } from './sqlite-connection.js';

// Each function here runs inside a transaction opened by the caller (sqlite-registry.ts) and holds the
// registry's rules; the SQL itself lives in sqlite-queries.ts. A mutation is prepared (checked, and what it will
// change planned) and then applied, with the head of its audit line when audited, in the same transaction.

/** Registers the next version of a model, or returns the version already registered under the key. */
export function registerVersion(
  q: RegistryQueries,
  input: RegisterVersionInput,
  now: string,
): PreparedMutation<{ version: ModelVersionRecord; created: boolean }> {
  const existing = q.versions.byKey(input.idempotencyKey);
  if (existing) {
    assertKeyTarget('register', input.idempotencyKey, existing, { name: input.name, version: null });
    return unchanged({ version: loadVersion(q, existing.name, existing.version)!, created: false });
  }
  const version = q.latestVersion(input.name) + 1;
  const row = versionToRow(input, version, now);
  const record = rowToVersion(row, { aliases: [], approvals: [], deployments: [] });
  return {
    planned: { kind: 'register', record, idempotencyKey: input.idempotencyKey },
    apply: (head) => {
      q.ensureModel(input.name, now);
      q.versions.insert({ ...row, audit_head: auditHeadColumn(head) });
      return { version: loadVersion(q, input.name, version)!, created: true };
    },
  };
}

/**
 * Points an alias at an existing version; a no-op when it already points there. Under an idempotency key the
 * move happens once: a retry returns the first call's `previous`, and the key is recorded even for a no-op.
 */
export function setAlias(
  q: RegistryQueries,
  target: { name: string; alias: string; version: number; key: string | null },
  now: string,
): PreparedMutation<{ previous: number | null }> {
  const done = target.key === null ? undefined : q.aliasMoveByKey(target.key);
  if (done) {
    assertSameAliasMove(target.key ?? '', done, target);
    return unchanged({ previous: done.previous });
  }
  requireVersion(q, target.name, target.version, `set alias "${target.alias}" of`);
  const previous = q.aliasTarget(target.name, target.alias) ?? null;
  if (previous === target.version && target.key === null) return unchanged({ previous });
  const apply = (head: AuditHead | null) => {
    q.moveAlias({ ...target, previous, at: now, audit: auditHeadColumn(head) });
    return { previous };
  };
  if (previous === target.version) return { apply };
  const { name, alias, version, key } = target;
  return {
    planned: { kind: 'alias', name, alias, version, previous, ...(key === null ? {} : { idempotencyKey: key }) },
    apply,
  };
}

/** Records an approval outcome of an existing version, once per idempotency key. */
export function recordApproval(
  q: RegistryQueries,
  input: RecordApprovalInput,
  now: string,
): PreparedMutation<{ created: boolean }> {
  const existing = q.approvals.byKey(input.idempotencyKey);
  if (existing) {
    assertKeyTarget('record an approval of', input.idempotencyKey, existing, input);
    return unchanged({ created: false });
  }
  requireVersion(q, input.name, input.version, 'record an approval of');
  return {
    planned: { kind: 'approval', input },
    apply: (head) => {
      q.approvals.insert({ ...approvalToRow(input, now), audit_head: auditHeadColumn(head) });
      return { created: true };
    },
  };
}

/** Records a deployment of an existing version, once per idempotency key. */
export function recordDeployment(
  q: RegistryQueries,
  input: RecordDeploymentInput,
  now: string,
): PreparedMutation<{ created: boolean }> {
  const existing = q.deployments.byKey(input.idempotencyKey);
  if (existing) {
    assertKeyTarget('record a deployment of', input.idempotencyKey, existing, input);
    return unchanged({ created: false });
  }
  requireVersion(q, input.name, input.version, 'record a deployment of');
  return {
    planned: { kind: 'deployment', input },
    apply: (head) => {
      q.deployments.insert({ ...deploymentToRow(input, now), audit_head: auditHeadColumn(head) });
      return { created: true };
    },
  };
}

/** One version with its aliases, approvals and deployments. */
export function loadVersion(q: RegistryQueries, name: string, version: number): ModelVersionRecord | undefined {
  return loadVersions(q, { name, version })[0];
}

/** Versions in scope, ascending, each with its aliases, approvals and deployments (ordered by time). */
export function loadVersions(q: RegistryQueries, scope: RowScope): ModelVersionRecord[] {
  const rows: VersionRow[] = q.versions.list(scope);
  if (rows.length === 0) return [];
  const aliases = groupBy(q.aliases(scope), byVersion, (row) => row.alias);
  const approvals = groupBy(q.approvals.list(scope), byVersion, rowToApproval);
  const deployments = groupBy(q.deployments.list(scope), byVersion, rowToDeployment);
  return rows.map((row) =>
    rowToVersion(row, {
      aliases: aliases.get(row.version) ?? [],
      approvals: approvals.get(row.version) ?? [],
      deployments: deployments.get(row.version) ?? [],
    }),
  );
}

/** The version a parsed spec names, if any. */
export function resolveVersion(q: RegistryQueries, name: string, spec: VersionSpec): ModelVersionRecord | undefined {
  const version =
    spec.kind === 'version'
      ? spec.version
      : spec.kind === 'alias'
        ? q.aliasTarget(name, spec.alias)
        : q.latestVersion(name);
  return version === undefined || version === 0 ? undefined : loadVersion(q, name, version);
}

/** Every model, by name, with its latest version, number of versions and aliases. */
export function listModels(q: RegistryQueries): ModelSummary[] {
  const aliases = groupBy(
    q.allAliases(),
    (row) => row.name,
    (row) => row,
  );
  return q.modelCounts().map((row) => ({
    name: row.name,
    latestVersion: row.latest_version,
    versions: row.versions,
    aliases: aliasMap(aliases.get(row.name) ?? []),
  }));
}

const byVersion = (row: { version: number }): number => row.version;

function requireVersion(q: RegistryQueries, name: string, version: number, action: string): void {
  if (q.versions.list({ name, version }).length === 0) {
    throw finalFailure(
      SlipwayErrorType.NotFound,
      `Cannot ${action} model "${name}" version ${version}: model "${name}" has no version ${version}`,
      { name, version },
    );
  }
}
