import { describe, expect, it } from 'vitest';
import { RolloutGuards, judgeStep, type VersionWindowReading, type WindowAnswer } from '@slipway/sdk';
import {
  MIN_PSI_SCORES,
  P99_RATIO_FLOOR_MS,
  guardReadings,
  p99Ratio,
  scorePsi,
  versionReading,
} from '../../../packages/activities/src/rollout/readings.js';
import { normalSample, seeded } from '../stats/samples.js';

const CANDIDATE = { deploymentId: 'churn-v2-aaaa', version: 2 };
const STABLE = { deploymentId: 'churn-v1-bbbb', version: 1 };

function reading(
  who: { deploymentId: string; version: number },
  fields: Partial<Omit<VersionWindowReading, 'deploymentId' | 'version'>> & { p99Ms?: number | null } = {},
): VersionWindowReading {
  const requests = fields.requests ?? 100;
  const p99Ms = fields.p99Ms === undefined ? 5 : fields.p99Ms;
  return {
    ...who,
    requests,
    errors: fields.errors ?? 0,
    rejected: fields.rejected ?? 0,
    rows: fields.rows ?? requests,
    latency: fields.latency ?? { p50Ms: p99Ms === null ? null : p99Ms / 2, p99Ms },
    scores: fields.scores ?? [],
  };
}

function window(
  windowId: string,
  candidate: VersionWindowReading | null,
  stable: VersionWindowReading | null,
): WindowAnswer {
  return {
    model: 'churn',
    windowId,
    openedAt: '2026-12-02T20:00:00.000Z',
    closedAt: null,
    candidate,
    stable,
  };
}

const readAt = '2026-12-02T20:05:00.000Z';
const read = (w: WindowAnswer, baselineWindow?: WindowAnswer, minRequests = 20) =>
  guardReadings({ window: w, baselineWindow, candidate: CANDIDATE, minRequests, readAt });

/** Scores of a binary model: the logistic of a normal draw. */
function binaryScores(seed: number, n: number, mean: number): number[] {
  return normalSample(seeded(seed), n, mean, 1).map((x) => 1 / (1 + Math.exp(-x)));
}

