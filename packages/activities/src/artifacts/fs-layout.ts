import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ArtifactRef } from '@slipway/sdk';
import { Digest, SlipwayErrorType, finalFailure } from '@slipway/sdk';

/**
 * Where a filesystem artifact store keeps things under its root:
 * objects at `<root>/sha256/<first 2 hex>/<64 hex>[extension]`, in-progress writes in `<root>/tmp` (same filesystem,
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

/** What an object name's extension may be: one to three parts of 1–16 ASCII letters or digits, e.g. `.csv.gz`. */
export const OBJECT_EXTENSION_PATTERN = /^(\.[A-Za-z0-9]{1,16}){1,3}$/;

/**
 * The path of the object with this digest, its name ending in `extension` (default none). The digest is
 * validated first (`sha256:` + 64 lowercase hex), and so is the extension (`OBJECT_EXTENSION_PATTERN`),
 * which is what keeps a crafted digest or extension from escaping the root.
 */
export function objectPath(layout: FsStoreLayout, digest: string, extension = ''): string {
  if (!Digest.safeParse(digest).success) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Artifact digest ${JSON.stringify(digest)} is not valid: expected "sha256:" followed by 64 lowercase hex digits`,
      { digest },
    );
  }
  checkObjectExtension(extension);
  const hex = digest.slice('sha256:'.length);
  return join(layout.objectsDir, hex.slice(0, 2), hex + extension);
}

/** Throws an `InvalidInput` failure unless `extension` is empty or matches `OBJECT_EXTENSION_PATTERN`. */
export function checkObjectExtension(extension = ''): void {
  if (extension === '' || OBJECT_EXTENSION_PATTERN.test(extension)) return;
  throw finalFailure(
    SlipwayErrorType.InvalidInput,
    `Artifact extension ${JSON.stringify(extension)} is not valid: expected one to three parts such as ".csv.gz", ` +
      'each a dot and 1–16 letters or digits',
    { extension },
  );
}

/** The `file://` URI of a path. */
export function fileUri(path: string): string {
  return pathToFileURL(path).href;
}

/**
 * The path of the object a reference names. Refuses a reference whose `uri` does not point exactly at the
 * path its digest maps to under this store's root, optionally followed by a valid extension (another
 * directory, another scheme, a traversal are all refused).
 */
export function pathOfRef(layout: FsStoreLayout, ref: Pick<ArtifactRef, 'uri' | 'digest'>): string {
  const bare = objectPath(layout, ref.digest);
  const path = filePathOfUri(ref.uri);
  const extension = path?.startsWith(bare) ? path.slice(bare.length) : undefined;
  if (extension === undefined || !(extension === '' || OBJECT_EXTENSION_PATTERN.test(extension))) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `Artifact uri ${JSON.stringify(ref.uri)} does not point at ${fileUri(bare)}, where digest ${ref.digest} ` +
        `is stored in the artifact store at ${layout.root}; refusing to read it`,
      { uri: ref.uri, digest: ref.digest, expectedUri: fileUri(bare) },
    );
  }
  return bare + extension;
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
