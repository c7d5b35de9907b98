import { describe, expect, it } from 'vitest';
import {
  RolloutGuards,
  RolloutPlan,
  describeIssues,
  judgeStep,
  resolvedSteps,
  type GuardReadings,
  type RolloutPlanInput,
  type VersionReading,
} from '@slipway/sdk';

/** The issues a refused plan gets, as `path: message` lines. */
function refusal(input: unknown): string[] {
  const parsed = RolloutPlan.safeParse(input);
  if (parsed.success) throw new Error(`expected ${JSON.stringify(input)} to be refused`);
  return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

const plan = (input: RolloutPlanInput = {}) => RolloutPlan.parse(input);

describe('RolloutPlan', () => {
  it('defaults to the one-step blue/green swap with the default guards', () => {
    expect(plan()).toEqual({
      strategy: 'blueGreen',
      guards: { maxErrorRate: 0.01, minRequests: 20 },
      onBreach: 'rollback',
      deadline: '24h',
      drain: '0s',
    });
  });

  it('accepts a canary with its own steps, bake time, guards and pause on breach', () => {
    const input: RolloutPlanInput = {
      strategy: 'canary',
      steps: [5, 25, 100],
      bakeTime: '3s',
      guards: { maxErrorRate: 0.05, maxP99Ms: 200, maxP99Ratio: 1.5, maxScorePsi: 0.2, minRequests: 30 },
      onBreach: 'pause',
      deadline: '10m',
      drain: '30s',
    };
    expect(plan(input)).toEqual(input);
  });

  it('refuses steps that do not increase, naming the step', () => {
    expect(refusal({ strategy: 'canary', steps: [10, 50, 50, 100] })).toEqual([
      'steps.2: steps must increase: 50 follows 50',
    ]);
    expect(refusal({ strategy: 'linear', steps: [50, 20, 100] })).toEqual([
      'steps.1: steps must increase: 20 follows 50',
    ]);
  });

  it('refuses a non-shadow plan that does not end at 100, and accepts a shadow plan that mirrors part of the traffic', () => {
    expect(refusal({ strategy: 'canary', steps: [10, 50] })).toEqual([
      'steps: a canary rollout must end at 100 (got 50)',
    ]);
    expect(refusal({ strategy: 'blueGreen', steps: [50] })).toEqual([
      'steps: a blueGreen rollout must end at 100 (got 50)',
    ]);
    expect(plan({ strategy: 'shadow', steps: [10, 50], bakeTime: '1m' }).steps).toEqual([10, 50]);
  });

  it('refuses a blue/green plan of more than one step', () => {
    expect(refusal({ strategy: 'blueGreen', steps: [50, 100] })).toEqual([
      'steps: a blueGreen rollout has one step: [100]',
    ]);
  });

  it('refuses a bake time of 0 for every strategy but blue/green: such a step would read no guard', () => {
    for (const strategy of ['canary', 'linear', 'shadow'] as const) {
      expect(refusal({ strategy, bakeTime: '0s' })).toEqual([
        `bakeTime: a ${strategy} rollout needs a bake time above 0: a step that bakes 0 reads no guard`,
      ]);
    }
    expect(plan({ strategy: 'blueGreen', bakeTime: '0s' }).bakeTime).toBe('0s');
  });

  it('refuses a deadline shorter than the bake times of the steps', () => {
    expect(refusal({ strategy: 'canary', bakeTime: '10m', deadline: '20m' })).toEqual([
      "deadline: deadline 20m is shorter than the 3 steps' bake time (3 × 10m): the rollout could never finish",
    ]);
    // The default bake time (5m) counts too.
    expect(refusal({ strategy: 'linear', deadline: '15m' })).toEqual([
      "deadline: deadline 15m is shorter than the 4 steps' bake time (4 × 5m): the rollout could never finish",
    ]);
    expect(plan({ strategy: 'canary', bakeTime: '10m', deadline: '30m' }).deadline).toBe('30m');
  });

  it('refuses unknown fields, in the plan and in its guards: a misspelt field must not fall back to a default', () => {
    expect(refusal({ strategy: 'canary', bakeTme: '3s' })).toEqual([': Unrecognized key: "bakeTme"']);
    expect(refusal({ guards: { maxErrorRate: 0.1, maxP99: 100 } })).toEqual(['guards: Unrecognized key: "maxP99"']);
  });

  it('refuses bad values, naming the field', () => {
    const bad: [unknown, RegExp][] = [
      [{ strategy: 'bigBang' }, /^strategy: /],
      [{ strategy: 'canary', steps: [0, 100] }, /^steps\.0: /],
      [{ strategy: 'canary', steps: [10, 101] }, /^steps\.1: /],
      [{ strategy: 'canary', steps: [] }, /^steps: /],
      [{ strategy: 'canary', steps: 'abc' }, /^steps: /],
      [{ strategy: 'canary', steps: [10, '50', 100] }, /^steps\.1: /],
      [{ strategy: 'canary', bakeTime: 5 }, /^bakeTime: /],
      [{ strategy: 'canary', steps: [10.5, 100] }, /^steps\.0: /],
      [{ strategy: 'canary', bakeTime: 'soon' }, /^bakeTime: expected a duration/],
      [{ deadline: '-1h' }, /^deadline: expected a duration/],
      [{ onBreach: 'ignore' }, /^onBreach: /],
      [{ guards: { maxErrorRate: 1.5 } }, /^guards\.maxErrorRate: /],
      [{ guards: { minRequests: 0 } }, /^guards\.minRequests: /],
      [{ guards: { maxP99Ms: -5 } }, /^guards\.maxP99Ms: /],
      [{ guards: { maxScorePsi: 0 } }, /^guards\.maxScorePsi: /],
    ];
    for (const [input, expected] of bad) {
      const issues = refusal(input);
      expect(issues.length, JSON.stringify(input)).toBeGreaterThan(0);
      expect(issues[0], JSON.stringify(input)).toMatch(expected);
    }
    expect(describeIssues(RolloutPlan.safeParse({ guards: { maxErrorRate: 2 } }).error!, 5)).toContain(
      'guards.maxErrorRate',
    );
  });
});

describe('resolvedSteps', () => {
  it('gives each strategy its default steps and bake time: blue/green swaps at once, the others bake 5 minutes', () => {
    expect(resolvedSteps(plan())).toEqual([{ index: 0, percent: 100, mode: 'split', bakeMs: 0 }]);
    expect(resolvedSteps(plan({ strategy: 'canary' })).map((s) => [s.percent, s.mode, s.bakeMs])).toEqual([
      [10, 'split', 300_000],
      [50, 'split', 300_000],
      [100, 'split', 300_000],
    ]);
    expect(resolvedSteps(plan({ strategy: 'linear' })).map((s) => s.percent)).toEqual([25, 50, 75, 100]);
    expect(resolvedSteps(plan({ strategy: 'shadow' }))).toEqual([
      { index: 0, percent: 100, mode: 'shadow', bakeMs: 300_000 },
    ]);
  });

  it("uses the plan's own steps and bake time, indexed from 0", () => {
    expect(resolvedSteps(plan({ strategy: 'canary', steps: [5, 100], bakeTime: '3s' }))).toEqual([
      { index: 0, percent: 5, mode: 'split', bakeMs: 3000 },
      { index: 1, percent: 100, mode: 'split', bakeMs: 3000 },
    ]);
    expect(resolvedSteps(plan({ strategy: 'blueGreen', bakeTime: '30s' }))).toEqual([
      { index: 0, percent: 100, mode: 'split', bakeMs: 30_000 },
    ]);
    expect(resolvedSteps(plan({ strategy: 'shadow', steps: [10, 50], bakeTime: '2m' })).map((s) => s.mode)).toEqual([
      'shadow',
      'shadow',
    ]);
  });
});

function version(v: number, requests: number, errors = 0, p99Ms: number | null = 10): VersionReading {
  return { version: v, requests, errors, errorRate: requests > 0 ? errors / requests : null, p99Ms };
}

function readings(over: Partial<GuardReadings> = {}): GuardReadings {
  const stable = version(1, 200);
  return {
    windowId: 'r-s0-1',
    readAt: '2026-12-02T20:00:00.000Z',
    candidate: version(2, 100),
    stable,
    baseline: stable,
    p99Ratio: 1,
    scorePsi: 0.01,
    ...over,
  };
}

const outcomes = (v: ReturnType<typeof judgeStep>) => Object.fromEntries(v.checks.map((c) => [c.guard, c.outcome]));

describe('judgeStep', () => {
  const all = RolloutGuards.parse({ maxErrorRate: 0.02, maxP99Ms: 50, maxP99Ratio: 1.5, maxScorePsi: 0.2 });

  it('passes when every guard passes, and lists one check per configured guard', () => {
    const verdict = judgeStep(all, readings());
    expect(verdict.verdict).toBe('pass');
    expect(outcomes(verdict)).toEqual({
      minRequests: 'pass',
      maxErrorRate: 'pass',
      maxP99Ms: 'pass',
      maxP99Ratio: 'pass',
      maxScorePsi: 'pass',
    });
    expect(judgeStep(RolloutGuards.parse({}), readings()).checks.map((c) => c.guard)).toEqual([
      'minRequests',
      'maxErrorRate',
    ]);
  });

  it('holds with too few requests, whatever else was read: no data is never a pass', () => {
    const verdict = judgeStep(all, readings({ candidate: version(2, 19, 0, 1) }));
    expect(verdict.verdict).toBe('hold');
    expect(verdict.checks[0]).toEqual({
      guard: 'minRequests',
      limit: 20,
      value: 19,
      outcome: 'hold',
      message: 'only 19 of the 20 requests a step needs: holding',
    });
    expect(judgeStep(all, readings({ candidate: version(2, 0, 0, null) })).verdict).toBe('hold');
  });

  it('holds rather than breaches a latency or PSI over its limit on too few requests', () => {
    const few = readings({ candidate: version(2, 5, 0, 500), p99Ratio: 50, scorePsi: 3 });
    const verdict = judgeStep(all, few);
    expect(verdict.verdict).toBe('hold');
    expect(outcomes(verdict)).toMatchObject({ maxP99Ms: 'hold', maxP99Ratio: 'hold', maxScorePsi: 'hold' });
  });

  it('breaches on errors before the minimum when they alone exceed what the whole minimum would allow', () => {
    // 2 % of the 20-request minimum allows 0.4 errors: 1 error in 3 requests already breaches.
    expect(judgeStep(all, readings({ candidate: version(2, 3, 1) })).verdict).toBe('breach');
    // With a 10 % limit the minimum allows 2 errors: 2 errors in 5 requests hold, 3 breach.
    const loose = RolloutGuards.parse({ maxErrorRate: 0.1 });
    expect(judgeStep(loose, readings({ candidate: version(2, 5, 2) })).verdict).toBe('hold');
    expect(judgeStep(loose, readings({ candidate: version(2, 5, 3) })).verdict).toBe('breach');
  });

  it('breaches each guard over its limit, naming it, and a breach outranks a hold', () => {
    const cases: [Partial<GuardReadings>, string][] = [
      [{ candidate: version(2, 100, 3) }, 'maxErrorRate'],
      [{ candidate: version(2, 100, 0, 51) }, 'maxP99Ms'],
      [{ p99Ratio: 1.51 }, 'maxP99Ratio'],
      [{ scorePsi: 0.25 }, 'maxScorePsi'],
    ];
    for (const [over, guard] of cases) {
      const verdict = judgeStep(all, readings(over));
      expect(verdict.verdict, guard).toBe('breach');
      expect(verdict.checks.filter((c) => c.outcome === 'breach').map((c) => c.guard)).toEqual([guard]);
    }
    const mixed = judgeStep(all, readings({ candidate: version(2, 100, 10), scorePsi: null }));
    expect(mixed.verdict).toBe('breach');
    expect(outcomes(mixed)).toMatchObject({ maxErrorRate: 'breach', maxScorePsi: 'hold' });
  });

  it('passes a reading exactly at its limit', () => {
    const atLimit = readings({ candidate: version(2, 100, 2, 50), p99Ratio: 1.5, scorePsi: 0.2 });
    expect(judgeStep(all, atLimit).verdict).toBe('pass');
  });

  it('holds a relative guard without a figure to compare (no stable baseline yet)', () => {
    const verdict = judgeStep(all, readings({ stable: null, baseline: null, p99Ratio: null, scorePsi: null }));
    expect(verdict.verdict).toBe('hold');
    const ratio = verdict.checks.find((c) => c.guard === 'maxP99Ratio');
    expect(ratio).toEqual({
      guard: 'maxP99Ratio',
      limit: 1.5,
      value: null,
      outcome: 'hold',
      message: 'no p99 against stable to compare yet: holding',
    });
    // Without the relative guards configured, the same readings pass.
    expect(judgeStep(RolloutGuards.parse({ maxErrorRate: 0.02 }), readings({ baseline: null })).verdict).toBe('pass');
  });

  it('holds an absolute latency guard when the candidate has no p99', () => {
    const verdict = judgeStep(all, readings({ candidate: version(2, 100, 0, null) }));
    expect(outcomes(verdict).maxP99Ms).toBe('hold');
    expect(verdict.verdict).toBe('hold');
  });
});
