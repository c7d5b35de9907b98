/**
 * Canonical JSON and its sha256, computable anywhere — workflow code included (pure JavaScript sha256 from
 * `@noble/hashes`): what Slipway hashes and signs is always the canonical JSON of a value.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex, utf8Bytes } from './encoding.js';

/**
 * JSON with object keys sorted (recursively) and `undefined` members left out, so equal values always have the
 * same text. Arrays keep their order.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}

/** `sha256:<64 hex>` of a string's UTF-8 bytes. */
export function sha256OfText(text: string): `sha256:${string}` {
  return `sha256:${toHex(sha256(utf8Bytes(text)))}`;
}

/** `sha256:<64 hex>` of a value's canonical JSON. */
export function digestOfValue(value: unknown): `sha256:${string}` {
  return sha256OfText(canonicalJson(value));
}
