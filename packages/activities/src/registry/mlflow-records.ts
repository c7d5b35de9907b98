import { upgradeLineage } from '@slipway/sdk';
import type { ApprovalRecord, DeploymentRecord, ModelVersionRecord, RegisterVersionInput } from '../ports.js';
import { canonicalJson } from '../util/digest.js';
import { parseTagJson } from './mlflow-context.js';
import { tagMap, type MlflowModelVersion } from './mlflow-schemas.js';
import { SCHEMA_VERSION, VersionTag, chunkedTags, fullKeyHash, readChunked, tagsWithPrefix } from './mlflow-tags.js';

// Slipway records <-> MLflow model-version tags (see mlflow-tags.ts for the layout).

/** The tag prefix of approval records. */
export const APPROVAL_PREFIX = 'slipway.approval.';
/** The tag prefix of deployment records. */
export const DEPLOYMENT_PREFIX = 'slipway.deployment.';
/** The tag prefix of alias move records (keyed or audited moves). */
export const ALIAS_MOVE_PREFIX = 'slipway.alias_move.';

/** What is stored with an approval or deployment besides the record: its key, and its order. */
export interface StoredExtras {
  idempotencyKey: string;
  /** Orders records written in the same millisecond by one process. */
  seq: number;
}

let sequence = 0;

/** The next value of the in-process record sequence. */
export function nextSeq(): number {
  sequence = (sequence + 1) % 1_000_000_000;
  return sequence;
}

/**
 * The model-version tags of a new version. A `pending` version (an audited registration, completed once its
 * audit line is written) leaves out `slipway.schema`, so Slipway does not see it yet.
 */
export function versionTags(
  input: RegisterVersionInput,
  limit: number,
  pending = false,
): { key: string; value: string }[] {
  return [
    ...(pending ? [] : [{ key: VersionTag.schema, value: SCHEMA_VERSION }]),
    { key: VersionTag.keyHash, value: fullKeyHash(input.idempotencyKey) },
    ...chunkedTags(VersionTag.key, input.idempotencyKey, limit),
    ...chunkedTags(VersionTag.artifact, canonicalJson(input.artifact), limit),
    ...chunkedTags(VersionTag.metrics, canonicalJson(input.metrics), limit),
    ...chunkedTags(VersionTag.lineage, canonicalJson(input.lineage), limit),
  ];
}

/** Object-store schemes MLflow accepts as a version source as they are. */
const OBJECT_STORE_SCHEMES: ReadonlySet<string> = new Set(['s3', 's3a', 'gs', 'wasbs']);

/**
 * The model-version `source`: the artifact's URI when it is in an object store (`s3://…`), else a digest URI
 * (`slipway-artifact:/sha256/<hex>`), because MLflow refuses local paths (and hosts it was not configured
 * with) as sources. The full artifact reference is in the `slipway.artifact` tag either way.
 */
export function versionSource(artifact: { uri: string; digest: string }): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(artifact.uri)?.[1]?.toLowerCase();
  const usable = scheme !== undefined && OBJECT_STORE_SCHEMES.has(scheme) && !artifact.uri.includes('/../');
  return usable ? artifact.uri : `slipway-artifact:/${artifact.digest.replace(':', '/')}`;
}

/**
 * A Slipway record of an MLflow model version; undefined for a version Slipway did not register (or, unless
 * `pending`, whose audited registration is not complete yet).
 */
export function toVersionRecord(mv: MlflowModelVersion, pending = false): ModelVersionRecord | undefined {
  const tags = tagMap(mv.tags);
  if (!pending && tags.get(VersionTag.schema) !== SCHEMA_VERSION) return undefined;
  const where = `of model "${mv.name}" version ${mv.version}`;
  const json = <T>(tag: string): T => {
    const value = readChunked(tags, tag);
    if (value === undefined) throw new Error(`MLflow model "${mv.name}" version ${mv.version} has no tag ${tag}`);
    return parseTagJson<T>(value, `${tag} ${where}`);
  };
  return {
    name: mv.name,
    version: mv.version,
    artifact: json(VersionTag.artifact),
    metrics: json(VersionTag.metrics),
    // Versions registered before `Lineage.runId` became `temporalRunId` read as today's.
    lineage: upgradeLineage(json<ModelVersionRecord['lineage']>(VersionTag.lineage)),
    createdAt: new Date(mv.creation_timestamp).toISOString(),
    aliases: [...mv.aliases].sort(),
    approvals: storedRecords<ApprovalRecord>(tags, APPROVAL_PREFIX, where).map(approvalOf),
    deployments: storedRecords<DeploymentRecord>(tags, DEPLOYMENT_PREFIX, where).map(deploymentOf),
    ...(mv.run_id === '' ? {} : { trackingRunId: mv.run_id }),
  };
}

/** The records stored under a prefix, in the order they were recorded. */
function storedRecords<R extends { recordedAt: string }>(
  tags: ReadonlyMap<string, string>,
  prefix: string,
  where: string,
): (R & StoredExtras)[] {
  const records = tagsWithPrefix(tags, prefix).flatMap((tag) => {
    const value = readChunked(tags, tag);
    return value === undefined ? [] : [parseTagJson<R & StoredExtras>(value, `${tag} ${where}`)];
  });
  return records.sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || a.seq - b.seq);
}

function approvalOf(stored: ApprovalRecord & StoredExtras): ApprovalRecord {
  const { outcome, decisions, evidenceDigest, workflowId, runId, recordedAt, proof } = stored;
  return { outcome, decisions, evidenceDigest, workflowId, runId, recordedAt, ...(proof ? { proof } : {}) };
}

function deploymentOf(stored: DeploymentRecord & StoredExtras): DeploymentRecord {
  const { deploymentId, serverUrl, alias, previousVersion, status, detail, recordedAt } = stored;
  return {
    deploymentId,
    serverUrl,
    alias,
    previousVersion,
    status,
    ...(detail === undefined || detail === null ? {} : { detail }),
    recordedAt,
  };
}
