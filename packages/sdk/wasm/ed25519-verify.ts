// Ed25519 verification with ZIP-215's rules in AssemblyScript, compiled to WebAssembly by
// `node scripts/build-ed25519-wasm.mjs` into `src/signing/ed25519-wasm-module.ts` (a test checks that the committed
// module is this file's build). The caller (`src/signing/ed25519-wasm.ts`) checks S against the group order and
// computes the challenge k; this module decodes R and the public key A as `@noble/ed25519`'s
// `Point.fromBytes(bytes, true)` does and answers the cofactored check [8]([S]B - R - [k]A) == 0, so its verdicts are
// noble's default `verify`'s. Inputs are public: nothing here needs to be constant-time.
//
// Field elements mod p = 2^255 - 19: 10 signed 64-bit limbs, radix 2^25.5 (limb i starts at bit 0, 26, 51, 77, 102,
// 128, 153, 179, 204, 230), as in the reference implementation "ref10". Points: extended twisted Edwards
// coordinates X, Y, Z, T (4 field elements, 320 bytes). [S]B and [k]A come from tables of multiples (row i holds
// j·16^i·P for j = 1..8, signed base-16 digits): the base point's is built on first use, a key's in its slot when
// the caller prepares the key. Memory grows as slots are used (about 160 KB a slot).

const FE: usize = 80;
const POINT: usize = 4 * FE;
const ROWS: i32 = 64;
const ROW_SIZE: i32 = 8;
const TABLE: usize = <usize>(ROWS * ROW_SIZE) * POINT;
const PAGE: usize = 65536;

const FE_D: usize = memory.data<i64>([56195235, 13857412, 51736253, 6949390, 114729, 24766616, 60832955, 30306712, 48412415, 21499315]);
const FE_D2: usize = memory.data<i64>([45281625, 27714825, 36363642, 13898781, 229458, 15978800, 54557047, 27058993, 29715967, 9444199]);
const FE_SQRT_M1: usize = memory.data<i64>([34513072, 25610706, 9377949, 3500415, 12389472, 33281959, 41962654, 31548777, 326685, 11406482]);
const FE_BASE_X: usize = memory.data<i64>([52811034, 25909283, 16144682, 17082669, 27570973, 30858332, 40966398, 8378388, 20764389, 8758491]);
const FE_BASE_Y: usize = memory.data<i64>([40265304, 26843545, 13421772, 20132659, 26843545, 6710886, 53687091, 13421772, 40265318, 26843545]);
const FE_BASE_T: usize = memory.data<i64>([28827043, 27438313, 39759291, 244362, 8635006, 11264893, 19351346, 13413597, 16611511, 27139452]);

