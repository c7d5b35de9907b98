/**
 * Webhook signatures: `sha256=<hex HMAC-SHA256 of "<id>.<timestamp>.<body>">`, and the check receivers use
 * (`verifyWebhookSignature`): a changed body, id or timestamp, another secret, a stale or future timestamp and a
 * malformed header are all refused, each with its reason.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhookSignature } from '../../../packages/activities/src/index.js';

const SECRET = 'notify-secret-0123456789';
const NOW = Date.parse('2026-12-03T06:00:00Z');
const TS = Math.floor(NOW / 1000);
const BODY = '{"id":"guardian:churn:1","kind":"drift_detected"}';
const ID = 'guardian:churn:1';

describe('signWebhook', () => {
  it('is sha256= and the hex HMAC-SHA256 of "<id>.<timestamp>.<body>" with the secret', () => {
    const expected = createHmac('sha256', SECRET).update(`${ID}.${TS}.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, { id: ID, timestamp: TS, body: BODY })).toBe(`sha256=${expected}`);
    // Bytes and strings sign the same.
    expect(signWebhook(SECRET, { id: ID, timestamp: String(TS), body: Buffer.from(BODY) })).toBe(`sha256=${expected}`);
  });
});

describe('verifyWebhookSignature', () => {
  const signature = signWebhook(SECRET, { id: ID, timestamp: TS, body: BODY });
  const base = { secret: SECRET, id: ID, timestamp: String(TS), body: BODY, signature, now: NOW };

  it('accepts the signature of the id, timestamp and body, within the tolerance either way', () => {
    expect(verifyWebhookSignature(base)).toEqual({ valid: true });
    expect(verifyWebhookSignature({ ...base, now: NOW + 299_000 })).toEqual({ valid: true });
    expect(verifyWebhookSignature({ ...base, now: NOW - 299_000 })).toEqual({ valid: true });
    // Headers as Node hands them over: a one-element array, a numeric timestamp.
    expect(verifyWebhookSignature({ ...base, id: [ID], signature: [signature], timestamp: TS })).toEqual({
      valid: true,
    });
  });

  it.each([
    ['a tampered body', { body: BODY.replace('drift_detected', 'rollout_finished') }],
    ['a wrong secret', { secret: 'another-secret-0123456789' }],
    ['another delivery id', { id: 'guardian:churn:2' }],
    ['another timestamp', { timestamp: String(TS + 1) }],
  ])('refuses %s as a mismatch', (_what, change) => {
    const verdict = verifyWebhookSignature({ ...base, ...change });
    expect(verdict).toMatchObject({ valid: false, problem: 'mismatch' });
  });

  it('refuses a stale timestamp, and one from the future, even with a valid signature', () => {
    expect(verifyWebhookSignature({ ...base, now: NOW + 301_000 })).toMatchObject({
      valid: false,
      problem: 'stale',
      message: expect.stringMatching(/301 s from now \(at most 300 s allowed\)/),
    });
    expect(verifyWebhookSignature({ ...base, now: NOW - 400_000 })).toMatchObject({ problem: 'stale' });
    expect(verifyWebhookSignature({ ...base, now: NOW + 61_000, toleranceSeconds: 60 })).toMatchObject({
      problem: 'stale',
    });
  });

  it.each([
    ['no signature', { signature: undefined }],
    ['a signature without sha256=', { signature: signature.slice('sha256='.length) }],
    ['a short signature', { signature: signature.slice(0, -2) }],
    ['a timestamp that is not unix seconds', { timestamp: '2026-12-03T06:00:00Z' }],
    ['no delivery id', { id: '' }],
    ['a delivery id sent twice', { id: [ID, ID] }],
    ['a signature sent twice', { signature: [signature, signature] }],
  ])('refuses %s as malformed', (_what, change) => {
    expect(verifyWebhookSignature({ ...base, ...change })).toMatchObject({ valid: false, problem: 'malformed' });
  });
});
