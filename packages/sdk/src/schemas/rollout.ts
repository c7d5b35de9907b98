/**
 * Rollout plans, the readings a rollout step takes, and the judgement of a step against its guards — pure, so the
 * rollout saga applies it in workflow code and tests call it directly.
 *
 * No data is never a pass: a step whose candidate served fewer than `minRequests` requests holds (and a hold past
 * the deadline aborts the rollout); a relative guard (p99 against stable, score PSI against stable) with no stable
 * reading to compare with holds too.
 */
import { z } from 'zod';
import { durationMs } from '../duration.js';
import { DurationString } from './approval.js';
import { type TrafficMode } from './serving.js';

/**
 * `canary`: a few steps of growing traffic (default 10 → 50 → 100); `linear`: even steps (default 25 → 50 → 75 →
 * 100); `blueGreen`: all traffic at once, the old version kept warm for the bake time (default: no bake, today's
 * one-step swap); `shadow`: the candidate scores copies of the traffic and never answers (default 100 % mirrored),
 * then takes over in one step once every shadow step passed.
 */
export const RolloutStrategy = z.enum(['canary', 'linear', 'blueGreen', 'shadow']);
/** A rollout strategy. */
export type RolloutStrategy = z.infer<typeof RolloutStrategy>;

/** The default traffic steps (percent) of each strategy. */
export const DEFAULT_ROLLOUT_STEPS: Readonly<Record<RolloutStrategy, readonly number[]>> = {
  canary: [10, 50, 100],
  linear: [25, 50, 75, 100],
  blueGreen: [100],
  shadow: [100],
};

/**
 * Guards each step's readings are held to. Absolute guards read the candidate alone; relative guards compare it
 * with stable over the same window (or, at a step where stable served too little, the last stable reading of the
 * rollout).
 */
export const RolloutGuards = z
  .object({
    /** Largest share of the candidate's requests that may fail (a 500). Default 0.01. */
    maxErrorRate: z.number().min(0).max(1).default(0.01),
    /** Largest p99 latency of the candidate, in milliseconds. */
    maxP99Ms: z.number().positive().optional(),
    /** Largest candidate p99 as a multiple of stable's p99 (e.g. 1.5). */
    maxP99Ratio: z.number().positive().optional(),
    /** Largest PSI of the candidate's score distribution against stable's (e.g. 0.2). */
    maxScorePsi: z.number().positive().optional(),
    /** Fewest candidate requests a step must see to be judged; fewer holds. Default 20. */
    minRequests: z.number().int().min(1).default(20),
  })
  .strict();
/** Guards a step is held to. */
export type RolloutGuards = z.infer<typeof RolloutGuards>;

/** A rollout plan's fields (unknown ones refused: a misspelt field must not fall back to a default). */
const RolloutPlanShape = z
  .object({
    strategy: RolloutStrategy.default('blueGreen'),
    steps: z.array(z.number().int().min(1).max(100)).min(1).max(20).optional(),
    bakeTime: DurationString.optional(),
    guards: RolloutGuards.default({ maxErrorRate: 0.01, minRequests: 20 }),
    onBreach: z.enum(['rollback', 'pause']).default('rollback'),
    deadline: DurationString.default('24h'),
    drain: DurationString.default('0s'),
  })
  .strict();

/**
 * A rollout plan (JSON-friendly). `steps` are the candidate's traffic percent at each step (for `shadow`, the
 * share of requests copied to it), strictly increasing; every strategy but `shadow` ends at 100. After each step's
 * `bakeTime` the guards are read; a step with `bakeTime` `0s` reads none (the default blue/green swap). A breach
 * rolls back (or, with `onBreach: 'pause'`, holds the split and waits for an operator); `deadline` bounds the whole
 * rollout (a hold past it aborts); `drain` is how long the old version stays on record as live before it is
 * retired after a success.
 *
 * Refused: steps that do not increase, a non-shadow plan that does not end at 100, a blue/green plan of more than
 * one step, a bake time of 0 for any strategy but blue/green (a step that bakes 0 reads no guard), and a deadline
 * shorter than the steps' bake times.
 */
