/**
 * The approvals page's sign-in and request checks, without a server: scrypt password hashes (right, wrong, unknown
 * person, malformed or too costly hash), the proxy identity header trusted only from configured addresses and
 * refused (not ignored) from anyone else, sessions that expire, the CSRF token and Origin checks every POST passes,
 * and who may decide (the gate's rules plus the directory's trust in the page's service).
 */
import type { GateState, PeopleDirectory } from '@slipway/sdk';
import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  mayDecide,
  proxyIdentity,
  SessionStore,
  stateChangeRefusal,
  verifyPassword,
} from '../../../packages/worker/src/ui/index.js';

describe('password hashes', () => {
  it('verifies the right password and refuses a wrong one, an absent hash and a malformed one', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('correct horse battery', undefined)).toBe(false);
    expect(await verifyPassword('x', 'scrypt$1$1$1$short$short')).toBe(false);
    expect(await hashPassword('correct horse battery')).not.toBe(hash); // a fresh salt each time
  });

  it('refuses a hash asking for more memory than allowed, and a short new password', async () => {
    const hash = await hashPassword('correct horse battery');
    const costly = hash.replace(/^scrypt\$32768\$/, `scrypt$${2 ** 22}$`);
    expect(await verifyPassword('correct horse battery', costly)).toBe(false);
    await expect(hashPassword('short')).rejects.toThrow('a password must have at least 12 characters');
  });
});

describe('the proxy identity header', () => {
  const proxies = ['10.0.0.5', '::1'];

  it('is taken from a trusted proxy (X-Forwarded-User, or X-Auth-Request-User), IPv4-mapped peers included', () => {
    expect(proxyIdentity({ 'x-forwarded-user': 'maria' }, '10.0.0.5', proxies)).toEqual({
      kind: 'person',
      name: 'maria',
      header: 'x-forwarded-user',
    });
    expect(proxyIdentity({ 'x-auth-request-user': 'sam' }, '::ffff:10.0.0.5', proxies)).toMatchObject({
      kind: 'person',
      name: 'sam',
    });
  });

  it('is refused, naming the peer, from any other address; absent, it says nothing', () => {
    const refused = proxyIdentity({ 'x-forwarded-user': 'maria' }, '127.0.0.1', proxies);
    expect(refused).toEqual({
      kind: 'refused',
      reason: expect.stringContaining('accepted only from a trusted proxy (ui.trustedProxies') as string,
    });
    expect(JSON.stringify(refused)).toContain('this request came from 127.0.0.1');
    expect(proxyIdentity({ 'x-auth-request-user': 'maria' }, '10.0.0.6', [])).toMatchObject({ kind: 'refused' });
    expect(proxyIdentity({ 'x-forwarded-user': '  ' }, '10.0.0.5', proxies)).toMatchObject({ kind: 'refused' });
    expect(proxyIdentity({}, '127.0.0.1', proxies)).toEqual({ kind: 'none' });
  });
});

describe('sessions, CSRF and Origin', () => {
  it('a session expires after its time and is forgotten; sign-out ends it', () => {
    let now = 1_000_000;
    const store = new SessionStore(60_000, () => now);
    const session = store.create('maria', 'password');
    expect(store.get(session.id)?.person).toBe('maria');
    expect(store.maxAgeSeconds(session)).toBe(60);
    now += 59_999;
    expect(store.get(session.id)).toBeDefined();
    now += 1;
    expect(store.get(session.id)).toBeUndefined();
    const other = store.create('sam', 'proxy');
    store.destroy(other.id);
    expect(store.get(other.id)).toBeUndefined();
    expect(store.get(undefined)).toBeUndefined();
    expect(store.get('guessed')).toBeUndefined();
  });

  it('a POST needs the page’s own Origin and the session’s CSRF token', () => {
    const store = new SessionStore(60_000);
    const session = store.create('maria', 'password');
    const origins = ['http://127.0.0.1:8790'];
    const ok = { origin: 'http://127.0.0.1:8790', csrfToken: session.csrfToken };
    expect(stateChangeRefusal(ok, session, origins)).toBeUndefined();
    expect(stateChangeRefusal({ ...ok, origin: 'https://evil.example' }, session, origins)).toBe(
      'refused: the request comes from https://evil.example, not from this page (http://127.0.0.1:8790)',
    );
    expect(stateChangeRefusal({ ...ok, origin: undefined }, session, origins)).toContain('has no Origin header');
    expect(stateChangeRefusal({ ...ok, csrfToken: undefined }, session, origins)).toContain(
      "the form's CSRF token is missing or is not this session's",
    );
    const another = store.create('sam', 'password');
    expect(stateChangeRefusal({ ...ok, csrfToken: another.csrfToken }, session, origins)).toContain('CSRF token');
  });
});

