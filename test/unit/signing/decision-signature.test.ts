/**
 * The gate's rules for a signed decision, applied directly: a decision verifies only when signed by the
 * approver's own key, for this gate (nonce and workflow id), this evidence and this decision, within the window.
 */
import {
  DECISION_MAX_AGE_MS,
  GateRefusal,
  SigningDomain,
  decisionPayload,
  decisionSignatureRefusal,
  generateKeyPair,
  serviceDecisionPayload,
  signPayload,
  type GateDecisionRequest,
} from '@slipway/sdk';
import { describe, expect, it } from 'vitest';

const maria = generateKeyPair();
const mallory = generateKeyPair();
const digest = `sha256:${'a'.repeat(64)}` as const;
const opened = Date.parse('2026-12-02T10:00:00.000Z');
const gate = {
  workflowId: 'run-1',
  nonce: '6f1c1f3e-0c61-4a43-9a4c-1f8a3b2e9d10',
  openedAt: new Date(opened).toISOString(),
  evidence: { digest } as never,
};

function signed(
  overrides: Partial<{ key: string; nonce: string; workflowId: string; at: string; comment: string }> = {},
): GateDecisionRequest {
  const at = overrides.at ?? new Date(opened + 60_000).toISOString();
  const request = {
    decision: 'approve' as const,
    approver: 'maria',
    evidenceDigest: digest,
    comment: overrides.comment,
  };
  const payload = decisionPayload(
    {
      workflowId: overrides.workflowId ?? gate.workflowId,
      nonce: overrides.nonce ?? gate.nonce,
      evidenceDigest: digest,
    },
    { ...request, at },
  );
  const signature = signPayload(SigningDomain.decision, overrides.key ?? maria.privateKey, payload);
  return { ...request, at, signature };
}

const now = opened + 120_000;
const check = (request: GateDecisionRequest, key: string | undefined = maria.publicKey, at = now) =>
  decisionSignatureRefusal(gate, request, key, at);

describe('a signed decision at the gate', () => {
  it("verifies when signed by the approver's key for this gate, evidence and time", () => {
    expect(check(signed())).toBeUndefined();
    expect(check(signed({ comment: 'AUC up' }))).toBeUndefined();
  });

  it('is refused unsigned, naming how to sign', () => {
    const { signature: _s, at: _a, ...unsigned } = signed();
    expect(check(unsigned)).toEqual({
      type: GateRefusal.UnsignedDecision,
      message: expect.stringContaining('the decision by maria is not signed') as string,
    });
  });

  it("is refused when signed with another person's key", () => {
    expect(check(signed({ key: mallory.privateKey }))?.type).toBe(GateRefusal.BadSignature);
  });

  it('is refused when the approver has no key in the directory', () => {
    expect(decisionSignatureRefusal(gate, signed(), undefined, now)?.message).toContain(
      'maria has no public key in the directory of people',
    );
  });

  it('is refused when replayed on another gate or another run, or altered after signing', () => {
    expect(check(signed({ nonce: 'another-gate-nonce-0000' }))?.type).toBe(GateRefusal.BadSignature);
    expect(check(signed({ workflowId: 'run-2' }))?.type).toBe(GateRefusal.BadSignature);
    expect(check({ ...signed(), comment: 'changed after signing' })?.type).toBe(GateRefusal.BadSignature);
    expect(check({ ...signed(), decision: 'reject' })?.type).toBe(GateRefusal.BadSignature);
  });

  it('is refused out of its window: before the gate opened, in the future, or too old', () => {
    const before = signed({ at: new Date(opened - 6 * 60_000).toISOString() });
    expect(check(before)?.message).toContain('signed before this gate opened');
    const future = signed({ at: new Date(now + 6 * 60_000).toISOString() });
    expect(check(future)?.message).toContain('in the future');
    const old = signed();
    expect(check(old, maria.publicKey, Date.parse(old.at as string) + DECISION_MAX_AGE_MS + 1)?.type).toBe(
      GateRefusal.DecisionOutOfWindow,
    );
  });

  it('is not asked of a gate that opened before decisions were signed (no nonce)', () => {
    const { nonce: _n, ...legacy } = gate;
    const { signature: _s, at: _a, ...unsigned } = signed();
    expect(decisionSignatureRefusal(legacy, unsigned, undefined, now)).toBeUndefined();
  });
});

describe('a decision a service signed for the approver, at the gate', () => {
  const page = generateKeyPair();
  const other = generateKeyPair();
  const delegates = [{ service: 'approvals-page', publicKey: page.publicKey }];

  function serviceSigned(
    overrides: Partial<{ key: string; service: string; signedBy: string | null; comment: string }> = {},
  ): GateDecisionRequest {
    const at = new Date(opened + 60_000).toISOString();
    const request = {
      decision: 'approve' as const,
      approver: 'maria',
      evidenceDigest: digest,
      comment: overrides.comment,
    };
    const payload = serviceDecisionPayload(
      { workflowId: gate.workflowId, nonce: gate.nonce, evidenceDigest: digest },
      { ...request, at },
      overrides.service ?? 'approvals-page',
    );
    const signature = signPayload(SigningDomain.serviceDecision, overrides.key ?? page.privateKey, payload);
    const signedBy = overrides.signedBy === undefined ? 'approvals-page' : overrides.signedBy;
    return { ...request, at, signature, ...(signedBy === null ? {} : { signedBy }) };
  }
  const checkService = (request: GateDecisionRequest, trusted = delegates) =>
    decisionSignatureRefusal(gate, request, maria.publicKey, now, trusted);

  it('verifies with the key of a service the directory trusts for the approver', () => {
    expect(checkService(serviceSigned())).toBeUndefined();
    expect(checkService(serviceSigned({ comment: 'from the page' }))).toBeUndefined();
  });

  it('is refused when the service is not trusted for the approver (or unknown), naming who is', () => {
    expect(checkService(serviceSigned(), [])).toEqual({
      type: GateRefusal.BadSignature,
      message: expect.stringContaining(
        'signed by the service approvals-page, but the directory of people the gate resolved does not trust approvals-page to sign for maria (services trusted for maria: none)',
      ) as string,
    });
    const ghost = serviceSigned({ service: 'ghost-page', signedBy: 'ghost-page', key: other.privateKey });
    expect(checkService(ghost)?.message).toContain('services trusted for maria: approvals-page');
  });

  it("is refused when a service's signature is presented without signedBy", () => {
    expect(checkService(serviceSigned({ signedBy: null }))).toEqual({
      type: GateRefusal.BadSignature,
      message: expect.stringContaining("does not verify with maria's key from the directory") as string,
    });
  });

  it("is refused when the approver's own signature is presented with signedBy", () => {
    const own = { ...signed(), signedBy: 'approvals-page' };
    expect(checkService(own)).toEqual({
      type: GateRefusal.BadSignature,
      message: expect.stringContaining('does not verify with the key of the service approvals-page') as string,
    });
  });

  it('is refused when signed with another key, or altered after signing', () => {
    expect(checkService(serviceSigned({ key: other.privateKey }))?.type).toBe(GateRefusal.BadSignature);
    expect(checkService({ ...serviceSigned(), comment: 'changed' })?.type).toBe(GateRefusal.BadSignature);
    expect(checkService({ ...serviceSigned(), decision: 'reject' })?.type).toBe(GateRefusal.BadSignature);
    expect(checkService({ ...serviceSigned(), approver: 'sam' })?.type).toBe(GateRefusal.BadSignature);
  });
});
