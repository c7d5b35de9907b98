import { createHash } from 'node:crypto';

/**
 * How Slipway keeps its records in MLflow tags. Model-version tags:
 *
 * | tag | value |
 * |---|---|
 * | `slipway.schema` | `1`: marks a version Slipway registered (others are not Slipway's and are skipped); an audited registration sets it last |
 * | `slipway.idempotency_key`, `slipway.idempotency_key_sha256` | the register key, and its hash for search |
 * | `slipway.artifact`, `slipway.metrics`, `slipway.lineage` | JSON |
 * | `slipway.approval.<hash>`, `slipway.deployment.<hash>` | JSON of one record; `<hash>` names its key |
 * | `slipway.alias_move.<hash>` | JSON of one keyed or audited alias move |
 * | `slipway.audit_head` | JSON of the audit head of an audited registration (written before `slipway.schema`) |
 *
 * A JSON value longer than the tag value limit is split: its parts go into `<tag>.part-000`, `<tag>.part-001`,
 * … and the tag itself, written last, holds `slipway-parts:<count>`.
 */
export const VersionTag = {
  schema: 'slipway.schema',
  key: 'slipway.idempotency_key',
  keyHash: 'slipway.idempotency_key_sha256',
  artifact: 'slipway.artifact',
  metrics: 'slipway.metrics',
  lineage: 'slipway.lineage',
  trackingRun: 'slipway.tracking_run_id',
  /** The head of the audit line of the version's registration (audited registrations). */
  auditHead: 'slipway.audit_head',
} as const;

/** The value of `slipway.schema` this code writes and reads. */
export const SCHEMA_VERSION = '1';

/** Run tags Slipway uses for itself (hidden from `TrackingRunRecord.tags`). */
export const RunTag = {
  prefix: 'slipway.internal.',
  key: 'slipway.internal.idempotency_key',
  keyHash: 'slipway.internal.idempotency_key_sha256',
  /** `slipway.internal.logged.<hash>`: a metrics call under that key completed. */
  logged: 'slipway.internal.logged.',
} as const;

/**
 * MLflow's limit on a tag value in the oldest servers Slipway supports (2.x: 5000 characters for model-version
 * and run tags; 3.x allows 100 000 on versions and 8000 on runs).
 */
export const DEFAULT_TAG_VALUE_LIMIT = 5000;

const PARTS_PREFIX = 'slipway-parts:';

/** The first 16 hex digits of the sha256 of a key: names a key in a tag name without its characters. */
export function keyHash(key: string, length = 16): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, length);
}

/** The full sha256 (hex) of a key, for exact search. */
export function fullKeyHash(key: string): string {
  return keyHash(key, 64);
}

/** Tags that store `value` under `tag`, split into parts when longer than `limit`; the tag itself comes last. */
export function chunkedTags(tag: string, value: string, limit: number): { key: string; value: string }[] {
  if (value.length <= limit && !value.startsWith(PARTS_PREFIX)) return [{ key: tag, value }];
  const parts: { key: string; value: string }[] = [];
  for (let offset = 0; offset < value.length; offset += limit) {
    parts.push({ key: partTag(tag, parts.length), value: value.slice(offset, offset + limit) });
  }
  return [...parts, { key: tag, value: `${PARTS_PREFIX}${parts.length}` }];
}

/** The value stored under `tag` by {@link chunkedTags}; undefined when the tag or a part is missing. */
export function readChunked(tags: ReadonlyMap<string, string>, tag: string): string | undefined {
  const value = tags.get(tag);
  if (value === undefined || !value.startsWith(PARTS_PREFIX)) return value;
  const count = Number(value.slice(PARTS_PREFIX.length));
  let joined = '';
  for (let i = 0; i < count; i++) {
    const part = tags.get(partTag(tag, i));
    if (part === undefined) return undefined;
    joined += part;
  }
  return joined;
}

/** Tag names starting with `prefix`, leaving out the parts of chunked values. */
export function tagsWithPrefix(tags: ReadonlyMap<string, string>, prefix: string): string[] {
  return [...tags.keys()].filter((key) => key.startsWith(prefix) && !/\.part-\d{3,}$/.test(key));
}

function partTag(tag: string, index: number): string {
  return `${tag}.part-${String(index).padStart(3, '0')}`;
}

/**
 * A string literal for an MLflow search filter, or undefined when it cannot be written as one (MLflow's
 * filter grammar has no escape for a quote).
 */
export function filterLiteral(value: string): string | undefined {
  return value.includes("'") || value.includes('\\') ? undefined : `'${value}'`;
}

/** A tag comparison for an MLflow search filter: tags.`key` = 'value'. */
export function tagEquals(key: string, literal: string): string {
  return `tags.\`${key}\` = ${literal}`;
}
