import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { canonicalJson } from '@slipway/sdk';

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

/** Canonical JSON (keys sorted at every level, `undefined` dropped): the one definition, in `@slipway/sdk`. */
export { canonicalJson };

/** The digest of a value's canonical JSON. */
export function digestOfJson(value: unknown): `sha256:${string}` {
  return sha256Digest(canonicalJson(value));
}