describe('guardReadings', () => {
  it('reads a candidate that served nothing as 0 requests, which holds (no data is never a pass)', () => {
    const readings = read(window('w-0', null, reading(STABLE)));
    expect(readings.candidate).toEqual({ version: 2, requests: 0, errors: 0, errorRate: null, p99Ms: null });
    expect(readings.scorePsi).toBeNull();
    expect(readings.p99Ratio).toBeNull();
    const verdict = judgeStep(RolloutGuards.parse({ maxP99Ratio: 2, maxScorePsi: 0.2 }), readings);
    expect(verdict.verdict).toBe('hold');
    expect(verdict.checks.find((c) => c.guard === 'minRequests')?.outcome).toBe('hold');
  });

  it('computes error rate and p99 per version, and the p99 ratio against stable in the same window', () => {
    const readings = read(
      window('w-1', reading(CANDIDATE, { requests: 200, errors: 3, p99Ms: 30 }), reading(STABLE, { p99Ms: 10 })),
    );
    expect(readings).toMatchObject({
      windowId: 'w-1',
      readAt,
      candidate: { version: 2, requests: 200, errors: 3, errorRate: 0.015, p99Ms: 30 },
      stable: { version: 1, requests: 100, errors: 0, errorRate: 0, p99Ms: 10 },
      baseline: { version: 1, requests: 100, p99Ms: 10 },
      p99Ratio: 3,
    });
  });

  it('reads stable as null when it served nothing in the window, and has then no baseline without another window', () => {
    const readings = read(window('w-2', reading(CANDIDATE), reading(STABLE, { requests: 0, p99Ms: null })));
    expect(readings.stable).toBeNull();
    expect(readings.baseline).toBeNull();
    expect(readings.p99Ratio).toBeNull();
    const verdict = judgeStep(RolloutGuards.parse({ maxP99Ratio: 2 }), readings);
    expect(verdict.verdict).toBe('hold');
    expect(verdict.checks.find((c) => c.guard === 'maxP99Ratio')).toMatchObject({ outcome: 'hold', value: null });
  });

  it('takes the baseline from the baseline window when stable served fewer than minRequests in this one', () => {
    const earlier = window('w-earlier', reading(CANDIDATE, { requests: 30 }), reading(STABLE, { p99Ms: 8 }));
    const now = window('w-3', reading(CANDIDATE, { p99Ms: 20 }), reading(STABLE, { requests: 5, p99Ms: 50 }));
    const readings = read(now, earlier);
    expect(readings.stable).toMatchObject({ requests: 5, p99Ms: 50 });
    expect(readings.baseline).toMatchObject({ requests: 100, p99Ms: 8 });
    expect(readings.p99Ratio).toBe(2.5);
  });

  it('prefers stable in this window when it served enough, and has no baseline when neither window has enough', () => {
    const earlier = window('w-earlier', null, reading(STABLE, { p99Ms: 8 }));
    expect(read(window('w-4', reading(CANDIDATE), reading(STABLE, { p99Ms: 4 })), earlier).baseline?.p99Ms).toBe(4);
    const thin = window('w-thin', null, reading(STABLE, { requests: 19 }));
    expect(read(window('w-5', reading(CANDIDATE), reading(STABLE, { requests: 3 })), thin).baseline).toBeNull();
  });

  it('refuses a window that measured another candidate, naming both', () => {
    const other = window('w-6', reading({ deploymentId: 'churn-v3-cccc', version: 3 }), reading(STABLE));
    expect(() => read(other)).toThrow(
      'window w-6 of model "churn" measured candidate "churn-v3-cccc" (version 3), not the rollout\'s candidate "churn-v2-aaaa" (version 2)',
    );
    const sameIdOtherVersion = window('w-7', reading({ ...CANDIDATE, version: 3 }), null);
    expect(() => read(sameIdOtherVersion)).toThrow(/measured candidate "churn-v2-aaaa" \(version 3\)/);
  });

  it('refuses a reading with more errors than requests', () => {
    expect(() => versionReading(reading(CANDIDATE, { requests: 2, errors: 3 }))).toThrow(
      '"churn-v2-aaaa" (version 2) reports 3 errors in 2 requests: more errors than requests',
    );
  });

  it('feeds judgeStep: a healthy candidate passes, an erroring one breaches, a slow one breaches on the ratio', () => {
    const guards = RolloutGuards.parse({ maxErrorRate: 0.05, maxP99Ratio: 2, maxScorePsi: 0.2, minRequests: 50 });
    const stable = reading(STABLE, { requests: 400, p99Ms: 10, scores: binaryScores(1, 400, 0) });
    const healthy = reading(CANDIDATE, { requests: 200, errors: 2, p99Ms: 12, scores: binaryScores(2, 200, 0) });
    expect(judgeStep(guards, read(window('h', healthy, stable))).verdict).toBe('pass');

    const erroring = reading(CANDIDATE, { requests: 200, errors: 20, p99Ms: 12, scores: binaryScores(3, 180, 0) });
    const breach = judgeStep(guards, read(window('e', erroring, stable)));
    expect(breach.verdict).toBe('breach');
    expect(breach.checks.filter((c) => c.outcome === 'breach').map((c) => c.guard)).toEqual(['maxErrorRate']);

    const slow = reading(CANDIDATE, { requests: 200, p99Ms: 45, scores: binaryScores(4, 200, 0) });
    const slowVerdict = judgeStep(guards, read(window('s', slow, stable)));
    expect(slowVerdict.checks.find((c) => c.guard === 'maxP99Ratio')).toMatchObject({ outcome: 'breach', value: 4.5 });

    const shifted = reading(CANDIDATE, { requests: 200, p99Ms: 10, scores: binaryScores(6, 200, 1) });
    const drift = judgeStep(guards, read(window('d', shifted, stable)));
    expect(drift.checks.find((c) => c.guard === 'maxScorePsi')?.outcome).toBe('breach');
  });
});

