/**
 * The model guardian's carried state, pure: a fresh state, appending to its bounded lists, the status the Query
 * answers, and what goes into the next run at continue-as-new.
 */
import { GUARDIAN_KEEP, type GuardianCarry, type GuardianStatus } from '../schemas/guardian.js';
import { cooldownUntil, retrainsInWeek, type GuardianLimits } from './decide.js';

/** The state of a guardian's first run. */
export function initialGuardianCarry(start: { nonce: string; since: string; starter: string }): GuardianCarry {
  return {
    counters: { checks: 0, consecutive: 0, retrainTimes: [], lastRetrainAt: null },
    windowEnd: null,
    nextCheckAt: null,
    backfillDone: false,
    running: null,
    outcomes: [],
    recent: [],
    decisions: [],
    commands: [],
    pausedBy: null,
    nonce: start.nonce,
    since: start.since,
    starter: start.starter,
    generation: 0,
  };
}

/** Appends `item` to `list` in place, keeping the last {@link GUARDIAN_KEEP}. */
export function keepLast<T>(list: T[], item: T): void {
  list.push(item);
  while (list.length > GUARDIAN_KEEP) list.shift();
}

/**
 * What the next run starts from (continue-as-new): the same state, one generation on, with the budget's list cut
 * to the last 7 days so the carried state stays small however long the guardian runs.
 */
export function nextGeneration(carry: GuardianCarry, nowMs: number): GuardianCarry {
  const copy = JSON.parse(JSON.stringify(carry)) as GuardianCarry;
  copy.counters.retrainTimes = retrainsInWeek(copy.counters, nowMs);
  copy.generation += 1;
  return copy;
}

/** The settings the status shows next to the state. */
export interface StatusSettings {
  model: string;
  alias: string;
  every: string;
  cooldown: string;
  limits: GuardianLimits;
}

/** The status Query's answer: the carried state (without the source's cursor), the phase and the limits. */
export function guardianStatus(
  carry: GuardianCarry,
  settings: StatusSettings,
  live: { phase: GuardianStatus['phase']; operators: string[] | null; nowMs: number },
): GuardianStatus {
  const {
    cursor: _cursor,
    resolvedOperators: _operators,
    ...rest
  } = JSON.parse(JSON.stringify(carry)) as GuardianCarry;
  const until = cooldownUntil(carry.counters, settings.limits.cooldownMs);
  return {
    ...rest,
    model: settings.model,
    alias: settings.alias,
    every: settings.every,
    phase: live.phase,
    limits: {
      consecutive: settings.limits.consecutive,
      cooldown: settings.cooldown,
      cooldownUntil: until !== null && Date.parse(until) > live.nowMs ? until : null,
      perWeek: settings.limits.perWeek,
      retrainsThisWeek: retrainsInWeek(carry.counters, live.nowMs).length,
    },
    operators: live.operators,
  };
}
