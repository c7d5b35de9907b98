import { describe, expect, it } from 'vitest';
import { bearerCheck, bearerRefusal } from '../../../packages/worker/src/net/bearer.js';

const TOKEN = 'the-right-token-0123456789';

describe('bearer tokens on Slipway endpoints', () => {
  const accepts = bearerCheck(TOKEN);

  it('accepts the configured token as a bearer token, the scheme in any case, with spaces around it', () => {
    expect(accepts(`Bearer ${TOKEN}`)).toBe(true);
    expect(accepts(`bearer ${TOKEN}`)).toBe(true);
    expect(accepts(`Bearer   ${TOKEN}  `)).toBe(true);
  });

  it('refuses a missing header, another token, another scheme, and a token with more or less in it', () => {
    for (const authorization of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Bearer not-the-token-0123456789',
      `Basic ${TOKEN}`,
      TOKEN,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN} ${TOKEN}`,
    ]) {
      expect(accepts(authorization), String(authorization)).toBe(false);
    }
  });

  it('says a request without a token needs it, and one with a wrong token did not get it, naming where it is set', () => {
    expect(bearerRefusal('GET /metrics', undefined, 'metrics token', 'SLIPWAY_METRICS_TOKEN')).toBe(
      'GET /metrics needs the metrics token ("Authorization: Bearer <token>"); the token is SLIPWAY_METRICS_TOKEN',
    );
    const wrong = bearerRefusal('POST /deploy', 'Bearer not-the-token-0123456789', 'control-plane token', 'in t.token');
    expect(wrong).toBe(
      'POST /deploy did not get the control-plane token ("Authorization: Bearer <token>"); the token is in t.token',
    );
    expect(wrong).not.toContain('not-the-token');
  });
});
