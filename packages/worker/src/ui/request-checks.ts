/**
 * Who a request is from and whether it may change anything: the reverse proxy's identity header (trusted only from
 * the configured proxy addresses, refused from anyone else), and the same-origin and CSRF checks every POST passes.
 */
import type { IncomingMessage } from 'node:http';
import { csrfTokenMatches, type Session } from './sessions.js';

/** The identity headers of the oauth2-proxy convention, in the order they are read. */
export const IDENTITY_HEADERS = ['x-forwarded-user', 'x-auth-request-user'] as const;

/** What the identity headers of a request say. */
export type ProxyIdentity =
  { kind: 'none' } | { kind: 'person'; name: string; header: string } | { kind: 'refused'; reason: string };

/**
 * The person a trusted reverse proxy vouches for. A request carrying an identity header from a peer that is not
 * one of `trustedProxies` is refused, never silently ignored: someone is trying to claim an identity.
 */
export function proxyIdentity(
  headers: IncomingMessage['headers'],
  peer: string | undefined,
  trustedProxies: readonly string[],
): ProxyIdentity {
  const present = IDENTITY_HEADERS.filter((name) => headers[name] !== undefined);
  const header = present[0];
  if (header === undefined) return { kind: 'none' };
  if (peer === undefined || !trustedProxies.includes(normalizePeer(peer))) {
    return {
      kind: 'refused',
      reason:
        `the ${header} header is accepted only from a trusted proxy (ui.trustedProxies in slipway.config.json), ` +
        `and this request came from ${peer ?? 'an unknown address'}`,
    };
  }
  const raw = headers[header];
  const name = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
  if (name === '') return { kind: 'refused', reason: `the ${header} header from the proxy is empty` };
  return { kind: 'person', name, header };
}

/** `::ffff:127.0.0.1` (an IPv4 peer on a dual-stack socket) as `127.0.0.1`. */
export function normalizePeer(peer: string): string {
  return peer.startsWith('::ffff:') && peer.includes('.') ? peer.slice('::ffff:'.length) : peer;
}

/** Why a state-changing request is refused, or undefined when it may proceed. */
export function stateChangeRefusal(
  request: { origin: string | undefined; csrfToken: string | undefined },
  session: Session,
  ownOrigins: readonly string[],
): string | undefined {
  if (request.origin === undefined) {
    return 'refused: the request has no Origin header, so it cannot be told from a cross-site request';
  }
  if (!ownOrigins.includes(request.origin)) {
    return `refused: the request comes from ${request.origin}, not from this page (${ownOrigins.join(' or ')})`;
  }
  if (!csrfTokenMatches(session, request.csrfToken)) {
    return "refused: the form's CSRF token is missing or is not this session's; reload the page and try again";
  }
  return undefined;
}
