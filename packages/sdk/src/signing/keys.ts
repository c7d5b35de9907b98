/**
 * Ed25519 keys and signatures that work anywhere (`@noble/ed25519` with `@noble/hashes`' SHA-512, Node's own
 * Ed25519 for signing where there is Node, `verifyEd25519` for verifying), so the same code signs in the CLI and
 * the client and verifies in workflow code and activities.
 *
 * Formats: a public key is `ed25519:` and the unpadded base64url of its 32 bytes; a private key is the
 * unpadded base64url of its 32-byte seed; a signature is the unpadded base64url of its 64 bytes.
 */
import { z } from 'zod';
import { ed } from './ed25519.js';
import { verifyEd25519 } from './ed25519-verify.js';
import { fromBase64Url, toBase64Url } from './encoding.js';
import { nativeEd25519 } from './native-ed25519.js';

const PUBLIC_KEY_PREFIX = 'ed25519:';

/** A public key as Slipway writes it: `ed25519:` and 43 base64url characters (32 bytes). */
export const PublicKey = z
  .string()
  .regex(/^ed25519:[A-Za-z0-9_-]{43}$/, 'expected an Ed25519 public key: "ed25519:" and 43 base64url characters')
  .refine((key) => fromBase64Url(key.slice(PUBLIC_KEY_PREFIX.length)) !== undefined, 'not a canonical encoding');
/** An Ed25519 public key: `ed25519:<base64url>`. */
export type PublicKey = z.infer<typeof PublicKey>;

/** A signature as Slipway writes it: 86 base64url characters (64 bytes). */
export const Signature = z
  .string()
  .regex(/^[A-Za-z0-9_-]{86}$/, 'expected an Ed25519 signature: 86 base64url characters');
/** An Ed25519 signature, base64url. */
export type Signature = z.infer<typeof Signature>;

/** A new key pair: the private key (base64url seed, keep it secret) and its public key. */
export function generateKeyPair(): { privateKey: string; publicKey: PublicKey } {
  const seed = ed.utils.randomSecretKey();
  return { privateKey: toBase64Url(seed), publicKey: encodePublicKey(ed.getPublicKey(seed)) };
}

/** The public key of a private key. @throws Error when the private key is not 32 base64url-encoded bytes. */
export function publicKeyOf(privateKey: string): PublicKey {
  const seed = seedOf(privateKey);
  const native = nativeEd25519();
  return native ? `${PUBLIC_KEY_PREFIX}${native.publicKey(seed)}` : encodePublicKey(ed.getPublicKey(seed));
}

/** Signs bytes with a private key; returns the base64url signature (Node's Ed25519 where there is Node). */
export function signBytes(privateKey: string, message: Uint8Array): Signature {
  const seed = seedOf(privateKey);
  const native = nativeEd25519();
  return toBase64Url(native ? native.sign(seed, message) : ed.sign(message, seed));
}

/**
 * True when `signature` is a valid Ed25519 signature of `message` by `publicKey`; false for a malformed key or
 * signature (never throws), so callers refuse with their own reason.
 */
export function verifyBytes(publicKey: string, message: Uint8Array, signature: string): boolean {
  if (!PublicKey.safeParse(publicKey).success || !Signature.safeParse(signature).success) return false;
  const key = fromBase64Url(publicKey.slice(PUBLIC_KEY_PREFIX.length));
  const sig = fromBase64Url(signature);
  if (key === undefined || sig === undefined) return false;
  return verifyEd25519(sig, message, key);
}

function encodePublicKey(bytes: Uint8Array): PublicKey {
  return `${PUBLIC_KEY_PREFIX}${toBase64Url(bytes)}`;
}

function seedOf(privateKey: string): Uint8Array {
  const seed = fromBase64Url(privateKey.trim());
  if (seed === undefined || seed.length !== 32) {
    throw new Error('not an Ed25519 private key: expected 43 base64url characters (a 32-byte seed)');
  }
  return seed;
}
