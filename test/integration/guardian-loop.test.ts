/**
 * The model guardian end to end, on a real Temporal dev server, worker, registry and model server, with the real
 * guard-check activity over the model server's served rows: training-like traffic is no drift; drifted traffic
 * (the churn example's `serving.csv`) counts, and after `consecutive` drifted checks exactly one retrain starts as
 * `retrain:<model>`; a drift while it runs starts nothing; once approved it deploys the new champion and the
 * guardian records the outcome; the cooldown then holds. The guardian continues as new every 3 checks without losing
 * its counters. Then a second guardian backfills the past window: one report per period. Traffic is sent while the
 * guardian is paused, so each batch lands in exactly one check's window.
 */
import type { ModelRegistry } from '@slipway/activities';
import { modelGuardian, type GuardianCheckSummary, type GuardianStatus } from '@slipway/sdk';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServingRows, sendTraffic } from '../../examples/churn/demo/traffic.js';
import { DATA_DIR, pipelineJson } from '../../examples/churn/src/input.js';
import { openConfiguredRegistry } from '../../packages/worker/src/config/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { runCli } from '../support/processes.js';
import { eventually, waitForGate } from '../support/waits.js';
import { deployFirstVersion, guardianInput } from './guardian/fixtures.js';
import { approveRetrain, decisionOf, guardianAudit, nextVerdict } from './guardian/verdicts.js';

const MODEL = 'guarded-churn';
let h: Harness;
let registry: ModelRegistry;
let clean: Awaited<ReturnType<typeof readServingRows>>;
let drifted: Awaited<ReturnType<typeof readServingRows>>;

async function rows(file: string) {
  const pipeline = pipelineJson();
  const columns = [...(pipeline.features.numeric ?? []), ...(pipeline.features.categorical ?? [])];
  return readServingRows(pathToFileURL(join(DATA_DIR, file)).href, pipeline.expectations.schema, columns);
}

beforeAll(async () => {
  h = await startHarness({ name: 'guardian-loop' });
  registry = openConfiguredRegistry(h.config);
  clean = (await rows('churn.csv')).slice(0, 300);
  drifted = await rows('serving.csv');
  await deployFirstVersion(h, MODEL);
}, 300_000);
afterAll(async () => {
  await registry?.close();
  await h?.stop();
});

function status(): Promise<GuardianStatus> {
  return h.client.guard.status(MODEL);
}

/** Sends `batch` while the guardian is paused, so the next check after the resume reads all of it. */
async function sendBetweenChecks(batch: typeof clean): Promise<number> {
  const paused = await h.client.guard.pause(MODEL, { as: 'maria', reason: 'sending a batch' });
  await sendTraffic(h.modelServer.url, MODEL, batch);
  await h.client.guard.resume(MODEL, { as: 'lee', reason: 'batch sent' });
  return paused.counters.checks;
}

const nextVerdictAfter = (after: number) => nextVerdict(h, MODEL, after);

