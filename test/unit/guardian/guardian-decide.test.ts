/**
 * The guardian's decisions after each check (hysteresis, no verdict, cooldown, the weekly budget, a running
 * retrain, backfill) and its carried state across continue-as-new, as pure functions.
 */
import {
  GuardianCarry,
  countRetrain,
  decideAfterCheck,
  guardianStatus,
  initialGuardianCarry,
  keepLast,
  nextGeneration,
  GUARDIAN_KEEP,
  WEEK_MS,
  type GuardianCounters,
  type GuardianLimits,
} from '@slipway/sdk';
import { describe, expect, it } from 'vitest';

const T0 = Date.parse('2026-12-01T00:00:00.000Z');
const HOUR = 3_600_000;
const limits: GuardianLimits = { consecutive: 3, cooldownMs: 24 * HOUR, perWeek: 2 };
const DRIFT = { enoughSamples: true, drifted: true };
const CLEAN = { enoughSamples: true, drifted: false };
const THIN = { enoughSamples: false, drifted: false };

function fresh(): GuardianCounters {
  return { checks: 0, consecutive: 0, retrainTimes: [], lastRetrainAt: null };
}

/** Feeds verdicts one per hour from `startMs`, starting a retrain whenever the decision says so. */
function run(
  verdicts: { enoughSamples: boolean; drifted: boolean }[],
  counters = fresh(),
  startMs = T0,
  running = false,
) {
  const kinds: string[] = [];
  let c = counters;
  verdicts.forEach((v, i) => {
    const nowMs = startMs + i * HOUR;
    const d = decideAfterCheck(c, v, { nowMs, limits, running });
    kinds.push(d.kind);
    c = d.retrain ? countRetrain(d.counters, nowMs) : d.counters;
  });
  return { kinds, counters: c };
}

describe('guardian decisions', () => {
  it('retrains once after `consecutive` drifted checks in a row, and the count starts again', () => {
    const { kinds, counters } = run([DRIFT, DRIFT, DRIFT]);
    expect(kinds).toEqual(['drift_counted', 'drift_counted', 'retrain_started']);
    expect(counters.consecutive).toBe(0);
    expect(counters.retrainTimes).toEqual([new Date(T0 + 2 * HOUR).toISOString()]);
    expect(counters.lastRetrainAt).toBe(new Date(T0 + 2 * HOUR).toISOString());
  });

  it('a clean check resets the count', () => {
    const { kinds } = run([DRIFT, DRIFT, CLEAN, DRIFT, DRIFT]);
    expect(kinds).toEqual(['drift_counted', 'drift_counted', 'no_drift', 'drift_counted', 'drift_counted']);
    const d = decideAfterCheck({ ...fresh(), consecutive: 2 }, CLEAN, { nowMs: T0, limits, running: false });
    expect(d.reason).toContain('resets from 2');
  });

  it('a check with too few samples neither advances nor resets the count', () => {
    const { kinds } = run([DRIFT, THIN, DRIFT, THIN, THIN, DRIFT]);
    expect(kinds).toEqual([
      'drift_counted',
      'no_verdict',
      'drift_counted',
      'no_verdict',
      'no_verdict',
      'retrain_started',
    ]);
    const d = decideAfterCheck({ ...fresh(), consecutive: 2 }, THIN, { nowMs: T0, limits, running: false });
    expect(d.counters.consecutive).toBe(2);
    expect(d.reason).toBe('too few samples for a verdict: the count stays at 2 of 3');
  });

  it('a drift while a retrain runs starts nothing, says why, and keeps counting', () => {
    const d = decideAfterCheck({ ...fresh(), consecutive: 5 }, DRIFT, { nowMs: T0, limits, running: true });
    expect(d).toMatchObject({ kind: 'skipped_running', retrain: false, counters: { consecutive: 6 } });
    expect(d.reason).toContain('a retrain is already running');
  });

  it('the cooldown holds after a retrain, then the next drift retrains at once', () => {
    const after = countRetrain(fresh(), T0);
    const inCooldown = run([DRIFT, DRIFT, DRIFT, DRIFT], after, T0 + HOUR);
    expect(inCooldown.kinds).toEqual(['drift_counted', 'drift_counted', 'skipped_cooldown', 'skipped_cooldown']);
    const d = decideAfterCheck(inCooldown.counters, DRIFT, { nowMs: T0 + 24 * HOUR, limits, running: false });
    expect(d.kind).toBe('retrain_started');
    const held = decideAfterCheck(inCooldown.counters, DRIFT, { nowMs: T0 + 5 * HOUR, limits, running: false });
    expect(held.reason).toContain(`holds until ${new Date(T0 + 24 * HOUR).toISOString()}`);
  });

  it('the budget allows at most perWeek retrains in any 7 days, and says when the next may start', () => {
    const noCooldown = { ...limits, cooldownMs: 0 };
    let c: GuardianCounters = { ...fresh(), consecutive: 2 };
    const starts: number[] = [];
    const kinds: string[] = [];
    for (let day = 0; day < 9; day += 1) {
      const nowMs = T0 + day * 86_400_000;
      const d = decideAfterCheck({ ...c, consecutive: 2 }, DRIFT, { nowMs, limits: noCooldown, running: false });
      kinds.push(d.kind);
      c = d.retrain ? countRetrain(d.counters, nowMs) : d.counters;
      if (d.retrain) starts.push(day);
    }
    // days 0 and 1 retrain; 2..6 are over budget; day 7 frees day 0's slot, day 8 day 1's.
    expect(starts).toEqual([0, 1, 7, 8]);
    expect(kinds.slice(2, 7)).toEqual(Array(5).fill('skipped_budget'));
    const spent = decideAfterCheck({ ...countRetrain(countRetrain(fresh(), T0), T0 + HOUR), consecutive: 2 }, DRIFT, {
      nowMs: T0 + 2 * HOUR,
      limits: noCooldown,
      running: false,
    });
    expect(spent.reason).toContain(`may start at ${new Date(T0 + WEEK_MS).toISOString()}`);
  });

  it('a budget of 0 never retrains', () => {
    const d = decideAfterCheck({ ...fresh(), consecutive: 9 }, DRIFT, {
      nowMs: T0,
      limits: { ...limits, perWeek: 0 },
      running: false,
    });
    expect(d.kind).toBe('skipped_budget');
    expect(d.reason).toContain('never');
  });

  it('backfill checks are reported, never counted, never retrain', () => {
    const c = { ...fresh(), consecutive: 2 };
    const d = decideAfterCheck(c, { ...DRIFT, backfill: true }, { nowMs: T0, limits, running: false });
    expect(d).toMatchObject({ kind: 'backfill', retrain: false, counters: c });
    expect(d.reason).toContain('drifted');
  });
});

