/**
 * Dataset roots: where a worker may read datasets from. A run's input names its dataset, and whoever can start a
 * run can name any path; so a worker reads only under configured roots (directories, and `s3://bucket/prefix`
 * locations), and never reads Slipway's state directory or a file holding a key or token, whatever the roots say.
 * A local path is judged after resolving `..` and symbolic links (the real path of the file, or for a file that
 * does not exist, of its nearest existing parent), before a single byte is read.
 *
 * ```ts
 * const access = { roots: ['/srv/data', 's3://ml/datasets'], denied: ['/srv/slipway'] };
 * const allowed = await checkDatasetAccess('file:///srv/data/churn.csv', access); // { kind: 'file', path, uri }
 * await checkDatasetAccess('file:///srv/data/../../etc/passwd', access);          // throws SlipwayAccessDenied
 * ```
 */
import { readlink, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import { parseS3Uri, type S3Location } from './s3-uri.js';

/** The `roots` of a {@link DatasetAccess} that allow every path and every bucket (denied paths stay denied). */
export const ANYWHERE = 'anywhere';

/** Where datasets may be read from, and what is never read. */
export interface DatasetAccess {
  /**
   * Absolute directories (everything below them) and `s3://bucket/prefix` locations (keys below the prefix, on a
   * `/` boundary; `s3://bucket` for the whole bucket). {@link ANYWHERE} is for a person's own CLI reading the files
   * they name on their own machine, never for a worker.
   */
  readonly roots: readonly string[] | typeof ANYWHERE;
  /**
   * Absolute files and directories never read, whatever the roots: Slipway's state directory and every file
   * holding a key or token.
   */
  readonly denied: readonly string[];
  /**
   * Directories inside a denied directory that may be read all the same: the artifact store when it lives in the
   * state directory (snapshots are read from there). An exception lifts only the denial of a directory that
   * contains it: a denied file or directory inside it stays denied.
   */
  readonly allowedInsideDenied?: readonly string[];
}

/** A parsed dataset root: a directory, or a bucket and key prefix (without `/` at either end; empty for all). */
export type DatasetRoot =
  { kind: 'directory'; path: string } | { kind: 's3'; bucket: string; prefix: string; uri: string };

/** A dataset the access check allowed: the real path and its `file://` URI, or the S3 URI as given. */
export type AllowedDataset = { kind: 'file'; path: string; uri: string } | { kind: 's3'; uri: string };

/**
 * Parses one root: `s3://bucket` or `s3://bucket/prefix`, a `file://` URL, or a directory (made absolute against
 * `cwd`). A malformed entry (another scheme, an S3 prefix with an empty, `.` or `..` segment) fails with
 * `SlipwayInvalidInput` naming it.
 */
export function parseDatasetRoot(entry: string, cwd = process.cwd()): DatasetRoot {
  const bad = (why: string) =>
    finalFailure(SlipwayErrorType.InvalidInput, `dataset root ${JSON.stringify(entry)} is not valid: ${why}`, {
      root: entry,
    });
  if (entry.trim() === '') throw bad('it is empty');
  if (/^s3:/i.test(entry)) {
    const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/i.exec(entry);
    if (match?.[1] === undefined) throw bad('expected s3://bucket or s3://bucket/prefix');
    const prefix = (match[2] ?? '').replace(/\/+$/, '');
    if (prefix !== '' && s3KeyProblem(prefix) !== undefined) throw bad(`its prefix ${s3KeyProblem(prefix)}`);
    return { kind: 's3', bucket: match[1], prefix, uri: `s3://${match[1]}${prefix === '' ? '' : `/${prefix}`}` };
  }
  if (/^file:/i.test(entry)) {
    try {
      return { kind: 'directory', path: fileURLToPath(entry) };
    } catch (err) {
      throw bad(err instanceof Error ? err.message : String(err));
    }
  }
  // Two letters or more: `C:\…` is a Windows path, not a scheme.
  if (/^[a-z][a-z0-9+.-]+:/i.test(entry)) throw bad('expected a directory or s3://bucket/prefix');
  return { kind: 'directory', path: resolve(cwd, entry) };
}

/** The roots as a message lists them: `/srv/data, s3://ml/datasets`, `(none)` or `anywhere`. */
export function describeDatasetRoots(access: Pick<DatasetAccess, 'roots'>): string {
  if (access.roots === ANYWHERE) return ANYWHERE;
  return access.roots.length === 0 ? '(none)' : access.roots.join(', ');
}

/** True when `child` is `parent` or lies below it (both absolute and normalized). */
export function isPathWithin(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Why an S3 key may not be used (an empty, `.` or `..` segment, which stores may resolve differently), or nothing. */
export function s3KeyProblem(key: string): string | undefined {
  const segments = key.split('/');
  if (segments.some((s) => s === '.' || s === '..')) return 'has a "." or ".." segment';
  if (segments.slice(0, -1).some((s) => s === '')) return 'has an empty segment';
  return undefined;
}

/** True when an S3 root covers the object: same bucket, and the key is the prefix or lies below it. */
export function s3RootCovers(
  root: Pick<Extract<DatasetRoot, { kind: 's3' }>, 'bucket' | 'prefix'>,
  at: S3Location,
): boolean {
  if (root.bucket !== at.bucket) return false;
  return root.prefix === '' || at.key === root.prefix || at.key.startsWith(`${root.prefix}/`);
}

/** The verdict on a resolved local path: allowed, outside every root, or denied (naming the denied entry). */
export type LocalVerdict = { allowed: true } | { allowed: false; outside: true } | { allowed: false; denied: string };

/**
 * Judges a real path against real roots, denied entries and exceptions (all absolute, symbolic links resolved):
 * a denied entry covering the path refuses it unless an exception strictly inside that entry covers the path;
 * otherwise the path must lie below a directory root.
 */
export function judgeLocalPath(path: string, access: ResolvedAccess): LocalVerdict {
  for (const denied of access.denied) {
    if (!isPathWithin(denied, path)) continue;
    const lifted = access.allowedInsideDenied.some(
      (allowed) => allowed !== denied && isPathWithin(denied, allowed) && isPathWithin(allowed, path),
    );
    if (!lifted) return { allowed: false, denied };
  }
  if (access.roots === ANYWHERE) return { allowed: true };
  return access.roots.some((root) => isPathWithin(root, path)) ? { allowed: true } : { allowed: false, outside: true };
}

/** A {@link DatasetAccess} with every local path real and absolute. */
export interface ResolvedAccess {
  roots: readonly string[] | typeof ANYWHERE;
  denied: readonly string[];
  allowedInsideDenied: readonly string[];
}

/**
 * The real path of `path`: symbolic links and `..` resolved. For a path that does not exist, the real path of its
 * nearest existing parent joined with the rest; a dangling symbolic link is followed to where it points. Other
 * errors (a loop, no permission) are thrown.
 */
export async function resolveRealPath(path: string, hops = 0): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
  }
  const target = await readlink(absolute).catch(() => undefined);
  if (target !== undefined) {
    if (hops >= 40) throw Object.assign(new Error(`too many symbolic links at ${absolute}`), { code: 'ELOOP' });
    return resolveRealPath(resolve(dirname(absolute), target), hops + 1);
  }
  const parent = dirname(absolute);
  if (parent === absolute) return absolute;
  return join(await resolveRealPath(parent, hops), basename(absolute));
}

