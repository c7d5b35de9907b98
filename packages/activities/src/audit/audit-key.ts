/**
 * The audit writer's key: an Ed25519 private key in a secret file (PKCS#8 PEM, mode 0600) that signs every
 * audit line, and the checks of those signatures against public keys recorded in the registry.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { link, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { syncDirectory, writeAll } from '../util/durable-file.js';

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
 * Loads the signing key from `path`, creating it on first use (a new Ed25519 key, written to a temporary file
 * with mode 0600 and linked into place, so concurrent first users all end up with the one key that won).
 * Refuses a key file that group or others may read or write, a file that is not a regular file, and a key that
 * is not Ed25519, each with an error naming the file.
 */
export async function loadAuditSigner(path: string, options: LoadAuditSignerOptions = {}): Promise<AuditSigner> {
  let pem = await readKeyFile(path);
  if (pem === undefined) {
    if (options.create === false) throw new Error(`The audit key file ${path} does not exist`);
    pem = await createKeyFile(path);
  }
  return signerFromPem(path, pem);
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

/** The file's PEM, or undefined when it does not exist; refuses a file others may read or write. */
async function readKeyFile(path: string): Promise<string | undefined> {
  let stats;
  try {
    stats = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`The audit key file ${path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  if (!stats.isFile()) throw new Error(`The audit key file ${path} is not a regular file`);
  const exposed = stats.mode & 0o077;
  if (process.platform !== 'win32' && exposed !== 0) {
    const mode = (stats.mode & 0o777).toString(8).padStart(3, '0');
    throw new Error(
      `The audit key file ${path} may be read or written by ${exposed & 0o070 ? 'its group' : 'others'} ` +
        `(mode ${mode}): anyone who reads it can sign audit lines. Run \`chmod 600 ${path}\`, ` +
        'or replace the key if it may have leaked',
    );
  }
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`The audit key file ${path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

async function createKeyFile(path: string): Promise<string> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}-${randomUUID()}.partial`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await writeAll(handle, Buffer.from(pem, 'utf8'));
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
  // Whoever linked first won: every process signs with the key that is in the file.
  const winner = await readKeyFile(path);
  if (winner === undefined) throw new Error(`The audit key file ${path} vanished while it was created`);
  return winner;
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
