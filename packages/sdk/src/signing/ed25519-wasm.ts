/**
 * The WebAssembly path of Slipway's Ed25519 verification (`../../wasm/ed25519-verify.ts`, built into
 * `ed25519-wasm-module.ts`): the point arithmetic in 64-bit integer code instead of JavaScript big integers. A
 * key's table of multiples is built in a slot of the module's memory the first time the key is seen (about
 * 0.3 ms), after which a verification's point work takes about 0.06 ms against 0.4–0.5 ms for the JavaScript
 * path. The module is compiled synchronously (5 KB) the first time it is needed, in workflow code too: WebAssembly
 * integer arithmetic is deterministic, and the verdicts are the JavaScript path's.
 */
import { ED25519_WASM } from './ed25519-wasm-module.js';
import { fromBase64Url } from './encoding.js';
import { KeyCache } from './key-cache.js';

/** The module's exports (see its source). */
interface VerifierExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  inputAddress(): number;
  prepareKey(slot: number): number;
  verify(slot: number): number;
}

/** The part of the WebAssembly API used here, looked up on the global object (workflow code has no typings for it). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

const R_AT = 0;
const S_AT = 32;
const K_AT = 64;
const KEY_AT = 96;

/** Ed25519's cofactored check with the point arithmetic in WebAssembly. */
export interface WasmEd25519 {
  /**
   * Whether [8]([S]B - R - [k]A) is the identity, R and A decoded with ZIP-215's rules (false when either does
   * not decode); `s` holds S's 32 little-endian bytes, below the group order, and `k` is reduced.
   */
  cofactoredCheck(r: Uint8Array, s: Uint8Array, k: bigint, publicKey: Uint8Array, keyId: string): boolean;
}

let loaded: WasmEd25519 | null | undefined;

/**
 * The WebAssembly verifier keeping up to `capacity` keys' tables, or undefined where WebAssembly is not available
 * (or refuses the module); the same instance on every call.
 */
export function wasmEd25519(capacity: number): WasmEd25519 | undefined {
  if (loaded === undefined) loaded = instantiate(capacity) ?? null;
  return loaded ?? undefined;
}

function instantiate(capacity: number): WasmEd25519 | undefined {
  const api = (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  const bytes = fromBase64Url(ED25519_WASM);
  if (api === undefined || bytes === undefined) return undefined;
  let exports: VerifierExports;
  try {
    exports = new api.Instance(new api.Module(bytes), {}).exports as VerifierExports;
  } catch {
    return undefined;
  }
  return verifierOf(exports, capacity);
}

function verifierOf(exports: VerifierExports, capacity: number): WasmEd25519 {
  const slots = new KeyCache<number>(capacity);
  const free = Array.from({ length: capacity }, (_, i) => capacity - 1 - i);
  const input = exports.inputAddress();
  const memory = () => new Uint8Array(exports.memory.buffer); // a new view each time: the memory may have grown
  /** The slot holding the key's table, built there if needed; undefined when the key does not decode. */
  const slotOf = (publicKey: Uint8Array, keyId: string): number | undefined => {
    const known = slots.get(keyId);
    if (known !== undefined) return known;
    const slot = free.pop() ?? slots.evictOldest();
    if (slot === undefined) throw new Error('the WebAssembly verifier has no slot for a key'); // capacity 0
    memory().set(publicKey, input + KEY_AT);
    if (exports.prepareKey(slot) !== 1) {
      free.push(slot);
      return undefined;
    }
    slots.set(keyId, slot);
    return slot;
  };
  return {
    cofactoredCheck(r, s, k, publicKey, keyId) {
      const slot = slotOf(publicKey, keyId);
      if (slot === undefined) return false;
      const view = memory();
      view.set(r, input + R_AT);
      view.set(s, input + S_AT);
      view.set(bytesLE(k), input + K_AT);
      return exports.verify(slot) === 1;
    },
  };
}

/** A scalar below 2^256 as 32 little-endian bytes. */
function bytesLE(value: bigint): Uint8Array {
  const bytes = new Uint8Array(32);
  let rest = value;
  for (let i = 0; i < 32; i++) {
    bytes[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return bytes;
}