export const RolloutPlan = RolloutPlanShape.superRefine((plan, ctx) => {
  // zod runs this refinement even when a field failed: a bad strategy or steps field already has its issue.
  if (!RolloutStrategy.safeParse(plan.strategy).success) return;
  if (plan.steps !== undefined && !Array.isArray(plan.steps)) return;
  const steps = plan.steps ?? DEFAULT_ROLLOUT_STEPS[plan.strategy];
  steps.forEach((step, i) => {
    if (i > 0 && step <= (steps[i - 1] as number)) {
      ctx.addIssue({
        code: 'custom',
        path: ['steps', i],
        message: `steps must increase: ${step} follows ${steps[i - 1]}`,
      });
    }
  });
  if (plan.strategy !== 'shadow' && steps.at(-1) !== 100) {
    ctx.addIssue({
      code: 'custom',
      path: ['steps'],
      message: `a ${plan.strategy} rollout must end at 100 (got ${steps.at(-1)})`,
    });
  }
  if (plan.strategy === 'blueGreen' && steps.length !== 1) {
    ctx.addIssue({ code: 'custom', path: ['steps'], message: 'a blueGreen rollout has one step: [100]' });
  }
  checkTiming(plan, steps.length, ctx);
});

/**
 * A step that bakes 0 reads no guard: only the one-step blue/green swap may skip them (today's deploy). And a
 * deadline shorter than the steps' bake times could never let the rollout finish.
 */
function checkTiming(plan: z.output<typeof RolloutPlanShape>, steps: number, ctx: z.RefinementCtx): void {
  const bake = plan.bakeTime ?? defaultBakeTime(plan.strategy);
  // A malformed duration already has its issue; zod runs this refinement anyway.
  if (!DurationString.safeParse(bake).success || !DurationString.safeParse(plan.deadline).success) return;
  const bakeMs = durationMs(bake);
  if (bakeMs === 0 && plan.strategy !== 'blueGreen') {
    ctx.addIssue({
      code: 'custom',
      path: ['bakeTime'],
      message: `a ${plan.strategy} rollout needs a bake time above 0: a step that bakes 0 reads no guard`,
    });
  }
  const deadlineMs = durationMs(plan.deadline);
  if (deadlineMs < bakeMs * steps) {
    ctx.addIssue({
      code: 'custom',
      path: ['deadline'],
      message: `deadline ${plan.deadline} is shorter than the ${steps} steps' bake time (${steps} × ${bake}): the rollout could never finish`,
    });
  }
}

function defaultBakeTime(strategy: RolloutStrategy): string {
  return strategy === 'blueGreen' ? '0s' : '5m';
}
/** A rollout plan as parsed (defaults applied, `steps` and `bakeTime` still optional: see {@link resolvedSteps}). */
export type RolloutPlan = z.infer<typeof RolloutPlan>;
/** A rollout plan as a caller writes it. */
export type RolloutPlanInput = z.input<typeof RolloutPlan>;

/** One step of a plan as the saga runs it. */
export interface RolloutStepPlan {
  /** 0-based. */
  index: number;
  /** The candidate's share in percent. */
  percent: number;
  mode: TrafficMode;
  /** Milliseconds to bake before the guards are read; 0 reads no guards. */
  bakeMs: number;
}

/** The steps a plan runs: its own or its strategy's defaults, with the bake time (default 0 for blue/green, else 5m). */
export function resolvedSteps(plan: RolloutPlan): RolloutStepPlan[] {
  const steps = plan.steps ?? DEFAULT_ROLLOUT_STEPS[plan.strategy];
  const bakeMs = durationMs(plan.bakeTime ?? defaultBakeTime(plan.strategy));
  const mode: TrafficMode = plan.strategy === 'shadow' ? 'shadow' : 'split';
  return steps.map((percent, index) => ({ index, percent, mode, bakeMs }));
}

/** What the guards read of one version over a window. */
export const VersionReading = z.object({
  version: z.number().int().positive(),
  requests: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  /** errors / requests; null without requests. */
  errorRate: z.number().min(0).max(1).nullable(),
  p99Ms: z.number().nonnegative().nullable(),
});
/** What the guards read of one version. */
export type VersionReading = z.infer<typeof VersionReading>;

/**
 * A step's readings: the candidate's, stable's in the same window (null when stable served nothing in it), the
 * stable reading the relative guards compare with (`baseline`: this window's when stable served at least
 * `minRequests`, else the last such reading of the rollout, else null), and the relative figures.
 */
