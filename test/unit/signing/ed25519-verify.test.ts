/**
 * Both engines of Slipway's Ed25519 verifier (WebAssembly and JavaScript) agree with `@noble/ed25519`'s default
 * `verify` (ZIP-215, cofactored) on every input: RFC 8032 vectors, valid and tampered signatures, scalars at and
 * above the group order, non-canonical and small-order points, points with a torsion component, wrong lengths, and
 * keys forgotten by the cache and seen again. Each case is checked twice, so both a key's first use and its use
 * through its table are compared.
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it, vi } from 'vitest';
import {
  CACHED_KEYS,
  ed25519Engine,
  verifyEd25519,
  type Ed25519Engine,
} from '../../../packages/sdk/src/signing/ed25519-verify.js';
import { ed } from '../../../packages/sdk/src/signing/ed25519.js';
import { RFC8032_VECTORS } from './rfc8032-vectors.js';

type Point = InstanceType<typeof ed.Point>;

const { n: L, p: P } = ed.Point.CURVE();
const hex = ed.etc.hexToBytes;

/** noble's verdict, a thrown error (wrong lengths) counting as false. */
function nobleVerify(signature: Uint8Array, message: Uint8Array, key: Uint8Array): boolean {
  try {
    return ed.verify(signature, message, key);
  } catch {
    return false;
  }
}

/** Asserts an engine agrees with noble on a case, twice (first use, then through the key's table). */
function agreeWith(engine: Ed25519Engine) {
  return (signature: Uint8Array, message: Uint8Array, key: Uint8Array): boolean => {
    const expected = nobleVerify(signature, message, key);
    expect(verifyEd25519(signature, message, key, engine)).toBe(expected);
    expect(verifyEd25519(signature, message, key, engine)).toBe(expected);
    return expected;
  };
}

/** 64 deterministic pseudo-random bytes for a label. */
function bytesFor(label: string): Uint8Array {
  return sha512(new TextEncoder().encode(label));
}

function numberLE(bytes: Uint8Array): bigint {
  return BigInt(`0x${ed.etc.bytesToHex(Uint8Array.from(bytes).reverse())}`);
}

function bytesLE(value: bigint): Uint8Array {
  return hex(value.toString(16).padStart(64, '0')).reverse();
}

