/**
 * The model guardian's notifications, on a real Temporal dev server, worker, registry and model server, with two
 * webhook notifiers: a live receiver on 127.0.0.1 in the test, and one whose port refuses connections. Drifted
 * traffic (the churn example's `serving.csv`) with `consecutive: 1` starts a retrain on the first drifted check: the
 * live receiver gets `drift_detected`, `retrain_started` and the retrain's `gate_opened`, each signed with the shared
 * secret (checked with `verifyWebhookSignature`) and carrying the event id as its delivery id; the down receiver's
 * copies land in the dead-letter log, and the guardian keeps checking. Once approved, the deployed retrain is
 * notified as `rollout_finished`. With no cooldown and a budget of one retrain a week, the next drift (on v2) is
 * held by the budget. Traffic is sent while the guardian is paused, so the batch lands in one check.
 */
import {
  modelGuardian,
  type GuardianCheckSummary,
  type GuardianStatus,
  type TrainAndPromoteResult,
} from '@slipway/sdk';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServingRows, sendTraffic } from '../../examples/churn/demo/traffic.js';
import { DATA_DIR, pipelineJson } from '../../examples/churn/src/input.js';
import { notificationDeadLetterPath } from '../../packages/worker/src/config/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { eventually, waitForGate } from '../support/waits.js';
import {
  downReceiverUrl,
  startWebhookReceiver,
  writeSecretFile,
  type WebhookReceiver,
} from '../support/webhook-receiver.js';
import { deployFirstVersion, guardianInput } from './guardian/fixtures.js';

const MODEL = 'notified-churn';
const SECRET = 'guardian-notify-shared-secret-7c2e';

let h: Harness;
let receiver: WebhookReceiver;
let secret: Awaited<ReturnType<typeof writeSecretFile>>;

/** The rows of one of the churn example's data files, as served requests. */
async function servedRows(file: string) {
  const pipeline = pipelineJson();
  const columns = [...(pipeline.features.numeric ?? []), ...(pipeline.features.categorical ?? [])];
  return readServingRows(pathToFileURL(join(DATA_DIR, file)).href, pipeline.expectations.schema, columns);
}

beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET);
  const receiverUrl = receiver.url('/hooks/guardian');
  const downUrl = await downReceiverUrl('/hooks/down');
  secret = await writeSecretFile(SECRET);
  const secretFile = secret.file;
  const retry = { attempts: 2, initialMs: 1, maxMs: 2 };
  h = await startHarness({
    name: 'guardian-notify',
    config: {
      notifiers: [
        { kind: 'webhook', url: receiverUrl, secretFile, format: 'json', retry },
        { kind: 'webhook', url: downUrl, secretFile, format: 'json', retry },
      ],
    },
  });
  await deployFirstVersion(h, MODEL);
}, 300_000);

afterAll(async () => {
  await h?.stop();
  await receiver?.close();
  await secret?.remove();
});

function status(): Promise<GuardianStatus> {
  return h.client.guard.status(MODEL);
}

/** Asserts the delivery `id` of kind `kind` is signed with the secret and names the test's model. */
async function expectSigned(id: string, kind: string): Promise<{ body: Record<string, unknown> }> {
  const got = await receiver.delivery(id);
  expect(got.verdict).toEqual({ valid: true });
  const body = JSON.parse(got.body) as Record<string, unknown>;
  expect(body).toMatchObject({ id, kind, model: MODEL });
  return { body };
}

async function deadLettered(): Promise<string[]> {
  const log = await readFile(notificationDeadLetterPath(h.config), 'utf8').catch(() => '');
  expect(log).not.toContain(SECRET);
  return log
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => String((JSON.parse(line) as { event: { id: string } }).event.id));
}