export const GuardReadings = z.object({
  windowId: z.string(),
  readAt: z.string(),
  candidate: VersionReading,
  stable: VersionReading.nullable(),
  baseline: VersionReading.nullable(),
  /** candidate p99 / baseline p99; null when either is missing. */
  p99Ratio: z.number().nonnegative().nullable(),
  /** PSI of the candidate's scores against the baseline's; null when either has too few scores. */
  scorePsi: z.number().nonnegative().nullable(),
});
/** A step's readings. */
export type GuardReadings = z.infer<typeof GuardReadings>;

/** The guards by name. */
export const GuardName = z.enum(['minRequests', 'maxErrorRate', 'maxP99Ms', 'maxP99Ratio', 'maxScorePsi']);
/** A guard's name. */
export type GuardName = z.infer<typeof GuardName>;

/** One guard held to one reading. */
export const GuardCheck = z.object({
  guard: GuardName,
  limit: z.number(),
  /** The reading; null when there was none to compare (the check holds). */
  value: z.number().nullable(),
  outcome: z.enum(['pass', 'hold', 'breach']),
  message: z.string(),
});
/** One guard held to one reading. */
export type GuardCheck = z.infer<typeof GuardCheck>;

/** A step's verdict: `breach` when any guard breached, else `hold` when any held, else `pass`. */
export const StepVerdict = z.object({
  verdict: z.enum(['pass', 'hold', 'breach']),
  checks: z.array(GuardCheck),
});
/** A step's verdict. */
export type StepVerdict = z.infer<typeof StepVerdict>;

/**
 * Holds a step's readings to the guards. Too few candidate requests holds, whatever else was read (errors on
 * fewer requests than `minRequests` are still a breach when they alone exceed the error rate the whole minimum
 * would allow). A configured relative guard without a figure to compare holds.
 */
export function judgeStep(guards: RolloutGuards, readings: GuardReadings): StepVerdict {
  const c = readings.candidate;
  const checks: GuardCheck[] = [];
  const enough = c.requests >= guards.minRequests;
  checks.push({
    guard: 'minRequests',
    limit: guards.minRequests,
    value: c.requests,
    outcome: enough ? 'pass' : 'hold',
    message: enough
      ? `${c.requests} requests (at least ${guards.minRequests})`
      : `only ${c.requests} of the ${guards.minRequests} requests a step needs: holding`,
  });
  const errorsAllowed = guards.maxErrorRate * Math.max(c.requests, guards.minRequests);
  const errorBreach = c.errors > errorsAllowed;
  checks.push({
    guard: 'maxErrorRate',
    limit: guards.maxErrorRate,
    value: c.errorRate,
    outcome: errorBreach ? 'breach' : enough ? 'pass' : 'hold',
    message: `${c.errors} errors in ${c.requests} requests (${pct(c.errorRate)}; at most ${pct(guards.maxErrorRate)})`,
  });
  if (guards.maxP99Ms !== undefined) checks.push(upperBound('maxP99Ms', guards.maxP99Ms, c.p99Ms, enough, 'p99 ms'));
  if (guards.maxP99Ratio !== undefined) {
    checks.push(upperBound('maxP99Ratio', guards.maxP99Ratio, readings.p99Ratio, enough, 'p99 against stable'));
  }
  if (guards.maxScorePsi !== undefined) {
    checks.push(upperBound('maxScorePsi', guards.maxScorePsi, readings.scorePsi, enough, 'score PSI against stable'));
  }
  const verdict = checks.some((k) => k.outcome === 'breach')
    ? 'breach'
    : checks.some((k) => k.outcome === 'hold')
      ? 'hold'
      : 'pass';
  return { verdict, checks };
}

function upperBound(guard: GuardName, limit: number, value: number | null, enough: boolean, what: string): GuardCheck {
  if (value === null) {
    return { guard, limit, value, outcome: 'hold', message: `no ${what} to compare yet: holding` };
  }
  const over = value > limit;
  return {
    guard,
    limit,
    value,
    outcome: over && enough ? 'breach' : over || !enough ? 'hold' : 'pass',
    message: `${what} ${round(value)} (at most ${limit})`,
  };
}

function pct(rate: number | null): string {
  return rate === null ? 'no requests' : `${round(rate * 100)} %`;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * The id of a model's rollout workflow, `rollout:<model>`: one rollout per model at a time. The rollout steps that
 * act on an approval accept there the approval the promotion recorded (its proof names the promotion's workflow).
 */
export function rolloutWorkflowId(model: string): string {
  return `rollout:${model}`;
}
