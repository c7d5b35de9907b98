/**
 * Password hashes for the approvals page's local sign-in, as the directory of people keeps them
 * (`scrypt$<N>$<r>$<p>$<salt>$<hash>`, base64url): made by `slipway directory password`, checked at sign-in with a
 * timing-safe comparison. The password itself is never stored.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { PasswordHash } from '@slipway/sdk';

/** The scrypt cost new hashes are made with: N = 2^15, r = 8, p = 1 (about 32 MiB and a few tens of ms). */
export const PASSWORD_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** The largest cost a stored hash may ask for, so a bad directory entry cannot exhaust memory. */
const MAX_COST = { N: 2 ** 20, r: 32, p: 16 } as const;
/** The shortest password `slipway directory password` accepts. */
export const MIN_PASSWORD_LENGTH = 12;

/** Hashes a password with a fresh random salt: the string to store as the person's `passwordHash`. */
export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`a password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const salt = randomBytes(SALT_LENGTH);
  const hash = await derive(password, salt, KEY_LENGTH, PASSWORD_SCRYPT);
  const { N, r, p } = PASSWORD_SCRYPT;
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/**
 * Whether `password` matches `stored` (a `passwordHash`). False for a malformed hash or one asking for more than the
 * allowed cost; without a stored hash, a dummy hash is checked so the answer takes as long as for a real person.
 */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const parsed = parseHash(stored ?? (await dummyHash()));
  if (parsed === undefined) return false;
  const actual = await derive(password, parsed.salt, parsed.hash.length, parsed.cost);
  return timingSafeEqual(actual, parsed.hash) && stored !== undefined;
}

interface ParsedHash {
  cost: { N: number; r: number; p: number };
  salt: Buffer;
  hash: Buffer;
}

function parseHash(stored: string): ParsedHash | undefined {
  if (!PasswordHash.safeParse(stored).success) return undefined;
  const [, n, r, p, salt = '', hash = ''] = stored.split('$');
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const powerOfTwo = cost.N > 1 && (cost.N & (cost.N - 1)) === 0;
  if (!powerOfTwo || cost.N > MAX_COST.N || cost.r < 1 || cost.r > MAX_COST.r || cost.p < 1 || cost.p > MAX_COST.p) {
    return undefined;
  }
  return { cost, salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}

function derive(password: string, salt: Buffer, length: number, cost: { N: number; r: number; p: number }) {
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

let dummy: Promise<string> | undefined;
/** A hash of a random password, made once: what sign-ins for unknown people are checked against. */
function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(24).toString('base64url'));
  return dummy;
}
