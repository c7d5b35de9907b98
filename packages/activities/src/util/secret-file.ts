/**
 * Secret files — a signing key, a control-plane token: read only when they are safe (a regular file of this user
 * that nobody else may read or write), and created on first use with mode 0600 so that concurrent first users all
 * end up with the one secret that won.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, rm } from 'node:fs/promises';
import { readSecretFile, type SecretFileOptions } from '@slipway/sdk/keys';
import { dirname } from 'node:path';
import { syncDirectory, writeAll } from './durable-file.js';

export { readSecretFile, type SecretFileOptions };

/**
 * The secret at `path`; when the file does not exist, `generate()` is written to it as {@link createSecretFile}
 * does. Whoever links first wins, and every caller returns what the file holds.
 */
export async function readOrCreateSecretFile(
  path: string,
  generate: () => string,
  options: SecretFileOptions,
): Promise<string> {
  const existing = await readSecretFile(path, options);
  if (existing !== undefined) return existing;
  await createSecretFile(path, generate());
  const winner = await readSecretFile(path, options);
  if (winner === undefined) throw new Error(`${options.what} ${path} disappeared right after it was created`);
  return winner;
}

/**
 * Creates the secret file `path` holding `content`, never replacing anything: the content is written to a
 * temporary file with mode 0600 (fsynced) and hard-linked into place, which fails when any file (or link) is
 * already there. The directory is created (mode 0700) when missing. Returns false, writing nothing, when `path`
 * already exists.
 */
export async function createSecretFile(path: string, content: string): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}-${randomUUID()}.partial`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.chmod(0o600); // the process umask never widens it, but a narrower one would not matter
      await writeAll(handle, Buffer.from(content, 'utf8'));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    await syncDirectory(dirname(path));
    return true;
  } finally {
    await rm(temp, { force: true });
  }
}
