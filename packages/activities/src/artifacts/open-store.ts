import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import type { ArtifactStore } from '../ports.js';
import { s3SettingsFromEnv, type S3Settings } from '../sources/s3-settings.js';
import { accessDenied } from '../sources/source-errors.js';
import type { CheckableArtifactStore } from './artifact-common.js';
import { createFsArtifactStore } from './fs-artifact-store.js';
import { createS3ArtifactStore } from './s3-artifact-store.js';

import { parseArtifactLocation } from './artifact-location.js';

export { parseArtifactLocation, type ArtifactLocation } from './artifact-location.js';

/** Options of {@link openArtifactStore}. */
export interface OpenArtifactStoreOptions {
  /** How to reach S3 for an `s3://` location (default: `s3SettingsFromEnv()`). */
  s3?: S3Settings;
  /** What a relative directory is relative to (default: the working directory). */
  cwd?: string;
}

/**
 * Opens the artifact store at a location (see {@link parseArtifactLocation}): the content-addressed
 * filesystem store for a directory, the S3 store for `s3://bucket/prefix`. Nothing is contacted yet; call
 * {@link checkArtifactStore} to find out now whether the store is usable.
 *
 * ```ts
 * const store = openArtifactStore('s3://ml-artifacts/slipway', { s3: s3SettingsFromEnv() });
 * await checkArtifactStore(store);
 * ```
 */
export function openArtifactStore(location: string, options: OpenArtifactStoreOptions = {}): CheckableArtifactStore {
  const parsed = parseArtifactLocation(location, options.cwd);
  switch (parsed.kind) {
    case 'filesystem':
      return { ...createFsArtifactStore(parsed.root), location: parsed.root, check: () => checkDirectory(parsed.root) };
    case 's3':
      return createS3ArtifactStore({
        bucket: parsed.bucket,
        prefix: parsed.prefix,
        settings: options.s3 ?? s3SettingsFromEnv(),
      });
  }
}

/**
 * Checks that an artifact store is usable before any work is given to it, throwing the failure a put or
 * read would meet later: for S3 a missing bucket (`SlipwayNotFound`), rejected credentials
 * (`SlipwayAccessDenied`) or an unreachable endpoint (`SlipwaySourceUnreachable`); for a directory one that
 * cannot be created or written. A store without a `check` method (a custom adapter) passes.
 */
export async function checkArtifactStore(store: ArtifactStore): Promise<void> {
  const check = (store as Partial<CheckableArtifactStore>).check;
  if (typeof check === 'function') await check.call(store);
}

/** Creates the directory if needed and checks it is writable. */
async function checkDirectory(root: string): Promise<void> {
  try {
    await mkdir(root, { recursive: true });
    await access(root, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException | undefined)?.code ?? 'error';
    const reason = err instanceof Error ? err.message : String(err);
    const message = `The artifact store directory ${root} cannot be used: ${reason}`;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw accessDenied(message, { root, code });
    throw finalFailure(SlipwayErrorType.InvalidInput, message, { root, code });
  }
}