describe('who may decide from the page', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const gate = {
    status: 'pending',
    model: 'churn',
    version: 2,
    evidence: { digest },
    approvers: ['maria'],
    approverGroups: ['risk'],
    eligible: [
      { name: 'maria', named: true, groups: [] },
      { name: 'sam', named: false, groups: ['risk'] },
      { name: 'ci-bot', named: true, groups: [] },
    ],
    emptyGroups: [],
    quorum: 1,
    startedBy: 'ci-bot',
    decisions: [],
    refused: [],
  } as unknown as GateState;
  const directory: PeopleDirectory = {
    version: 1,
    people: {
      maria: { groups: ['ml-leads'] },
      sam: { groups: ['risk'] },
      'ci-bot': { groups: [] },
      eve: { groups: [] },
    },
    services: {
      page: { publicKey: `ed25519:${'A'.repeat(43)}`, signsFor: { people: ['ci-bot'], groups: ['ml-leads'] } },
    },
  };

  it('an eligible person the service signs for may; the gate’s own refusal is the reason otherwise', () => {
    expect(mayDecide(gate, 'maria', directory, 'page')).toEqual({ may: true });
    expect(mayDecide(gate, 'eve', directory, 'page')).toEqual({
      may: false,
      reason: 'eve is not allowed to approve this promotion (allowed: maria, sam (risk), ci-bot)',
    });
    expect(mayDecide(gate, 'ci-bot', directory, 'page')).toEqual({
      may: false,
      reason: 'ci-bot started this run and may not decide on it',
    });
    // A policy that lets the starter decide: the gate says so, and the page honours it.
    expect(mayDecide({ ...gate, allowSelfApproval: true }, 'ci-bot', directory, 'page')).toEqual({ may: true });
    const decided = { ...gate, decisions: [{ decision: 'approve', approver: 'maria', at: 'x', via: 'update' }] };
    expect(mayDecide(decided as GateState, 'maria', directory, 'page')).toMatchObject({
      may: false,
      reason: 'maria has already decided on this gate',
    });
  });

  it('nobody may when the directory does not let the service sign for them, or the page has no service', () => {
    expect(mayDecide(gate, 'sam', directory, 'page')).toEqual({
      may: false,
      reason: 'the directory does not let the service page sign for sam (services.page.signsFor)',
    });
    expect(mayDecide(gate, 'maria', directory, 'other')).toMatchObject({ may: false });
    const pinned = {
      ...gate,
      eligible: [{ name: 'maria', named: true, groups: [], delegates: [{ service: 'old-page', publicKey: 'k' }] }],
    } as GateState;
    expect(mayDecide(pinned, 'maria', directory, 'page')).toEqual({
      may: false,
      reason:
        'the gate takes no decision the service page signs for maria (the directory did not let it sign for them when the gate opened)',
    });
    expect(mayDecide(gate, 'maria', directory, undefined)).toMatchObject({
      may: false,
      reason: expect.stringContaining('no service key') as string,
    });
  });
});
