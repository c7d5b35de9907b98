/**
 * Pure helpers of the rollout saga: the ids of its measurement windows and one-line accounts of its readings.
 */
import type { GuardReadings, StepVerdict } from '../../schemas/rollout.js';

const WINDOW_ID_MAX = 200;

/**
 * The id of a step's measurement window: `<workflowId>-<runId>-s<step>-<attempt>` (step 0-based; a new attempt
 * after the target lost the window or a paused breach was resumed), so no two rollouts of a model — which share
 * the workflow id `rollout:<model>` — and no two windows of one rollout share an id. Characters a window id may
 * not hold become `_`; an id too long keeps its end (the run id and step, which make it unique).
 */
export function rolloutWindowId(run: { workflowId: string; runId: string }, step: number, attempt: number): string {
  const id = `${run.workflowId}-${run.runId}-s${step}-${attempt}`.replace(/[^A-Za-z0-9._:-]/g, '_');
  return id.length <= WINDOW_ID_MAX ? id : id.slice(id.length - WINDOW_ID_MAX);
}

/** The guards that decided a verdict: those that breached, else those that held, else all of them. */
export function describeVerdict(verdict: StepVerdict): string {
  const deciding = verdict.checks.filter((c) => c.outcome === verdict.verdict);
  return (deciding.length > 0 ? deciding : verdict.checks).map((c) => `${c.guard}: ${c.message}`).join('; ');
}

/** The candidate's (and stable's) requests, errors and p99 in a window, in one line. */
export function describeReadings(readings: GuardReadings): string {
  const side = (name: string, r: GuardReadings['candidate'] | null) =>
    r === null
      ? `${name}: no requests`
      : `${name} v${r.version}: ${r.requests} requests, ${r.errors} errors${r.p99Ms === null ? '' : `, p99 ${round(r.p99Ms)} ms`}`;
  return `${side('candidate', readings.candidate)}; ${side('stable', readings.stable)}`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
