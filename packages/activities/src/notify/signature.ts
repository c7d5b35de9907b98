/**
 * How a webhook notification is signed, and how a receiver checks it. Every request carries
 *
 * | header                  | value                                                                   |
 * | ----------------------- | ----------------------------------------------------------------------- |
 * | `slipway-delivery-id`   | the event's id: the same on every attempt and every re-send             |
 * | `slipway-timestamp`     | when this attempt was signed, in unix seconds                           |
 * | `slipway-signature`     | `sha256=<hex HMAC-SHA256 of "<id>.<timestamp>.<body>" with the secret>` |
 *
 * where `<body>` is the raw request body, byte for byte. A receiver recomputes the HMAC with the shared secret,
 * compares in constant time, and refuses a timestamp too far from its clock (a replayed old request).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries the delivery id (the event's id). */
export const DELIVERY_ID_HEADER = 'slipway-delivery-id';
/** The header that carries the signing time, in unix seconds. */
export const TIMESTAMP_HEADER = 'slipway-timestamp';
/** The header that carries `sha256=<hex>`. */
export const SIGNATURE_HEADER = 'slipway-signature';

/** How far a timestamp may be from the receiver's clock by default, in seconds (5 minutes). */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 300;

/** What is signed: the delivery id, the timestamp (unix seconds) and the exact body. */
export interface SignedParts {
  readonly id: string;
  readonly timestamp: number | string;
  readonly body: string | Uint8Array;
}

/** The `slipway-signature` value for `parts`: `sha256=` and the hex HMAC-SHA256 of `<id>.<timestamp>.<body>`. */
export function signWebhook(secret: string | Uint8Array, parts: SignedParts): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`${parts.id}.${String(parts.timestamp)}.`, 'utf8');
  hmac.update(typeof parts.body === 'string' ? Buffer.from(parts.body, 'utf8') : parts.body);
  return `sha256=${hmac.digest('hex')}`;
}

/** A request header as a server framework hands it over (Node's `IncomingHttpHeaders`, `Headers.get`). */
export type WebhookHeaderValue = string | readonly string[] | null | undefined;

/** What {@link verifyWebhookSignature} checks: the headers as received, the raw body, the shared secret. */
export interface VerifyWebhookSignatureInput {
  readonly secret: string | Uint8Array;
  /** The `slipway-delivery-id` header as received. */
  readonly id: WebhookHeaderValue;
  /** The `slipway-timestamp` header as received. */
  readonly timestamp: WebhookHeaderValue | number;
  /** The raw request body, byte for byte. */
  readonly body: string | Uint8Array;
  /** The `slipway-signature` header as received. */
  readonly signature: WebhookHeaderValue;
  /** How far the timestamp may be from `now` (either way), in seconds (default 300). */
  readonly toleranceSeconds?: number;
  /** The receiver's clock, in milliseconds since the epoch (default `Date.now()`). */
  readonly now?: number;
}

/** Why a signature was refused. */
export const SignatureProblem = {
  /** A header is missing or not in its format. */
  Malformed: 'malformed',
  /** The timestamp is further from the receiver's clock than the tolerance. */
  Stale: 'stale',
  /** The HMAC does not match: another secret, or the id, timestamp or body was changed. */
  Mismatch: 'mismatch',
} as const;
/** Why a signature was refused. */
export type SignatureProblem = (typeof SignatureProblem)[keyof typeof SignatureProblem];

/** The verdict of {@link verifyWebhookSignature}. */
export type SignatureVerdict =
  { readonly valid: true } | { readonly valid: false; readonly problem: SignatureProblem; readonly message: string };

/**
 * Checks a webhook notification as a receiver must: the timestamp is a whole number of seconds within
 * `toleranceSeconds` of `now`, and the signature is `sha256=<hex>` equal, in constant time, to the HMAC of
 * `<id>.<timestamp>.<body>` with `secret`. Pass the raw body exactly as received (not re-serialized JSON).
 *
 * ```ts
 * const verdict = verifyWebhookSignature({
 *   secret, body: rawBody,
 *   id: req.headers['slipway-delivery-id'], timestamp: req.headers['slipway-timestamp'],
 *   signature: req.headers['slipway-signature'],
 * });
 * if (!verdict.valid) return res.writeHead(401).end(verdict.message);
 * ```
 */
export function verifyWebhookSignature(input: VerifyWebhookSignatureInput): SignatureVerdict {
  const tolerance = input.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  const id = single(input.id);
  const timestamp = typeof input.timestamp === 'number' ? String(input.timestamp) : (single(input.timestamp) ?? '');
  if (id === undefined || id === '') return refused('malformed', `no single ${DELIVERY_ID_HEADER}`);
  if (!/^\d{1,15}$/.test(timestamp)) {
    return refused('malformed', `${TIMESTAMP_HEADER} must be unix seconds, got ${JSON.stringify(timestamp)}`);
  }
  const signature = single(input.signature) ?? '';
  const hex = /^sha256=([0-9a-f]{64})$/.exec(signature)?.[1];
  if (hex === undefined) return refused('malformed', `${SIGNATURE_HEADER} must be sha256=<64 hex digits>`);
  const skew = Math.abs((input.now ?? Date.now()) / 1000 - Number(timestamp));
  if (skew > tolerance) {
    return refused('stale', `${TIMESTAMP_HEADER} is ${Math.round(skew)} s from now (at most ${tolerance} s allowed)`);
  }
  const computed = signWebhook(input.secret, { id, timestamp, body: input.body });
  const expected = Buffer.from(computed.slice('sha256='.length), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(hex, 'hex'))) {
    return refused('mismatch', 'the signature does not match the id, timestamp and body for this secret');
  }
  return { valid: true };
}

/** The one value of a header; undefined when it is missing or was sent more than once. */
function single(value: WebhookHeaderValue): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  return value.length === 1 ? value[0] : undefined;
}

function refused(problem: SignatureProblem, message: string): SignatureVerdict {
  return { valid: false, problem, message };
}
