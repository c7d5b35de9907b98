/**
 * The audit writer's key file: created once with mode 0600 (one key however many first users race), refused when
 * group or others may read it or when it is no Ed25519 key; signatures that verify only with that key and only in
 * their canonical encoding.
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditKeyId, loadAuditSigner, verifyAuditSignature } from '../../../packages/activities/src/audit/index.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-audit-key-'));
  path = join(dir, 'home', 'audit-key.pem');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadAuditSigner', () => {
  it('creates the key file with mode 0600 on first use, and loads the same key afterwards', async () => {
    const signer = await loadAuditSigner(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(signer.keyId).toBe(auditKeyId(signer.publicKey));
    expect(signer.keyId).toMatch(/^ed25519:[0-9a-f]{16}$/);
    expect((await loadAuditSigner(path)).publicKey).toBe(signer.publicKey);
  });

  it('ends with one key when many first users create it at once', async () => {
    const signers = await Promise.all(Array.from({ length: 8 }, () => loadAuditSigner(path)));
    expect(new Set(signers.map((s) => s.keyId)).size).toBe(1);
    expect((await loadAuditSigner(path)).keyId).toBe(signers[0]?.keyId);
  });

  it('refuses a key file that group or others may read, naming the file, the mode and the fix', async () => {
    await loadAuditSigner(path);
    await chmod(path, 0o640);
    await expect(loadAuditSigner(path)).rejects.toThrow(
      `The audit key file ${path} may be read or written by its group (mode 640): anyone who reads it can sign ` +
        `audit lines. Run \`chmod 600 ${path}\``,
    );
    await chmod(path, 0o604);
    await expect(loadAuditSigner(path)).rejects.toThrow(/may be read or written by others \(mode 604\)/);
  });

  it('refuses a missing file when it may not create one, a directory, a non-key and a key that is not Ed25519', async () => {
    await expect(loadAuditSigner(path, { create: false })).rejects.toThrow(`The audit key file ${path} does not exist`);
    await mkdir(path, { recursive: true, mode: 0o700 });
    await expect(loadAuditSigner(path)).rejects.toThrow(`The audit key file ${path} is not a regular file`);
    await rm(path, { recursive: true });
    await writeFile(path, 'not a key', { mode: 0o600 });
    await expect(loadAuditSigner(path)).rejects.toThrow(`The audit key file ${path} does not hold a private key`);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await expect(loadAuditSigner(path)).rejects.toThrow(`The audit key file ${path} holds a ec key, not Ed25519`);
  });
});

describe('verifyAuditSignature', () => {
  it('accepts the signer’s signature of the hash, and nothing else', async () => {
    const signer = await loadAuditSigner(path);
    const other = await loadAuditSigner(join(dir, 'other.pem'));
    const hash = `sha256:${'a'.repeat(64)}`;
    const sig = signer.sign(hash);
    expect(verifyAuditSignature(signer.publicKey, hash, sig)).toBe(true);
    expect(verifyAuditSignature(signer.publicKey, `sha256:${'b'.repeat(64)}`, sig)).toBe(false);
    expect(verifyAuditSignature(other.publicKey, hash, sig)).toBe(false);
    expect(verifyAuditSignature(signer.publicKey, hash, `${sig.slice(0, -2)}<=`)).toBe(false);
    expect(verifyAuditSignature('not a key', hash, sig)).toBe(false);
  });
});
