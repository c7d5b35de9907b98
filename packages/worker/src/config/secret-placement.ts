/**
 * Where a file holding a key or token may live: outside every dataset root, where no run can read it (the Slipway
 * home is never read as a dataset, so a secret inside it is fine even when the home lies inside a root).
 */
import { isPathWithin } from '@slipway/activities/settings';

/** What a secret file is checked against. */
export interface SecretPlacementContext {
  /** The Slipway home (absolute). */
  home: string;
  /** The dataset roots (absolute directories and `s3://` locations). */
  roots: readonly string[];
  /** Where the setting came from, when it is worth naming (e.g. the configuration file). */
  source?: string;
}

/**
 * Refuses a secret file (absolute) that lies inside a dataset root, outside the Slipway home.
 *
 * @throws Error naming the configuration, the setting, the file and the root.
 */
export function checkSecretOutsideRoots(file: string, setting: string, context: SecretPlacementContext): void {
  const root = context.roots.find(
    (r) => !r.startsWith('s3://') && isPathWithin(r, file) && !isPathWithin(context.home, file),
  );
  if (root === undefined) return;
  const where = context.source === undefined ? '' : ` in ${context.source}`;
  throw new Error(
    `invalid Slipway configuration${where}: ${setting} ${file} lies inside the dataset root ${root}, where a run ` +
      `could read it: keep it outside every dataset root (the Slipway home ${context.home} is never read as a dataset)`,
  );
}
