import { describe, expect, it } from 'vitest';
import { HyperLogLog, SpaceSaving } from '../../../packages/activities/src/stats/index.js';
import { seeded } from './samples.js';

/** A Zipf-like stream over `k` values: `v<i>` with probability `ln((i + 2) / (i + 1)) / ln(k + 1)`, about 1/(i+1). */
function zipfStream(n: number, k: number, seed: number): string[] {
  const random = seeded(seed);
  const out: string[] = [];
  for (let j = 0; j < n; j++) out.push(`v${Math.floor((k + 1) ** random()) - 1}`);
  return out;
}

describe('SpaceSaving', () => {
  it('counts exactly while there are no more distinct values than counters', () => {
    const summary = new SpaceSaving(10);
    for (const v of ['b', 'a', 'b', 'c', 'a', 'b', 'd']) summary.add(v);
    expect(summary.exact).toBe(true);
    expect(summary.total).toBe(7);
    expect([summary.has('d'), summary.has('e')]).toEqual([true, false]);
    expect(summary.top(3)).toEqual([
      { value: 'b', count: 3, error: 0 },
      { value: 'a', count: 2, error: 0 },
      { value: 'c', count: 1, error: 0 },
    ]);
  });

  it('keeps the heavy hitters of a long-tailed stream with honest error bounds', () => {
    const stream = zipfStream(200_000, 50_000, 11);
    const truth = new Map<string, number>();
    for (const v of stream) truth.set(v, (truth.get(v) ?? 0) + 1);
    const summary = new SpaceSaving(1000);
    for (const v of stream) summary.add(v);
    expect(summary.exact).toBe(false);
    const top = summary.top(1000);
    expect(top.reduce((sum, h) => sum + h.count, 0)).toBe(stream.length);
    for (const h of top) {
      const real = truth.get(h.value) ?? 0;
      expect(h.count - h.error).toBeLessThanOrEqual(real);
      expect(h.count).toBeGreaterThanOrEqual(real);
      expect(h.error).toBeLessThanOrEqual(stream.length / 1000);
    }
    // Every value above total / capacity is kept, and the true top 20 are the reported top 20.
    const trueTop = [...truth].sort((a, b) => b[1] - a[1]).slice(0, 20);
    const reported = new Set(summary.top(20).map((h) => h.value));
    for (const [value] of trueTop) expect(reported.has(value)).toBe(true);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new SpaceSaving(0)).toThrow(/capacity must be a positive integer/);
  });
});

describe('HyperLogLog', () => {
  it.each([0, 1, 100, 5000, 100_000, 1_000_000])('estimates %i distinct values within 3%', (n) => {
    const sketch = new HyperLogLog();
    for (let i = 0; i < n; i++) {
      sketch.add(`user-${i}`);
      if (i % 3 === 0) sketch.add(`user-${i}`); // repeats do not count
    }
    const estimate = sketch.estimate();
    if (n === 0) expect(estimate).toBe(0);
    else expect(Math.abs(estimate - n) / n).toBeLessThanOrEqual(0.03);
  });

  it('refuses a precision outside 4..18', () => {
    expect(() => new HyperLogLog(3)).toThrow(/precision/);
  });
});
