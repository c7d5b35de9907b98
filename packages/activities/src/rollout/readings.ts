/**
 * A rollout step's readings, computed from what the deploy target measured over the step's window: the candidate's
 * and stable's requests, errors and p99, the stable reading the relative guards compare with (the baseline), the
 * p99 ratio and the PSI of the candidate's score distribution against the baseline's. Pure: no I/O, no Temporal.
 * `judgeStep` (in `@slipway/sdk`) holds the result to the plan's guards.
 */
import type { GuardReadings, VersionReading, VersionWindowReading, WindowAnswer } from '@slipway/sdk';
import { binNumeric } from '../monitor/buckets.js';
import { cdfQuantile, empiricalCdf, psi, toShares } from '../stats/index.js';

/**
 * The fewest scores each side needs before their PSI is computed; with fewer the PSI is null (the guard holds).
 * Below it even two buckets read noise: the PSI of two samples of one distribution is close to a chi-square
 * statistic, `χ²(k − 1) · (1/n₁ + 1/n₂)` over `k` buckets, and at 150 scores a side its 99th percentile over two
 * buckets is 0.09.
 */
export const MIN_PSI_SCORES = 150;

/** The most buckets the score PSI uses. */
export const MAX_PSI_BUCKETS = 10;

/**
 * Scores the smaller sample must have per bucket: `k = ⌊n / 50⌋ − 1` buckets (2 at 150 scores, 10 from 550), which
 * keeps the 99th percentile of the PSI of two samples of one distribution below 0.1 at every size, under the usual
 * thresholds (0.1–0.25).
 */
export const SCORES_PER_PSI_BUCKET = 50;

/**
 * Latencies below this many milliseconds count as this much in the p99 ratio: below it the difference between two
 * versions is timer and scheduling noise, not a slowdown (and a target that reports whole milliseconds may report a
 * stable p99 of 0).
 */
export const P99_RATIO_FLOOR_MS = 1;

/** What {@link guardReadings} reads. */
export interface GuardReadingsInput {
  /** The step's window. */
  window: WindowAnswer;
  /** The window named as the baseline (the last one where stable served enough), when the step has one. */
  baselineWindow?: WindowAnswer | null | undefined;
  /** The candidate the rollout expects in the window: a reading of another deployment is refused. */
  candidate: { deploymentId: string; version: number };
  /** The guards' minimum requests: stable is a baseline only when it served at least this many. */
  minRequests: number;
  /** When the readings were taken (ISO 8601). */
  readAt: string;
}

/**
 * The readings of a step. A window in which the candidate served nothing gives a candidate reading of 0 requests
 * (the step holds: no data is never a pass). The baseline is stable's reading in this window when stable served at
 * least `minRequests` requests in it, else stable's in `baselineWindow` when it did there, else null (the relative
 * guards hold). The p99 ratio is null without both p99s; the PSI is null unless both sides have
 * {@link MIN_PSI_SCORES} scores.
 *
 * @throws Error naming both deployments when the window measured another candidate than the one expected, or
 *   another version under its id.
 */
export function guardReadings(input: GuardReadingsInput): GuardReadings {
  const { window, candidate: expected, minRequests } = input;
  const measured = window.candidate;
  if (measured && (measured.deploymentId !== expected.deploymentId || measured.version !== expected.version)) {
    throw new Error(
      `window ${window.windowId} of model "${window.model}" measured candidate ${describe(measured)}, not the ` +
        `rollout's candidate ${describe(expected)}`,
    );
  }
  const candidate = measured ? versionReading(measured) : noRequests(expected.version);
  const stableRaw = window.stable && window.stable.requests > 0 ? window.stable : null;
  const baselineRaw = [stableRaw, input.baselineWindow?.stable ?? null].find(
    (s): s is VersionWindowReading => s !== null && s.requests >= minRequests,
  );
  const baseline = baselineRaw ? versionReading(baselineRaw) : null;
  return {
    windowId: window.windowId,
    readAt: input.readAt,
    candidate,
    stable: stableRaw ? versionReading(stableRaw) : null,
    baseline,
    p99Ratio: p99Ratio(candidate.p99Ms, baseline?.p99Ms ?? null),
    scorePsi: baselineRaw && measured ? scorePsi(measured.scores, baselineRaw.scores) : null,
  };
}

/** What the guards read of one version's window reading. */
export function versionReading(reading: VersionWindowReading): VersionReading {
  const { version, requests, errors } = reading;
  if (errors > requests) {
    throw new Error(`${describe(reading)} reports ${errors} errors in ${requests} requests: more errors than requests`);
  }
  return {
    version,
    requests,
    errors,
    errorRate: requests > 0 ? errors / requests : null,
    p99Ms: requests > 0 ? reading.latency.p99Ms : null,
  };
}

/**
 * The candidate's p99 over the baseline's, each floored at {@link P99_RATIO_FLOOR_MS}; null when either is missing.
 */
export function p99Ratio(candidateMs: number | null, baselineMs: number | null): number | null {
  if (candidateMs === null || baselineMs === null) return null;
  return Math.max(candidateMs, P99_RATIO_FLOOR_MS) / Math.max(baselineMs, P99_RATIO_FLOOR_MS);
}

/**
 * The PSI of the candidate's scores against the baseline's, over buckets cut at the quantiles of both samples
 * pooled: as many buckets as the smaller sample supports (see {@link SCORES_PER_PSI_BUCKET}), so that two samples
 * of one distribution read near 0 whatever their size. Pooling puts a cut between two samples that do not overlap even when one of them is constant (cuts at the
 * baseline's quantiles alone would put a constant baseline and a candidate below it in one bucket); tied quantiles
 * share a cut. Null when either side has fewer than {@link MIN_PSI_SCORES} scores.
 */
export function scorePsi(candidate: readonly number[], baseline: readonly number[]): number | null {
  const smaller = Math.min(candidate.length, baseline.length);
  if (smaller < MIN_PSI_SCORES) return null;
  const buckets = Math.min(MAX_PSI_BUCKETS, Math.floor(smaller / SCORES_PER_PSI_BUCKET) - 1);
  const pooled = empiricalCdf([...baseline, ...candidate]);
  const cuts: number[] = [];
  for (let i = 1; i < buckets; i++) {
    const cut = cdfQuantile(pooled, i / buckets);
    if (cuts.length === 0 || cut > (cuts.at(-1) as number)) cuts.push(cut);
  }
  return psi(toShares(binNumeric(baseline, cuts)), toShares(binNumeric(candidate, cuts)));
}

function noRequests(version: number): VersionReading {
  return { version, requests: 0, errors: 0, errorRate: null, p99Ms: null };
}

function describe(d: { deploymentId: string; version: number }): string {
  return `"${d.deploymentId}" (version ${d.version})`;
}
