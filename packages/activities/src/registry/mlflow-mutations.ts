import type {
  AuditHead,
  AuditRecorder,
  MutationOptions,
  PlannedMutation,
  RecordApprovalInput,
  RecordDeploymentInput,
  SetAliasOptions,
} from '../ports.js';
import { requireVersion, setVersionTag, versionWithTag, parseTagJson, type MlflowContext } from './mlflow-context.js';
import { ALIAS_MOVE_PREFIX, APPROVAL_PREFIX, DEPLOYMENT_PREFIX, nextSeq } from './mlflow-records.js';
import { tagMap, type MlflowModelVersion } from './mlflow-schemas.js';
import { keyHash, readChunked } from './mlflow-tags.js';
import { getAlias } from './mlflow-versions.js';
import { assertKeyTarget, assertSameAliasMove } from './key-conflicts.js';
import { parseRecordApprovalInput, parseRecordDeploymentInput } from './registry-input.js';
import { assertAliasName } from './version-spec.js';

/**
 * A keyed or audited alias move as kept in the `slipway.alias_move.<hash>` tag of the version it points the alias
 * at (`<hash>` names the key, or for an unkeyed audited move its audit line).
 */
interface StoredAliasMove {
  name: string;
  alias: string;
  version: number;
  previous: number | null;
  key?: string;
  /** The head of the move's audit line, when audited. */
  audit?: AuditHead;
  /** `pending` until the alias itself was moved: a retry finds a pending move and completes it. */
  state: 'pending' | 'done';
  at: string;
}

/**
 * Points an MLflow alias at a Slipway version. Without a key: reads the alias, moves it when it points
 * elsewhere, returns where it pointed. With a key: the move is written down (state `pending`, with
 * `previous`) on the target version before the alias moves and marked `done` after, so a retry returns the
 * first call's `previous` and never moves the alias a second time. Audited (`options.audit`), a move that
 * changes the alias is written down that way too, with its audit line's head, before the alias moves.
 */
export async function setAlias(
  ctx: MlflowContext,
  target: { name: string; alias: string; version: number },
  options: SetAliasOptions = {},
): Promise<{ previous: number | null }> {
  assertAliasName(target.alias);
  const key = options.idempotencyKey;
  if (key !== undefined) return keyedAliasMove(ctx, { ...target, key }, options.audit);
  await requireVersion(ctx, target.name, target.version, `set alias "${target.alias}" of`);
  const previous = (await getAlias(ctx, target.name, target.alias)) ?? null;
  if (previous === target.version) return { previous };
  if (options.audit === undefined) {
    await pointAlias(ctx, target);
    return { previous };
  }
  const audit = await options.audit({ kind: 'alias', ...target, previous });
  const record: StoredAliasMove = { ...target, previous, audit, state: 'pending', at: ctx.now().toISOString() };
  const tag = `${ALIAS_MOVE_PREFIX}${keyHash(`audit:${audit.logId}:${audit.seq}`)}`;
  await setVersionTag(ctx, target, tag, JSON.stringify(record));
  await completeMove(ctx, record, tag);
  return { previous };
}

async function keyedAliasMove(
  ctx: MlflowContext,
  move: { name: string; alias: string; version: number; key: string },
  audit: AuditRecorder | undefined,
): Promise<{ previous: number | null }> {
  const tag = `${ALIAS_MOVE_PREFIX}${keyHash(move.key)}`;
  const elsewhere = await versionWithTag(ctx, tag);
  const done = elsewhere === undefined ? undefined : storedMove(elsewhere, tag);
  if (done) {
    assertSameAliasMove(move.key, done, move);
    if (done.state === 'pending') await completeMove(ctx, done, tag);
    return { previous: done.previous };
  }
  await requireVersion(ctx, move.name, move.version, `set alias "${move.alias}" of`);
  const previous = (await getAlias(ctx, move.name, move.alias)) ?? null;
  const { name, alias, version, key } = move;
  const head =
    audit === undefined || previous === version
      ? undefined
      : await audit({ kind: 'alias', name, alias, version, previous, idempotencyKey: key });
  const record: StoredAliasMove = {
    ...move,
    previous,
    ...(head ? { audit: head } : {}),
    state: 'pending',
    at: ctx.now().toISOString(),
  };
  await setVersionTag(ctx, move, tag, JSON.stringify(record));
  await completeMove(ctx, record, tag);
  return { previous };
}

async function completeMove(ctx: MlflowContext, record: StoredAliasMove, tag: string): Promise<void> {
  await pointAlias(ctx, record);
  await setVersionTag(ctx, record, tag, JSON.stringify({ ...record, state: 'done' }));
}

function storedMove(mv: MlflowModelVersion, tag: string): StoredAliasMove | undefined {
  const value = readChunked(tagMap(mv.tags), tag);
  return value === undefined ? undefined : parseTagJson<StoredAliasMove>(value, `${tag} of model "${mv.name}"`);
}

async function pointAlias(ctx: MlflowContext, target: { name: string; alias: string; version: number }) {
  await ctx.client.post('registered-models/alias', {
    name: target.name,
    alias: target.alias,
    version: String(target.version),
  });
}

/** Records an approval outcome on a Slipway version, once per key (a tag named by the key's hash). */
export async function recordApproval(
  ctx: MlflowContext,
  raw: RecordApprovalInput,
  options: MutationOptions = {},
): Promise<{ created: boolean }> {
  const input = parseRecordApprovalInput(raw);
  const { outcome, decisions, evidenceDigest, workflowId, runId, proof } = input;
  const record = { outcome, decisions, evidenceDigest, workflowId, runId, ...(proof ? { proof } : {}) };
  const planned: PlannedMutation = { kind: 'approval', input };
  return recordOnVersion(ctx, APPROVAL_PREFIX, { input, record, planned }, 'record an approval of', options.audit);
}

/** Records a deployment of a Slipway version, once per key. */
export async function recordDeployment(
  ctx: MlflowContext,
  raw: RecordDeploymentInput,
  options: MutationOptions = {},
): Promise<{ created: boolean }> {
  const input = parseRecordDeploymentInput(raw);
  const { deploymentId, serverUrl, alias, previousVersion, status, detail } = input;
  const record = {
    deploymentId,
    serverUrl,
    alias,
    previousVersion,
    status,
    ...(detail === undefined ? {} : { detail }),
  };
  const planned: PlannedMutation = { kind: 'deployment', input };
  return recordOnVersion(ctx, DEPLOYMENT_PREFIX, { input, record, planned }, 'record a deployment of', options.audit);
}

/** Writes one record tag, with the head of its audit line (written first) when audited. */
async function recordOnVersion(
  ctx: MlflowContext,
  prefix: string,
  what: { input: { name: string; version: number; idempotencyKey: string }; record: object; planned: PlannedMutation },
  action: string,
  audit: AuditRecorder | undefined,
): Promise<{ created: boolean }> {
  const { input } = what;
  const tag = `${prefix}${keyHash(input.idempotencyKey)}`;
  const existing = await versionWithTag(ctx, tag);
  if (existing) {
    assertKeyTarget(action, input.idempotencyKey, existing, input);
    return { created: false };
  }
  await requireVersion(ctx, input.name, input.version, action);
  const head = audit === undefined ? undefined : await audit(what.planned);
  const stored = {
    ...what.record,
    recordedAt: ctx.now().toISOString(),
    seq: nextSeq(),
    idempotencyKey: input.idempotencyKey,
    ...(head ? { audit: head } : {}),
  };
  await setVersionTag(ctx, input, tag, JSON.stringify(stored));
  return { created: true };
}
