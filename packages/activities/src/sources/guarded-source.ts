/**
 * Byte sources that check the dataset roots first: every dataset a worker reads is opened through one of these,
 * so no byte of a file outside the roots (or of Slipway's state directory, or of a secret file) is ever read.
 */
import type { ByteSource } from './byte-source.js';
import { checkDatasetAccess, type DatasetAccess } from './dataset-roots.js';

/** Opens the stored bytes of a dataset URI (no I/O until the first call on the source). */
export type ByteSourceOpener = (uri: string) => ByteSource;

/**
 * Wraps `open` so that each source checks `access` (see `checkDatasetAccess`) before its first read, and then
 * reads a local file at its real path, the one that was checked, rather than through the links of the given one.
 * A refused dataset fails every call with the same final `SlipwayAccessDenied` failure. The URI is parsed at once,
 * as `open` does (a bad URI fails with `SlipwayInvalidInput` before any check).
 *
 * ```ts
 * const openSource = guardedSourceOpener({ roots: ['/srv/data'], denied: ['/srv/slipway'] }, (uri) => openByteSource(uri));
 * await openSource('file:///etc/passwd').size(); // throws SlipwayAccessDenied; nothing was opened
 * ```
 */
export function guardedSourceOpener(access: DatasetAccess, open: ByteSourceOpener): ByteSourceOpener {
  return (uri) => {
    const given = open(uri);
    let checked: Promise<ByteSource> | undefined;
    const source = () =>
      (checked ??= checkDatasetAccess(uri, access).then((allowed) =>
        allowed.kind === 'file' ? open(allowed.uri) : given,
      ));
    return {
      uri: given.uri,
      displayName: given.displayName,
      size: async () => (await source()).size(),
      stream: async (options) => (await source()).stream(options),
      read: async (start, end) => (await source()).read(start, end),
    };
  };
}
