/**
 * HyperLogLog (Flajolet et al., 2007) with Ertl's improved raw estimator (2017): the number of distinct strings in
 * a stream, in a fixed 2^precision bytes, without the empirical bias tables of HyperLogLog++.
 */

import { hashStringInto, stringHashes } from './string-hash.js';

/** Bits of the second hash used for the rank: register values run from 0 to `RANK_BITS + 1`. */
const RANK_BITS = 32;

/**
 * The two 32-bit hashes of a string that {@link HyperLogLog} uses: the first picks the register, the second gives
 * the rank.
 */
export function hashString(value: string): [number, number] {
  hashStringInto(value);
  return [(stringHashes[0] as number) >>> 0, (stringHashes[1] as number) >>> 0];
}

/**
 * A HyperLogLog sketch with `2^precision` one-byte registers. Relative standard error about
 * `1.04 / √(2^precision)`: 0.8% at the default precision 14 (16 KiB).
 */
export class HyperLogLog {
  /** log2 of the number of registers. */
  readonly precision: number;
  private readonly registers: Uint8Array;

  /**
   * Creates an empty sketch.
   *
   * @throws RangeError when the precision is not an integer from 4 to 18.
   */
  constructor(precision = 14) {
    if (!Number.isInteger(precision) || precision < 4 || precision > 18) {
      throw new RangeError(`HyperLogLog: precision must be an integer from 4 to 18, got ${precision}`);
    }
    this.precision = precision;
    this.registers = new Uint8Array(1 << precision);
  }

  /** Records one occurrence of `value`. */
  add(value: string): void {
    hashStringInto(value);
    this.addHashes(stringHashes[0] as number, stringHashes[1] as number);
  }

  /** Records one occurrence of the value whose {@link hashString} halves are `h1` and `h2` (signed or not). */
  addHashes(h1: number, h2: number): void {
    const index = h1 & (this.registers.length - 1);
    const rank = Math.clz32(h2) + 1;
    if (rank > (this.registers[index] as number)) this.registers[index] = rank;
  }

  /** The estimated number of distinct values added (Ertl's improved raw estimator). */
  estimate(): number {
    const m = this.registers.length;
    const histogram = new Array<number>(RANK_BITS + 2).fill(0);
    for (const r of this.registers) histogram[r] = (histogram[r] as number) + 1;
    let z = m * tau(1 - (histogram[RANK_BITS + 1] as number) / m);
    for (let k = RANK_BITS; k >= 1; k--) z = 0.5 * (z + (histogram[k] as number));
    z += m * sigma((histogram[0] as number) / m);
    return (m * m) / (2 * Math.LN2 * z);
  }
}

/** Ertl's σ(x) = x + Σ_{k≥1} x^(2^k) 2^(k−1), for x in [0, 1]. */
function sigma(x: number): number {
  if (x === 1) return Number.POSITIVE_INFINITY;
  let power = x;
  let weight = 1;
  let sum = x;
  for (;;) {
    power *= power;
    const next = sum + power * weight;
    weight += weight;
    if (next === sum) return sum;
    sum = next;
  }
}

/** Ertl's τ(x) = (1 − x − Σ_{k≥1} (1 − x^(2^−k))² 2^(−k)) / 3, for x in [0, 1]. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let root = x;
  let weight = 1;
  let sum = 1 - x;
  for (;;) {
    root = Math.sqrt(root);
    weight *= 0.5;
    const next = sum - (1 - root) ** 2 * weight;
    if (next === sum) return sum / 3;
    sum = next;
  }
}
