import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ArtifactRef } from '@slipway/sdk';
import { Digest, SlipwayErrorType, finalFailure } from '@slipway/sdk';

/**
 * Where a filesystem artifact store keeps things under its root:
 * objects at `<root>/sha256/<first 2 hex>/<64 hex>`, in-progress writes in `<root>/tmp` (same filesystem,
 * so the final `rename` is atomic).
 */
export interface FsStoreLayout {
  /** The absolute root directory of the store. */
  readonly root: string;
  /** `<root>/sha256`: the content-addressed objects. */
  readonly objectsDir: string;
  /** `<root>/tmp`: temp files being written; never read as objects. */
  readonly tempDir: string;
}

/** The layout of a store rooted at `root` (made absolute). */
export function fsStoreLayout(root: string): FsStoreLayout {
  const absolute = resolve(root);
  return { root: absolute, objectsDir: join(absolute, 'sha256'), tempDir: join(absolute, 'tmp') };
}

/**
 * The path of the object with this digest. The digest is validated first (`sha256:` + 64 lowercase hex),
 * which is what keeps a crafted digest from escaping the root.
 */
export function objectPath(layout: FsStoreLayout, digest: string): string {
  if (!Digest.safeParse(digest).success) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Artifact digest ${JSON.stringify(digest)} is not valid: expected "sha256:" followed by 64 lowercase hex digits`,
      { digest },
    );
  }
  const hex = digest.slice('sha256:'.length);
  return join(layout.objectsDir, hex.slice(0, 2), hex);
}

/** The `file://` URI of a path. */
export function fileUri(path: string): string {
  return pathToFileURL(path).href;
}

/**
 * The path of the object a reference names. Refuses a reference whose `uri` does not point exactly at the
 * path its digest maps to under this store's root (another directory, another scheme, a traversal).
 */
export function pathOfRef(layout: FsStoreLayout, ref: Pick<ArtifactRef, 'uri' | 'digest'>): string {
  const expected = objectPath(layout, ref.digest);
  if (filePathOfUri(ref.uri) !== expected) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Artifact uri ${JSON.stringify(ref.uri)} does not point at ${fileUri(expected)}, where digest ${ref.digest} ` +
        `is stored in the artifact store at ${layout.root}; refusing to read it`,
      { uri: ref.uri, digest: ref.digest, expectedUri: fileUri(expected) },
    );
  }
  return expected;
}

/** The normalized local path of a `file:` URL, or `undefined` when `uri` is not one. */
function filePathOfUri(uri: string): string | undefined {
  if (!URL.canParse(uri)) return undefined;
  const url = new URL(uri);
  if (url.protocol !== 'file:') return undefined;
  try {
    return resolve(fileURLToPath(url));
  } catch {
    // A file URL with a host, or with encoded separators, names no local path.
    return undefined;
  }
}