describe('the model guardian', () => {
  it('retrains once after consecutive drift, through the gate, and records the whole story', async () => {
    const input = guardianInput(MODEL, h.modelServer.url, {
      every: '2s',
      policy: { minSamples: 50, driftShare: 0.3 },
      hysteresis: { consecutive: 2 },
      cooldown: '1h',
      ticksPerRun: 3,
    });
    await h.client.guard.start(input);
    await eventually('the guardian watching', async () => ((await status()).operators ? true : undefined));

    // Training-like traffic: no drift.
    const calm = await nextVerdictAfter(await sendBetweenChecks(clean));
    expect(calm.check).toMatchObject({ drifted: false, version: 1 });
    expect(calm.check.samples).toBe(clean.length);
    expect(decisionOf(calm.status, calm.check)?.kind).toBe('no_drift');

    // Drift once: counted, nothing started. Empty checks in between make no verdict and keep the count.
    const first = await nextVerdictAfter(await sendBetweenChecks(drifted));
    expect(first.check).toMatchObject({ drifted: true, samples: drifted.length });
    expect(first.check.driftedFeatures).toEqual(expect.arrayContaining(['tenure_months', 'support_calls']));
    expect(decisionOf(first.status, first.check)).toMatchObject({
      kind: 'drift_counted',
      reason: 'drift: 1 of 2 drifted checks in a row',
    });
    expect(first.status.running).toBeNull();

    // Drift again: the retrain starts, exactly one.
    const second = await nextVerdictAfter(await sendBetweenChecks(drifted));
    expect(decisionOf(second.status, second.check)?.kind).toBe('retrain_started');
    const running = second.status.running;
    expect(running).toMatchObject({ workflowId: `retrain:${MODEL}`, checkId: second.check.checkId });
    const between = second.status.decisions.filter((d) => d.kind === 'no_verdict');
    for (const d of between) expect(d.reason).toBe('too few samples for a verdict: the count stays at 1 of 2');

    // While it waits at its gate, a second drift starts nothing.
    const gate = await waitForGate(h.client, `retrain:${MODEL}`);
    expect(gate.evidence.candidate.version).toBe(2);
    let after = await sendBetweenChecks(drifted);
    after = (await nextVerdictAfter(after)).check.n;
    const busy = await nextVerdictAfter(await sendBetweenChecks(drifted));
    expect(decisionOf(busy.status, busy.check)).toMatchObject({ kind: 'skipped_running' });
    expect(decisionOf(busy.status, busy.check)?.reason).toContain('a retrain is already running');
    expect(busy.check.n).toBeGreaterThan(after);

    // Approved by maria (the guardian's starter is ci-bot): deployed, and the guardian records the outcome.
    const story = await approveRetrain(h, registry, MODEL, 2);
    expect(story.running).toBeNull();
    expect(story.outcomes).toEqual([
      expect.objectContaining({ workflowId: `retrain:${MODEL}`, status: 'deployed', version: 2 }),
    ]);
    expect(story.decisions.find((d) => d.kind === 'retrain_finished')?.reason).toContain('ended deployed');

    // The cooldown holds: drift twice more on v2, nothing starts. v2 was trained on the recent data, which looks
    // like the serving data: for v2 it is the old training-like traffic that drifted.
    await nextVerdictAfter(await sendBetweenChecks(clean));
    const cooled = await nextVerdictAfter(await sendBetweenChecks(clean));
    expect(cooled.check.version).toBe(2);
    expect(decisionOf(cooled.status, cooled.check)).toMatchObject({ kind: 'skipped_cooldown' });

    // Continued as new (every 3 checks) without losing a counter: one retrain this week, every check counted.
    const final = await status();
    expect(final.generation).toBeGreaterThan(0);
    expect(final.counters.retrainTimes).toHaveLength(1);
    expect(final.limits.retrainsThisWeek).toBe(1);
    expect(final.counters.checks).toBeGreaterThanOrEqual(cooled.check.n);
    expect(final.decisions.filter((d) => d.kind === 'retrain_started')).toHaveLength(1);

    // Every decision is in the audit log, once.
    const lines = await guardianAudit(h, MODEL);
    const ids = lines.map((e) => String(e.data.decisionId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(`${second.check.checkId}:retrain_started`);
    expect(ids).toContain(`${second.check.checkId}:retrain_finished`);

    await checkReportCommand(cooled.check);
    await h.client.guard.stop(MODEL, { as: 'maria', reason: 'end of the test' });
    expect(await h.client.result(`guardian:${MODEL}`, modelGuardian)).toMatchObject({ status: 'stopped' });
  });

  it('backfills a past window: one check and report per period, none counted', async () => {
    const to = new Date();
    const from = new Date(to.getTime() - 4 * 60_000);
    await h.client.guard.start(
      guardianInput(MODEL, h.modelServer.url, {
        every: '1m',
        policy: { minSamples: 50, driftShare: 0.3 },
        backfill: { from: from.toISOString(), to: to.toISOString() },
      }),
    );
    const s = await eventually('the backfill done', async () => {
      const now = await status();
      return now.phase === 'watching' && now.backfillDone ? now : undefined;
    });
    const backfill = s.recent.filter((c) => c.backfill);
    expect(backfill).toHaveLength(4);
    expect(backfill.map((c) => c.window.from)).toEqual(
      [0, 1, 2, 3].map((i) => new Date(from.getTime() + i * 60_000).toISOString()),
    );
    for (const c of backfill) expect(c.report?.digest).toMatch(/^sha256:/);
    expect(new Set(backfill.map((c) => c.report?.digest)).size).toBe(4);
    expect(s.decisions.filter((d) => d.kind === 'backfill')).toHaveLength(4);
    expect(s.counters.consecutive).toBe(0);
    expect(s.running).toBeNull();
    await h.client.guard.stop(MODEL, { as: 'maria', reason: 'end of the test' });
  });
});

/** `slipway guard report --check N` prints the stored report in full (read from the artifact store), and its page. */
async function checkReportCommand(check: GuardianCheckSummary): Promise<void> {
  const { address, namespace } = h.config.temporal;
  const cli = (...args: string[]) =>
    runCli(['--home', h.home, '--address', address, '--namespace', namespace, ...args]);
  const report = await cli('guard', 'report', MODEL, '--check', String(check.n));
  expect(report.code, report.output).toBe(0);
  expect(report.output).toContain(`guard check ${check.checkId}  ${MODEL} v${check.version} (champion)`);
  expect(report.output).toContain('DRIFTED');
  for (const feature of ['tenure_months', 'monthly_charges', 'plan']) expect(report.output).toContain(feature);
  expect(report.output).toContain(`page: ${check.page?.uri ?? '(none)'}`);
  const missing = await cli('guard', 'report', MODEL, '--check', '999');
  expect(missing.code).not.toBe(0);
  expect(missing.output).toContain('keeps no check 999');
}
