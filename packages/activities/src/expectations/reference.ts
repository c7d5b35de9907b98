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
} from '@slipway/sdk';
import type { ArtifactStore, ModelRegistry } from '../ports.js';

/** A resolved reference: the profile and where it came from, or why there is none. */
export type ResolvedReference =
  { profile: DatasetProfile; artifact: ArtifactRef; source: string } | { profile: undefined; unavailable?: string };

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

async function load(artifacts: ArtifactStore, artifact: ArtifactRef, source: string): Promise<ResolvedReference> {
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
