/**
 * The audit writer's key: an Ed25519 private key in a secret file (PKCS#8 PEM, mode 0600) that signs every
 * audit line, and the checks of those signatures against public keys recorded in the registry.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateSecretFile, readSecretFile, type SecretFileOptions } from '../util/secret-file.js';

/** The default key file's name inside a Slipway home. */
export const AUDIT_KEY_FILE_NAME = 'audit-key.pem';

/** The default audit key file of a Slipway home: `<home>/audit-key.pem`. */
export function defaultAuditKeyPath(home: string): string {
  return join(home, AUDIT_KEY_FILE_NAME);
}

/** Signs audit lines with one private key. */
export interface AuditSigner {
  /** The key file. */
  readonly path: string;
  /** `ed25519:<16 hex>` of the public key. */
  readonly keyId: string;
  /** The public key: SPKI DER, base64 (what the registry records). */
  readonly publicKey: string;
  /** The signature of a line's hash string, base64. */
  sign(hash: string): string;
}

/** Options of {@link loadAuditSigner}. */
export interface LoadAuditSignerOptions {
  /** Create the key file (mode 0600) when it does not exist (default true). */
  create?: boolean;
}

/**
 * Loads the signing key from `path`, creating it on first use (a new Ed25519 key in a secret file, mode 0600;
 * concurrent first users all end up with the one key that won, see `readOrCreateSecretFile`). Refuses a key file
 * that group or others may read or write, that another user owns or that is not a regular file, and a key that is
 * not Ed25519, each with an error naming the file.
 */
export async function loadAuditSigner(path: string, options: LoadAuditSignerOptions = {}): Promise<AuditSigner> {
  if (options.create === false) {
    const pem = await readSecretFile(path, KEY_FILE);
    if (pem === undefined) throw new Error(`The audit key file ${path} does not exist`);
    return signerFromPem(path, pem);
  }
  return signerFromPem(path, await readOrCreateSecretFile(path, newPrivateKeyPem, KEY_FILE));
}

const KEY_FILE: SecretFileOptions = {
  what: 'The audit key file',
  exposure: 'anyone who reads it can sign audit lines',
};

function newPrivateKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** The key id of a public key (SPKI DER, base64): `ed25519:` and the first 16 hex digits of its sha256. */
export function auditKeyId(publicKey: string): string {
  return `ed25519:${createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, 16)}`;
}

const publicKeys = new Map<string, KeyObject>();

/** True when `sig` is a valid signature of `hash` by the public key (SPKI DER, base64); false for any malformed input. */
export function verifyAuditSignature(publicKey: string, hash: string, sig: string): boolean {
  try {
    let key = publicKeys.get(publicKey);
    if (key === undefined) {
      key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
      publicKeys.set(publicKey, key);
    }
    // Node's base64 decoder skips characters it does not know: only the canonical encoding counts.
    const signature = Buffer.from(sig, 'base64');
    if (signature.toString('base64') !== sig) return false;
    return verify(null, Buffer.from(hash, 'utf8'), key, signature);
  } catch {
    return false;
  }
}

function signerFromPem(path: string, pem: string): AuditSigner {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (err) {
    throw new Error(`The audit key file ${path} does not hold a private key: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`The audit key file ${path} holds a ${privateKey.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  }
  const publicKey = createPublicKey(privateKey).export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    path,
    keyId: auditKeyId(publicKey),
    publicKey,
    sign: (hash) => sign(null, Buffer.from(hash, 'utf8'), privateKey).toString('base64'),
  };
}
