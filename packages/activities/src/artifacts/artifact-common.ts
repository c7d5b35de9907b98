import { createHash } from 'node:crypto';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import type { ApplicationFailure } from '@temporalio/common';
import type { ArtifactStore } from '../ports.js';
import { canonicalJson } from '../util/digest.js';

/** Media type given to bytes and files stored without one. */
export const DEFAULT_MEDIA_TYPE = 'application/octet-stream';
/** Media type of artifacts stored with `putJson`. */
export const JSON_MEDIA_TYPE = 'application/json';

/** The canonical JSON bytes of a value; `SlipwayInvalidInput` for a value with no JSON representation. */
export function jsonBytes(value: unknown): Buffer {
  // JSON.stringify yields undefined (despite its type) for undefined, functions and symbols.
  const text = canonicalJson(value) as string | undefined;
  if (text === undefined) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `putJson was given a value with no JSON representation (${typeof value})`,
    );
  }
  return Buffer.from(text, 'utf8');
}

/** Parses the bytes of a JSON artifact; `SlipwayInvalidInput` when they are not JSON. */
export function parseJsonArtifact(bytes: Buffer, digest: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (err) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Artifact ${digest} is not JSON: ${err instanceof Error ? err.message : String(err)}`,
      { digest },
    );
  }
}

/** The final `SlipwayDigestMismatch` failure for an object (`where`: its path or URI) whose bytes hash to `actual`. */
export function digestMismatch(where: string, expected: string, actual: string): ApplicationFailure {
  return finalFailure(
    SlipwayErrorType.DigestMismatch,
    `Artifact ${where} is corrupted: its bytes hash to ${actual}, but it is stored as ${expected}`,
    { path: where, expected, actual },
  );
}

/** An incremental sha256 that also counts bytes. */
export class DigestCounter {
  private readonly hash = createHash('sha256');
  /** Bytes seen so far. */
  size = 0;

  /** Adds a chunk. */
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.size += chunk.length;
  }

  /** `sha256:<hex>` of every chunk added (call once). */
  digest(): `sha256:${string}` {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

/** An artifact store that can tell, before any work, whether it is usable. */
export interface CheckableArtifactStore extends ArtifactStore {
  /** Where the store keeps its objects: a directory, or `s3://bucket/prefix`. */
  readonly location: string;
  /**
   * Throws a clear failure when the store cannot be used: a missing bucket, rejected credentials, an
   * unreachable endpoint, a directory that cannot be created or written.
   */
  check(): Promise<void>;
}
