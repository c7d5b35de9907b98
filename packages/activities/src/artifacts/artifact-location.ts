/** Artifact store locations (a directory, `file://`, `s3://bucket/prefix`), parsed without loading a store. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
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
