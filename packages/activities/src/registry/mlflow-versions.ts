import type { ModelSummary, ModelVersionRecord, MutationOptions, RegisterVersionInput } from '../ports.js';
import { canonicalJson } from '../util/digest.js';
import { isRetryableMlflowFailure, unlessMlflowError } from './mlflow-client.js';
import {
  fetchVersion,
  isSlipwayVersion,
  modelFilter,
  searchVersions,
  setVersionTag,
  type MlflowContext,
} from './mlflow-context.js';
import { mlflowVersionSource } from './mlflow-onnx-source.js';
import { toVersionRecord, versionTags } from './mlflow-records.js';
import { MlflowAnswer, parseAnswer, type MlflowModelVersion } from './mlflow-schemas.js';
import { SCHEMA_VERSION, VersionTag, fullKeyHash, tagEquals } from './mlflow-tags.js';
import { assertKeyTarget } from './key-conflicts.js';
import { parseRegisterVersionInput } from './registry-input.js';
import { runNotFound } from './tracking-input.js';
import type { VersionSpec } from './version-spec.js';

type Registered = { version: ModelVersionRecord; created: boolean };

/**
 * Registers a version: a version already tagged with the key is returned (`created: false`); otherwise the
 * registered model is created if needed and a version is created with every Slipway tag in the same request.
 * A create whose answer was lost (unreachable server, 5xx) is looked for again before the failure is thrown,
 * and if two creates with one key raced, the lower version is kept and the other one deleted.
 *
 * Audited (`options.audit`): the version is created *pending*, without `slipway.schema`, so that its number is
 * known before its audit line is written; then the line is written, and the version is completed with the line's
 * head (`slipway.audit_head`) and, last, `slipway.schema`. A retry that finds a pending version completes it.
 */
export async function registerVersion(
  ctx: MlflowContext,
  raw: RegisterVersionInput,
  options: MutationOptions = {},
): Promise<Registered> {
  const input = parseRegisterVersionInput(raw);
  const hash = fullKeyHash(input.idempotencyKey);
  const existing = (await versionsWithKey(ctx, hash))[0];
  if (existing)
    return isSlipwayVersion(existing) ? adopt(ctx, input, existing) : complete(ctx, input, existing, options);
  if (input.trackingRunId !== undefined) await requireRun(ctx, input.trackingRunId, input.name);
  await unlessMlflowError(ctx.client.post('registered-models/create', { name: input.name }), 'RESOURCE_ALREADY_EXISTS');
  let created: MlflowModelVersion;
  try {
    created = await createVersion(ctx, input, options.audit !== undefined);
  } catch (err) {
    if (!isRetryableMlflowFailure(err)) throw err;
    const found = (await versionsWithKey(ctx, hash).catch(() => []))[0];
    if (!found) throw err;
    created = found;
  }
  return settleRace(ctx, input, hash, created, options);
}

async function createVersion(
  ctx: MlflowContext,
  input: RegisterVersionInput,
  pending: boolean,
): Promise<MlflowModelVersion> {
  const { lineage } = input;
  const source = await mlflowVersionSource(ctx, input.name, input.artifact);
  const answer = await ctx.client.post('model-versions/create', {
    name: input.name,
    source,
    ...(input.trackingRunId === undefined ? {} : { run_id: input.trackingRunId }),
    description: `Registered by Slipway: ${lineage.trainer} on ${lineage.datasetUri}, workflow ${lineage.workflowId}`,
    tags: versionTags(input, ctx.tagValueLimit, pending),
  });
  return parseAnswer(MlflowAnswer.modelVersion, answer, 'create model version').model_version;
}

/** After a create: if another version carries the same key too, the lowest one wins and ours is deleted. */
async function settleRace(
  ctx: MlflowContext,
  input: RegisterVersionInput,
  hash: string,
  created: MlflowModelVersion,
  options: MutationOptions,
): Promise<Registered> {
  const winner = (await versionsWithKey(ctx, hash))[0] ?? created;
  if (winner.name !== created.name || winner.version !== created.version) {
    await unlessMlflowError(
      ctx.client.delete('model-versions/delete', { name: created.name, version: String(created.version) }),
      'RESOURCE_DOES_NOT_EXIST',
    );
    if (isSlipwayVersion(winner)) return adopt(ctx, input, winner);
  }
  return isSlipwayVersion(winner) ? adopt(ctx, input, winner, true) : complete(ctx, input, winner, options);
}

/** Completes a pending (audited) registration: its audit line, then its head, then `slipway.schema`. */
async function complete(
  ctx: MlflowContext,
  input: RegisterVersionInput,
  pending: MlflowModelVersion,
  options: MutationOptions,
): Promise<Registered> {
  assertKeyTarget('register', input.idempotencyKey, pending, { name: input.name, version: null });
  const mv = (await fetchVersion(ctx, pending.name, pending.version)) ?? pending;
  const record = toVersionRecord(mv, true);
  if (!record) throw new Error(`MLflow model "${mv.name}" version ${mv.version} carries a Slipway key but no record`);
  if (options.audit !== undefined) {
    const head = await options.audit({ kind: 'register', record, idempotencyKey: input.idempotencyKey });
    await setVersionTag(ctx, mv, VersionTag.auditHead, canonicalJson(head));
  }
  await setVersionTag(ctx, mv, VersionTag.schema, SCHEMA_VERSION);
  return adopt(ctx, input, mv, true);
}

