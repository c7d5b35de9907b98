/**
 * A small least-recently-used cache keyed by a public key's hex, for what the Ed25519 verifiers keep per key. It only
 * ever changes speed, never a verdict.
 */
export class KeyCache<V> {
  private readonly entries = new Map<string, V>();

  /** @param capacity how many keys it keeps; the least recently used one goes first. */
  constructor(readonly capacity: number) {}

  /** The value kept for a key, which becomes the most recently used; undefined when none is. */
  get(id: string): V | undefined {
    const value = this.entries.get(id);
    if (value === undefined) return undefined;
    this.entries.delete(id); // re-inserted last: the map's order is least recently used first
    this.entries.set(id, value);
    return value;
  }

  /** Keeps a value for a key, the least recently used key making room when the cache is full. */
  set(id: string, value: V): void {
    if (!this.entries.has(id) && this.entries.size >= this.capacity) this.evictOldest();
    this.entries.delete(id);
    this.entries.set(id, value);
  }

  /** Forgets the least recently used key; returns its value (undefined when the cache is empty). */
  evictOldest(): V | undefined {
    const oldest = this.entries.entries().next();
    if (oldest.done === true) return undefined;
    const [id, value] = oldest.value;
    this.entries.delete(id);
    return value;
  }
}
