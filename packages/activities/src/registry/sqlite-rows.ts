import type {
  ApprovalRecord,
  AuditHead,
  DeploymentRecord,
  ModelVersionRecord,
  RecordApprovalInput,
  RecordDeploymentInput,
  RegisterVersionInput,
  StoredProofRef,
} from '../ports.js';
import { upgradeLineage } from '@slipway/sdk';
import { canonicalJson } from '../util/digest.js';
import type { AliasRow, ApprovalRow, DeploymentRow, VersionRow } from './sqlite-queries.js';

/** What belongs to a version besides its own row. */
export interface VersionRelations {
  aliases: string[];
  approvals: ApprovalRecord[];
  deployments: DeploymentRecord[];
}

/** The `model_versions` row for a new version. */
export function versionToRow(input: RegisterVersionInput, version: number, createdAt: string): VersionRow {
  return {
    name: input.name,
    version,
    artifact: canonicalJson(input.artifact),
    metrics: canonicalJson(input.metrics),
    lineage: canonicalJson(input.lineage),
    created_at: createdAt,
    idempotency_key: input.idempotencyKey,
    tracking_run_id: input.trackingRunId ?? null,
    audit_head: null,
  };
}

/** A version record from its row and its relations. */
export function rowToVersion(row: VersionRow, relations: VersionRelations): ModelVersionRecord {
  const where = `model_versions(${row.name}, ${row.version})`;
  return {
    name: row.name,
    version: row.version,
    artifact: parseJsonColumn(row.artifact, where, 'artifact'),
    metrics: parseJsonColumn(row.metrics, where, 'metrics'),
    // Versions registered before `Lineage.runId` became `temporalRunId` read as today's.
    lineage: upgradeLineage(parseJsonColumn<ModelVersionRecord['lineage']>(row.lineage, where, 'lineage')),
    createdAt: row.created_at,
    ...relations,
    ...(row.tracking_run_id === null ? {} : { trackingRunId: row.tracking_run_id }),
  };
}

/** The `approvals` row for a new approval. */
export function approvalToRow(input: RecordApprovalInput, recordedAt: string): ApprovalRow {
  return {
    name: input.name,
    version: input.version,
    outcome: input.outcome,
    decisions: canonicalJson(input.decisions),
    evidence_digest: input.evidenceDigest,
    workflow_id: input.workflowId,
    run_id: input.runId,
    recorded_at: recordedAt,
    idempotency_key: input.idempotencyKey,
    audit_head: null,
    proof: input.proof === undefined ? null : canonicalJson({ uri: input.proof.uri, digest: input.proof.digest }),
  };
}

/** An approval record from its row. */
export function rowToApproval(row: ApprovalRow): ApprovalRecord {
  return {
    outcome: row.outcome as ApprovalRecord['outcome'],
    decisions: parseJsonColumn(row.decisions, `approvals(${row.idempotency_key})`, 'decisions'),
    evidenceDigest: row.evidence_digest,
    workflowId: row.workflow_id,
    runId: row.run_id,
    recordedAt: row.recorded_at,
    ...(row.proof === null
      ? {}
      : { proof: parseJsonColumn<StoredProofRef>(row.proof, `approvals(${row.idempotency_key})`, 'proof') }),
  };
}

/** The `deployments` row for a new deployment. */
export function deploymentToRow(input: RecordDeploymentInput, recordedAt: string): DeploymentRow {
  return {
    name: input.name,
    version: input.version,
    deployment_id: input.deploymentId,
    server_url: input.serverUrl,
    alias: input.alias,
    previous_version: input.previousVersion,
    status: input.status,
    detail: input.detail ?? null,
    recorded_at: recordedAt,
    idempotency_key: input.idempotencyKey,
    audit_head: null,
  };
}

/** A deployment record from its row; `detail` is omitted when there is none. */
export function rowToDeployment(row: DeploymentRow): DeploymentRecord {
  return {
    deploymentId: row.deployment_id,
    serverUrl: row.server_url,
    alias: row.alias,
    previousVersion: row.previous_version,
    status: row.status as DeploymentRecord['status'],
    ...(row.detail === null ? {} : { detail: row.detail }),
    recordedAt: row.recorded_at,
  };
}

/** The `audit_head` column of a row: the head as JSON, or null. */
export function auditHeadColumn(head: AuditHead | null): string | null {
  return head === null ? null : canonicalJson(head);
}

/** Groups rows by a key, keeping their order, mapping each with `map`. */
export function groupBy<Row, K, T>(rows: readonly Row[], key: (row: Row) => K, map: (row: Row) => T): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(map(row));
    else groups.set(key(row), [map(row)]);
  }
  return groups;
}

/** An alias map (`{ champion: 3 }`) from alias rows. */
export function aliasMap(rows: readonly AliasRow[]): Record<string, number> {
  return Object.fromEntries(rows.map((row) => [row.alias, row.version]));
}

function parseJsonColumn<T>(text: string, where: string, column: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Registry row ${where} has invalid JSON in column ${column}: ${reason}`, { cause: err });
  }
}
