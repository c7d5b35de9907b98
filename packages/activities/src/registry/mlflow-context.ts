import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import type { MlflowClient } from './mlflow-client.js';
import { unlessMlflowError } from './mlflow-client.js';
import type { MlflowModelsOptions } from './mlflow-onnx-source.js';
import { MlflowAnswer, parseAnswer, type MlflowModelVersion } from './mlflow-schemas.js';
import { SCHEMA_VERSION, VersionTag, chunkedTags, filterLiteral, tagEquals } from './mlflow-tags.js';

/** What every MLflow registry operation needs. */
export interface MlflowContext {
  client: MlflowClient;
  /** The longest tag value written in one tag (longer JSON is split, see `chunkedTags`). */
  tagValueLimit: number;
  now: () => Date;
  /** Experiment ids by name, resolved once. */
  experimentIds: Map<string, Promise<string>>;
  /** Experiment names by id. */
  experimentNames: Map<string, Promise<string>>;
  /** Where ONNX versions become MLflow Models (their `source`); without it every version keeps its artifact URI. */
  models?: MlflowModelsOptions | undefined;
}

const PAGE_SIZE = 1000;

/** A model version, or undefined when the model or version does not exist. */
export async function fetchVersion(
  ctx: MlflowContext,
  name: string,
  version: number,
): Promise<MlflowModelVersion | undefined> {
  const answer = await unlessMlflowError(
    ctx.client.get('model-versions/get', { name, version: String(version) }),
    'RESOURCE_DOES_NOT_EXIST',
  );
  return answer === undefined
    ? undefined
    : parseAnswer(MlflowAnswer.modelVersion, answer, 'get model version').model_version;
}

/** A Slipway version (tagged `slipway.schema`), or a final `SlipwayNotFound` naming the action. */
export async function requireVersion(
  ctx: MlflowContext,
  name: string,
  version: number,
  action: string,
): Promise<MlflowModelVersion> {
  const found = await fetchVersion(ctx, name, version);
  if (found && isSlipwayVersion(found)) return found;
  throw finalFailure(
    SlipwayErrorType.NotFound,
    `Cannot ${action} model "${name}" version ${version}: model "${name}" has no version ${version}`,
    { name, version },
  );
}

/** True for versions Slipway registered (others in the same MLflow server are not Slipway's). */
export function isSlipwayVersion(version: MlflowModelVersion): boolean {
  return version.tags.some((tag) => tag.key === VersionTag.schema && tag.value === SCHEMA_VERSION);
}

/** Every model version matching an MLflow search filter, following the pages. */
export async function searchVersions(
  ctx: MlflowContext,
  filter: string,
  options: { orderBy?: string; limit?: number } = {},
): Promise<MlflowModelVersion[]> {
  const found: MlflowModelVersion[] = [];
  let pageToken: string | undefined;
  do {
    const maxResults = Math.min(PAGE_SIZE, (options.limit ?? Infinity) - found.length);
    const answer = await ctx.client.get('model-versions/search', {
      filter,
      max_results: maxResults,
      order_by: options.orderBy === undefined ? undefined : [options.orderBy],
      page_token: pageToken,
    });
    const page = parseAnswer(MlflowAnswer.modelVersions, answer, 'search model versions');
    found.push(...page.model_versions);
    pageToken = page.next_page_token || undefined;
  } while (pageToken !== undefined && found.length < (options.limit ?? Infinity));
  return found;
}

/** The filter selecting one model's Slipway versions; undefined for a name no filter can hold. */
export function modelFilter(name: string): string | undefined {
  const literal = filterLiteral(name);
  return literal === undefined
    ? undefined
    : `name = ${literal} AND ${tagEquals(VersionTag.schema, `'${SCHEMA_VERSION}'`)}`;
}

/** The first version (lowest number) carrying a tag, in any model. */
export async function versionWithTag(ctx: MlflowContext, tag: string): Promise<MlflowModelVersion | undefined> {
  const found = await searchVersions(ctx, `tags.\`${tag}\` LIKE '%'`, { orderBy: 'version_number ASC', limit: 1 });
  return found[0];
}

/** Sets a model-version tag, splitting a long value into parts (written first) as `chunkedTags` does. */
export async function setVersionTag(
  ctx: MlflowContext,
  target: { name: string; version: number },
  tag: string,
  value: string,
): Promise<void> {
  for (const { key, value: part } of chunkedTags(tag, value, ctx.tagValueLimit)) {
    await ctx.client.post('model-versions/set-tag', {
      name: target.name,
      version: String(target.version),
      key,
      value: part,
    });
  }
}

/** Parses a JSON tag value written by Slipway; a value that is not JSON is reported, naming the tag. */
export function parseTagJson<T>(value: string, where: string): T {
  try {
    return JSON.parse(value) as T;
  } catch (err) {
    throw new Error(`MLflow tag ${where} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}
