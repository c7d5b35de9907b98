/**
 * Sign-in sessions of the approvals page, held in memory: a random id (the cookie), the person, a CSRF token for
 * the page's forms, and an expiry. Restarting the page signs everyone out.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** The session cookie's name. */
export const SESSION_COOKIE = 'slipway_session';

/** One signed-in person. */
export interface Session {
  id: string;
  /** The person's name in the directory of people. */
  person: string;
  /** How they signed in. */
  via: 'password' | 'proxy';
  /** Sent back by every form as a hidden field; a POST without it is refused. */
  csrfToken: string;
  expiresAt: number;
}

/** The sessions of one page process. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a session for a person who just proved who they are. */
  create(person: string, via: Session['via']): Session {
    this.sweep();
    const session: Session = {
      id: randomToken(),
      person,
      via,
      csrfToken: randomToken(),
      expiresAt: this.now() + this.ttlMs,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The session with this id, unless it has expired (an expired one is forgotten). */
  get(id: string | undefined): Session | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** Signs a session out. */
  destroy(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }

  /** Seconds until a session expires (for the cookie's Max-Age). */
  maxAgeSeconds(session: Session): number {
    return Math.max(0, Math.floor((session.expiresAt - this.now()) / 1000));
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
  }
}

/** Whether a submitted CSRF token is the session's (timing-safe). */
export function csrfTokenMatches(session: Session, submitted: string | undefined): boolean {
  if (submitted === undefined) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
