/**
 * The training profile stored with a registered version (the profile of the data it was trained on), and one
 * feature's column in it, as final failures that say what is missing where. Deploy builds smoke features from it
 * and monitor compares served features with it.
 */
import {
  DatasetProfile,
  SlipwayErrorType,
  finalFailure,
  parseOrFail,
  type ColumnProfile,
  type Lineage,
} from '@slipway/sdk';
import type { ArtifactStore } from '../ports.js';

/**
 * Reads and checks the training profile a version's lineage points at (digest verified by the store).
 *
 * @throws a final `SlipwayInvalidInput` failure when the artifact is not a dataset profile; the store's own
 *   failures (`SlipwayNotFound`, `SlipwayDigestMismatch`) pass through.
 */
export async function loadTrainingProfile(
  artifacts: ArtifactStore,
  lineage: Pick<Lineage, 'profile'>,
): Promise<DatasetProfile> {
  const json = await artifacts.getJson(lineage.profile);
  const what = `Training profile ${lineage.profile.uri} is not a dataset profile`;
  return parseOrFail(DatasetProfile, json, what, { uri: lineage.profile.uri });
}

/**
 * The profile of one feature column.
 *
 * @throws a final `SlipwayInvalidInput` failure naming the feature and profile when the column is missing.
 */
export function featureProfile(profile: DatasetProfile, feature: string, profileUri: string): ColumnProfile {
  const column = Object.hasOwn(profile.columns, feature) ? profile.columns[feature] : undefined;
  if (column) return column;
  const known = Object.keys(profile.columns).sort().join(', ');
  throw finalFailure(
    SlipwayErrorType.InvalidInput,
    `Training profile ${profileUri} has no column "${feature}" (it has: ${known})`,
    { feature, uri: profileUri },
  );
}
