/**
 * The one kind of symbolic link a secret file may be: a key of a Kubernetes secret volume. The kubelet writes each
 * secret into a timestamped directory inside the mount and links to it twice, all inside the mounted directory:
 * `<key> -> ..data/<key>` and `..data -> ..2026_01_31_12_00_00.123456789` (swapped at once when the secret
 * changes). Any other link, or a chain that leaves the directory, is not one.
 */
import type { Stats } from 'node:fs';
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The link through which a secret volume's keys reach its current content. */
const DATA_LINK = '..data';

/** A name the kubelet gives the directory of a secret's current content (`..` and a timestamp), nothing else. */
const isContentDirName = (name: string) => /^\.\.[^/\\]+$/.test(name) && name !== DATA_LINK && name !== '..';

/**
 * Where the secret-volume key linked at `path` is, with the file's status: the regular file
 * `<dir>/<content dir>/<key>` when `path` is exactly the kubelet's `<key> -> ..data/<key>`, `..data` links to a
 * directory of the same mount by its plain name, and the file there is no link; undefined for any other link.
 */
export async function secretVolumeTarget(path: string): Promise<{ file: string; stats: Stats } | undefined> {
  const dir = dirname(path);
  const key = basename(path);
  if ((await readlink(path)) !== `${DATA_LINK}/${key}`) return undefined;
  const data = join(dir, DATA_LINK);
  if (!(await lstat(data)).isSymbolicLink()) return undefined;
  const contentDir = await readlink(data);
  if (!isContentDirName(contentDir)) return undefined;
  const content = join(dir, contentDir);
  if (!(await lstat(content)).isDirectory()) return undefined;
  const file = join(content, key);
  const stats = await lstat(file);
  if (!stats.isFile()) return undefined;
  // The whole chain resolves where it was followed to, inside the mounted directory.
  const resolved = await realpath(path);
  return resolved === join(await realpath(dir), contentDir, key) ? { file, stats } : undefined;
}
