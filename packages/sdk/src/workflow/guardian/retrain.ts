/**
 * The guardian's retrain: starting the one child `trainAndPromote` (`retrain:<model>`, parent close policy
 * `ABANDON`, so it outlives the guardian's continue-as-new), and finding out how it ended.
 *
 * How a later run finds the retrain again: by id. The guardian keeps `{ workflowId, runId }` in its carried state and,
 * at each tick, asks the `slipway.guard-retrain-status` step, which describes that run with the Temporal client the
 * worker gives its activities and reads its result once it ended. A child handle's result cannot be awaited across
 * continue-as-new (the new run is not the child's parent), and an external handle cannot await a result at all, so
 * the same poll serves every run. The outcome is known at the first tick after the retrain ends.
 */
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { countRetrain } from '../../guardian/decide.js';
import { keepLast } from '../../guardian/state.js';
import type { DatasetTemplate, GuardCheckResult, RetrainTrigger } from '../../schemas/guard.js';
import { retrainWorkflowId, type RunningRetrain } from '../../schemas/guardian.js';
import { trainAndPromote } from '../pipelines/train-and-promote.js';
import { notifySafely, recordDecision, type GuardianContext } from './context.js';

/** What starting a retrain gave: the running retrain, or why it could not start. */
export type RetrainStart =
  { running: RunningRetrain } | { refused: string; kind: 'retrain_refused' | 'skipped_running' };

/** The guardian's input without its start: what the starter signed. */
export function withoutStart(raw: Record<string, unknown>): Record<string, unknown> {
  const { start: _start, ...rest } = raw;
  return rest;
}

/**
 * Starts the retrain `check` calls for: resolves the dataset template (pinned by digest) when there is one, then
 * starts `trainAndPromote` as `retrain:<model>` with the configured input, the fresh dataset, the trigger (the
 * check's report, page and serving profile, and the guardian's signed start) and the guardian's verified starter.
 */
export async function startRetrain(ctx: GuardianContext, check: GuardCheckResult): Promise<RetrainStart> {
  if (check.servingProfile === null) {
    return {
      refused: 'the check stored no serving profile, the reference a retrain checks its data against',
      kind: 'retrain_refused',
    };
  }
  const configured = ctx.raw.retrain as { input: Record<string, unknown>; dataset?: DatasetTemplate };
  let dataset: Record<string, unknown> | undefined;
  if (configured.dataset !== undefined) {
    try {
      dataset = await ctx.steps.resolveDataset({ template: configured.dataset });
    } catch (err) {
      return { refused: `the dataset template did not resolve: ${messageOf(err)}`, kind: 'retrain_refused' };
    }
  }
  const trigger: RetrainTrigger = {
    guardian: ctx.workflowId,
    checkId: check.checkId,
    driftReport: check.report,
    driftPage: check.page,
    servingProfile: check.servingProfile,
    ...(typeof dataset?.digest === 'string' ? { datasetDigest: dataset.digest } : {}),
    guardianStart: {
      start: ctx.raw.start as NonNullable<RetrainTrigger['guardianStart']>['start'],
      input: withoutStart(ctx.raw),
    },
  };
  // What the guardian sets itself never comes from the configured input (its contract strips those fields).
  const { start: _s, startedBy: _b, retrain: _r, ...configuredInput } = configured.input;
  const input = {
    ...configuredInput,
    ...(dataset ? { dataset } : {}),
    retrain: trigger,
    startedBy: ctx.controls.carry.starter,
  };
  const workflowId = retrainWorkflowId(ctx.input.model);
  try {
    const child = await startChild(trainAndPromote, {
      workflowId,
      args: [input as Parameters<typeof trainAndPromote>[0]],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    const startedAt = new Date().toISOString();
    const running: RunningRetrain = { workflowId, runId: child.firstExecutionRunId, checkId: check.checkId, startedAt };
    if (trigger.datasetDigest !== undefined) running.datasetDigest = trigger.datasetDigest;
    return { running };
  } catch (err) {
    if (err instanceof Error && err.name === 'WorkflowExecutionAlreadyStartedError') {
      return {
        refused: `a retrain of ${ctx.input.model} is already running as ${workflowId}`,
        kind: 'skipped_running',
      };
    }
    return { refused: `the retrain did not start: ${messageOf(err)}`, kind: 'retrain_refused' };
  }
}

/** Counts a started retrain, and notifies. */
export async function retrainStarted(ctx: GuardianContext, running: RunningRetrain, check: GuardCheckResult) {
  const { carry } = ctx.controls;
  carry.running = running;
  carry.counters = countRetrain(carry.counters, Date.parse(running.startedAt));
  await notifySafely(ctx, check.checkId, {
    kind: 'retrain_started',
    version: check.version,
    summary: `${ctx.input.model}: drift in ${ctx.limits.consecutive} checks in a row; retraining as ${running.workflowId}`,
    details: {
      retrain: running.workflowId,
      runId: running.runId,
      ...(running.datasetDigest ? { datasetDigest: running.datasetDigest } : {}),
    },
  });
}

/**
 * Asks how the running retrain is doing; when it ended, records its outcome (state, audit log) and notifies a
 * finished or rolled-back rollout.
 */
export async function watchRetrain(ctx: GuardianContext): Promise<void> {
  const { carry } = ctx.controls;
  const running = carry.running;
  if (running === null) return;
  const seen = await ctx.steps.retrainStatus({ workflowId: running.workflowId, runId: running.runId });
  if (seen.state === 'running') return;
  const outcome = {
    ...running,
    endedAt: new Date().toISOString(),
    status: seen.outcome ?? 'failed',
    ...(seen.version === undefined ? {} : { version: seen.version }),
    ...(seen.detail === undefined
      ? seen.state === 'not_found'
        ? { detail: 'the run is no longer in Temporal' }
        : {}
      : { detail: seen.detail }),
  };
  carry.running = null;
  keepLast(carry.outcomes, outcome);
  // Another version serves now: the source's cursor belonged to the one before.
  if (outcome.status === 'deployed' || outcome.status === 'rolled_back') delete carry.cursor;
  const version = outcome.version === undefined ? '' : ` v${outcome.version}`;
  await recordDecision(ctx, {
    kind: 'retrain_finished',
    checkId: running.checkId,
    reason: `the retrain ${running.workflowId}${version} ended ${outcome.status.replace('_', ' ')}${outcome.detail ? `: ${outcome.detail}` : ''}`,
    version: outcome.version,
    details: { retrain: running.workflowId, runId: running.runId, outcome: outcome.status },
  });
  if (outcome.status === 'deployed' || outcome.status === 'rolled_back') {
    await notifySafely(ctx, running.checkId, {
      kind: outcome.status === 'deployed' ? 'rollout_finished' : 'rollout_rolled_back',
      ...(outcome.version === undefined ? {} : { version: outcome.version }),
      summary: `${ctx.input.model}: the retrain${version} ${outcome.status === 'deployed' ? 'was rolled out' : 'was rolled back'}`,
      details: { retrain: running.workflowId, runId: running.runId },
    });
  }
}

function messageOf(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : err.message;
  }
  return String(err);
}
