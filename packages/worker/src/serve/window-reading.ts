/**
 * What one model version did over a measurement window, accumulated request by request: requests, errors (500s),
 * rejected requests (400s), rows, a t-digest of the scoring latency, and a uniform reservoir sample of the per-row
 * scores (at most `WINDOW_SCORE_SAMPLE`; seeded, so the same traffic gives the same sample).
 */
import { TDigest, cdfQuantile } from '@slipway/activities/stats';
import { WINDOW_SCORE_SAMPLE, type Prediction, type ServedDeployment, type VersionWindowReading } from '@slipway/sdk';

/** How one request to a version ended, as counters and windows record it. */
export type ScoringOutcome =
  | { kind: 'scored'; ms: number; rows: number; scores: readonly number[] }
  | { kind: 'failed'; ms: number }
  | { kind: 'rejected' };

/**
 * The score a window samples of one prediction: binary, the positive class's probability; multiclass, the top
 * class's probability; regression, the value. Undefined for a prediction that has none of them.
 */
export function windowScore(prediction: Prediction): number | undefined {
  if (prediction.score !== undefined) return prediction.score;
  if (prediction.scores !== undefined) {
    const values = Object.values(prediction.scores);
    return values.length > 0 ? Math.max(...values) : undefined;
  }
  return prediction.value;
}

/** One version's tally over a window. */
export class VersionTally {
  private requests = 0;
  private errors = 0;
  private rejected = 0;
  private rows = 0;
  private readonly latency = new TDigest();
  private readonly scores: number[] = [];
  private scoresSeen = 0;

  /** A tally for `served`; `random` draws the reservoir's replacements. */
  constructor(
    readonly served: ServedDeployment,
    private readonly random: () => number,
  ) {}

  /** Counts one request's outcome. */
  record(outcome: ScoringOutcome): void {
    if (outcome.kind === 'rejected') {
      this.rejected += 1;
      return;
    }
    this.requests += 1;
    this.latency.add(outcome.ms);
    if (outcome.kind === 'failed') {
      this.errors += 1;
      return;
    }
    this.rows += outcome.rows;
    for (const score of outcome.scores) this.sample(score);
  }

  /** The reading so far. */
  reading(): VersionWindowReading {
    const cdf = this.latency.toCdf();
    return {
      ...this.served,
      requests: this.requests,
      errors: this.errors,
      rejected: this.rejected,
      rows: this.rows,
      latency: {
        p50Ms: cdf ? cdfQuantile(cdf, 0.5) : null,
        p99Ms: cdf ? cdfQuantile(cdf, 0.99) : null,
      },
      scores: [...this.scores],
    };
  }

  /** Algorithm R: every score seen so far is in the sample with the same chance. */
  private sample(score: number): void {
    this.scoresSeen += 1;
    if (this.scores.length < WINDOW_SCORE_SAMPLE) {
      this.scores.push(score);
      return;
    }
    const j = Math.floor(this.random() * this.scoresSeen);
    if (j < WINDOW_SCORE_SAMPLE) this.scores[j] = score;
  }
}
