/**
 * The 64-bit string hash the distinct-count and heavy-hitter sketches share (multiply–xorshift over UTF-16 code
 * units, in the style of cyrb53), computed once per value into {@link stringHashes}: no array per call, as a
 * sketch hashes every value of its column.
 */

/** The two 32-bit halves of the hash of the string last given to {@link hashStringInto}, as signed integers. */
export const stringHashes = new Int32Array(2);

/** Hashes `value` into {@link stringHashes}. */
export function hashStringInto(value: string): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < value.length; i++) {
    const ch = value.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  stringHashes[0] = h1;
  stringHashes[1] = h2;
}
