/**
 * Secret files mounted as a Kubernetes secret volume: a directory built as the kubelet builds it (the key's
 * content in a timestamped directory, `..data` linking to it, the key linking to `..data/<key>`) is read through
 * its links, with the resolved file's mode checked, also after the kubelet swaps `..data` to a new content
 * directory. Every other link is refused with the message any symbolic link gets: one to a file outside the
 * directory or beside the key, a chain that leaves the directory at `..data` or at the content, a key linking to
 * the content directory without `..data`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSecretFile } from '@slipway/sdk/keys';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditKeyId, loadAuditSigner } from '../../../packages/activities/src/audit/audit-key.js';

const posix = process.platform !== 'win32';
const WHAT = { what: 'The audit key file' };
const FIRST = '..2026_12_03_17_00_00.123456789';
const SECOND = '..2026_12_03_18_30_00.987654321';

let root: string;
let mount: string;
let outside: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-secret-volume-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
let n = 0;
beforeEach(async () => {
  n += 1;
  mount = join(root, `mount-${n}`);
  outside = join(root, `outside-${n}`);
  await mkdir(mount);
  await mkdir(outside);
  await writeFile(join(outside, 'audit.key'), 'a key from elsewhere\n', { mode: 0o600 });
});

/** Writes `files` into a new content directory of the mount, as the kubelet does (mode 0600 here). */
async function writeContent(dir: string, files: Record<string, string>): Promise<void> {
  await mkdir(join(mount, dir), { mode: 0o755 });
  for (const [key, content] of Object.entries(files)) {
    await writeFile(join(mount, dir, key), content, { mode: 0o600 });
  }
}

/** Points `..data` at `dir` at once (a new link renamed over the old one, as the kubelet swaps it). */
async function pointData(dir: string): Promise<void> {
  await symlink(dir, join(mount, '..data_tmp'));
  await rename(join(mount, '..data_tmp'), join(mount, '..data'));
}

/** A mount holding `audit.key` as the kubelet lays it out. */
async function kubeletMount(content = 'the audit key\n'): Promise<string> {
  await writeContent(FIRST, { 'audit.key': content });
  await pointData(FIRST);
  await symlink('..data/audit.key', join(mount, 'audit.key'));
  return join(mount, 'audit.key');
}

const refused = (path: string) => `The audit key file ${path} is not a regular file (a symbolic link or a directory)`;

describe.runIf(posix)('a secret file in a Kubernetes secret volume', () => {
  it('is read through the kubelet links, and again after the kubelet swaps its content', async () => {
    const path = await kubeletMount();
    expect(await readSecretFile(path, WHAT)).toBe('the audit key\n');
    await writeContent(SECOND, { 'audit.key': 'the rotated key\n' });
    await pointData(SECOND);
    expect(await readSecretFile(path, WHAT)).toBe('the rotated key\n');
  });

  it('serves as the audit key the worker signs with', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const path = await kubeletMount(pem);
    await writeFile(join(outside, 'plain.pem'), pem, { mode: 0o600 });
    const plain = await loadAuditSigner(join(outside, 'plain.pem'), { create: false });
    const signer = await loadAuditSigner(path, { create: false });
    expect(signer.publicKey).toBe(plain.publicKey);
    expect(signer.keyId).toBe(auditKeyId(plain.publicKey));
  });

  it("checks the resolved file's mode as any secret file's", async () => {
    const path = await kubeletMount();
    await chmod(join(mount, FIRST, 'audit.key'), 0o640);
    await expect(readSecretFile(path, WHAT)).rejects.toThrow(
      `The audit key file ${path} may be read or written by its group (mode 640)`,
    );
  });

  it('refuses a link to a file outside the directory, by absolute or relative path', async () => {
    await kubeletMount();
    const absolute = join(mount, 'absolute.key');
    await symlink(join(outside, 'audit.key'), absolute);
    await expect(readSecretFile(absolute, WHAT)).rejects.toThrow(refused(absolute));
    const relative = join(mount, 'relative.key');
    await symlink(`../outside-${n}/audit.key`, relative);
    await expect(readSecretFile(relative, WHAT)).rejects.toThrow(refused(relative));
  });

  it('refuses any other link inside the directory: beside the key, to the content without ..data, to another key', async () => {
    await kubeletMount();
    await writeFile(join(mount, 'real.key'), 'beside\n', { mode: 0o600 });
    const beside = join(mount, 'beside.key');
    await symlink('real.key', beside);
    await expect(readSecretFile(beside, WHAT)).rejects.toThrow(refused(beside));
    const direct = join(mount, 'direct.key');
    await writeFile(join(mount, FIRST, 'direct.key'), 'direct\n', { mode: 0o600 });
    await symlink(`${FIRST}/direct.key`, direct);
    await expect(readSecretFile(direct, WHAT)).rejects.toThrow(refused(direct));
    const renamed = join(mount, 'renamed.key');
    await symlink('..data/audit.key', renamed);
    await expect(readSecretFile(renamed, WHAT)).rejects.toThrow(refused(renamed));
  });

  it('refuses a chain that leaves the directory at ..data', async () => {
    await symlink(`../outside-${n}`, join(mount, '..data'));
    await symlink('..data/audit.key', join(mount, 'audit.key'));
    await expect(readSecretFile(join(mount, 'audit.key'), WHAT)).rejects.toThrow(refused(join(mount, 'audit.key')));
    await rm(join(mount, '..data'));
    await symlink(outside, join(mount, '..data'));
    await expect(readSecretFile(join(mount, 'audit.key'), WHAT)).rejects.toThrow(refused(join(mount, 'audit.key')));
  });

  it('refuses a chain that leaves the directory at the content: a linked content directory or key', async () => {
    await symlink(outside, join(mount, FIRST));
    await pointData(FIRST);
    await symlink('..data/audit.key', join(mount, 'audit.key'));
    const path = join(mount, 'audit.key');
    await expect(readSecretFile(path, WHAT)).rejects.toThrow(refused(path));
    await rm(join(mount, FIRST));
    await mkdir(join(mount, FIRST));
    await symlink(join(outside, 'audit.key'), join(mount, FIRST, 'audit.key'));
    await expect(readSecretFile(path, WHAT)).rejects.toThrow(refused(path));
  });
});
