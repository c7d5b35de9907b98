/**
 * The demo's retrain, started by the guardian (`guardian.ts`): approved by the second approver, then rolled out as a
 * canary (`rollout.json`: 10 → 50 → 100 with a few seconds' bake per step) while customers are served; each step's
 * split and readings printed as the rollout judges it; then the alias moved once (the audit log says so), the
 * registry and the server agreeing, and the replaced version retired after the drain.
 */
import { createModelServerClient, readAuditEntries, type ModelRegistry, type TypedRow } from '@slipway/activities';
import { trainAndPromote, type RolloutState } from '@slipway/sdk';
import type { SlipwayClient } from '@slipway/sdk/client';
import { printEvidence, printRolloutStep, printStep } from './demo-output.js';
import { sendTrafficUntil, type TrafficTally } from './traffic.js';

/** What the retrain needs: the client, the model server, the registry and audit log the worker writes, the rows. */
export interface CanaryContext {
  client: SlipwayClient;
  model: string;
  serverUrl: string;
  registry: ModelRegistry;
  auditLogPath: string;
  rows: readonly TypedRow[];
  approver: string;
}

/** What the canary did, for the demo's summary. */
export interface CanarySummary {
  version: number;
  steps: { percent: number; verdict: string; candidateRequests: number | null }[];
  traffic: { sent: number; failed: number; byVersion: Record<string, number> };
  aliasMoves: number;
  agreement: { registry: number | null; server: number | null };
  retired: { version: number; deploymentId: string } | null;
}

/**
 * Follows the retrain run `runId` (a `trainAndPromote` with a rollout plan) to its gate, approves it as `approver`,
 * sends traffic while it rolls out, prints each step, and checks the end: the alias moved once, the registry names
 * what the server serves, the replaced version retired. Throws when the rollout did not promote or the end does
 * not hold.
 */
export async function rollOutRetrain(ctx: CanaryContext, runId: string): Promise<CanarySummary> {
  const { client, model } = ctx;
  const movesBefore = await aliasMoves(ctx.auditLogPath, model);
  console.log(`  run ${runId}`);
  const atGate = await client.follow(runId, { until: 'gate', onStep: (step, p) => printStep(step, p.gate) });
  const gate = atGate.progress?.gate;
  if (gate?.status !== 'pending') throw new Error(`the retrain ended before its gate opened: ${atGate.status}`);
  printEvidence(gate);
  console.log(`  ${ctx.approver} approves v${gate.version}: it rolls out while customers are served`);
  await client.approve(runId, {
    as: ctx.approver,
    comment: 'retrained on fresh data after drift: roll it out as a canary',
  });
  const done = client.follow(runId, { until: 'end', seen: atGate.seen, onStep: (step, p) => printStep(step, p.gate) });
  const [traffic] = await Promise.all([
    sendTrafficUntil(ctx.serverUrl, model, ctx.rows, done),
    watchRollout(client, model, done),
    done,
  ]);
  const result = await client.result(runId, trainAndPromote);
  const rollout = result.rollout;
  if (result.status !== 'deployed' || !rollout) {
    throw new Error(
      `v${result.version.version} was not rolled out: ${result.status} (${rollout?.reason ?? 'no rollout'})`,
    );
  }
  const summary: CanarySummary = {
    version: result.version.version,
    steps: rollout.records.map((r) => ({
      percent: r.percent,
      verdict: r.verdict,
      candidateRequests: r.readings?.candidate.requests ?? null,
    })),
    traffic: tallied(traffic),
    aliasMoves: (await aliasMoves(ctx.auditLogPath, model)) - movesBefore,
    agreement: await agreement(ctx, model),
    retired: rollout.retirement?.retired ?? null,
  };
  await printEnd(ctx, model, summary, rollout.previousVersion);
  return summary;
}

/** Prints each step's reading as the rollout records it, and its phase as it changes, until `done` settles. */
async function watchRollout(client: SlipwayClient, model: string, done: Promise<unknown>): Promise<void> {
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  // A window read again (a hold that later passed) replaces its record: print each record whenever it changes.
  const printed = new Map<string, string>();
  let phase: RolloutState['phase'] | undefined;
  const show = (state: RolloutState) => {
    for (const r of state.records) {
      const version = `${r.at} ${r.verdict} ${r.readings?.candidate.requests ?? '-'}`;
      if (printed.get(r.windowId) === version) continue;
      printed.set(r.windowId, version);
      printRolloutStep(r, state.steps.length);
    }
    if (state.phase !== phase && ['promoting', 'draining', 'promoted', 'rolled_back', 'paused'].includes(state.phase)) {
      console.log(`  rollout ${state.phase.replace('_', ' ')}${state.pausedBy ? `: ${state.pausedBy}` : ''}`);
    }
    phase = state.phase;
  };
  while (!finished) {
    // Until the pipeline starts its rollout there is none to read.
    const state = await client.rolloutStatus(model).catch(() => undefined);
    if (state) show(state);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const last = await client.rolloutStatus(model).catch(() => undefined);
  if (last) show(last);
}

/** How often the audit log records the `champion` alias of `model` moving. */
async function aliasMoves(path: string, model: string): Promise<number> {
  const entries = await readAuditEntries(path);
  return entries.filter((e) => e.kind === 'alias' && e.model === model && e.data['alias'] === 'champion').length;
}

/** The version the registry's `champion` names and the one the model server serves as stable. */
async function agreement(ctx: CanaryContext, model: string): Promise<CanarySummary['agreement']> {
  const champion = await ctx.registry.resolve(model, 'champion');
  const served = await createModelServerClient(ctx.serverUrl).status(model);
  return { registry: champion?.version ?? null, server: served.stable?.version ?? null };
}

function tallied(t: TrafficTally): CanarySummary['traffic'] {
  return { sent: t.sent, failed: t.failed, byVersion: Object.fromEntries([...t.byVersion].map(([v, n]) => [v, n])) };
}

/** Prints how the rollout ended and refuses an end that does not hold. */
async function printEnd(ctx: CanaryContext, model: string, s: CanarySummary, previous: number | null): Promise<void> {
  const answered = Object.entries(s.traffic.byVersion).map(([v, n]) => `v${v} ${n}`);
  console.log(`  traffic: ${s.traffic.sent} requests, ${s.traffic.failed} failed; answered by ${answered.join(', ')}`);
  console.log(`  alias champion: v${previous ?? '—'} → v${s.version}, moved ${s.aliasMoves} time(s) (audit log)`);
  const { registry, server } = s.agreement;
  console.log(`  registry champion v${registry ?? '—'}, model server stable v${server ?? '—'}`);
  const record = s.retired && (await ctx.registry.getVersion(model, s.retired.version))?.deployments.at(-1);
  console.log(`  ${record ? `v${s.retired?.version} ${record.status}: ${record.detail ?? ''}` : 'nothing retired'}`);
  if (s.aliasMoves !== 1)
    throw new Error(`the champion alias moved ${s.aliasMoves} times during the rollout, not once`);
  if (registry !== server || registry !== s.version) {
    throw new Error(`the registry names v${registry ?? '—'} but the model server serves v${server ?? '—'}`);
  }
  if (previous !== null && record?.status !== 'retired')
    throw new Error(`v${previous} was not retired after the drain`);
}
