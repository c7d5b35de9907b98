import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(bytes: Uint8Array | string): `sha256:${string}` {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Streams a file and returns `sha256:<hex>` and its size, calling `onBytes` as chunks are read. */
export async function sha256OfFile(
  path: string,
  onBytes?: (bytesSoFar: number) => void,
): Promise<{ digest: `sha256:${string}`; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    size += buffer.length;
    onBytes?.(size);
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/**
 * JSON with object keys sorted at every level, so equal values always give equal bytes (and digests).
 * `undefined` fields are dropped, as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}

/** The digest of a value's canonical JSON. */
export function digestOfJson(value: unknown): `sha256:${string}` {
  return sha256Digest(canonicalJson(value));
}
