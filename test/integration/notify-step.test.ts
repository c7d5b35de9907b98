/**
 * The `slipway.notify` step on a real worker configured with webhook notifiers (`notifiers` in its configuration,
 * secrets in owner-only files): a run that notifies reaches a real receiver on 127.0.0.1 with a correctly signed
 * delivery (checked with `verifyWebhookSignature`), and a receiver that is down does not fail the run: the step
 * completes, its outcome says `dead_lettered`, and the event is in the worker's dead-letter log.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { NotificationEventInput, NotifyOutcome } from '@slipway/sdk';
import { verifyWebhookSignature, type SignatureVerdict } from '../../packages/activities/src/index.js';
import { notificationDeadLetterPath } from '../../packages/worker/src/config/index.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';

const SECRET = 'notify-step-shared-secret-41b7';

interface Received {
  id: string | undefined;
  body: string;
  verdict: SignatureVerdict;
}

let h: Harness;
let secrets: string;
let receiver: Server;
let receiverUrl: string;
let downUrl: string;
const received: Received[] = [];

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    void readBody(req).then((body) => {
      const header = (name: string) => req.headers[name] as string | undefined;
      const id = header('slipway-delivery-id');
      const verdict = verifyWebhookSignature({
        secret: SECRET,
        id: id ?? '',
        timestamp: header('slipway-timestamp') ?? '',
        body,
        signature: header('slipway-signature'),
      });
      received.push({ id, body, verdict });
      res.writeHead(204).end();
    });
  });
  receiverUrl = `http://127.0.0.1:${await listen(receiver)}/hooks/slipway`;
  // A port that refuses connections: a receiver that is down.
  const gone = createServer();
  downUrl = `http://127.0.0.1:${await listen(gone)}/hooks/down`;
  await new Promise<void>((resolve) => gone.close(() => resolve()));

  secrets = await mkdtemp(join(tmpdir(), 'slipway-notify-secrets-'));
  const secretFile = join(secrets, 'notify.secret');
  await writeFile(secretFile, `${SECRET}\n`);
  await chmod(secretFile, 0o600);
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
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  if (secrets) await rm(secrets, { recursive: true, force: true });
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
  const delivery = received.find((r) => r.id === event.id);
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
  expect(received.find((r) => r.id === event.id)?.verdict).toEqual({ valid: true });

  const log = await readFile(notificationDeadLetterPath(h.config), 'utf8');
  const entries = log
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(entries).toEqual([expect.objectContaining({ event: expect.objectContaining({ id: event.id }) })]);
  expect(log).not.toContain(SECRET);
});