/**
 * Checks that a dataset URI may be read, before any byte is: a `file://` URI must resolve (see
 * {@link resolveRealPath}) below a root and not into a denied file or directory (nor be a hard link to a denied
 * file); an `s3://` URI must lie below an S3 root on a `/` boundary and have no `.` or `..` segment. Returns where
 * to read (for a file, its real path: open that, not the given one). A refusal is a final `SlipwayAccessDenied`
 * failure naming the dataset as given, what it resolved to and the roots. A FIFO, socket or device below a root
 * fails with `SlipwayInvalidInput` before it is opened.
 */
export async function checkDatasetAccess(uri: string, access: DatasetAccess): Promise<AllowedDataset> {
  if (/^s3:\/\//i.test(uri)) return checkS3(uri, access);
  const path = await resolveOrRefuse(uri, localPathOf(uri), access);
  const resolved = await resolveAccess(access);
  const verdict = judgeLocalPath(path, resolved);
  const linked = 'denied' in verdict ? undefined : await hardLinkedDenied(path, resolved.denied);
  const denied = 'denied' in verdict ? verdict.denied : linked;
  if (denied !== undefined) {
    const where = linked !== undefined ? `a hard link to ${linked}, ` : denied === path ? '' : `inside ${denied}, `;
    throw refusal(
      `dataset ${JSON.stringify(uri)} resolves to ${path}, which is ${where}Slipway's state directory or a file ` +
        'holding a key or token: it is never read as a dataset, whatever data.roots says',
      { uri, resolved: path, denied },
    );
  }
  if (!verdict.allowed) throw outsideRoots(uri, path, access);
  await refuseSpecialFile(path);
  return { kind: 'file', path, uri: pathToFileURL(path).href };
}

/** A FIFO, socket or device is not a dataset (opening a FIFO would wait for a writer): refused before it is opened. */
async function refuseSpecialFile(path: string): Promise<void> {
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined || stats.isFile() || stats.isDirectory()) return;
  throw finalFailure(SlipwayErrorType.InvalidInput, `Dataset ${path} is not a regular file`, { path });
}

