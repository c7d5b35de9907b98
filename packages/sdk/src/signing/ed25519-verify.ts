/**
 * Ed25519 verification with exactly the semantics of `@noble/ed25519`'s default `verify` (ZIP-215): points decode
 * with `zip215` set, `S` must be below the group order, and the check is the cofactored `[8]([S]B - R - [k]A) == 0`.
 * Any malformed input gives false, never an exception.
 *
 * Why it exists: Slipway verifies signatures in workflow code, where Node's crypto is not available (and would not
 * give ZIP-215's verdicts), and a run verifies the same few keys (the starter's, the approvers') again and again.
 * The point arithmetic runs in WebAssembly where there is WebAssembly (`ed25519-wasm.ts`: about 0.1 ms a
 * verification of a key seen before, its table built the first time), and in JavaScript with cached keys otherwise
 * (`ed25519-table.ts`: 0.4–0.5 ms; noble's own `verify` takes 1.4–2 ms). Both give noble's verdicts (tested on
 * RFC 8032's vectors and on malformed, small-order and non-canonical inputs), so which one runs never changes a
 * result and workflow code stays deterministic. Each keeps the last {@link CACHED_KEYS} keys (about 10 MB when
 * full). Workflow runs in one worker share this module (see `@slipway/sdk/workflow-module-sharing`), and with it
 * the caches.
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { ed } from './ed25519.js';
import { cofactoredCheckInJavaScript, javaScriptKeyCache } from './ed25519-table.js';
import { wasmEd25519 } from './ed25519-wasm.js';

/** How many public keys each verifier keeps (decoded, with a table of their multiples). */
export const CACHED_KEYS = 64;

const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
const ORDER = ed.Point.CURVE().n;

/** Where the point arithmetic runs. */
export type Ed25519Engine = 'webassembly' | 'javascript';

const javaScriptKeys = javaScriptKeyCache(CACHED_KEYS);

/** Where {@link verifyEd25519} does its point arithmetic in this process (or workflow sandbox). */
export function ed25519Engine(): Ed25519Engine {
  return wasmEd25519(CACHED_KEYS) === undefined ? 'javascript' : 'webassembly';
}

/**
 * True when `signature` (64 bytes) is a valid Ed25519 signature of `message` by `publicKey` (32 bytes), with the
 * semantics of `@noble/ed25519`'s default `verify` (ZIP-215, cofactored). False for wrong lengths, undecodable
 * points or `S` not below the group order; never throws. `engine` is for tests: by default WebAssembly where
 * there is WebAssembly.
 */
export function verifyEd25519(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
  engine: Ed25519Engine = ed25519Engine(),
): boolean {
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== KEY_BYTES) return false;
  try {
    return verifyChecked(signature, message, publicKey, engine);
  } catch {
    return false; // a point that does not decode (or input that is not bytes)
  }
}

function verifyChecked(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, engine: Ed25519Engine) {
  const r = signature.subarray(0, KEY_BYTES);
  const sBytes = signature.subarray(KEY_BYTES);
  const s = numberLE(sBytes);
  if (s >= ORDER) return false;
  // The challenge hashes the bytes as given (ZIP-215 admits non-canonical encodings), not re-encoded points.
  const k = ed.etc.mod(numberLE(sha512(ed.etc.concatBytes(r, publicKey, message))), ORDER);
  const wasm = engine === 'webassembly' ? wasmEd25519(CACHED_KEYS) : undefined;
  if (wasm !== undefined) return wasm.cofactoredCheck(r, sBytes, k, publicKey, ed.etc.bytesToHex(publicKey));
  return cofactoredCheckInJavaScript(r, s, k, publicKey, javaScriptKeys);
}

/** Little-endian bytes as an unsigned integer. */
function numberLE(bytes: Uint8Array): bigint {
  return BigInt(`0x${ed.etc.bytesToHex(Uint8Array.from(bytes).reverse())}`);
}
