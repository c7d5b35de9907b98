/**
 * Who is signed in: the trusted proxy's identity header (from a configured proxy address only), else the session
 * cookie a local sign-in set. Either way the person must be in the signed directory of people.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cookies, HttpError, sessionCookie } from './http.js';
import { verifyPassword } from './password.js';
import { proxyIdentity } from './request-checks.js';
import { SESSION_COOKIE, type Session } from './sessions.js';
import type { UiContext } from './ui-context.js';

/** The message for a failed local sign-in: the same whether the name or the password was wrong. */
export const SIGN_IN_FAILED =
  'the name or the password is wrong (the password is the one set with `slipway directory password`)';

/**
 * The session of a request: a proxy's identity (a session is started for it) or the session cookie's. Throws a 403
 * `HttpError` when an identity header comes from a peer that is not a trusted proxy, or names someone the directory
 * does not know.
 */
export async function requestSession(
  ctx: UiContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Session | undefined> {
  const identity = proxyIdentity(req.headers, req.socket.remoteAddress, ctx.config.ui.trustedProxies);
  const current = ctx.sessions.get(cookies(req)[SESSION_COOKIE]);
  if (identity.kind === 'refused') throw new HttpError(403, identity.reason);
  if (identity.kind === 'none') return current;
  if (current?.person === identity.name) return current;
  const { directory } = await ctx.directory();
  if (!Object.hasOwn(directory.people, identity.name)) {
    throw new HttpError(
      403,
      `the proxy signed in ${identity.name}, who is not in the directory of people: ask the administrator to add them`,
    );
  }
  ctx.sessions.destroy(current?.id);
  const session = ctx.sessions.create(identity.name, 'proxy');
  res.setHeader('Set-Cookie', cookieFor(ctx, session));
  return session;
}

/** Checks a local sign-in against the person's password hash in the directory; a session, or undefined. */
export async function signIn(ctx: UiContext, name: string, password: string): Promise<Session | undefined> {
  const { directory } = await ctx.directory();
  const person = Object.hasOwn(directory.people, name) ? directory.people[name] : undefined;
  // A name the directory does not know is checked against a dummy hash, so both failures take as long.
  const valid = await verifyPassword(password, person?.passwordHash);
  return valid && person !== undefined ? ctx.sessions.create(name, 'password') : undefined;
}

/** The session cookie for a session (Secure when the page is served over https behind a proxy). */
export function cookieFor(ctx: UiContext, session: Session): string {
  const secure = ctx.config.ui.publicOrigin?.startsWith('https:') ?? false;
  return sessionCookie(SESSION_COOKIE, session.id, ctx.sessions.maxAgeSeconds(session), secure);
}

/** A cookie that removes the session cookie. */
export function clearedCookie(): string {
  return sessionCookie(SESSION_COOKIE, '', 0, false);
}
