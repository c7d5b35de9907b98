/**
 * The model guardian's decisions, pure so the workflow applies them and tests call them directly: after each check,
 * whether to count it, reset the count, or start a retrain now, and why not when not (hysteresis, cooldown, budget,
 * a retrain already running).
 */
import type { GuardianCounters, GuardianDecisionKind } from '../schemas/guardian.js';

/** A week, the budget's window. */
export const WEEK_MS = 7 * 86_400_000;

/** The limits the decisions apply. */
export interface GuardianLimits {
  /** Drifted checks in a row before a retrain. */
  consecutive: number;
  cooldownMs: number;
  /** Retrains started in any 7 days, at most. */
  perWeek: number;
}

/** The verdict of one check, as the decision needs it. */
export interface CheckVerdict {
  enoughSamples: boolean;
  drifted: boolean;
  /** A backfill check (a past period): reported, never counted, never retrains. */
  backfill?: boolean;
}

/** What the guardian decided after a check: the new counters, the decision with its reason, and whether to retrain. */
export interface CheckDecision {
  counters: GuardianCounters;
  kind: GuardianDecisionKind;
  reason: string;
  /** True when a retrain starts now (the caller starts it, then calls {@link countRetrain}). */
  retrain: boolean;
}

/** The starts of the last 7 days before `nowMs`, oldest first. */
export function retrainsInWeek(counters: Pick<GuardianCounters, 'retrainTimes'>, nowMs: number): string[] {
  return counters.retrainTimes
    .filter((t) => nowMs - Date.parse(t) < WEEK_MS)
    .sort((a, b) => Date.parse(a) - Date.parse(b));
}

/** When the cooldown after the last retrain ends (ISO time), or null when there was none. */
export function cooldownUntil(counters: Pick<GuardianCounters, 'lastRetrainAt'>, cooldownMs: number): string | null {
  if (counters.lastRetrainAt === null) return null;
  return new Date(Date.parse(counters.lastRetrainAt) + cooldownMs).toISOString();
}

/**
 * Decides after one check. A check without enough samples changes nothing (`no_verdict`); one without drift resets
 * the count (`no_drift`); a drifted one advances it, and when the count reaches `limits.consecutive` a retrain starts
 * unless one is running, the cooldown after the last one holds, or the budget of the last 7 days is spent (the
 * count then stays, so the retrain starts at the first check after the obstacle is gone, if the drift holds).
 * Backfill checks never count and never retrain.
 */
export function decideAfterCheck(
  counters: GuardianCounters,
  check: CheckVerdict,
  context: { nowMs: number; limits: GuardianLimits; running: boolean },
): CheckDecision {
  const { nowMs, limits } = context;
  const keep = (kind: GuardianDecisionKind, reason: string, next = counters): CheckDecision => ({
    counters: next,
    kind,
    reason,
    retrain: false,
  });
  if (check.backfill) {
    const verdict = !check.enoughSamples ? 'no verdict (too few samples)' : check.drifted ? 'drifted' : 'no drift';
    return keep('backfill', `backfill over a past period: ${verdict}; backfill checks are reported, not counted`);
  }
  if (!check.enoughSamples) {
    return keep(
      'no_verdict',
      `too few samples for a verdict: the count stays at ${counters.consecutive} of ${limits.consecutive}`,
    );
  }
  if (!check.drifted) {
    const was = counters.consecutive;
    return keep(
      'no_drift',
      `no drift: the count ${was > 0 ? `resets from ${was} ` : 'stays at 0 '}(${limits.consecutive} drifted checks in a row retrain)`,
      {
        ...counters,
        consecutive: 0,
      },
    );
  }
  const next = { ...counters, consecutive: counters.consecutive + 1 };
  const count = `${next.consecutive} of ${limits.consecutive} drifted checks in a row`;
  if (next.consecutive < limits.consecutive) return keep('drift_counted', `drift: ${count}`, next);
  if (context.running) return keep('skipped_running', `drift: ${count}, but a retrain is already running`, next);
  const until = cooldownUntil(next, limits.cooldownMs);
  if (until !== null && nowMs < Date.parse(until)) {
    return keep(
      'skipped_cooldown',
      `drift: ${count}, but the cooldown after the last retrain holds until ${until}`,
      next,
    );
  }
  const week = retrainsInWeek(next, nowMs);
  if (week.length >= limits.perWeek) {
    const free =
      week.length === 0
        ? 'never (the budget is 0)'
        : new Date(Date.parse(week[week.length - limits.perWeek] ?? week[0]!) + WEEK_MS).toISOString();
    return keep(
      'skipped_budget',
      `drift: ${count}, but the budget of ${limits.perWeek} retrain(s) in any 7 days is spent (${week.length} started); the next one may start at ${free}`,
      next,
    );
  }
  return {
    counters: next,
    kind: 'retrain_started',
    reason: `drift: ${count}; outside the cooldown, within the budget (${week.length} of ${limits.perWeek} this week): retraining`,
    retrain: true,
  };
}

/** The counters after a retrain started at `atMs`: the count starts again, the start counts against the budget. */
export function countRetrain(counters: GuardianCounters, atMs: number): GuardianCounters {
  const at = new Date(atMs).toISOString();
  return {
    ...counters,
    consecutive: 0,
    lastRetrainAt: at,
    retrainTimes: [...retrainsInWeek(counters, atMs), at],
  };
}
