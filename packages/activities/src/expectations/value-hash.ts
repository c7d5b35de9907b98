/**
 * A 64-bit fingerprint of a cell value, as two 32-bit halves (FNV-1a and a Murmur3-style mix over the same
 * bytes). The value's kind is part of it, so the JSON number 1 and the text "1" differ. With 64 bits, ten
 * million distinct values collide with probability below 3e-6.
 */
import type { RawCell } from '../data/row-batch.js';

const encoder = new TextEncoder();

/** The fingerprint halves of a value. */
export function fingerprint(value: RawCell): [number, number] {
  const bytes = encoder.encode(`${typeof value}:${value === null ? '' : String(value)}`);
  let fnv = 0x811c9dc5;
  let murmur = 0x9747b28c ^ bytes.length;
  for (const byte of bytes) {
    fnv = Math.imul(fnv ^ byte, 0x01000193);
    let k = Math.imul(byte, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    murmur ^= k;
    murmur = Math.imul((murmur << 13) | (murmur >>> 19), 5) + 0xe6546b64;
  }
  murmur ^= murmur >>> 16;
  murmur = Math.imul(murmur, 0x85ebca6b);
  murmur ^= murmur >>> 13;
  murmur = Math.imul(murmur, 0xc2b2ae35);
  murmur ^= murmur >>> 16;
  return [fnv >>> 0, murmur >>> 0];
}