function withBitFlipped(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

function signatureOf(R: Uint8Array, S: bigint): Uint8Array {
  return ed.etc.concatBytes(R, bytesLE(S));
}

/** The eight points of order dividing 8, from a point of order 8 found by clearing a decoded point's prime part. */
function torsionPoints(): Point[] {
  for (let i = 0; ; i++) {
    let decoded: Point;
    try {
      decoded = ed.Point.fromBytes(bytesFor(`torsion ${i}`).subarray(0, 32), true);
    } catch {
      continue;
    }
    const t = decoded.multiply(L - 1n, false).add(decoded); // [L]P: the torsion component of P
    if (t.double().double().is0()) continue; // order below 8
    const points = [ed.Point.ZERO];
    for (let j = 1; j < 8; j++) points.push(points[j - 1]!.add(t));
    return points;
  }
}

/**
 * A signature that is valid under the cofactored check but carries torsion: R' = [r]B + tR and A' = A + tA, with
 * the challenge over the bytes of R' and A'. Returns the signature and the key bytes A'.
 */
function signWithTorsion(seed: Uint8Array, message: Uint8Array, tR: Point, tA: Point) {
  const { scalar, prefix, point } = ed.utils.getExtendedPublicKey(seed);
  const r = ed.etc.mod(numberLE(sha512(ed.etc.concatBytes(prefix, message))), L);
  const R = ed.Point.BASE.multiply(r).add(tR).toBytes();
  const key = point.add(tA).toBytes();
  const k = ed.etc.mod(numberLE(sha512(ed.etc.concatBytes(R, key, message))), L);
  return { signature: signatureOf(R, ed.etc.mod(r + k * scalar, L)), key };
}

/** Encodings of y + p for small y (y + p < 2^255), with either sign bit, that decode under ZIP-215. */
function nonCanonicalEncodings(): Uint8Array[] {
  const found: Uint8Array[] = [];
  for (let y = 0n; y < 19n; y++) {
    for (const sign of [0, 0x80]) {
      const bytes = bytesLE(y + P);
      bytes[31]! |= sign;
      try {
        ed.Point.fromBytes(bytes, true);
        found.push(bytes);
      } catch {
        // y + p is not the y of a point
      }
    }
  }
  return found;
}

it('verifies in WebAssembly in Node', () => {
  expect(ed25519Engine()).toBe('webassembly');
});

it('verifies in JavaScript, with the same verdicts, where there is no WebAssembly', async () => {
  vi.resetModules();
  vi.stubGlobal('WebAssembly', undefined);
  try {
    const fresh = await import('../../../packages/sdk/src/signing/ed25519-verify.js');
    expect(fresh.ed25519Engine()).toBe('javascript');
    const [vector] = RFC8032_VECTORS;
    const [key, message, signature] = [hex(vector!.publicKey), hex(vector!.message), hex(vector!.signature)];
    expect(fresh.verifyEd25519(signature, message, key)).toBe(true);
    expect(fresh.verifyEd25519(withBitFlipped(signature, 9), message, key)).toBe(false);
  } finally {
    vi.unstubAllGlobals();
    vi.resetModules();
  }
});

describe.each(['webassembly', 'javascript'] as const)('the %s engine', (engine) => {
  const agree = agreeWith(engine);

  describe('verifyEd25519 on RFC 8032 vectors', () => {
    for (const vector of RFC8032_VECTORS) {
      it(`${vector.name}: the vector verifies, and fails once tampered`, () => {
        const seed = hex(vector.seed);
        const key = hex(vector.publicKey);
        const message = hex(vector.message);
        const signature = hex(vector.signature);
        expect(ed.etc.bytesToHex(ed.getPublicKey(seed))).toBe(vector.publicKey);
        expect(ed.etc.bytesToHex(ed.sign(message, seed))).toBe(vector.signature);
        expect(agree(signature, message, key)).toBe(true);
        expect(agree(withBitFlipped(signature, 3), message, key)).toBe(false);
        expect(agree(withBitFlipped(signature, 300), message, key)).toBe(false);
        expect(agree(signature, ed.etc.concatBytes(message, Uint8Array.of(0)), key)).toBe(false);
      });
    }
  });

  describe('verifyEd25519 against noble on random cases', () => {
    it('agrees on valid signatures and on flipped bits in R, S, the message and the key', () => {
      let valid = 0;
      for (let i = 0; i < 40; i++) {
        const seed = bytesFor(`key ${i}`).subarray(0, 32);
        const key = ed.getPublicKey(seed);
        const noise = bytesFor(`noise ${i}`);
        const message = bytesFor(`message ${i}`).subarray(0, noise[0]! % 65);
        const signature = ed.sign(message, seed);
        if (agree(signature, message, key)) valid++;
        agree(withBitFlipped(signature, noise[1]! % 256), message, key);
        agree(withBitFlipped(signature, 256 + (noise[2]! % 256)), message, key);
        if (message.length > 0) agree(signature, withBitFlipped(message, noise[3]! % (message.length * 8)), key);
        agree(signature, message, withBitFlipped(key, noise[4]! % 256));
        agree(signature, message, ed.getPublicKey(bytesFor(`other ${i}`).subarray(0, 32)));
      }
      expect(valid).toBe(40);
    });

    it('agrees on S at or above the group order, S = 0 and all-zero signatures', () => {
      for (let i = 0; i < 30; i++) {
        const seed = bytesFor(`scalar key ${i}`).subarray(0, 32);
        const key = ed.getPublicKey(seed);
        const message = bytesFor(`scalar message ${i}`);
        const signature = ed.sign(message, seed);
        const R = signature.subarray(0, 32);
        const S = numberLE(signature.subarray(32));
        expect(agree(signature, message, key)).toBe(true);
        expect(agree(signatureOf(R, S + L), message, key)).toBe(false);
        expect(agree(signatureOf(R, L), message, key)).toBe(false);
        agree(signatureOf(R, 0n), message, key);
        agree(new Uint8Array(64), message, key);
        agree(signatureOf(R, L - 1n), message, key);
      }
    });

    it('agrees on signatures whose R or public key carries a torsion component (valid only when cofactored)', () => {
      const torsion = torsionPoints();
      let valid = 0;
      for (let i = 0; i < 32; i++) {
        const seed = bytesFor(`torsion key ${i}`).subarray(0, 32);
        const message = bytesFor(`torsion message ${i}`);
        const { signature, key } = signWithTorsion(seed, message, torsion[i % 8]!, torsion[(i >> 3) % 8]!);
        if (agree(signature, message, key)) valid++;
        agree(withBitFlipped(signature, 260), message, key);
      }
      expect(valid).toBe(32);
    });
  });

  describe('verifyEd25519 against noble on unusual points and lengths', () => {
    it('agrees on small-order public keys and R, canonical or not (identity key, zero S: valid under ZIP-215)', () => {
      const encodings = [...torsionPoints().map((t) => t.toBytes()), ...nonCanonicalEncodings()];
      expect(encodings.length).toBeGreaterThan(8);
      const identity = hex(`01${'00'.repeat(31)}`);
      const message = bytesFor('small order');
      expect(agree(new Uint8Array(64), message, identity)).toBe(true);
      let valid = 0;
      for (const key of encodings) {
        for (const R of encodings) if (agree(signatureOf(R, 0n), message, key)) valid++;
        agree(signatureOf(key, 1n), message, key);
      }
      expect(valid).toBeGreaterThan(0);
    });

    it('agrees on non-canonical R and keys next to a real key and signature', () => {
      const seed = bytesFor('non-canonical').subarray(0, 32);
      const key = ed.getPublicKey(seed);
      const message = bytesFor('non-canonical message');
      const signature = ed.sign(message, seed);
      for (const encoding of nonCanonicalEncodings()) {
        agree(signature, message, encoding);
        agree(ed.etc.concatBytes(encoding, signature.subarray(32)), message, key);
      }
      agree(signature, message, hex(`ff${'ff'.repeat(30)}7f`)); // y = 2^255 - 1: not a point
    });

    it('returns false, without throwing, for wrong lengths (noble throws)', () => {
      const seed = bytesFor('lengths').subarray(0, 32);
      const key = ed.getPublicKey(seed);
      const message = bytesFor('lengths message');
      const signature = ed.sign(message, seed);
      for (const [sig, pk] of [
        [signature.subarray(0, 63), key],
        [ed.etc.concatBytes(signature, Uint8Array.of(0)), key],
        [new Uint8Array(0), key],
        [signature, key.subarray(0, 31)],
        [signature, ed.etc.concatBytes(key, Uint8Array.of(0))],
        [signature, new Uint8Array(0)],
      ] as const) {
        expect(() => ed.verify(sig, message, pk)).toThrow();
        expect(verifyEd25519(sig, message, pk, engine)).toBe(false);
      }
    });
  });

  describe('verifyEd25519 cache', () => {
    it('keeps agreeing for keys forgotten by the cache and seen again', () => {
      const cases = Array.from({ length: CACHED_KEYS + 16 }, (_, i) => {
        const seed = bytesFor(`cache key ${i}`).subarray(0, 32);
        const message = bytesFor(`cache message ${i}`);
        return { key: ed.getPublicKey(seed), message, signature: ed.sign(message, seed) };
      });
      const hot = cases[0]!;
      for (let round = 0; round < 2; round++) {
        for (const { key, message, signature } of cases) {
          expect(agree(signature, message, key)).toBe(true);
          expect(agree(withBitFlipped(signature, round * 100 + 7), message, key)).toBe(false);
          expect(agree(hot.signature, hot.message, hot.key)).toBe(true);
          expect(agree(signature, message, hot.key)).toBe(key === hot.key);
        }
      }
    });
  });
});
