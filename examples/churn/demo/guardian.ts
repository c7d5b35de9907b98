/**
 * The demo's guardian: `guardian:churn` checks what the champion served every few seconds while customers are
 * served; two drifted checks in a row start one retrain (`retrain:churn`) on the newest file under `data/recent/`,
 * pinned by digest, whose distribution checks compare it with the serving window that drifted. The demo prints each
 * check and decision as the guardian's status shows them, and hands the retrain to the canary (`canary.ts`).
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TypedRow } from '@slipway/activities';
import { churnInput, DATA_DIR, rolloutJson } from '@slipway/example-churn/input';
import type { GuardianStatus, ModelGuardianInputRaw } from '@slipway/sdk';
import type { SlipwayClient } from '@slipway/sdk/client';
import { sendTrafficUntil } from './traffic.js';

/** What the guardian needs: the client (its user starts the guardian), the model server, the serving rows. */
export interface GuardianDemoContext {
  client: SlipwayClient;
  serverUrl: string;
  rows: readonly TypedRow[];
  /** The retrain's approvers (they may also pause, resume and stop the guardian). */
  approvers: string[];
}

/** How often the demo's guardian checks, and how many drifted checks in a row start a retrain. */
const EVERY = '3s';
const CONSECUTIVE = 2;
/** The share of the six features that must drift for a check to call the data drifted (two of six). */
const DRIFT_SHARE = 0.3;

/** The guardian's input: the churn model's served rows, a retrain with the canary plan on the newest recent data. */
export function demoGuardianInput(ctx: GuardianDemoContext): ModelGuardianInputRaw {
  const {
    dataset: _dataset,
    startedBy: _startedBy,
    ...input
  } = churnInput({
    serverUrl: ctx.serverUrl,
    approvers: ctx.approvers,
    rollout: rolloutJson(),
  });
  return {
    model: input.modelName,
    every: EVERY,
    source: { kind: 'model-server', serverUrl: ctx.serverUrl },
    policy: { minSamples: 60, maxRows: 5000, driftShare: DRIFT_SHARE },
    hysteresis: { consecutive: CONSECUTIVE },
    cooldown: '1h',
    budget: { perWeek: 1 },
    retrain: {
      input,
      dataset: { newestUnder: `${pathToFileURL(join(DATA_DIR, 'recent')).href}/`, pattern: '*.csv', format: 'csv' },
    },
  };
}

/**
 * Starts the guardian and serves customers until it starts its retrain, printing each check and decision; returns
 * the retrain's run id. Throws when the guardian stops or makes 20 checks without retraining.
 */
export async function guardUntilRetrain(
  ctx: GuardianDemoContext,
  printer: (status: GuardianStatus) => void,
): Promise<{ model: string; retrainRunId: string }> {
  const input = demoGuardianInput(ctx);
  const { runId } = await ctx.client.guard.start(input);
  console.log(
    `  ${runId}: every ${EVERY}, retrain after ${CONSECUTIVE} drifted checks in a row (driftShare ${DRIFT_SHARE})`,
  );
  const started = waitForRetrain(ctx.client, input.model, printer);
  const [traffic, retrainRunId] = await Promise.all([
    sendTrafficUntil(ctx.serverUrl, input.model, ctx.rows, started),
    started,
  ]);
  console.log(`  served ${traffic.sent} more customers (${traffic.failed} failed) while the guardian watched`);
  return { model: input.model, retrainRunId };
}

/** Polls the guardian's status, printing what is new, until it records a running retrain. */
async function waitForRetrain(
  client: SlipwayClient,
  model: string,
  print: (status: GuardianStatus) => void,
): Promise<string> {
  for (;;) {
    const status = await client.guard.status(model).catch(() => undefined);
    if (status) {
      print(status);
      if (status.running) return status.running.workflowId;
      if (status.phase === 'stopped') throw new Error(`the guardian of ${model} stopped before it retrained`);
      if (status.counters.checks >= 20) throw new Error(`the guardian made 20 checks of ${model} without retraining`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** Prints the checks and decisions of a guardian's status that were not printed before. */
export function statusPrinter(): (status: GuardianStatus) => void {
  const printedChecks = new Set<string>();
  const printedDecisions = new Set<string>();
  return (status) => {
    for (const check of status.recent) {
      if (printedChecks.has(check.checkId)) continue;
      printedChecks.add(check.checkId);
      const verdict = !check.enoughSamples
        ? 'too few samples, no verdict'
        : `${check.driftedFeatures.length} features drifted (share ${check.driftShare.toFixed(2)})${check.drifted ? ': DRIFT' : ''}`;
      console.log(`  check ${check.n}: ${check.samples} served rows; ${verdict}`);
    }
    for (const decision of status.decisions) {
      const key = `${decision.at}|${decision.kind}|${decision.checkId}`;
      if (printedDecisions.has(key)) continue;
      printedDecisions.add(key);
      console.log(`    → ${decision.kind.replaceAll('_', ' ')}: ${decision.reason}`);
    }
  };
}

/** What the guardian did, for the demo's summary. */
export interface GuardianSummary {
  checks: number;
  decisions: string[];
  retrain: { workflowId: string; status: string; version: number | null } | null;
  stoppedBy: string | null;
}

/**
 * Waits (a bounded while) for the guardian to record how its retrain ended, prints what is new, stops the guardian
 * as `operator`, and summarises its story.
 */
export async function finishGuardian(
  client: SlipwayClient,
  model: string,
  operator: string,
  print: (status: GuardianStatus) => void,
): Promise<GuardianSummary> {
  let status = await client.guard.status(model);
  for (let i = 0; i < 100 && status.outcomes.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    status = await client.guard.status(model);
  }
  print(status);
  const stopped = await client.guard.stop(model, { as: operator, reason: 'demo over: the retrained model serves' });
  console.log(`  ${operator} stopped the guardian (${stopped.phase})`);
  const outcome = status.outcomes.at(-1);
  return {
    checks: status.counters.checks,
    decisions: status.decisions.map((d) => d.kind),
    retrain: outcome
      ? { workflowId: outcome.workflowId, status: outcome.status, version: outcome.version ?? null }
      : null,
    stoppedBy: operator,
  };
}