async function adopt(
  ctx: MlflowContext,
  input: RegisterVersionInput,
  found: MlflowModelVersion,
  created = false,
): Promise<Registered> {
  assertKeyTarget('register', input.idempotencyKey, found, { name: input.name, version: null });
  // A search leaves out aliases: read the version itself.
  const mv = (await fetchVersion(ctx, found.name, found.version)) ?? found;
  const record = toVersionRecord(mv);
  if (!record) throw new Error(`MLflow model "${mv.name}" version ${mv.version} carries a Slipway key but no record`);
  return { version: record, created };
}

async function versionsWithKey(ctx: MlflowContext, hash: string): Promise<MlflowModelVersion[]> {
  return searchVersions(ctx, tagEquals(VersionTag.keyHash, `'${hash}'`), { orderBy: 'version_number ASC' });
}

async function requireRun(ctx: MlflowContext, runId: string, model: string): Promise<void> {
  const run = await unlessMlflowError(ctx.client.get('runs/get', { run_id: runId }), 'RESOURCE_DOES_NOT_EXIST');
  if (run === undefined) throw runNotFound(runId, `register model "${model}" as trained by`);
}

/** One Slipway version, or undefined. */
export async function getVersion(
  ctx: MlflowContext,
  name: string,
  version: number,
): Promise<ModelVersionRecord | undefined> {
  if (!Number.isSafeInteger(version) || version < 1) return undefined;
  const mv = await fetchVersion(ctx, name, version);
  return mv === undefined ? undefined : toVersionRecord(mv);
}

/** Every Slipway version of a model, ascending, with its aliases (a search does not return them). */
export async function listVersions(ctx: MlflowContext, name: string): Promise<ModelVersionRecord[]> {
  const filter = modelFilter(name);
  if (filter === undefined) return [];
  const found = await searchVersions(ctx, filter, { orderBy: 'version_number ASC' });
  if (found.length === 0) return [];
  const aliases = (await registeredModel(ctx, name))?.aliases ?? [];
  return found.flatMap((mv) => {
    const own = aliases.filter((a) => a.version === mv.version).map((a) => a.alias);
    return toVersionRecord({ ...mv, aliases: own }) ?? [];
  });
}

async function registeredModel(ctx: MlflowContext, name: string) {
  const answer = await unlessMlflowError(ctx.client.get('registered-models/get', { name }), 'RESOURCE_DOES_NOT_EXIST');
  return answer === undefined
    ? undefined
    : parseAnswer(MlflowAnswer.registeredModel, answer, 'get registered model').registered_model;
}

/** The version an alias points at, read from the registered model. */
export async function getAlias(ctx: MlflowContext, name: string, alias: string): Promise<number | undefined> {
  return (await registeredModel(ctx, name))?.aliases.find((entry) => entry.alias === alias)?.version;
}

/** The version a parsed spec names: a number, an MLflow alias, or the highest Slipway version. */
export async function resolveVersion(
  ctx: MlflowContext,
  name: string,
  spec: VersionSpec,
): Promise<ModelVersionRecord | undefined> {
  switch (spec.kind) {
    case 'version':
      return getVersion(ctx, name, spec.version);
    case 'alias': {
      const version = await getAlias(ctx, name, spec.alias);
      return version === undefined ? undefined : getVersion(ctx, name, version);
    }
    case 'latest': {
      const filter = modelFilter(name);
      if (filter === undefined) return undefined;
      const [latest] = await searchVersions(ctx, filter, { orderBy: 'version_number DESC', limit: 1 });
      return latest === undefined ? undefined : getVersion(ctx, name, latest.version);
    }
  }
}

/** Every model with Slipway versions: latest version, number of versions, and aliases on Slipway versions. */
export async function listModels(ctx: MlflowContext): Promise<ModelSummary[]> {
  const all = await searchVersions(ctx, tagEquals(VersionTag.schema, `'${SCHEMA_VERSION}'`));
  const byModel = new Map<string, number[]>();
  for (const mv of all.filter(isSlipwayVersion)) byModel.set(mv.name, [...(byModel.get(mv.name) ?? []), mv.version]);
  const names = [...byModel.keys()].sort();
  return Promise.all(
    names.map(async (name) => {
      const versions = byModel.get(name) ?? [];
      const all = (await registeredModel(ctx, name))?.aliases ?? [];
      const aliases = all.filter((a) => versions.includes(a.version)).sort((a, b) => a.alias.localeCompare(b.alias));
      return {
        name,
        latestVersion: Math.max(...versions),
        versions: versions.length,
        aliases: Object.fromEntries(aliases.map((a) => [a.alias, a.version])),
      };
    }),
  );
}
