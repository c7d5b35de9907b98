/**
 * Ed25519 verification that is fast for public keys seen before, with exactly the semantics of `@noble/ed25519`'s
 * default `verify` (ZIP-215): points decode with `zip215` set, `S` must be below the group order, and the check
 * is the cofactored `[8]([S]B - R - [k]A) == 0`. Any malformed input gives false, never an exception.
 *
 * Why it exists: Slipway verifies signatures in workflow code, where only pure JavaScript runs, and a run verifies
 * the same few keys (the starter's, the approvers') again and again. Most of a noble verification (1.4–2 ms in
 * plain Node, about 2.3 ms in the workflow sandbox) is `[k]A`: about 250 doublings and 125 additions, because noble
 * keeps a precomputed table for the base point only. Here a key's decoded point is cached, and on the key's
 * second use a table of its multiples is built (64 windows of 4 bits, 8 points each, signed digits: about 450
 * additions, about 2 ms once, about 140 KB), after which `[k]A` costs at most 64 additions and a verification
 * 0.4–0.5 ms (3–3.5× faster, measured with one key verified 1,000 times). A key used once pays nothing for a table
 * (its first verification costs what noble's does). The cache holds {@link CACHED_KEYS} keys (about 9 MB when
 * full) and forgets the least recently used one first. Inputs are public, so nothing here needs to be
 * constant-time; the cache only changes speed, never a result, so workflow code stays deterministic. Workflow runs
 * in one worker share this module (see `@slipway/sdk/workflow-module-sharing`), and with it the cache.
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { ed } from './ed25519.js';

type Point = InstanceType<typeof ed.Point>;

/** How many public keys (decoded point and, from the second use, table) the verifier keeps. */
export const CACHED_KEYS = 64;

const KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
const WINDOW_BITS = 4;
const WINDOW_COUNT = 64; // 64 × 4 bits cover every scalar below the group order (< 2^253) with its last carry
const ROW_SIZE = 1 << (WINDOW_BITS - 1); // signed digits in [-8, 8): a row holds 1·W .. 8·W
const ORDER = ed.Point.CURVE().n;

/** A cached public key: its decoded point and, once it is used again, its table of multiples. */
interface CachedKey {
  readonly point: Point;
  table: readonly (readonly Point[])[] | undefined;
}

const cache = new Map<string, CachedKey>();

/**
 * True when `signature` (64 bytes) is a valid Ed25519 signature of `message` by `publicKey` (32 bytes), with the
 * semantics of `@noble/ed25519`'s default `verify` (ZIP-215, cofactored). False for wrong lengths, undecodable
 * points or `S` not below the group order; never throws.
 */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== KEY_BYTES) return false;
  try {
    return verifyChecked(signature, message, publicKey);
  } catch {
    return false; // a point that does not decode (or input that is not bytes)
  }
}

function verifyChecked(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const r = signature.subarray(0, KEY_BYTES);
  const s = numberLE(signature.subarray(KEY_BYTES));
  if (s >= ORDER) return false;
  const key = cachedKey(publicKey);
  const R = ed.Point.fromBytes(r, true);
  const SB = ed.Point.BASE.multiply(s, false);
  // The challenge hashes the bytes as given (ZIP-215 admits non-canonical encodings), not re-encoded points.
  const k = ed.etc.mod(numberLE(sha512(ed.etc.concatBytes(r, publicKey, message))), ORDER);
  return R.add(multiplyKey(key, k)).subtract(SB).clearCofactor().is0();
}

/** The cached entry of a public key: decoded on first use, given its table on the second. @throws if undecodable. */
function cachedKey(publicKey: Uint8Array): CachedKey {
  const id = ed.etc.bytesToHex(publicKey);
  const known = cache.get(id);
  if (known !== undefined) {
    cache.delete(id); // re-inserted last: the map's order is least recently used first
    cache.set(id, known);
    known.table ??= tableOf(known.point);
    return known;
  }
  const entry: CachedKey = { point: ed.Point.fromBytes(publicKey, true), table: undefined };
  if (cache.size >= CACHED_KEYS) cache.delete(cache.keys().next().value as string);
  cache.set(id, entry);
  return entry;
}

/** [k]A for a cached key: through its table when it has one, by noble's double-and-add otherwise. */
function multiplyKey(key: CachedKey, k: bigint): Point {
  return key.table === undefined ? key.point.multiply(k, false) : multiplyByTable(key.table, k);
}

/** Row i holds j·16^i·A for j = 1..8. */
function tableOf(point: Point): Point[][] {
  const rows: Point[][] = [];
  let base = point;
  for (let i = 0; i < WINDOW_COUNT; i++) {
    const row = [base];
    for (let j = 1; j < ROW_SIZE; j++) row.push(row[j - 1]!.add(base));
    rows.push(row);
    base = row[ROW_SIZE - 1]!.double(); // 16·(16^i·A)
  }
  return rows;
}

/** [k]A from A's table, k in [0, group order): k in signed base-16 digits, one addition per non-zero digit. */
function multiplyByTable(table: readonly (readonly Point[])[], k: bigint): Point {
  const mask = BigInt((1 << WINDOW_BITS) - 1);
  const shift = BigInt(WINDOW_BITS);
  let rest = k;
  let sum = ed.Point.ZERO;
  for (const row of table) {
    let digit = Number(rest & mask);
    rest >>= shift;
    if (digit >= ROW_SIZE) {
      digit -= 1 << WINDOW_BITS;
      rest += 1n;
    }
    if (digit > 0) sum = sum.add(row[digit - 1]!);
    else if (digit < 0) sum = sum.add(row[-digit - 1]!.negate());
  }
  if (rest !== 0n) throw new Error(`scalar out of range for a ${WINDOW_COUNT}-window table`);
  return sum;
}

/** Little-endian bytes as an unsigned integer. */
function numberLE(bytes: Uint8Array): bigint {
  return BigInt(`0x${ed.etc.bytesToHex(Uint8Array.from(bytes).reverse())}`);
}