describe('the model guardian notifies', () => {
  it('signed events to a live receiver, dead-letters a down one, and keeps checking', async () => {
    const drifted = await servedRows('serving.csv');
    // The retrain trains on the recent data (the fixture's), which its distribution checks compare with the
    // drifted serving window.
    await h.client.guard.start(
      guardianInput(MODEL, h.modelServer.url, {
        every: '2s',
        policy: { minSamples: 50, driftShare: 0.3 },
        hysteresis: { consecutive: 1 },
        // No cooldown, one retrain a week: after the retrain, the budget alone holds the next drift.
        cooldown: '0s',
        budget: { perWeek: 1 },
      }),
    );
    await eventually('the guardian watching', async () => ((await status()).operators ? true : undefined));

    // Drifted traffic, sent while paused: the first check after the resume drifts and starts the retrain.
    const paused = await h.client.guard.pause(MODEL, { as: 'maria', reason: 'sending a batch' });
    await sendTraffic(h.modelServer.url, MODEL, drifted);
    await h.client.guard.resume(MODEL, { as: 'lee', reason: 'batch sent' });
    const check = await eventually<GuardianCheckSummary>('the drifted check', async () => {
      const s = await status();
      const c = s.recent.find((r) => r.n > paused.counters.checks && r.enoughSamples && !r.backfill);
      return c && s.decisions.some((d) => d.checkId === c.checkId && d.kind === 'retrain_started') ? c : undefined;
    });
    expect(check).toMatchObject({ drifted: true, version: 1, samples: drifted.length });

    const drift = await expectSigned(`${check.checkId}:drift_detected`, 'drift_detected');
    expect(drift.body).toMatchObject({ version: 1, runId: `guardian:${MODEL}` });
    const started = await expectSigned(`${check.checkId}:retrain_started`, 'retrain_started');
    expect(started.body).toMatchObject({ details: expect.objectContaining({ retrain: `retrain:${MODEL}` }) });

    // The down receiver's copies are in the dead-letter log; the guardian went on checking, still watching.
    const dead = await eventually('the dead-lettered guardian events', async () => {
      const ids = await deadLettered();
      return ids.includes(`${check.checkId}:retrain_started`) ? ids : undefined;
    });
    expect(dead).toContain(`${check.checkId}:drift_detected`);
    const later = await eventually('a later check', async () => {
      const s = await status();
      return s.counters.checks > check.n ? s : undefined;
    });
    expect(later.phase).toBe('watching');
    expect(later.running).toMatchObject({ workflowId: `retrain:${MODEL}`, checkId: check.checkId });

    // The retrain's gate opens and says so, to both receivers.
    const gate = await waitForGate(h.client, `retrain:${MODEL}`);
    expect(gate.evidence.candidate.version).toBe(2);
    const gateId = `retrain:${MODEL}:2:gate_opened`;
    const opened = await expectSigned(gateId, 'gate_opened');
    expect(opened.body).toMatchObject({
      version: 2,
      details: expect.objectContaining({ guardian: `guardian:${MODEL}`, checkId: check.checkId }),
    });
    expect(
      await eventually('the dead-lettered gate_opened', async () => {
        const ids = await deadLettered();
        return ids.includes(gateId) ? ids : undefined;
      }),
    ).toContain(gateId);

    // Approved: deployed, the guardian records the outcome and notifies the finished rollout.
    await h.client.approve(`retrain:${MODEL}`, { as: 'maria', comment: 'retrained on fresh data' });
    expect(await h.client.result<TrainAndPromoteResult>(`retrain:${MODEL}`)).toMatchObject({
      status: 'deployed',
      deployment: { version: 2, previousVersion: 1 },
    });
    const story = await eventually('the outcome recorded', async () => {
      const s = await status();
      return s.outcomes.length > 0 ? s : undefined;
    });
    expect(story.outcomes).toEqual([
      expect.objectContaining({ workflowId: `retrain:${MODEL}`, status: 'deployed', version: 2 }),
    ]);
    const rollout = await expectSigned(`${check.checkId}:rollout_finished`, 'rollout_finished');
    expect(rollout.body).toMatchObject({
      version: 2,
      details: expect.objectContaining({ retrain: `retrain:${MODEL}` }),
    });
    expect(
      await eventually('the dead-lettered rollout_finished', async () => {
        const ids = await deadLettered();
        return ids.includes(`${check.checkId}:rollout_finished`) ? ids : undefined;
      }),
    ).toContain(`${check.checkId}:rollout_finished`);

    // Drift on v2 (trained on the recent data, so the old training-like traffic is what drifts for it): with no
    // cooldown, the budget of one retrain a week holds, and nothing starts.
    const again = await h.client.guard.pause(MODEL, { as: 'maria', reason: 'sending a batch' });
    await sendTraffic(h.modelServer.url, MODEL, (await servedRows('churn.csv')).slice(0, 300));
    await h.client.guard.resume(MODEL, { as: 'lee', reason: 'batch sent' });
    const held = await eventually('the decision on the drift after the rollout', async () => {
      const s = await status();
      const c = s.recent.find((r) => r.n > again.counters.checks && r.enoughSamples && !r.backfill);
      const d = c && s.decisions.find((x) => x.checkId === c.checkId && x.kind !== 'retrain_finished');
      return c && d ? { check: c, decision: d, status: s } : undefined;
    });
    expect(held.check).toMatchObject({ drifted: true, version: 2 });
    expect(held.decision.kind).toBe('skipped_budget');
    expect(held.decision.reason).toContain('the budget of 1 retrain(s) in any 7 days is spent');
    expect(held.status.phase).toBe('watching');
    expect(held.status.running).toBeNull();
    expect(held.status.decisions.filter((d) => d.kind === 'retrain_started')).toHaveLength(1);

    await h.client.guard.stop(MODEL, { as: 'maria', reason: 'end of the test' });
    expect(await h.client.result(`guardian:${MODEL}`, modelGuardian)).toMatchObject({ status: 'stopped' });
  });
});
