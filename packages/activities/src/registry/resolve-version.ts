/**
 * Looking up a registered version by number or alias, as a final failure that says what is missing.
 */
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import type { ModelVersionRef } from '@slipway/sdk';
import type { ModelRegistry, ModelVersionRecord } from '../ports.js';

/**
 * Resolves `name` at a version number or alias.
 *
 * @throws a final `SlipwayNotFound` failure when the registry has no such version or alias.
 */
export async function resolveVersionOrFail(
  registry: ModelRegistry,
  name: string,
  versionOrAlias: number | string,
): Promise<ModelVersionRecord> {
  const record = await registry.resolve(name, versionOrAlias);
  if (record) return record;
  const what = typeof versionOrAlias === 'number' ? `version ${versionOrAlias}` : `alias "${versionOrAlias}"`;
  throw finalFailure(SlipwayErrorType.NotFound, `Model "${name}" has no ${what} in the registry`, {
    model: name,
    versionOrAlias,
  });
}

/**
 * Resolves the version a step is about to deploy and checks that the registry holds the artifact the step names.
 *
 * @throws a final `SlipwayNotFound` failure when the version is not registered, and a final `SlipwayDigestMismatch`
 *   failure when its artifact digest is not `ref.digest`.
 */
export async function resolveVersionRefOrFail(
  registry: ModelRegistry,
  ref: ModelVersionRef,
): Promise<ModelVersionRecord> {
  const { name, version } = ref;
  const record = await resolveVersionOrFail(registry, name, version);
  if (record.artifact.digest !== ref.digest) {
    throw finalFailure(
      SlipwayErrorType.DigestMismatch,
      `Model "${name}" version ${version} has artifact digest ${record.artifact.digest} in the registry, but the step input names ${ref.digest}`,
      { model: name, version },
    );
  }
  return record;
}
