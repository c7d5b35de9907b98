/**
 * `POST /v1/models/:name/predict`: routes the request by the model's split (see `routing.ts`), scores it with the
 * version it is routed to, counts the outcome in the open windows and the Prometheus counters under the version's
 * role, logs the rows as that version's served traffic, and answers naming the version. In shadow mode the
 * candidate scores a copy after the answer is produced: the copy is never awaited by the request, its failure
 * never fails it, and its rows are logged as shadow traffic.
 */
import type { FeatureRow, PredictAnswer } from '@slipway/sdk';
import type { Deployments, LiveDeployment } from './deployments.js';
import type { MetricsRole, ServerMetrics } from './metrics.js';
import { isServeError } from './protocol.js';
import { chooseRoute } from './routing.js';
import { predictAnswer, scoreAll } from './scoring.js';
import type { RequestHealth } from './request-health.js';
import type { ServedLog } from './served-log.js';
import { windowScore, type ScoringOutcome } from './window-reading.js';
import type { MeasurementWindows, ServingRole } from './windows.js';

/** The most shadow copies pending at once; more are dropped (and counted) rather than queued without bound. */
export const MAX_PENDING_SHADOW = 1000;

/** What the predict route needs. */
export interface PredictContext {
  deployments: Deployments;
  log: ServedLog;
  windows: MeasurementWindows;
  metrics: ServerMetrics;
  /** The requests each version answered (not shadow copies), for the guardian's serving health. */
  health: RequestHealth;
  shadow: ShadowQueue;
  /** Draws the random routes of requests without a route key: numbers in [0, 1). */
  random: () => number;
}

/** Shadow copies in flight. */
export interface ShadowQueue {
  /** Runs `task` after the current request's answer (not awaited by it); false when it was dropped. */
  run(task: () => Promise<void>): boolean;
  /** Resolves when every copy started before the call has been scored and counted (later ones are not waited for). */
  idle(): Promise<void>;
}

/** Creates a shadow queue holding at most `max` pending copies. */
export function createShadowQueue(max = MAX_PENDING_SHADOW): ShadowQueue {
  const pending = new Set<Promise<void>>();
  return {
    run(task) {
      if (pending.size >= max) return false;
      const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
        .then(task)
        .catch(() => undefined)
        .finally(() => pending.delete(done));
      pending.add(done);
      return true;
    },
    idle: async () => {
      await Promise.all([...pending]);
    },
  };
}

/** Answers a predict request for `model`; `routeKey` is the request's route key header, if any. */
export async function predictRoute(
  ctx: PredictContext,
  model: string,
  instances: FeatureRow[],
  routeKey: string | undefined,
): Promise<PredictAnswer> {
  const split = ctx.deployments.split(model);
  const candidate = split.candidate;
  const route = chooseRoute({ ...split, candidate: candidate?.entry.deploymentId }, routeKey, ctx.random);
  const target = route.answeredBy === 'candidate' && candidate ? candidate : ctx.deployments.live(model);
  const scored = await measured(ctx, model, route.answeredBy, target, instances, false);
  const answer = predictAnswer(model, target, scored);
  await ctx.log.append(
    model,
    target.entry.version,
    target.entry.deploymentId,
    scored.map(({ logged }) => logged),
  );
  if (route.shadowCopy && candidate) {
    const started = ctx.shadow.run(async () => {
      const copy = await measured(ctx, model, 'candidate', candidate, instances, true);
      const rows = copy.map(({ logged }) => logged);
      await ctx.log.append(model, candidate.entry.version, candidate.entry.deploymentId, rows, true);
    });
    if (!started) ctx.metrics.shadowDropped(model);
  }
  return answer;
}

/** Scores with `target`, counting the outcome (scored, failed, rejected) for its role; rethrows a failure. */
async function measured(
  ctx: PredictContext,
  model: string,
  role: ServingRole,
  target: LiveDeployment,
  instances: FeatureRow[],
  shadow: boolean,
): Promise<Awaited<ReturnType<typeof scoreAll>>> {
  const started = performance.now();
  const count = (outcome: ScoringOutcome) => {
    const served = { version: target.entry.version, deploymentId: target.entry.deploymentId };
    ctx.windows.record(model, role, served, outcome);
    const metricsRole: MetricsRole = shadow ? 'shadow' : role;
    ctx.metrics.observe({ model, version: target.entry.version, role: metricsRole }, outcome);
    if (!shadow) ctx.health.record(model, target.entry.version, outcome);
  };
  try {
    const scored = await scoreAll(target, instances);
    const ms = Math.max(0, performance.now() - started);
    const scores = scored.flatMap(({ prediction }) => windowScore(prediction) ?? []);
    count({ kind: 'scored', ms, rows: scored.length, scores });
    return scored;
  } catch (err) {
    const ms = Math.max(0, performance.now() - started);
    count(isServeError(err) && err.status === 400 ? { kind: 'rejected' } : { kind: 'failed', ms });
    throw err;
  }
}
