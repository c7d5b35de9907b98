/**
 * Cursors of the served log: a position (segment and byte offset after a complete line) in one version's log,
 * opaque to callers and sealed with an HMAC under a key of this server, so a cursor that was altered, made up, or
 * given out for another model or version (or by another server) is refused, never followed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { parseSegmentName } from './served-segments.js';

/** The longest cursor accepted (a real one is about 150 characters). */
const MAX_CURSOR_LENGTH = 1000;

/** A position in one version's served log: before the first segment (`segment: ''`), or after a line of one. */
export interface ServedPosition {
  model: string;
  version: number;
  /** A segment name, or '' for the very start of the log. */
  segment: string;
  /** The byte offset in the segment: 0, or just after a newline. */
  offset: number;
}

const CursorPayload = z
  .object({
    v: z.literal(1),
    m: z.string().min(1),
    n: z.number().int().positive(),
    s: z.string().refine((s) => s === '' || parseSegmentName(s) !== undefined, 'not a segment name'),
    o: z.number().int().nonnegative(),
  })
  .strict()
  .refine((p) => p.s !== '' || p.o === 0, 'the start of a log has offset 0');

/** Why a cursor was refused. */
export class CursorRefused extends Error {
  /** Always `'CursorRefused'`. */
  override readonly name = 'CursorRefused';
}

/** Seals and opens cursors with one key. */
export interface CursorCodec {
  encode(position: ServedPosition): string;
  /**
   * The position a cursor stands for, when it was sealed with this key for `model` and `version`.
   *
   * @throws {@link CursorRefused} saying what is wrong with it.
   */
  decode(cursor: string, model: string, version: number): ServedPosition;
}

/** A cursor codec sealing with HMAC-SHA-256 under `key`. */
export function createCursorCodec(key: Uint8Array): CursorCodec {
  if (key.length < 16) throw new RangeError('the served-log cursor key must be at least 16 bytes');
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    encode({ model, version, segment, offset }) {
      const payload = Buffer.from(JSON.stringify({ v: 1, m: model, n: version, s: segment, o: offset })).toString(
        'base64url',
      );
      return `${payload}.${mac(payload).toString('base64url')}`;
    },
    decode(cursor, model, version) {
      const parts = cursor.length <= MAX_CURSOR_LENGTH ? cursor.split('.') : [];
      if (parts.length !== 2) throw new CursorRefused('the cursor is not one this server gave out');
      const [payload, seal] = parts as [string, string];
      const expected = mac(payload);
      const given = Buffer.from(seal, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new CursorRefused('the cursor was not given out by this server (its seal does not match)');
      }
      const parsed = CursorPayload.safeParse(parseJson(Buffer.from(payload, 'base64url').toString('utf8')));
      if (!parsed.success) throw new CursorRefused('the cursor is not one this server gave out');
      const p = parsed.data;
      if (p.m !== model || p.n !== version) {
        throw new CursorRefused(
          `the cursor belongs to model "${p.m}" version ${p.n}, not "${model}" version ${version}`,
        );
      }
      return { model, version, segment: p.s, offset: p.o };
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
