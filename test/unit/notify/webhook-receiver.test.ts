/**
 * The webhook notifier against a real HTTP receiver on 127.0.0.1 that checks every request with
 * `verifyWebhookSignature`: a delivery arrives signed; a receiver answering 503 twice gets three attempts with one
 * delivery id; a receiver that is down, or answers 400 (not retried), or redirects (never followed) gets the event
 * dead-lettered while `notify` resolves, and the dead-letter log never holds the secret. Backoff is tiny: the tests
 * assert outcomes (attempts, ids, log lines), never timing.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createWebhookNotifier,
  signWebhook,
  verifyWebhookSignature,
  type SignatureVerdict,
  type WebhookNotifierOptions,
} from '../../../packages/activities/src/index.js';
import type { NotificationEventInput } from '../../../packages/sdk/src/index.js';

const SECRET = 'receiver-shared-secret-0123456789';
const RETRY = { attempts: 4, initialMs: 1, maxMs: 4 };

/** One request as the receiver saw it. */
interface Received {
  id: string | undefined;
  timestamp: string | undefined;
  body: string;
  verdict: SignatureVerdict;
}

/** What the receiver answers, request by request (the last answer repeats). */
type Answer = { status: number; headers?: Record<string, string>; body?: string };

interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

async function startReceiver(answers: Answer[]): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const header = (name: string) => req.headers[name] as string | undefined;
      const [id, timestamp] = [header('slipway-delivery-id'), header('slipway-timestamp')];
      const verdict = verifyWebhookSignature({
        secret: SECRET,
        id: id ?? '',
        timestamp: timestamp ?? '',
        body,
        signature: header('slipway-signature'),
      });
      received.push({ id, timestamp, body, verdict });
      const answer = answers[Math.min(received.length, answers.length) - 1] ?? { status: 500 };
      res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/slipway`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const EVENT: NotificationEventInput = {
  id: 'guardian:churn:check-3:drift_detected',
  kind: 'drift_detected',
  model: 'churn',
  version: 2,
  runId: 'guardian:churn',
  summary: 'churn: 6 of 10 features drifted',
  at: '2026-12-03T06:00:00.000Z',
  details: { driftShare: 0.6 },
};

let dir: string;
let deadLetterPath: string;
let receivers: Receiver[];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-notify-'));
  deadLetterPath = join(dir, 'notifications', 'dead-letter.jsonl');
  receivers = [];
});
afterEach(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await rm(dir, { recursive: true, force: true });
});

async function receiver(answers: Answer[]): Promise<Receiver> {
  const r = await startReceiver(answers);
  receivers.push(r);
  return r;
}

function notifier(url: string, more: Partial<WebhookNotifierOptions> = {}) {
  return createWebhookNotifier({ url, secret: SECRET, retry: RETRY, deadLetterPath, ...more });
}

async function deadLetters(): Promise<Record<string, unknown>[]> {
  const text = await readFile(deadLetterPath, 'utf8');
  expect(text).not.toContain(SECRET);
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the webhook notifier and a real receiver', () => {
  it('delivers the event as JSON, signed so that the receiver verifies it', async () => {
    const r = await receiver([{ status: 204 }]);
    const outcome = await notifier(r.url).notify(EVENT);
    expect(outcome).toEqual({
      eventId: EVENT.id,
      deliveries: [{ target: r.url, status: 'delivered', attempts: 1, httpStatus: 204 }],
    });
    expect(r.received).toHaveLength(1);
    expect(r.received[0]?.verdict).toEqual({ valid: true });
    expect(r.received[0]?.id).toBe(EVENT.id);
    expect(JSON.parse(r.received[0]?.body ?? '')).toEqual(EVENT);
    // A receiver holding another secret refuses the very same request.
    const { id, timestamp, body } = r.received[0] as Received;
    const signature = signWebhook(SECRET, { id: id ?? '', timestamp: timestamp ?? '', body });
    expect(
      verifyWebhookSignature({ secret: 'wrong', id: id ?? '', timestamp: timestamp ?? '', body, signature }),
    ).toMatchObject({ valid: false, problem: 'mismatch' });
  });

  it('signs a Slack-compatible payload the same way', async () => {
    const r = await receiver([{ status: 200, body: 'ok' }]);
    const outcome = await notifier(r.url, { format: 'slack' }).notify(EVENT);
    expect(outcome.deliveries[0]?.status).toBe('delivered');
    expect(r.received[0]?.verdict).toEqual({ valid: true });
    const payload = JSON.parse(r.received[0]?.body ?? '') as { text: string; blocks: unknown[] };
    expect(payload.text).toBe('Drift detected: churn: 6 of 10 features drifted');
    expect(payload.blocks.length).toBeGreaterThanOrEqual(3);
  });

  it('retries 503 twice then 200: three attempts, one delivery id, each attempt signed; a re-send keeps the id', async () => {
    const r = await receiver([{ status: 503 }, { status: 503, headers: { 'retry-after': '0' } }, { status: 200 }]);
    const outcome = await notifier(r.url).notify(EVENT);
    expect(outcome.deliveries).toEqual([{ target: r.url, status: 'delivered', attempts: 3, httpStatus: 200 }]);
    expect(r.received.map((x) => x.id)).toEqual([EVENT.id, EVENT.id, EVENT.id]);
    expect(r.received.every((x) => x.verdict.valid)).toBe(true);
    await expect(stat(deadLetterPath)).rejects.toMatchObject({ code: 'ENOENT' });
    // A retried activity sends the event again: the receiver sees the same delivery id, and can drop it.
    await notifier(r.url).notify(EVENT);
    expect(r.received.map((x) => x.id)).toEqual([EVENT.id, EVENT.id, EVENT.id, EVENT.id]);
  });

  it('dead-letters an event for a receiver that is down, resolves, and writes no secret', async () => {
    const down = await startReceiver([]);
    await down.close(); // the port is closed now: every connection is refused
    const url = `${down.url}?token=query-secret-value`;
    const outcome = await notifier(url).notify(EVENT);
    expect(outcome.deliveries).toEqual([
      {
        target: down.url,
        status: 'dead_lettered',
        attempts: RETRY.attempts,
        error: expect.stringMatching(/could not reach it: ECONNREFUSED/),
        deadLetterPath,
      },
    ]);
    const lines = await deadLetters();
    expect(lines).toEqual([
      {
        at: expect.any(String),
        event: EVENT,
        target: down.url,
        format: 'json',
        attempts: RETRY.attempts,
        error: expect.stringMatching(/ECONNREFUSED/),
      },
    ]);
    expect(await readFile(deadLetterPath, 'utf8')).not.toContain('query-secret-value');
    expect((await stat(deadLetterPath)).mode & 0o077).toBe(0);
    // A second undeliverable event is appended, not written over.
    await notifier(url).notify({ ...EVENT, id: 'guardian:churn:check-4:drift_detected' });
    expect((await deadLetters()).map((l) => (l.event as { id: string }).id)).toEqual([
      EVENT.id,
      'guardian:churn:check-4:drift_detected',
    ]);
  });

  it('does not retry a 400: one attempt, dead-lettered with the status and what the receiver said', async () => {
    const r = await receiver([{ status: 400, body: 'unknown kind' }, { status: 200 }]);
    const outcome = await notifier(r.url).notify(EVENT);
    expect(r.received).toHaveLength(1);
    expect(outcome.deliveries).toEqual([
      {
        target: r.url,
        status: 'dead_lettered',
        attempts: 1,
        httpStatus: 400,
        error: 'answered 400: "unknown kind"',
        deadLetterPath,
      },
    ]);
    expect(await deadLetters()).toMatchObject([
      { httpStatus: 400, attempts: 1, error: 'answered 400: "unknown kind"' },
    ]);
  });

  it('gives up after the configured attempts on a receiver that keeps answering 500', async () => {
    const r = await receiver([{ status: 500 }]);
    const outcome = await notifier(r.url, { retry: { attempts: 3, initialMs: 0, maxMs: 0 } }).notify(EVENT);
    expect(r.received).toHaveLength(3);
    expect(outcome.deliveries[0]).toMatchObject({ status: 'dead_lettered', attempts: 3, httpStatus: 500 });
  });

  it('never follows a redirect: the signed event goes to the configured URL only', async () => {
    const other = await receiver([{ status: 200 }]);
    const r = await receiver([{ status: 307, headers: { location: other.url } }]);
    const outcome = await notifier(r.url).notify(EVENT);
    expect(other.received).toHaveLength(0);
    expect(r.received).toHaveLength(1);
    expect(outcome.deliveries[0]).toMatchObject({
      status: 'dead_lettered',
      httpStatus: 307,
      error: 'answered 307 (redirects are not followed)',
    });
  });

  it('waits as long as a 429 asks (Retry-After), capped, and otherwise backs off exponentially', async () => {
    const r = await receiver([
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 429, headers: { 'retry-after': '3600' } },
      { status: 502 },
      { status: 200 },
    ]);
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    };
    const retry = { attempts: 4, initialMs: 100, maxMs: 150 };
    const outcome = await notifier(r.url, { retry, sleep, maxRetryAfterMs: 10_000 }).notify(EVENT);
    expect(outcome.deliveries[0]).toMatchObject({ status: 'delivered', attempts: 4 });
    expect(waits).toEqual([2000, 10_000, 150]);
  });
});

describe('the webhook notifier refuses', () => {
  it('an event that breaks the schema, naming the field, before sending anything', async () => {
    const r = await receiver([{ status: 200 }]);
    await expect(notifier(r.url).notify({ ...EVENT, kind: 'bogus' as never })).rejects.toThrow(/kind:/);
    expect(r.received).toHaveLength(0);
  });

  it('a URL that is not http(s), an empty secret and a bad retry, when it is built', () => {
    expect(() => notifier('ftp://example.com/x')).toThrow(/needs an http\(s\) URL/);
    expect(() => notifier('https://example.com/x', { secret: '' })).toThrow(/has no secret/);
    expect(() => notifier('https://example.com/x', { retry: { attempts: 0, initialMs: 1, maxMs: 1 } })).toThrow(
      /attempts ≥ 1/,
    );
  });
});
