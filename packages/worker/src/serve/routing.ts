/**
 * How a predict request is routed while a candidate holds a share of a model's traffic: a request with a route key
 * (the `x-slipway-route-key` header) falls in one of 100 buckets by a hash of the key and the candidate's
 * deployment id, and goes to the candidate when its bucket is below the candidate's weight (so a key stays on
 * one version while the split holds, and stays on the candidate as its share grows); a request without a key is
 * drawn at random with the candidate's weight as its chance. In `shadow` mode stable always answers and a request
 * in the candidate's share is also scored by the candidate, as a copy.
 */
import { createHash } from 'node:crypto';
import type { TrafficMode, TrafficWeights } from '@slipway/sdk';

/** How many buckets route keys fall into: one per percent of the traffic. */
export const ROUTE_BUCKETS = 100;

/** Where one request goes. */
export interface Route {
  /** The version whose answer is returned. */
  answeredBy: 'stable' | 'candidate';
  /** True when the candidate also scores a copy (shadow mode), after the answer. */
  shadowCopy: boolean;
}

/** The bucket (0–99) of a route key for the candidate `salt`: the first 32 bits of a SHA-256, modulo 100. */
export function routeBucket(key: string, salt: string): number {
  const digest = createHash('sha256').update(salt).update('\u0000').update(key).digest();
  return digest.readUInt32BE(0) % ROUTE_BUCKETS;
}

/**
 * The route of one request. `candidate` is the loaded candidate's deployment id (undefined: all to stable); `key`
 * the request's route key (undefined or empty: a random draw); `random` gives numbers in [0, 1).
 */
export function chooseRoute(
  split: { weights: TrafficWeights; mode: TrafficMode; candidate: string | undefined },
  key: string | undefined,
  random: () => number,
): Route {
  const percent = split.weights.candidate;
  if (split.candidate === undefined || percent === 0) return { answeredBy: 'stable', shadowCopy: false };
  const inShare = key ? routeBucket(key, split.candidate) < percent : random() * ROUTE_BUCKETS < percent;
  if (split.mode === 'shadow') return { answeredBy: 'stable', shadowCopy: inShare };
  return { answeredBy: inShare ? 'candidate' : 'stable', shadowCopy: false };
}
