import { directorySignatureProblem } from '@slipway/sdk';
import type { DirectorySource } from '../ports.js';
import { invalidDirectory, loadPeopleDirectory, type LoadedDirectory } from './load-directory.js';

/**
 * The directory of people in a JSON or YAML file, read afresh each time (so an edit applies to the next gate) and
 * trusted only when the administrator's signature verifies: `read()` fails with the non-retryable
 * `SlipwayInvalidDirectory` failure naming the file and the reason when no administrator key is given, the file
 * is unsigned, signed by another key, or changed after it was signed (see {@link trustedDirectory}).
 */
export function fileDirectorySource(path: string, adminPublicKey: string | undefined): DirectorySource {
  return { location: path, read: async () => trustedDirectory(await loadPeopleDirectory(path), adminPublicKey) };
}

/**
 * The loaded directory when its administrator signature verifies against `adminPublicKey`; otherwise the
 * non-retryable `SlipwayInvalidDirectory` failure `<location>: <reason>` (no administrator key configured,
 * unsigned, signed by another key, or a signature that does not match the content).
 */
export function trustedDirectory(loaded: LoadedDirectory, adminPublicKey: string | undefined): LoadedDirectory {
  const problem = directorySignatureProblem(loaded.directory, adminPublicKey);
  if (problem !== undefined) throw invalidDirectory(loaded.location, problem);
  return loaded;
}
