/**
 * The audit trail's anchor in MLflow.
 *
 * - **Keys** are tags of a dedicated experiment, {@link AUDIT_EXPERIMENT} (MLflow has no server-wide object to
 *   tag, and an experiment keeps them out of the model list): `slipway.audit_key.<hash of the log id>.<key hex>`,
 *   holding `{ logId, keyId, publicKey, legacyHead?, registeredAt }`.
 * - **Heads** are stored inside each mutation's own record, in the same write: a version's `slipway.audit_head`
 *   tag (written before the `slipway.schema` tag that makes the version visible to Slipway), the `audit` field of
 *   an approval's or deployment's record tag, and of an alias move's record (written before the alias moves).
 *   The registry's head of a log is the highest of them, read by scanning the Slipway versions.
 *
 * What is atomic: a record and its head (one tag value, or one create request). What is not: the alias itself
 * and its move record (two requests: the record first, as `pending`, so a retry completes the move), a
 * version's head tag and its schema tag (head first: a visible version always has its head), and the audit line
 * and the MLflow write (the line first: a crash leaves a pending line, which the retry completes with).
 */
import type { AuditHead, AuditKeyRecord } from '../ports.js';
import { unlessMlflowError } from './mlflow-client.js';
import { parseTagJson, searchVersions, type MlflowContext } from './mlflow-context.js';
import { ALIAS_MOVE_PREFIX, APPROVAL_PREFIX, DEPLOYMENT_PREFIX } from './mlflow-records.js';
import { findExperiment, experimentId } from './mlflow-runs.js';
import { MlflowAnswer, parseAnswer, tagMap } from './mlflow-schemas.js';
import { SCHEMA_VERSION, VersionTag, keyHash, readChunked, tagEquals, tagsWithPrefix } from './mlflow-tags.js';
import { parseAuditKeyInput } from './registry-input.js';
import { keyConflict } from './key-conflicts.js';

/** The experiment whose tags hold the audit logs' public keys. */
export const AUDIT_EXPERIMENT = 'slipway-audit-keys';

const KEY_PREFIX = 'slipway.audit_key.';

function keyTagPrefix(logId: string): string {
  return `${KEY_PREFIX}${keyHash(logId)}.`;
}

/** Records a writer's public key for a log, once; another public key under the same key id is refused. */
export async function registerAuditKey(
  ctx: MlflowContext,
  raw: Omit<AuditKeyRecord, 'registeredAt'>,
): Promise<{ created: boolean }> {
  const key = parseAuditKeyInput(raw);
  const known = (await auditKeys(ctx, key.logId)).find((k) => k.keyId === key.keyId);
  if (known !== undefined) {
    if (known.publicKey !== key.publicKey) throw keyConflict(key, known.publicKey);
    return { created: false };
  }
  const record: AuditKeyRecord = { ...key, registeredAt: ctx.now().toISOString() };
  await ctx.client.post('experiments/set-experiment-tag', {
    experiment_id: await experimentId(ctx, AUDIT_EXPERIMENT),
    key: `${keyTagPrefix(key.logId)}${key.keyId.replace(/^ed25519:/, '')}`,
    value: JSON.stringify(record),
  });
  return { created: true };
}

/** The keys recorded for a log, oldest first (none when the experiment does not exist yet). */
export async function auditKeys(ctx: MlflowContext, logId: string): Promise<AuditKeyRecord[]> {
  const id = await findExperiment(ctx, AUDIT_EXPERIMENT);
  if (id === undefined) return [];
  const answer = await unlessMlflowError(
    ctx.client.get('experiments/get', { experiment_id: id }),
    'RESOURCE_DOES_NOT_EXIST',
  );
  if (answer === undefined) return [];
  const tags = tagMap(parseAnswer(MlflowAnswer.experiment, answer, 'get experiment').experiment.tags);
  return tagsWithPrefix(tags, keyTagPrefix(logId))
    .map((tag) => parseTagJson<AuditKeyRecord>(tags.get(tag) ?? '', `${tag} of experiment ${AUDIT_EXPERIMENT}`))
    .filter((record) => record.logId === logId)
    .sort((a, b) => a.registeredAt.localeCompare(b.registeredAt) || a.keyId.localeCompare(b.keyId));
}

/** The highest head stored with any Slipway mutation for the log; undefined when none is. */
export async function auditHead(ctx: MlflowContext, logId: string): Promise<AuditHead | undefined> {
  const versions = await searchVersions(ctx, tagEquals(VersionTag.schema, `'${SCHEMA_VERSION}'`));
  let best: AuditHead | undefined;
  for (const mv of versions) {
    const tags = tagMap(mv.tags);
    const where = `of model "${mv.name}" version ${mv.version}`;
    const own = readChunked(tags, VersionTag.auditHead);
    const heads = [
      own === undefined ? undefined : parseTagJson<AuditHead>(own, `${VersionTag.auditHead} ${where}`),
      ...[APPROVAL_PREFIX, DEPLOYMENT_PREFIX, ALIAS_MOVE_PREFIX].flatMap((prefix) =>
        tagsWithPrefix(tags, prefix).map((tag) => recordHead(readChunked(tags, tag), `${tag} ${where}`)),
      ),
    ];
    for (const head of heads) {
      if (head?.logId === logId && (best === undefined || head.seq > best.seq)) best = head;
    }
  }
  return best;
}

function recordHead(value: string | undefined, where: string): AuditHead | undefined {
  return value === undefined ? undefined : parseTagJson<{ audit?: AuditHead }>(value, where).audit;
}