describe('guardian state across continue-as-new', () => {
  it('carries every counter, the window, the running retrain and the pause; drops budget entries older than 7 days', () => {
    const carry = initialGuardianCarry({ nonce: 'n'.repeat(20), since: new Date(T0).toISOString(), starter: 'ci-bot' });
    carry.counters = {
      checks: 41,
      consecutive: 2,
      retrainTimes: [new Date(T0).toISOString(), new Date(T0 + 8 * 86_400_000).toISOString()],
      lastRetrainAt: new Date(T0 + 8 * 86_400_000).toISOString(),
    };
    carry.windowEnd = '2026-12-09T10:00:00.000Z';
    carry.cursor = 'segment-7:1200';
    carry.pausedBy = 'maria: freeze';
    carry.running = {
      workflowId: 'retrain:churn',
      runId: 'r1',
      checkId: 'guardian:churn/check-40',
      startedAt: carry.counters.lastRetrainAt!,
    };
    const next = nextGeneration(carry, T0 + 9 * 86_400_000);
    // It is what the next run parses: the schema takes it as it is.
    expect(GuardianCarry.parse(JSON.parse(JSON.stringify(next)))).toEqual(next);
    expect(next).toMatchObject({
      generation: 1,
      counters: { checks: 41, consecutive: 2, lastRetrainAt: carry.counters.lastRetrainAt },
      windowEnd: carry.windowEnd,
      cursor: 'segment-7:1200',
      pausedBy: 'maria: freeze',
      running: carry.running,
      starter: 'ci-bot',
      nonce: carry.nonce,
    });
    expect(next.counters.retrainTimes).toEqual([carry.counters.lastRetrainAt]);
    // The carried copy is not the live state.
    next.counters.checks += 1;
    expect(carry.counters.checks).toBe(41);
  });

  it(`keeps the last ${GUARDIAN_KEEP} summaries and shows the limits against the counters`, () => {
    const list: number[] = [];
    for (let i = 0; i < GUARDIAN_KEEP + 5; i += 1) keepLast(list, i);
    expect(list).toHaveLength(GUARDIAN_KEEP);
    expect(list[0]).toBe(5);
    const carry = initialGuardianCarry({ nonce: 'n'.repeat(20), since: new Date(T0).toISOString(), starter: 'ci-bot' });
    carry.counters = countRetrain(carry.counters, T0);
    carry.cursor = 'secret-ish-cursor';
    const status = guardianStatus(
      carry,
      { model: 'churn', alias: 'champion', every: '1h', cooldown: '24h', limits },
      { phase: 'watching', operators: ['maria'], nowMs: T0 + HOUR },
    );
    expect(status.limits).toEqual({
      consecutive: 3,
      cooldown: '24h',
      cooldownUntil: new Date(T0 + 24 * HOUR).toISOString(),
      perWeek: 2,
      retrainsThisWeek: 1,
    });
    expect(status).not.toHaveProperty('cursor');
    expect(status.operators).toEqual(['maria']);
  });
});
