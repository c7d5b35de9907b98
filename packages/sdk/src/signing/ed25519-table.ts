/**
 * The JavaScript path of Slipway's Ed25519 verification, where WebAssembly is not available: `@noble/ed25519`'s
 * points, with the keys seen before cached. A key's decoded point is kept, and on the key's second use a table of
 * its multiples (64 windows of 4 bits, 8 points each, signed digits: about 450 additions, about 2 ms once, about
 * 140 KB), after which `[k]A` costs at most 64 additions instead of ~380 point operations: 0.4–0.5 ms a
 * verification in plain Node against noble's 1.4–2 ms. A key used once pays nothing for a table.
 */
import { ed } from './ed25519.js';
import { KeyCache } from './key-cache.js';

type Point = InstanceType<typeof ed.Point>;

const WINDOW_BITS = 4;
const WINDOW_COUNT = 64; // 64 × 4 bits cover every scalar below the group order (< 2^253) with its last carry
const ROW_SIZE = 1 << (WINDOW_BITS - 1); // signed digits in [-8, 8): a row holds 1·W .. 8·W

/** A cached public key: its decoded point and, once it is used again, its table of multiples. */
interface CachedKey {
  readonly point: Point;
  table: readonly (readonly Point[])[] | undefined;
}

/**
 * Whether [8]([S]B - R - [k]A) is the identity, R and A decoded with ZIP-215's rules; `s` is below the group order
 * and `k` reduced. @throws when R or A does not decode.
 */
export function cofactoredCheckInJavaScript(
  r: Uint8Array,
  s: bigint,
  k: bigint,
  publicKey: Uint8Array,
  cache: KeyCache<CachedKey>,
): boolean {
  const key = cachedKey(publicKey, cache);
  const R = ed.Point.fromBytes(r, true);
  const SB = ed.Point.BASE.multiply(s, false);
  return R.add(multiplyKey(key, k)).subtract(SB).clearCofactor().is0();
}

/** A cache for {@link cofactoredCheckInJavaScript}. */
export function javaScriptKeyCache(capacity: number): KeyCache<CachedKey> {
  return new KeyCache<CachedKey>(capacity);
}

/** The cached entry of a public key: decoded on first use, given its table on the second. @throws if undecodable. */
function cachedKey(publicKey: Uint8Array, cache: KeyCache<CachedKey>): CachedKey {
  const id = ed.etc.bytesToHex(publicKey);
  const known = cache.get(id);
  if (known !== undefined) {
    known.table ??= tableOf(known.point);
    return known;
  }
  const entry: CachedKey = { point: ed.Point.fromBytes(publicKey, true), table: undefined };
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
