/**
 * Secret files — a private signing key, an audit key, a control-plane token — are read only when they are safe:
 * a regular file of this user that nobody else may read or write. One reader for every secret Slipway keeps.
 */
import { lstat, readFile } from 'node:fs/promises';
import { secretVolumeTarget } from './secret-volume-link.js';

/** How a secret file is named in errors. */
export interface SecretFileOptions {
  /** What the file is, to start every message, e.g. `The audit key file`. */
  what: string;
  /** Why a readable file matters, added to the mode error, e.g. `anyone who reads it can sign audit lines`. */
  exposure?: string;
}

/**
 * The content of the secret file at `path`, or undefined when it does not exist. A key of a Kubernetes secret
 * volume (the kubelet's `<key> -> ..data/<key>` link, resolving inside the mounted directory) is read from the file
 * it resolves to, which is checked as any secret file is.
 *
 * @throws Error starting with `options.what` and the path when the file is any other symbolic link or not a regular
 *   file, may be read or written by group or others, belongs to another user, or cannot be read. Never quotes the
 *   content.
 */
export async function readSecretFile(path: string, options: SecretFileOptions): Promise<string | undefined> {
  const named = `${options.what} ${path}`;
  let stats;
  try {
    stats = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${named} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  let file = path;
  if (stats.isSymbolicLink()) {
    const target = await secretVolumeTarget(path).catch(() => undefined);
    if (target !== undefined) ({ file, stats } = target);
  }
  if (!stats.isFile()) throw new Error(`${named} is not a regular file (a symbolic link or a directory); remove it`);
  if (process.platform !== 'win32') checkOwnerOnly(named, path, stats, options);
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`${named} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

function checkOwnerOnly(
  named: string,
  path: string,
  stats: { mode: number; uid: number },
  options: SecretFileOptions,
): void {
  const exposed = stats.mode & 0o077;
  if (exposed !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(3, '0');
    const who = exposed & 0o070 ? 'its group' : 'others';
    const why = options.exposure ? `: ${options.exposure}` : '';
    throw new Error(
      `${named} may be read or written by ${who} (mode ${mode})${why}. ` +
        `Run \`chmod 600 ${path}\`, or replace the file if its content may have leaked`,
    );
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    throw new Error(`${named} belongs to user id ${stats.uid}, not to this user (${uid}); remove it`);
  }
}
