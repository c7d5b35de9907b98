const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Milliseconds in a duration string such as `'30s'`, `'15m'`, `'72h'` or `'7d'` (the forms
 * `DurationString` accepts). Throws a `TypeError` naming the value otherwise.
 */
export function durationMs(duration: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(duration.trim());
  if (!match) throw new TypeError(`invalid duration "${duration}": expected e.g. "30s", "15m", "72h" or "7d"`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