const FE_ONE: usize = memory.data<i64>([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

/** Where the caller writes R (32 bytes), S (32, little-endian, below the group order), k (32, reduced) and A (32). */
const INPUT: usize = memory.data(160, 16);
const IN_R: usize = INPUT;
const IN_S: usize = INPUT + 32;
const IN_K: usize = INPUT + 64;
const IN_A: usize = INPUT + 96;
const BYTES: usize = memory.data(40, 16); // 32 bytes and zero padding, for 8-byte reads
const DIGITS: usize = memory.data(64, 16);

const T0: usize = memory.data(<i32>FE, 16);
const T1: usize = memory.data(<i32>FE, 16);
const T2: usize = memory.data(<i32>FE, 16);
const T3: usize = memory.data(<i32>FE, 16);
const T4: usize = memory.data(<i32>FE, 16);
const T5: usize = memory.data(<i32>FE, 16);
const T6: usize = memory.data(<i32>FE, 16);
const T7: usize = memory.data(<i32>FE, 16);
const T8: usize = memory.data(<i32>FE, 16);
const U: usize = memory.data(<i32>FE, 16);
const V: usize = memory.data(<i32>FE, 16);
const X: usize = memory.data(<i32>FE, 16);
const CANON: usize = memory.data(<i32>FE, 16);
const P_R: usize = memory.data(<i32>POINT, 16);
const P_SUM: usize = memory.data(<i32>POINT, 16);
const P_NEG: usize = memory.data(<i32>POINT, 16);
const P_TMP: usize = memory.data(<i32>POINT, 16);

let baseTable: usize = 0;

// ---- field arithmetic mod p = 2^255 - 19 ----

@inline function carryStore(
  h: usize, h0: i64, h1: i64, h2: i64, h3: i64, h4: i64, h5: i64, h6: i64, h7: i64, h8: i64, h9: i64,
): void {
  let c: i64;
  c = (h0 + (1 << 25)) >> 26; h1 += c; h0 -= c << 26;
  c = (h4 + (1 << 25)) >> 26; h5 += c; h4 -= c << 26;
  c = (h1 + (1 << 24)) >> 25; h2 += c; h1 -= c << 25;
  c = (h5 + (1 << 24)) >> 25; h6 += c; h5 -= c << 25;
  c = (h2 + (1 << 25)) >> 26; h3 += c; h2 -= c << 26;
  c = (h6 + (1 << 25)) >> 26; h7 += c; h6 -= c << 26;
  c = (h3 + (1 << 24)) >> 25; h4 += c; h3 -= c << 25;
  c = (h7 + (1 << 24)) >> 25; h8 += c; h7 -= c << 25;
  c = (h4 + (1 << 25)) >> 26; h5 += c; h4 -= c << 26;
  c = (h8 + (1 << 25)) >> 26; h9 += c; h8 -= c << 26;
  c = (h9 + (1 << 24)) >> 25; h0 += c * 19; h9 -= c << 25;
  c = (h0 + (1 << 25)) >> 26; h1 += c; h0 -= c << 26;
  store<i64>(h, h0, 0); store<i64>(h, h1, 8); store<i64>(h, h2, 16); store<i64>(h, h3, 24);
  store<i64>(h, h4, 32); store<i64>(h, h5, 40); store<i64>(h, h6, 48); store<i64>(h, h7, 56);
  store<i64>(h, h8, 64); store<i64>(h, h9, 72);
}

// h = f·g: h_k = Σ f_i·g_j over i + j ≡ k (mod 10), doubled when i and j are both odd (their limbs' offsets add up
// to one bit past limb i + j's) and times 19 when i + j ≥ 10 (2^255 ≡ 19). Written out for speed.
export function feMul(h: usize, f: usize, g: usize): void {
  const f0 = load<i64>(f, 0);
  const f1 = load<i64>(f, 8);
  const f2 = load<i64>(f, 16);
  const f3 = load<i64>(f, 24);
  const f4 = load<i64>(f, 32);
  const f5 = load<i64>(f, 40);
  const f6 = load<i64>(f, 48);
  const f7 = load<i64>(f, 56);
  const f8 = load<i64>(f, 64);
  const f9 = load<i64>(f, 72);
  const g0 = load<i64>(g, 0);
  const g1 = load<i64>(g, 8);
  const g2 = load<i64>(g, 16);
  const g3 = load<i64>(g, 24);
  const g4 = load<i64>(g, 32);
  const g5 = load<i64>(g, 40);
  const g6 = load<i64>(g, 48);
  const g7 = load<i64>(g, 56);
  const g8 = load<i64>(g, 64);
  const g9 = load<i64>(g, 72);
  const g1_19 = g1 * 19;
  const g2_19 = g2 * 19;
  const g3_19 = g3 * 19;
  const g4_19 = g4 * 19;
  const g5_19 = g5 * 19;
  const g6_19 = g6 * 19;
  const g7_19 = g7 * 19;
  const g8_19 = g8 * 19;
  const g9_19 = g9 * 19;
  const f1_2 = f1 << 1;
  const f3_2 = f3 << 1;
  const f5_2 = f5 << 1;
  const f7_2 = f7 << 1;
  const f9_2 = f9 << 1;
  let h0: i64 = f0 * g0 + f1_2 * g9_19 + f2 * g8_19 + f3_2 * g7_19 + f4 * g6_19 + f5_2 * g5_19 + f6 * g4_19 + f7_2 * g3_19 + f8 * g2_19 + f9_2 * g1_19;
  let h1: i64 = f0 * g1 + f1 * g0 + f2 * g9_19 + f3 * g8_19 + f4 * g7_19 + f5 * g6_19 + f6 * g5_19 + f7 * g4_19 + f8 * g3_19 + f9 * g2_19;
  let h2: i64 = f0 * g2 + f1_2 * g1 + f2 * g0 + f3_2 * g9_19 + f4 * g8_19 + f5_2 * g7_19 + f6 * g6_19 + f7_2 * g5_19 + f8 * g4_19 + f9_2 * g3_19;
  let h3: i64 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4 * g9_19 + f5 * g8_19 + f6 * g7_19 + f7 * g6_19 + f8 * g5_19 + f9 * g4_19;
  let h4: i64 = f0 * g4 + f1_2 * g3 + f2 * g2 + f3_2 * g1 + f4 * g0 + f5_2 * g9_19 + f6 * g8_19 + f7_2 * g7_19 + f8 * g6_19 + f9_2 * g5_19;
  let h5: i64 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + f6 * g9_19 + f7 * g8_19 + f8 * g7_19 + f9 * g6_19;
  let h6: i64 = f0 * g6 + f1_2 * g5 + f2 * g4 + f3_2 * g3 + f4 * g2 + f5_2 * g1 + f6 * g0 + f7_2 * g9_19 + f8 * g8_19 + f9_2 * g7_19;
  let h7: i64 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 + f8 * g9_19 + f9 * g8_19;
  let h8: i64 = f0 * g8 + f1_2 * g7 + f2 * g6 + f3_2 * g5 + f4 * g4 + f5_2 * g3 + f6 * g2 + f7_2 * g1 + f8 * g0 + f9_2 * g9_19;
  let h9: i64 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;
  carryStore(h, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}


function feSq(h: usize, f: usize): void {
  feMul(h, f, f);
}

function feAdd(h: usize, f: usize, g: usize): void {
  for (let i: usize = 0; i < FE; i += 8) store<i64>(h + i, load<i64>(f + i) + load<i64>(g + i));
}

function feSub(h: usize, f: usize, g: usize): void {
  for (let i: usize = 0; i < FE; i += 8) store<i64>(h + i, load<i64>(f + i) - load<i64>(g + i));
}

function feNeg(h: usize, f: usize): void {
  for (let i: usize = 0; i < FE; i += 8) store<i64>(h + i, -load<i64>(f + i));
}

function feCopy(h: usize, f: usize): void {
  memory.copy(h, f, FE);
}

function feSet(h: usize, value: i64): void {
  memory.fill(h, 0, FE);
  store<i64>(h, value);
}

/** The canonical limbs (value in [0, p), every limb in its width, non-negative) of f, into CANON. */
function feCanonical(f: usize): usize {
  feMul(CANON, f, FE_ONE); // bounds the limbs as every product is bounded
  let h0 = load<i64>(CANON, 0); let h1 = load<i64>(CANON, 8); let h2 = load<i64>(CANON, 16);
  let h3 = load<i64>(CANON, 24); let h4 = load<i64>(CANON, 32); let h5 = load<i64>(CANON, 40);
  let h6 = load<i64>(CANON, 48); let h7 = load<i64>(CANON, 56); let h8 = load<i64>(CANON, 64);
  let h9 = load<i64>(CANON, 72);
  let q: i64 = (19 * h9 + (1 << 24)) >> 25;
  q = (h0 + q) >> 26; q = (h1 + q) >> 25; q = (h2 + q) >> 26; q = (h3 + q) >> 25; q = (h4 + q) >> 26;
  q = (h5 + q) >> 25; q = (h6 + q) >> 26; q = (h7 + q) >> 25; q = (h8 + q) >> 26; q = (h9 + q) >> 25;
  h0 += 19 * q;
  let c: i64;
  c = h0 >> 26; h1 += c; h0 -= c << 26;
  c = h1 >> 25; h2 += c; h1 -= c << 25;
  c = h2 >> 26; h3 += c; h2 -= c << 26;
  c = h3 >> 25; h4 += c; h3 -= c << 25;
  c = h4 >> 26; h5 += c; h4 -= c << 26;
  c = h5 >> 25; h6 += c; h5 -= c << 25;
  c = h6 >> 26; h7 += c; h6 -= c << 26;
  c = h7 >> 25; h8 += c; h7 -= c << 25;
  c = h8 >> 26; h9 += c; h8 -= c << 26;
  c = h9 >> 25; h9 -= c << 25;
  store<i64>(CANON, h0, 0); store<i64>(CANON, h1, 8); store<i64>(CANON, h2, 16); store<i64>(CANON, h3, 24);
  store<i64>(CANON, h4, 32); store<i64>(CANON, h5, 40); store<i64>(CANON, h6, 48); store<i64>(CANON, h7, 56);
  store<i64>(CANON, h8, 64); store<i64>(CANON, h9, 72);
  return CANON;
}

function feIsZero(f: usize): bool {
  const c = feCanonical(f);
  let any: i64 = 0;
  for (let i: usize = 0; i < FE; i += 8) any |= load<i64>(c + i);
  return any == 0;
}

function feIsOdd(f: usize): bool {
  return (load<i64>(feCanonical(f)) & 1) == 1;
}

/** f == g (mod p); uses T8. */
function feEqual(f: usize, g: usize): bool {
  feSub(T8, f, g);
  return feIsZero(T8);
}

/** The 255 low bits of 32 little-endian bytes (BYTES, zero-padded), as limbs; not reduced (ZIP-215 admits y ≥ p). */
function feFromBytes(h: usize, s: usize): void {
  memory.copy(BYTES, s, 32);
  store<u8>(BYTES, load<u8>(BYTES, 31) & 0x7f, 31);
  for (let i = 0; i < 10; i++) {
    const at = 26 * ((i + 1) >> 1) + 25 * (i >> 1); // 0, 26, 51, 77, 102, 128, 153, 179, 204, 230
    const width: i64 = i & 1 ? 25 : 26;
    const word = load<u64>(BYTES + <usize>(at >> 3)) >> <u64>(at & 7);
    store<i64>(h + <usize>(i * 8), <i64>word & ((<i64>1 << width) - 1));
  }
}

/** z^(2^252 - 3) (ref10's addition chain); uses T0..T2. */
function fePow22523(out: usize, z: usize): void {
  feSq(T0, z);
  feSq(T1, T0); feSq(T1, T1);
  feMul(T1, z, T1);
  feMul(T0, T0, T1);
  feSq(T0, T0);
  feMul(T0, T1, T0);
  feSq(T1, T0); for (let i = 1; i < 5; i++) feSq(T1, T1);
  feMul(T0, T1, T0);
  feSq(T1, T0); for (let i = 1; i < 10; i++) feSq(T1, T1);
  feMul(T1, T1, T0);
  feSq(T2, T1); for (let i = 1; i < 20; i++) feSq(T2, T2);
  feMul(T1, T2, T1);
  feSq(T1, T1); for (let i = 1; i < 10; i++) feSq(T1, T1);
  feMul(T0, T1, T0);
  feSq(T1, T0); for (let i = 1; i < 50; i++) feSq(T1, T1);
  feMul(T1, T1, T0);
  feSq(T2, T1); for (let i = 1; i < 100; i++) feSq(T2, T2);
  feMul(T1, T2, T1);
  feSq(T1, T1); for (let i = 1; i < 50; i++) feSq(T1, T1);
  feMul(T0, T1, T0);
  feSq(T0, T0); feSq(T0, T0);
  feMul(out, T0, z);
}

// ---- points ----

@inline function px(p: usize): usize { return p; }
@inline function py(p: usize): usize { return p + FE; }
@inline function pz(p: usize): usize { return p + 2 * FE; }
@inline function pt(p: usize): usize { return p + 3 * FE; }

/**
 * Decodes 32 bytes as a point with ZIP-215's rules (y may be ≥ p, x = 0 with the sign bit set is accepted), as
 * `@noble/ed25519`'s `Point.fromBytes(bytes, true)`; false when y is not the y of a curve point.
 */
function decodePoint(p: usize, s: usize): bool {
  const y = py(p);
  feFromBytes(y, s);
  feSq(T3, y);
  feSet(T4, 1);
  feSub(U, T3, T4); // u = y² - 1
  feMul(V, T3, FE_D);
  feAdd(V, V, T4); // v = d·y² + 1
  feSq(T5, V);
  feMul(T5, T5, V); // v³
  feSq(T6, T5);
  feMul(T6, T6, V); // v⁷
  feMul(T6, T6, U); // u·v⁷
  fePow22523(T7, T6);
  feMul(X, U, T5);
  feMul(X, X, T7); // x = u·v³·(u·v⁷)^((p-5)/8)
  feSq(T6, X);
  feMul(T6, T6, V); // v·x²
  const rootIsX = feEqual(T6, U);
  feNeg(T4, U);
  const rootIsXi = feEqual(T6, T4);
  if (!rootIsX && !rootIsXi) return false;
  if (rootIsXi) feMul(X, X, FE_SQRT_M1);
  const signBit = (load<u8>(s, 31) >> 7) == 1;
  if (feIsOdd(X) != signBit) feNeg(X, X);
  feMul(px(p), X, FE_ONE);
  feSet(pz(p), 1);
  feMul(pt(p), X, y);
  feMul(y, y, FE_ONE);
  return true;
}

function setIdentity(p: usize): void {
  feSet(px(p), 0);
  feSet(py(p), 1);
  feSet(pz(p), 1);
  feSet(pt(p), 0);
}

/** out = p + q (complete twisted Edwards addition, a = -1); out may be p or q. Uses T0..T7. */
function pointAdd(out: usize, p: usize, q: usize): void {
  feMul(T0, px(p), px(q)); // A
  feMul(T1, py(p), py(q)); // B
  feMul(T2, pt(p), FE_D);
  feMul(T2, T2, pt(q)); // C
  feMul(T3, pz(p), pz(q)); // D
  feAdd(T4, px(p), py(p));
  feAdd(T5, px(q), py(q));
  feMul(T4, T4, T5);
  feSub(T4, T4, T0);
  feSub(T4, T4, T1); // E = (X1+Y1)(X2+Y2) - A - B
  feSub(T5, T3, T2); // F = D - C
  feAdd(T6, T3, T2); // G = D + C
  feAdd(T7, T1, T0); // H = B - a·A = B + A
  feMul(px(out), T4, T5);
  feMul(py(out), T6, T7);
  feMul(pt(out), T4, T7);
  feMul(pz(out), T5, T6);
}

/** out = 2p; out may be p. Uses T0..T6. */
function pointDouble(out: usize, p: usize): void {
  feSq(T0, px(p)); // A
  feSq(T1, py(p)); // B
  feSq(T2, pz(p));
  feAdd(T2, T2, T2); // C = 2·Z²
  feAdd(T3, px(p), py(p));
  feSq(T3, T3);
  feSub(T3, T3, T0);
  feSub(T3, T3, T1); // E = (X+Y)² - A - B
  feSub(T4, T1, T0); // G = D + B = B - A
  feSub(T5, T4, T2); // F = G - C
  feNeg(T6, T0);
  feSub(T6, T6, T1); // H = D - B = -A - B
  feMul(px(out), T3, T5);
  feMul(py(out), T4, T6);
  feMul(pt(out), T3, T6);
  feMul(pz(out), T5, T4);
}

function pointNegate(out: usize, p: usize): void {
  feNeg(px(out), px(p));
  feCopy(py(out), py(p));
  feCopy(pz(out), pz(p));
  feNeg(pt(out), pt(p));
}

/** Row i of the table at `table` holds j·16^i·P for j = 1..8. */
function buildTable(table: usize, p: usize): void {
  memory.copy(P_TMP, p, POINT);
  for (let i = 0; i < ROWS; i++) {
    const row = table + <usize>(i * ROW_SIZE) * POINT;
    memory.copy(row, P_TMP, POINT);
    for (let j = 1; j < ROW_SIZE; j++) pointAdd(row + <usize>j * POINT, row + <usize>(j - 1) * POINT, P_TMP);
    pointDouble(P_TMP, row + <usize>(ROW_SIZE - 1) * POINT);
  }
}

/** The 64 signed base-16 digits (in [-8, 8)) of a 32-byte little-endian scalar below 2^253, into DIGITS. */
function recode(scalar: usize): void {
  let carry: i32 = 0;
  for (let i = 0; i < 64; i++) {
    const byte = <i32>load<u8>(scalar + <usize>(i >> 1));
    let digit = ((i & 1 ? byte >> 4 : byte) & 15) + carry;
    carry = digit >= 8 ? 1 : 0;
    digit -= carry << 4;
    store<i8>(DIGITS + <usize>i, <i8>digit);
  }
}

/** sum += Σ digit_i · row_i, from the table and DIGITS. */
function addMultiple(sum: usize, table: usize): void {
  for (let i = 0; i < ROWS; i++) {
    const digit = <i32>load<i8>(DIGITS + <usize>i);
    if (digit == 0) continue;
    const row = table + <usize>(i * ROW_SIZE) * POINT;
    if (digit > 0) {
      pointAdd(sum, sum, row + <usize>(digit - 1) * POINT);
    } else {
      pointNegate(P_NEG, row + <usize>(-digit - 1) * POINT);
      pointAdd(sum, sum, P_NEG);
    }
  }
}

function ensureMemory(end: usize): void {
  const have = <usize>memory.size() * PAGE;
  if (end > have) memory.grow(<i32>((end - have + PAGE - 1) / PAGE));
}

function alignUp(at: usize): usize {
  return (at + 15) & ~(<usize>15);
}

function slotAddress(slot: i32): usize {
  return alignUp(__heap_base) + TABLE + <usize>slot * (POINT + TABLE);
}

// ---- exports ----

/** Where the caller writes the inputs: R at +0, S at +32, k at +64, the public key A at +96. */
export function inputAddress(): usize {
  return INPUT;
}

/**
 * Decodes the public key at +96 of the input and builds its table in `slot`; 1 when it decodes, 0 when it does not.
 */
export function prepareKey(slot: i32): i32 {
  const at = slotAddress(slot);
  ensureMemory(at + POINT + TABLE);
  if (!decodePoint(at, IN_A)) return 0;
  buildTable(at + POINT, at);
  return 1;
}

/** 1 when [8]([S]B - R - [k]A) is the identity, for the key prepared in `slot`; 0 otherwise (or R undecodable). */
export function verify(slot: i32): i32 {
  if (baseTable == 0) {
    baseTable = alignUp(__heap_base);
    ensureMemory(baseTable + TABLE);
    feCopy(px(P_SUM), FE_BASE_X);
    feCopy(py(P_SUM), FE_BASE_Y);
    feSet(pz(P_SUM), 1);
    feCopy(pt(P_SUM), FE_BASE_T);
    buildTable(baseTable, P_SUM);
  }
  if (!decodePoint(P_R, IN_R)) return 0;
  setIdentity(P_SUM);
  recode(IN_K);
  addMultiple(P_SUM, slotAddress(slot) + POINT); // [k]A
  pointAdd(P_SUM, P_SUM, P_R); // R + [k]A
  pointNegate(P_SUM, P_SUM);
  recode(IN_S);
  addMultiple(P_SUM, baseTable); // [S]B - R - [k]A
  pointDouble(P_SUM, P_SUM);
  pointDouble(P_SUM, P_SUM);
  pointDouble(P_SUM, P_SUM);
  return feIsZero(px(P_SUM)) && feEqual(py(P_SUM), pz(P_SUM)) ? 1 : 0;
}
