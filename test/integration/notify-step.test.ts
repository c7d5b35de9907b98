/**
 * The `slipway.notify` step on a real worker configured with webhook notifiers (`notifiers` in its configuration,
 * secrets in owner-only files): a run that notifies reaches a real receiver on 127.0.0.1 with a correctly signed
 * delivery (checked with `verifyWebhookSignature`), and a receiver that is down does not fail the run: the step
 * completes, its outcome says `dead_lettered`, and the event is in the worker's dead-letter log.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { NotificationEventInput, NotifyOutcome } from '@slipway/sdk';
import { notificationDeadLetterPath } from '../../packages/worker/src/config/index.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import {
  downReceiverUrl,
  startWebhookReceiver,
  writeSecretFile,
  type WebhookReceiver,
} from '../support/webhook-receiver.js';

const SECRET = 'notify-step-shared-secret-41b7';

let h: Harness;
let receiver: WebhookReceiver;
let secret: Awaited<ReturnType<typeof writeSecretFile>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET);
  const receiverUrl = receiver.url('/hooks/slipway');
  const downUrl = await downReceiverUrl('/hooks/down');
  secret = await writeSecretFile(SECRET);
  const secretFile = secret.file;
  const retry = { attempts: 2, initialMs: 1, maxMs: 2 };
  h = await startHarness({
    name: 'notify-step',
    workflowBundle: await bundle(join(import.meta.dirname, 'retrain', 'workflows.ts')),
    config: {
      notifiers: [
        { kind: 'webhook', url: receiverUrl, secretFile, format: 'json', retry },
        { kind: 'webhook', url: downUrl, secretFile, format: 'json', retry, events: ['gate_opened'] },
      ],
    },
  });
}, 120_000);

afterAll(async () => {
  await h?.stop();
  await receiver?.close();
  await secret?.remove();
});

async function notify(event: NotificationEventInput): Promise<NotifyOutcome> {
  const { runId } = await h.client.start('notifyOnce', { event });
  return h.client.result<NotifyOutcome>(runId);
}

it('delivers a signed notification to the configured receiver', async () => {
  const event = {
    id: 'guardian:churn:check-1:drift_detected',
    kind: 'drift_detected',
    model: 'churn',
    version: 3,
    summary: 'churn: 6 of 10 features drifted (share 0.6 ≥ 0.5)',
    at: '2026-12-03T08:00:00.000Z',
    details: { driftShare: 0.6 },
  } as const;
  const outcome = await notify(event);
  // The down receiver takes only gate_opened: this event goes to the live one alone.
  expect(outcome).toEqual({
    eventId: event.id,
    deliveries: [expect.objectContaining({ status: 'delivered', attempts: 1, httpStatus: 204 })],
  });
  const delivery = receiver.received.find((r) => r.id === event.id);
  expect(delivery?.verdict).toEqual({ valid: true });
  expect(JSON.parse(delivery?.body ?? '{}')).toMatchObject({ ...event });
});

it('completes when a receiver is down, and the event is in the dead-letter log', async () => {
  const event = {
    id: 'retrain:churn:4:gate_opened',
    kind: 'gate_opened',
    model: 'churn',
    version: 4,
    summary: 'churn v4 waits for approval',
    at: '2026-12-03T08:05:00.000Z',
  } as const;
  const outcome = await notify(event);
  const byStatus = Object.fromEntries(outcome.deliveries.map((d) => [d.status, d]));
  expect(Object.keys(byStatus).sort()).toEqual(['dead_lettered', 'delivered']);
  expect(byStatus.dead_lettered).toMatchObject({ attempts: 2, target: expect.stringContaining('127.0.0.1') });
  expect(receiver.received.find((r) => r.id === event.id)?.verdict).toEqual({ valid: true });

  const log = await readFile(notificationDeadLetterPath(h.config), 'utf8');
  const entries = log
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(entries).toEqual([expect.objectContaining({ event: expect.objectContaining({ id: event.id }) })]);
  expect(log).not.toContain(SECRET);
});