describe('p99Ratio', () => {
  it('divides the candidate p99 by the baseline p99, each floored at the noise floor', () => {
    expect(p99Ratio(30, 10)).toBe(3);
    expect(p99Ratio(null, 10)).toBeNull();
    expect(p99Ratio(10, null)).toBeNull();
    // A target that reports whole milliseconds may report 0; sub-millisecond jitter is not a slowdown.
    expect(P99_RATIO_FLOOR_MS).toBe(1);
    expect(p99Ratio(0.4, 0)).toBe(1);
    expect(p99Ratio(5, 0)).toBe(5);
    expect(p99Ratio(0.9, 0.2)).toBe(1);
  });
});

describe('scorePsi', () => {
  it('is null until both sides have the minimum number of scores', () => {
    const many = binaryScores(7, 500, 0);
    expect(scorePsi(many.slice(0, MIN_PSI_SCORES - 1), many)).toBeNull();
    expect(scorePsi(many, many.slice(0, MIN_PSI_SCORES - 1))).toBeNull();
    expect(scorePsi(many.slice(0, MIN_PSI_SCORES), many)).not.toBeNull();
  });

  it('reads two samples of one distribution near 0 at every sample size (the buckets follow the smaller sample)', () => {
    // Over 200 seeded pairs of each size: the mean stays under 0.05 and the 99th percentile under 0.1, below the
    // usual thresholds, from the fewest scores PSI is computed on to the reservoir's full size.
    for (const n of [MIN_PSI_SCORES, 200, 300, 550, 2000]) {
      const values: number[] = [];
      for (let seed = 0; seed < 200; seed++) {
        values.push(scorePsi(binaryScores(1000 + seed, n, 0), binaryScores(5000 + seed, n, 0)) as number);
      }
      values.sort((a, b) => a - b);
      expect(values.reduce((sum, v) => sum + v, 0) / values.length, `mean PSI at n = ${n}`).toBeLessThan(0.05);
      expect(values[197], `99th percentile of PSI at n = ${n}`).toBeLessThan(0.1);
    }
  });

  it('reads a shifted score distribution as moved, well above the usual 0.2 threshold', () => {
    const stable = binaryScores(11, 2000, 0);
    expect(scorePsi(binaryScores(12, 2000, 1), stable)).toBeGreaterThan(0.2);
    expect(scorePsi(binaryScores(13, MIN_PSI_SCORES, -1), stable)).toBeGreaterThan(0.2);
  });

  it('reads a candidate that left a constant baseline as moved, downwards as upwards', () => {
    const constant = new Array<number>(200).fill(0.3);
    expect(scorePsi(new Array<number>(200).fill(0.3), constant)).toBe(0);
    expect(scorePsi(new Array<number>(200).fill(0.1), constant)).toBeGreaterThan(1);
    expect(scorePsi(new Array<number>(200).fill(0.9), constant)).toBeGreaterThan(1);
  });

  it('reads a few-valued baseline (a model of categorical features) against a candidate that moved between values', () => {
    const baseline = Array.from({ length: 300 }, (_, i) => [0.2, 0.5, 0.8][i % 3] as number);
    const same = Array.from({ length: 300 }, (_, i) => [0.8, 0.2, 0.5][i % 3] as number);
    expect(scorePsi(same, baseline)).toBe(0);
    const moved = Array.from({ length: 300 }, (_, i) => [0.2, 0.2, 0.8][i % 3] as number);
    expect(scorePsi(moved, baseline)).toBeGreaterThan(0.2);
  });
});
