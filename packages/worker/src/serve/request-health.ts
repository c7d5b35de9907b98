/**
 * The requests each model version answered, kept in memory for the guardian's serving health: per version, the
 * newest {@link HEALTH_REQUESTS_KEPT} requests (time, failed or not, latency) in a ring. A window's health is
 * counted from them; `since` says from when the record is complete (the server's start, or the oldest request
 * still kept once the ring has wrapped).
 */
import { TDigest, cdfQuantile } from '@slipway/activities/stats';
import type { VersionHealthAnswer } from '@slipway/sdk';
import type { ScoringOutcome } from './window-reading.js';

/** Requests kept per model version. */
export const HEALTH_REQUESTS_KEPT = 100_000;

/** Records request outcomes and counts them over windows. */
export interface RequestHealth {
  /** Records one answered request of `model` version `version` (rejected requests are not counted). */
  record(model: string, version: number, outcome: ScoringOutcome): void;
  /** The requests of a version with `from < t ≤ to` (epoch ms; `from` undefined: no lower bound). */
  read(model: string, version: number, from: number | undefined, to: number): VersionHealthAnswer;
}

/** One version's ring of requests: times, latencies and failure flags in parallel arrays. */
class RequestRing {
  readonly times: Float64Array;
  readonly ms: Float64Array;
  readonly failed: Uint8Array;
  next = 0;
  size = 0;

  constructor(readonly capacity: number) {
    this.times = new Float64Array(capacity);
    this.ms = new Float64Array(capacity);
    this.failed = new Uint8Array(capacity);
  }

  add(time: number, ms: number, failed: boolean): void {
    this.times[this.next] = time;
    this.ms[this.next] = ms;
    this.failed[this.next] = failed ? 1 : 0;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.capacity, this.size + 1);
  }

  /** The oldest kept request's time when the ring has dropped some, else undefined. */
  oldestAfterWrap(): number | undefined {
    return this.size === this.capacity ? this.times[this.next] : undefined;
  }
}

/** Creates the request record of one server process; `now` stamps requests and the start. */
export function createRequestHealth(
  now: () => Date = () => new Date(),
  capacity = HEALTH_REQUESTS_KEPT,
): RequestHealth {
  const started = now().getTime();
  const rings = new Map<string, RequestRing>();
  const key = (model: string, version: number) => `${model}\u0000${version}`;
  return {
    record(model, version, outcome) {
      if (outcome.kind === 'rejected') return;
      let ring = rings.get(key(model, version));
      if (!ring) {
        ring = new RequestRing(capacity);
        rings.set(key(model, version), ring);
      }
      ring.add(now().getTime(), outcome.ms, outcome.kind === 'failed');
    },
    read(model, version, from, to) {
      const ring = rings.get(key(model, version));
      const since = new Date(Math.max(started, ring?.oldestAfterWrap() ?? started)).toISOString();
      let requests = 0;
      let errors = 0;
      const latency = new TDigest();
      for (let i = 0; ring && i < ring.size; i++) {
        const t = ring.times[i] as number;
        if (t > to || (from !== undefined && t <= from)) continue;
        requests++;
        if (ring.failed[i] === 1) errors++;
        latency.add(ring.ms[i] as number);
      }
      const cdf = latency.toCdf();
      return { model, version, since, requests, errors, p99Ms: cdf ? cdfQuantile(cdf, 0.99) : null };
    },
  };
}
