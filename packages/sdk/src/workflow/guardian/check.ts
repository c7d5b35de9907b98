/**
 * One guardian check and what follows from it: the check over a window (`check-<n>`), its summary in the state,
 * the decision (pure, `decideAfterCheck`) with its reason in the state and the audit log, the drift notification,
 * and the retrain when the decision calls for one.
 */
import { decideAfterCheck } from '../../guardian/decide.js';
import { keepLast } from '../../guardian/state.js';
import type { GuardCheckResult } from '../../schemas/guard.js';
import type { GuardianCheckSummary } from '../../schemas/guardian.js';
import { notifySafely, recordDecision, type GuardianContext } from './context.js';
import { retrainStarted, startRetrain } from './retrain.js';

/** A window to check: rows with `from < ts ≤ to`. */
export interface GuardWindow {
  from?: string | undefined;
  to: string;
}

/** The id of the guardian's `n`th check, e.g. `guardian:churn/check-17`. */
export function guardCheckId(workflowId: string, n: number): string {
  return `${workflowId}/check-${n}`;
}

/**
 * Runs the next check over `window` and acts on it. A live check moves the window on (the next one starts where it
 * ended, with the source's cursor); a check that fails after its retries is recorded and its window checked again
 * at the next tick. A backfill check neither moves the live window nor counts.
 */
export async function runCheck(ctx: GuardianContext, window: GuardWindow, backfill: boolean): Promise<void> {
  const { carry } = ctx.controls;
  const n = carry.counters.checks + 1;
  const checkId = guardCheckId(ctx.workflowId, n);
  const cursor = !backfill && carry.cursor !== undefined ? { cursor: carry.cursor } : {};
  let result: GuardCheckResult;
  try {
    result = await ctx.steps.guardCheck({
      checkId,
      model: ctx.input.model,
      alias: ctx.input.alias,
      source: ctx.input.source,
      window: { ...(window.from === undefined ? {} : { from: window.from }), to: window.to, ...cursor },
      policy: ctx.input.policy,
    });
  } catch (err) {
    carry.counters = { ...carry.counters, checks: n };
    const error = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
    keepLast(carry.recent, failedSummary(checkId, n, window, backfill, error));
    // A cursor can go stale (another version serves now): the next check reads from the window's start instead.
    const dropped = 'cursor' in cursor;
    if (dropped) delete carry.cursor;
    const next = dropped ? '; the next check reads the window from its start, without the cursor' : '';
    await recordDecision(ctx, { kind: 'check_failed', checkId, reason: `the check failed: ${error}${next}` });
    return;
  }
  carry.counters = { ...carry.counters, checks: n };
  if (!backfill) {
    carry.windowEnd = result.window.to;
    if (result.window.cursor === undefined) delete carry.cursor;
    else carry.cursor = result.window.cursor;
  }
  keepLast(carry.recent, summaryOf(result, n, backfill));
  await actOn(ctx, result, backfill);
}

async function actOn(ctx: GuardianContext, result: GuardCheckResult, backfill: boolean): Promise<void> {
  const { carry } = ctx.controls;
  const decision = decideAfterCheck(
    carry.counters,
    { ...result, backfill },
    {
      nowMs: Date.now(),
      limits: ctx.limits,
      running: carry.running !== null,
    },
  );
  carry.counters = decision.counters;
  const { checkId, version } = result;
  if (result.drifted && !backfill) {
    const share = `${result.driftedFeatures.length} feature(s) drifted (share ${result.driftShare.toFixed(2)} ≥ ${ctx.input.policy.driftShare})`;
    await notifySafely(ctx, checkId, {
      kind: 'drift_detected',
      version,
      summary: `${ctx.input.model} v${version}: ${share}; ${decision.reason}`,
      details: { checkId, report: result.report.uri, page: result.page.uri, driftShare: result.driftShare },
    });
  }
  let { kind, reason } = decision;
  const details: Record<string, string | number | boolean | null> = { report: result.report.digest };
  if (decision.retrain) {
    const started = await startRetrain(ctx, result);
    if ('running' in started) {
      await retrainStarted(ctx, started.running, result);
      details.retrain = started.running.workflowId;
      details.runId = started.running.runId;
    } else {
      kind = started.kind;
      reason = `${reason}, but ${started.refused}`;
    }
  }
  await recordDecision(ctx, { kind, checkId, reason, version, details });
}

function summaryOf(result: GuardCheckResult, n: number, backfill: boolean): GuardianCheckSummary {
  return {
    checkId: result.checkId,
    n,
    at: new Date().toISOString(),
    backfill,
    version: result.version,
    window: { ...(result.window.from === undefined ? {} : { from: result.window.from }), to: result.window.to },
    samples: result.samples,
    enoughSamples: result.enoughSamples,
    drifted: result.drifted,
    driftShare: result.driftShare,
    driftedFeatures: result.driftedFeatures,
    report: result.report,
    page: result.page,
  };
}

function failedSummary(
  checkId: string,
  n: number,
  window: GuardWindow,
  backfill: boolean,
  error: string,
): GuardianCheckSummary {
  return {
    checkId,
    n,
    at: new Date().toISOString(),
    backfill,
    version: null,
    window: { ...(window.from === undefined ? {} : { from: window.from }), to: window.to },
    samples: 0,
    enoughSamples: false,
    drifted: false,
    driftShare: 0,
    driftedFeatures: [],
    report: null,
    page: null,
    error,
  };
}
