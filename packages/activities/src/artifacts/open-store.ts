import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import type { ArtifactStore } from '../ports.js';
import { s3SettingsFromEnv, type S3Settings } from '../sources/s3-settings.js';
import { accessDenied } from '../sources/source-errors.js';
import type { CheckableArtifactStore } from './artifact-common.js';
import { createFsArtifactStore } from './fs-artifact-store.js';
import { createS3ArtifactStore } from './s3-artifact-store.js';
import { s3LayoutProblem, s3StoreLayout } from './s3-layout.js';

/** Where artifacts live: a local directory, or a bucket and key prefix in S3 (or an S3-compatible store). */
export type ArtifactLocation =
  | { readonly kind: 'filesystem'; /** The absolute directory. */ readonly root: string }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      /** Without leading or trailing `/`; empty for the bucket's root. */
      readonly prefix: string;
      /** The normalized location, `s3://bucket/prefix` (or `s3://bucket`). */
      readonly uri: string;
    };

/** Options of {@link openArtifactStore}. */
export interface OpenArtifactStoreOptions {
  /** How to reach S3 for an `s3://` location (default: `s3SettingsFromEnv()`). */
  s3?: S3Settings;
  /** What a relative directory is relative to (default: the working directory). */
  cwd?: string;
}

/**
 * Parses an artifact location: `s3://bucket/prefix` (the prefix is optional), a `file://` URL, or a
 * directory path (made absolute against `cwd`). A malformed S3 location (a bucket name S3 would refuse,
 * an empty, `.` or `..` prefix segment) or another URL scheme fails with `SlipwayInvalidInput` saying why.
 */
export function parseArtifactLocation(location: string, cwd = process.cwd()): ArtifactLocation {
  if (location.trim() === '') throw invalidLocation(location, 'it is empty');
  if (/^s3:/i.test(location)) return parseS3Location(location);
  if (/^file:/i.test(location)) return { kind: 'filesystem', root: fileUrlPath(location) };
  // Two letters or more: `C:\…` is a Windows path, not a scheme.
  if (/^[a-z][a-z0-9+.-]+:/i.test(location)) {
    throw invalidLocation(location, 'its scheme is not supported: expected a directory or s3://bucket/prefix');
  }
  return { kind: 'filesystem', root: resolve(cwd, location) };
}

function parseS3Location(location: string): ArtifactLocation {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(location);
  if (match === null) throw invalidLocation(location, 'expected s3://bucket or s3://bucket/prefix');
  const bucket = match[1] ?? '';
  const prefix = match[2] ?? '';
  const problem = s3LayoutProblem(bucket, prefix);
  if (problem !== undefined) throw invalidLocation(location, problem);
  const layout = s3StoreLayout(bucket, prefix);
  return { kind: 's3', bucket, prefix: layout.prefix, uri: layout.location };
}

function fileUrlPath(location: string): string {
  try {
    return fileURLToPath(location);
  } catch (err) {
    throw invalidLocation(location, err instanceof Error ? err.message : String(err));
  }
}

function invalidLocation(location: string, reason: string): Error {
  return finalFailure(
    SlipwayErrorType.InvalidInput,
    `Artifact store location ${JSON.stringify(location)} is not valid: ${reason}`,
    { location },
  );
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
