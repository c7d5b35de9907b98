/**
 * Secret files — a signing key, a control-plane token: read only when they are safe (a regular file of this user
 * that nobody else may read or write), and created on first use with mode 0600 so that concurrent first users all
 * end up with the one secret that won.
 */
import { randomUUID } from 'node:crypto';
import { link, lstat, mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDirectory, writeAll } from './durable-file.js';

/** Options of {@link readOrCreateSecretFile}. */
export interface SecretFileOptions {
  /** What the file is, to start every message, e.g. `The audit key file`. */
  what: string;
  /** Why a readable file matters, added to the mode error, e.g. `anyone who reads it can sign audit lines`. */
  exposure?: string;
}

/**
 * The content of the secret file at `path`, or undefined when it does not exist.
 *
 * @throws Error starting with `options.what` and the path when the file is a symbolic link or not a regular file,
 *   may be read or written by group or others, belongs to another user, or cannot be read. Never quotes the content.
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
  if (!stats.isFile()) throw new Error(`${named} is not a regular file (a symbolic link or a directory); remove it`);
  if (process.platform !== 'win32') checkOwnerOnly(named, path, stats, options);
  try {
    return await readFile(path, 'utf8');
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

/**
 * The secret at `path`; when the file does not exist, `generate()` is written to a temporary file with mode 0600
 * (fsynced) and hard-linked into place. Whoever links first wins, and every caller returns what the file holds.
 * The directory is created (mode 0700) when missing.
 */
export async function readOrCreateSecretFile(
  path: string,
  generate: () => string,
  options: SecretFileOptions,
): Promise<string> {
  const existing = await readSecretFile(path, options);
  if (existing !== undefined) return existing;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}-${randomUUID()}.partial`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.chmod(0o600); // the process umask never widens it, but a narrower one would not matter
    await writeAll(handle, Buffer.from(generate(), 'utf8'));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
    await syncDirectory(dirname(path));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await rm(temp, { force: true });
  }
  const winner = await readSecretFile(path, options);
  if (winner === undefined) throw new Error(`${options.what} ${path} disappeared right after it was created`);
  return winner;
}
