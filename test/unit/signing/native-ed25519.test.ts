/**
 * Where there is Node, signatures and public keys come from Node's Ed25519: they must be byte for byte what
 * `@noble/ed25519` (which workflow code and activities verify with) makes from the same seed.
 */
import { randomBytes } from 'node:crypto';
import * as ed from '@noble/ed25519';
import { fromBase64Url, publicKeyOf, signBytes, toBase64Url, verifyBytes } from '@slipway/sdk';
import { describe, expect, it } from 'vitest';

const seeds = Array.from({ length: 40 }, () => randomBytes(32));
const messages = [new Uint8Array(0), Uint8Array.of(0x72), randomBytes(300), randomBytes(5000)];

describe("Node's Ed25519 in the client", () => {
  it('signs exactly as @noble/ed25519 does, and the signatures verify', () => {
    for (const [i, seed] of seeds.entries()) {
      const message = messages[i % messages.length]!;
      const privateKey = toBase64Url(seed);
      const signature = signBytes(privateKey, message);
      expect(fromBase64Url(signature)).toEqual(ed.sign(message, seed));
      expect(verifyBytes(publicKeyOf(privateKey), message, signature)).toBe(true);
    }
  });

  it('signs right with keys loaded before, kept or dropped since (more keys than it keeps loaded)', () => {
    const message = messages[2]!;
    for (const seed of [...seeds, ...seeds.slice(0, 5)].reverse()) {
      expect(fromBase64Url(signBytes(toBase64Url(seed), message))).toEqual(ed.sign(message, seed));
    }
  });

  it('derives the public key @noble/ed25519 derives', () => {
    for (const seed of seeds) {
      expect(publicKeyOf(toBase64Url(seed))).toBe(`ed25519:${toBase64Url(ed.getPublicKey(seed))}`);
    }
  });

  it('still refuses a private key that is not 32 bytes', () => {
    expect(() => signBytes(toBase64Url(randomBytes(31)), Uint8Array.of(1))).toThrow(/not an Ed25519 private key/);
    expect(() => publicKeyOf('not-a-key')).toThrow(/not an Ed25519 private key/);
  });
});
