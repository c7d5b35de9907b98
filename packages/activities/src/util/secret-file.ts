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
