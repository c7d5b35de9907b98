/**
 * A 64-bit fingerprint of a cell value, as two 32-bit halves (FNV-1a and a Murmur3-style mix over the same
 * bytes). The value's kind is part of it, so the JSON number 1 and the text "1" differ. With 64 bits, ten
 * million distinct values collide with probability below 3e-6.
 *
 * The bytes are the UTF-8 encoding of `<typeof value>:<value as text>` (as `TextEncoder` gives it: a lone
 * surrogate becomes U+FFFD). They are mixed in straight from the string's code units, without encoding it
 * into a buffer first: the uniqueness check fingerprints every value of its column.
 */
import type { RawCell } from '../data/row-batch.js';

/** The running state of the two hashes while one value is mixed in. */
let fnv = 0;
let murmur = 0;

function mixByte(byte: number): void {
  fnv = Math.imul(fnv ^ byte, 0x01000193);
  let k = Math.imul(byte, 0xcc9e2d51);
  k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  murmur ^= k;
  murmur = Math.imul((murmur << 13) | (murmur >>> 19), 5) + 0xe6546b64;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** The length of the UTF-8 encoding of `text`. */
function utf8Length(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) length += 1;
    else if (unit < 0x800) length += 2;
    else if (isHighSurrogate(unit) && isLowSurrogate(text.charCodeAt(i + 1))) {
      length += 4;
      i++;
    } else length += 3;
  }
  return length;
}

/** Mixes in the UTF-8 encoding of `text`. */
function mixText(text: string): void {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) {
      mixByte(unit);
    } else if (unit < 0x800) {
      mixByte(0xc0 | (unit >> 6));
      mixByte(0x80 | (unit & 0x3f));
    } else if (isHighSurrogate(unit) && isLowSurrogate(text.charCodeAt(i + 1))) {
      const point = 0x10000 + ((unit - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00);
      mixByte(0xf0 | (point >> 18));
      mixByte(0x80 | ((point >> 12) & 0x3f));
      mixByte(0x80 | ((point >> 6) & 0x3f));
      mixByte(0x80 | (point & 0x3f));
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      // A lone surrogate: U+FFFD, as TextEncoder writes it.
      mixByte(0xef);
      mixByte(0xbf);
      mixByte(0xbd);
    } else {
      mixByte(0xe0 | (unit >> 12));
      mixByte(0x80 | ((unit >> 6) & 0x3f));
      mixByte(0x80 | (unit & 0x3f));
    }
  }
}

/** What `string:` leaves in the FNV state: the same for every string value. */
let stringPrefixFnv: number | undefined;
/** The Murmur state after `string:` per UTF-8 length of the text (its seed depends on the length); 0 = not yet. */
const stringPrefixMurmur = new Int32Array(256);

/** Starts both hashes for a value of `kind` whose text is `length` UTF-8 bytes, and mixes in `<kind>:`. */
function start(kind: string, length: number): void {
  const cacheable = kind === 'string' && length < stringPrefixMurmur.length;
  const cached = cacheable ? (stringPrefixMurmur[length] as number) : 0;
  if (cached !== 0 && stringPrefixFnv !== undefined) {
    fnv = stringPrefixFnv;
    murmur = cached;
    return;
  }
  fnv = 0x811c9dc5;
  murmur = 0x9747b28c ^ (kind.length + 1 + length);
  mixText(kind);
  mixByte(0x3a);
  if (cacheable && murmur !== 0) {
    stringPrefixFnv = fnv;
    stringPrefixMurmur[length] = murmur;
  }
}

/**
 * Writes the fingerprint halves of a value into `out` (`out[0]` the FNV-1a half, `out[1]` the Murmur half), with
 * no array per call: the uniqueness check fingerprints every value of its column.
 */
export function fingerprintInto(value: RawCell, out: Uint32Array): void {
  const text = value === null ? '' : String(value);
  start(typeof value, utf8Length(text));
  mixText(text);
  murmur ^= murmur >>> 16;
  murmur = Math.imul(murmur, 0x85ebca6b);
  murmur ^= murmur >>> 13;
  murmur = Math.imul(murmur, 0xc2b2ae35);
  murmur ^= murmur >>> 16;
  out[0] = fnv;
  out[1] = murmur;
}

const halves = new Uint32Array(2);

/** The fingerprint halves of a value. */
export function fingerprint(value: RawCell): [number, number] {
  fingerprintInto(value, halves);
  return [halves[0] as number, halves[1] as number];
}
