/**
 * Reproducible random points: every scenario draws from a generator seeded by the suite's seed (the runner prints
 * it; `npm run faults -- --seed <n>` repeats a run's choices) and the scenario's name.
 */
import { mulberry32, type Random } from '@slipway/activities/train';

/** The suite's seed (`SLIPWAY_FAULT_SEED`, set by the runner; 1 when a scenario runs on its own). */
export function suiteSeed(): number {
  const raw = process.env['SLIPWAY_FAULT_SEED'];
  const seed = raw === undefined ? 1 : Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`SLIPWAY_FAULT_SEED must be an integer, got "${raw}"`);
  return seed;
}

/** A generator of numbers in [0, 1) for one scenario: mulberry32 over the seed mixed with the scenario's name. */
export function randomFor(scenario: string, seed = suiteSeed()): Random {
  let state = seed >>> 0;
  for (const char of scenario) state = Math.imul(state ^ char.charCodeAt(0), 0x9e3779b1) >>> 0;
  return mulberry32(state);
}
