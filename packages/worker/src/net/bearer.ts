/**
 * Bearer tokens on Slipway's HTTP endpoints (the model server's control plane, a worker's `/metrics`): the one
 * place a request's `Authorization: Bearer <token>` is read and compared with the configured token, in constant
 * time (both sides hashed first, so their lengths say nothing).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Whether an `Authorization` header value carries `token` as its bearer token. */
export type BearerCheck = (authorization: string | undefined) => boolean;

/** The check for `token`. */
export function bearerCheck(token: string): BearerCheck {
  const expected = digest(token);
  return (authorization) => {
    const presented = /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
    return presented !== undefined && timingSafeEqual(digest(presented), expected);
  };
}

/**
 * The sentence a 401 says: that `what` (e.g. `GET /metrics`) needs the `tokenName` — or, when the request carried
 * an `Authorization` header, did not get it — and where that token is configured (`source`). Never echoes a token.
 */
export function bearerRefusal(
  what: string,
  authorization: string | undefined,
  tokenName: string,
  source: string,
): string {
  const verb = authorization === undefined ? 'needs' : 'did not get';
  return `${what} ${verb} the ${tokenName} ("Authorization: Bearer <token>"); the token is ${source}`;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
