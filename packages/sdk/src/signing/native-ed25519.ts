/**
 * Node's own Ed25519 (OpenSSL) for what only runs in Node: signing and deriving a public key. Ed25519 signatures
 * are deterministic (RFC 8032), so Node's are byte for byte `@noble/ed25519`'s, and ten times faster once the
 * key is loaded: a signature in ~0.04 ms against ~0.45 ms, a public key in ~0.003 ms against ~0.3 ms. The client
 * signs every start and every decision and checks every key file it loads, so a long-lived client keeps the last
 * {@link MAX_LOADED_KEYS} keys loaded (loading one into OpenSSL costs ~0.4 ms, more than a signature). Verification
 * never uses it (OpenSSL's rules are not ZIP-215's): `verifyEd25519` runs everywhere, so workflow code and
 * activities accept exactly the same signatures.
 *
 * Reached through `process.getBuiltinModule` (Node ≥ 20.16), never imported, so this module can sit in a workflow
 * bundle: there, as anywhere without Node, {@link nativeEd25519} is undefined and callers use `@noble/ed25519`.
 */

/** The part of `node:crypto` used here. */
interface NodeEd25519Crypto {
  createPrivateKey(options: { key: Uint8Array; format: 'der'; type: 'pkcs8' }): object;
  createPublicKey(key: object): { export(options: { format: 'jwk' }): { x?: string } };
  sign(algorithm: null, data: Uint8Array, key: object): Uint8Array;
}

/** The DER prefix of a PKCS #8 Ed25519 private key (RFC 8410); the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

/** Ed25519 operations on a 32-byte seed. */
export interface NativeEd25519 {
  /** The 64-byte signature of `message`. */
  sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  /** The public key, as the unpadded base64url of its 32 bytes. */
  publicKey(seed: Uint8Array): string;
}

/** How many private keys stay loaded into Node's crypto (the people and services this process signs for). */
export const MAX_LOADED_KEYS = 16;

let found: NativeEd25519 | null | undefined;

/** Node's Ed25519, or undefined where there is no Node (a workflow, a browser). */
export function nativeEd25519(): NativeEd25519 | undefined {
  if (found === undefined) found = lookUp() ?? null;
  return found ?? undefined;
}

function lookUp(): NativeEd25519 | undefined {
  const processLike = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof processLike?.getBuiltinModule !== 'function') return undefined;
  const crypto = processLike.getBuiltinModule('node:crypto') as NodeEd25519Crypto | undefined;
  if (!crypto) return undefined;
  const loaded = new Map<string, object>();
  const privateKey = (seed: Uint8Array) => {
    const id = String.fromCharCode(...seed);
    let key = loaded.get(id);
    if (key === undefined) {
      const der = new Uint8Array(PKCS8_ED25519_PREFIX.length + seed.length);
      der.set(PKCS8_ED25519_PREFIX);
      der.set(seed, PKCS8_ED25519_PREFIX.length);
      key = crypto.createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      if (loaded.size >= MAX_LOADED_KEYS) loaded.delete(loaded.keys().next().value as string);
      loaded.set(id, key);
    }
    return key;
  };
  return {
    sign: (seed, message) => new Uint8Array(crypto.sign(null, message, privateKey(seed))),
    publicKey(seed) {
      const { x } = crypto.createPublicKey(privateKey(seed)).export({ format: 'jwk' });
      if (typeof x !== 'string') throw new Error('Node returned an Ed25519 public key without its x coordinate');
      return x;
    },
  };
}