function checkS3(uri: string, access: DatasetAccess): AllowedDataset {
  const at = parseS3Uri(uri);
  const problem = s3KeyProblem(at.key);
  if (problem !== undefined) {
    throw refusal(`dataset ${JSON.stringify(uri)} is refused: its key ${problem}`, { uri });
  }
  if (access.roots === ANYWHERE) return { kind: 's3', uri };
  const covered = access.roots.some((entry) => {
    const root = parseDatasetRoot(entry);
    return root.kind === 's3' && s3RootCovers(root, at);
  });
  if (!covered) throw outsideRoots(uri, uri, access);
  return { kind: 's3', uri };
}

function localPathOf(uri: string): string {
  try {
    return fileURLToPath(uri);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw finalFailure(SlipwayErrorType.InvalidInput, `${uri} does not name a local file: ${why}`, { uri });
  }
}

async function resolveOrRefuse(uri: string, path: string, access: DatasetAccess): Promise<string> {
  try {
    return await resolveRealPath(path);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw refusal(
      `dataset ${JSON.stringify(uri)} cannot be resolved (${why}), so it cannot be shown to lie inside the dataset ` +
        `roots (${describeDatasetRoots(access)})`,
      { uri, path },
    );
  }
}

/** Every local path of `access` made real, so that a root reached through a symbolic link still matches. */
async function resolveAccess(access: DatasetAccess): Promise<ResolvedAccess> {
  const real = (paths: readonly string[]) => Promise.all(paths.map((p) => resolveRealPath(p).catch(() => resolve(p))));
  const localRoots =
    access.roots === ANYWHERE
      ? ANYWHERE
      : await real(access.roots.flatMap((entry) => (/^s3:/i.test(entry) ? [] : [resolve(entry)])));
  return {
    roots: localRoots,
    denied: await real(access.denied),
    allowedInsideDenied: await real(access.allowedInsideDenied ?? []),
  };
}

/** The denied file `path` is a hard link to (same device and inode), if any. */
async function hardLinkedDenied(path: string, denied: readonly string[]): Promise<string | undefined> {
  const target = await stat(path).catch(() => undefined);
  if (target === undefined || !target.isFile() || target.nlink < 2) return undefined;
  for (const entry of denied) {
    const other = await stat(entry).catch(() => undefined);
    if (other?.isFile() === true && other.dev === target.dev && other.ino === target.ino) return entry;
  }
  return undefined;
}

function outsideRoots(uri: string, resolved: string, access: DatasetAccess): Error {
  const roots = describeDatasetRoots(access);
  const resolvesTo = resolved === uri ? '' : ` resolves to ${resolved}, which`;
  return refusal(
    `dataset ${JSON.stringify(uri)}${resolvesTo} is outside the dataset roots (${roots}); add a root to ` +
      'data.roots (or SLIPWAY_DATA_ROOTS)',
    { uri, resolved, roots: access.roots },
  );
}

function refusal(message: string, details: Record<string, unknown>): Error {
  return finalFailure(SlipwayErrorType.AccessDenied, message, details);
}
