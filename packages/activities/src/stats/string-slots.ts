/**
 * A fixed-size hash table from strings to the slots that hold them, for a summary that replaces its values all
 * the time (Space-Saving once its counters are full): the caller gives each string's hash (the one its sketches
 * compute anyway) and keeps the strings, so a lookup, an insertion or a removal allocates nothing.
 */

/** Open addressing with linear probing in typed arrays; removals shift the run back, so no tombstones pile up. */
export class StringSlots {
  /** Per table entry: the slot stored there plus one (0: empty), and the hash of its string. */
  private readonly entries: Int32Array;
  private readonly hashes: Int32Array;
  private readonly mask: number;

  /**
   * A table for at most `capacity` strings; `keys[slot]` is the string of `slot` (the caller's array, read when a
   * lookup compares strings).
   */
  constructor(
    capacity: number,
    private readonly keys: readonly string[],
  ) {
    let size = 16;
    while (size < capacity * 4) size *= 2;
    this.entries = new Int32Array(size);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The slot of `key` (whose hash is `hash`), or −1. */
  get(key: string, hash: number): number {
    const { entries, hashes, mask } = this;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const entry = entries[i] as number;
      if (entry === 0) return -1;
      if (hashes[i] === hash && this.keys[entry - 1] === key) return entry - 1;
    }
  }

  /** Adds `slot` for a key that is not in the table, with the key's hash. */
  set(hash: number, slot: number): void {
    const { entries, mask } = this;
    let i = hash & mask;
    while (entries[i] !== 0) i = (i + 1) & mask;
    entries[i] = slot + 1;
    this.hashes[i] = hash;
  }

  /** Removes `slot` (stored with `hash`), then moves back the entries after it that would no longer be found. */
  delete(hash: number, slot: number): void {
    const { entries, hashes, mask } = this;
    let hole = hash & mask;
    while (entries[hole] !== slot + 1) hole = (hole + 1) & mask;
    for (let i = (hole + 1) & mask; entries[i] !== 0; i = (i + 1) & mask) {
      const home = (hashes[i] as number) & mask;
      // The entry at i may fill the hole when its home is not cyclically within (hole, i].
      if (((i - home) & mask) >= ((i - hole) & mask)) {
        entries[hole] = entries[i] as number;
        hashes[hole] = hashes[i] as number;
        hole = i;
      }
    }
    entries[hole] = 0;
  }
}
