/**
 * Resolves what `distribution` expectations compare against: a profile artifact, or the training profile of a
 * registered model version behind an alias. When the alias does not exist yet (the first model of its name),
 * there is nothing to compare with, and distribution checks are skipped and say so.
 */
import {
  DatasetProfile,
  SlipwayErrorType,
  finalFailure,
  parseOrFail,
  type ArtifactRef,
  type ProfileReference,
  type ServingWindowReference,
} from '@slipway/sdk';
import type { ArtifactStore, ModelRegistry } from '../ports.js';

/**
 * A resolved reference: the profile, where it came from and, when it is not the one the expectations name, why
 * (and which one it replaced); or why there is none.
 */
export type ResolvedReference =
  | { profile: DatasetProfile; artifact: ArtifactRef; source: string; reason?: string; replaced?: string }
  | { profile: undefined; unavailable?: string };

/**
 * The reference of a validation: the serving window of a retrain started by the model guardian when there is one
 * (whatever the expectations name: a retrain because the data moved compares the new training data with where it
 * moved to, not with the data it drifted away from), else the expectations' own reference.
 */
export async function resolveValidationReference(
  input: { reference?: ProfileReference | undefined; servingWindow?: ServingWindowReference | undefined },
  deps: { artifacts: ArtifactStore; registry?: ModelRegistry },
): Promise<ResolvedReference> {
  const window = input.servingWindow;
  if (window === undefined) return resolveReferenceProfile(input.reference, deps);
  const source = `the serving window of ${window.guardian} check ${window.checkId} (profile ${window.profile.digest})`;
  const loaded = await load(deps.artifacts, window.profile, source);
  const replaced = input.reference === undefined ? undefined : describeReference(input.reference);
  const reason =
    `this run is a retrain ${window.guardian} started because the served data drifted (check ${window.checkId}): ` +
    'its training data is compared with the serving window that drifted' +
    (replaced === undefined ? '' : `, not with ${replaced}, the data it drifted away from`);
  return { ...loaded, reason, ...(replaced === undefined ? {} : { replaced }) };
}

/** A reference as the report names it: `churn@champion training data`, or `profile sha256:…`. */
function describeReference(reference: ProfileReference): string {
  return 'uri' in reference ? `profile ${reference.digest}` : `${reference.model}@${reference.alias} training data`;
}

/** Loads the reference profile; a model alias needs the registry. */
export async function resolveReferenceProfile(
  reference: ProfileReference | undefined,
  deps: { artifacts: ArtifactStore; registry?: ModelRegistry },
): Promise<ResolvedReference> {
  if (reference === undefined) return { profile: undefined };
  if ('uri' in reference) return load(deps.artifacts, reference, `profile ${reference.digest}`);
  if (!deps.registry) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `the reference ${reference.model}@${reference.alias} needs a model registry, and this worker has none`,
    );
  }
  const version = await deps.registry.resolve(reference.model, reference.alias);
  if (!version)
    return {
      profile: undefined,
      unavailable: `${reference.model}@${reference.alias} does not exist yet: nothing to compare with`,
    };
  return load(
    deps.artifacts,
    version.lineage.profile,
    `${reference.model}@${reference.alias} (v${version.version}) training data`,
  );
}

async function load(
  artifacts: ArtifactStore,
  artifact: ArtifactRef,
  source: string,
): Promise<Extract<ResolvedReference, { profile: DatasetProfile }>> {
  const json = await artifacts.getJson(artifact);
  const profile = parseOrFail(
    DatasetProfile,
    json,
    `the reference ${source} at ${artifact.uri} is not a dataset profile`,
    {
      uri: artifact.uri,
    },
  );
  return { profile, artifact, source };
}
