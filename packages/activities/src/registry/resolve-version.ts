/**
 * Looking up a registered version by number or alias, as a final failure that says what is missing.
 */
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
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
