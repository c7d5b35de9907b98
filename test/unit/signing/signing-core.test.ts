/**
 * The signing core that runs in workflow code: base64url that admits one text per byte string, Ed25519 that
 * matches RFC 8032 and Node's own implementation, and payload signatures that do not verify across domains,
 * keys or edited payloads.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import {
  DecisionPayload,
  SigningDomain,
  StartPayload,
  approvalPolicyDigest,
  canonicalJson,
  digestOfValue,
  fromBase64Url,
  generateKeyPair,
  publicKeyOf,
  signBytes,
  signPayload,
  signedApprovalOf,
  startInputDigest,
  startPayload,
  toBase64Url,
  verifyBytes,
  verifyPayload,
} from '@slipway/sdk';
import { describe, expect, it } from 'vitest';

const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((b) => parseInt(b, 16)));

// RFC 8032, section 7.1, TEST 2 (one-byte message 0x72).
const RFC = {
  seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
  publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
  message: '72',
  signature:
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
};

describe('base64url', () => {
  it('round-trips every length and refuses padding, foreign characters and non-canonical texts', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      const text = toBase64Url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(fromBase64Url(text)).toEqual(bytes);
    }
    expect(fromBase64Url('AAA=')).toBeUndefined();
    expect(fromBase64Url('AA+A')).toBeUndefined();
    expect(fromBase64Url('A')).toBeUndefined();
    // 'AB' decodes to one byte with non-zero trailing bits: 'AA' is the one canonical text for 0x00.
    expect(fromBase64Url('AB')).toBeUndefined();
    expect(fromBase64Url('AA')).toEqual(new Uint8Array([0]));
  });
});

describe('Ed25519', () => {
  it('matches the RFC 8032 test vector', () => {
    const privateKey = toBase64Url(hex(RFC.seed));
    expect(publicKeyOf(privateKey)).toBe(`ed25519:${toBase64Url(hex(RFC.publicKey))}`);
    const signature = signBytes(privateKey, hex(RFC.message));
    expect(signature).toBe(toBase64Url(hex(RFC.signature)));
    expect(verifyBytes(publicKeyOf(privateKey), hex(RFC.message), signature)).toBe(true);
  });

  it("agrees with Node's implementation both ways", () => {
    const { privateKey, publicKey } = generateKeyPair();
    const message = new TextEncoder().encode('approve churn v3');
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), fromBase64Url(privateKey)!]);
    const nodePrivate = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    const nodePublic = createPublicKey(nodePrivate);
    const raw = nodePublic.export({ format: 'der', type: 'spki' }).subarray(-32);
    expect(publicKey).toBe(`ed25519:${toBase64Url(raw)}`);
    expect(nodeVerify(null, message, nodePublic, Buffer.from(fromBase64Url(signBytes(privateKey, message))!))).toBe(
      true,
    );
    const byNode = toBase64Url(nodeSign(null, message, nodePrivate));
    expect(verifyBytes(publicKey, message, byNode)).toBe(true);
  });

  it('refuses another key, an edited message, and malformed keys or signatures without throwing', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    const message = new TextEncoder().encode('m');
    const signature = signBytes(a.privateKey, message);
    expect(verifyBytes(b.publicKey, message, signature)).toBe(false);
    expect(verifyBytes(a.publicKey, new TextEncoder().encode('n'), signature)).toBe(false);
    expect(verifyBytes('ed25519:short', message, signature)).toBe(false);
    expect(verifyBytes(a.publicKey, message, 'not-a-signature')).toBe(false);
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    expect(verifyBytes(a.publicKey, message, flipped)).toBe(false);
    expect(() => signBytes('too-short', message)).toThrow(/not an Ed25519 private key/);
  });
});

describe('signed payloads', () => {
  const key = generateKeyPair();
  const decision: DecisionPayload = {
    workflowId: 'trainAndPromote-1',
    gateNonce: '5f0c7d0e-8d4b-4b6e-9a51-0c1f7f0a2b3c',
    evidenceDigest: `sha256:${'a'.repeat(64)}`,
    decision: 'approve',
    approver: 'maria',
    comment: '',
    at: '2026-12-02T10:00:00.000Z',
  };

  it('verify only for the same domain, key and payload, whatever the key order', () => {
    const signature = signPayload(SigningDomain.decision, key.privateKey, decision);
    const reordered = Object.fromEntries(Object.entries(decision).reverse());
    expect(verifyPayload(SigningDomain.decision, key.publicKey, reordered, signature)).toBe(true);
    expect(verifyPayload(SigningDomain.start, key.publicKey, decision, signature)).toBe(false);
    expect(verifyPayload(SigningDomain.decision, generateKeyPair().publicKey, decision, signature)).toBe(false);
    for (const edit of [{ gateNonce: 'another-gate-nonce-000' }, { workflowId: 'x' }, { decision: 'reject' }]) {
      expect(verifyPayload(SigningDomain.decision, key.publicKey, { ...decision, ...edit }, signature)).toBe(false);
    }
  });

  it('checks the decision payload shape', () => {
    expect(DecisionPayload.safeParse({ ...decision, at: 'yesterday' }).success).toBe(false);
    expect(DecisionPayload.safeParse({ ...decision, extra: 1 }).success).toBe(false);
  });

  it('digest a run input without its start field, canonically', () => {
    const input = { modelName: 'churn', params: { b: 1, a: 2 } };
    const signed = { ...input, start: { signer: 'lee', at: decision.at, signature: 'x' } };
    expect(startInputDigest(signed)).toBe(startInputDigest({ params: { a: 2, b: 1 }, modelName: 'churn' }));
    expect(startInputDigest(signed)).toBe(digestOfValue(input));
    expect(canonicalJson({ b: 1, a: [2, { d: 1, c: undefined }] })).toBe('{"a":[2,{"d":1}],"b":1}');
  });

  it("finds a run's signed approval policy (a guardian's: its retrains') and digests it, null for none", () => {
    const policy = { approvers: ['maria'], quorum: 1 };
    expect(signedApprovalOf('trainAndPromote', { modelName: 'churn', approval: policy })).toBe(policy);
    expect(signedApprovalOf('modelGuardian', { approval: { approvers: ['x'] } })).toBeUndefined();
    expect(signedApprovalOf('modelGuardian', { retrain: { input: { approval: policy } } })).toBe(policy);
    expect(signedApprovalOf('modelGuardian', { retrain: 'no' })).toBeUndefined();
    expect(approvalPolicyDigest(policy)).toBe(digestOfValue({ approval: { quorum: 1, approvers: ['maria'] } }));
    expect(approvalPolicyDigest(undefined)).toBe(approvalPolicyDigest(null));
    expect(approvalPolicyDigest(undefined)).toBe(digestOfValue({ approval: null }));
  });

  it('a start payload carries a policy digest only when signed with one (older starts verify byte for byte)', () => {
    const run = { pipeline: 'trainAndPromote', workflowId: 'wf-1', inputDigest: `sha256:${'1'.repeat(64)}` };
    const older = { signer: 'lee', ...run, at: decision.at };
    const signature = signPayload(SigningDomain.start, key.privateKey, older);
    const rebuilt = startPayload({ signer: 'lee', at: decision.at }, run);
    expect(rebuilt).toEqual(older);
    expect(verifyPayload(SigningDomain.start, key.publicKey, rebuilt, signature)).toBe(true);
    const policyDigest = approvalPolicyDigest({ approvers: ['maria'] });
    expect(startPayload({ signer: 'lee', at: decision.at, policyDigest }, run)).toEqual({ ...older, policyDigest });
    expect(StartPayload.safeParse({ ...older, policyDigest: 'not-a-digest' }).success).toBe(false);
  });
});
