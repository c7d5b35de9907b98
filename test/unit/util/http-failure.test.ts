/**
 * The one HTTP failure rule, through both HTTP clients against a real HTTP server on 127.0.0.1: 429 and 503 are
 * retryable and honour `Retry-After` (delay-seconds or an HTTP date → `nextRetryDelay`, capped), other 5xx are
 * retryable, 404 is the client's not-found type, other 4xx are final; every failure names the method and URL and
 * carries the client's own detail. Before this rule the model server client treated 429 as final.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FinalErrorType, RetryableErrorType, failureType } from '@slipway/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createModelServerClient,
  modelServerFailureDetail,
} from '../../../packages/activities/src/model-server/index.js';
import { createMlflowClient, mlflowFailureDetail } from '../../../packages/activities/src/registry/index.js';
import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../../../packages/activities/src/util/http-failure.js';

/** What the server answers for a path: a status, extra headers, a JSON body (`error` in both servers' shapes). */
interface Canned {
  status: number;
  headers?: (now: number) => Record<string, string>;
}

const CANNED: Record<string, Canned> = {
  'busy-no-header': { status: 429 },
  'busy-seconds': { status: 429, headers: () => ({ 'retry-after': '30' }) },
  'busy-date': { status: 429, headers: (now) => ({ 'retry-after': new Date(now + 120_000).toUTCString() }) },
  'busy-far-date': { status: 429, headers: (now) => ({ 'retry-after': new Date(now + 3_600_000).toUTCString() }) },
  'busy-past-date': { status: 429, headers: (now) => ({ 'retry-after': new Date(now - 60_000).toUTCString() }) },
  'unavailable-seconds': { status: 503, headers: () => ({ 'retry-after': '7' }) },
  'unavailable-no-header': { status: 503 },
  'failed-with-header': { status: 500, headers: () => ({ 'retry-after': '30' }) },
  'bad-request': { status: 400 },
  missing: { status: 404 },
};

function body(name: string): string {
  // Both shapes at once: the model server's `{ error: { code, message } }` and MLflow's `{ error_code, message }`.
  return JSON.stringify({
    error: { code: 'Canned', message: `canned ${name}` },
    error_code: 'CANNED',
    message: `canned ${name}`,
  });
}

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const name = (req.url ?? '')
      .split('/')
      .filter(Boolean)
      .find((part) => Object.hasOwn(CANNED, part.split('?')[0] ?? ''));
    const key = name?.split('?')[0] ?? '';
    const canned = CANNED[key];
    req.resume();
    req.on('end', () => {
      res.writeHead(canned?.status ?? 200, { 'content-type': 'application/json', ...canned?.headers?.(Date.now()) });
      res.end(canned ? body(key) : '{}');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

interface Failure extends Error {
  type?: string;
  nonRetryable?: boolean;
  nextRetryDelay?: unknown;
}

async function failureOf(promise: Promise<unknown>): Promise<Failure> {
  return promise.then(
    () => expect.fail('expected a failure'),
    (err: unknown) => err as Failure,
  );
}

/** Both clients, asked for the canned path `name`: what they call and how they name their types. */
const clients = [
  {
    client: 'model server',
    call: (name: string) => createModelServerClient(base).status(name),
    url: (name: string) => `${base}/v1/models/${name}`,
    method: 'GET',
    serverError: RetryableErrorType.ModelServerError,
    rejected: FinalErrorType.ModelServerRejected,
    notFound: FinalErrorType.NotFound,
    detail: (err: unknown, name: string, status: number) => {
      expect(modelServerFailureDetail(err)).toEqual({
        method: 'GET',
        url: `${base}/v1/models/${name}`,
        status,
        code: 'Canned',
      });
    },
  },
  {
    client: 'MLflow',
    call: (name: string) => createMlflowClient(base).post(`${name}/create`, { name: 'churn' }),
    url: (name: string) => `${base}/api/2.0/mlflow/${name}/create`,
    method: 'POST',
    serverError: RetryableErrorType.MlflowServerError,
    rejected: FinalErrorType.MlflowRejected,
    notFound: FinalErrorType.MlflowRejected,
    detail: (err: unknown, name: string, status: number) => {
      expect(mlflowFailureDetail(err)).toEqual({
        method: 'POST',
        url: `${base}/api/2.0/mlflow/${name}/create`,
        status,
        errorCode: 'CANNED',
      });
    },
  },
] as const;

describe.each(clients)('the $client client follows the one HTTP failure rule', (c) => {
  it('429 without Retry-After: retryable, the retry policy keeps its backoff', async () => {
    const err = await failureOf(c.call('busy-no-header'));
    expect(failureType(err)).toBe(c.serverError);
    expect(err.nonRetryable).toBe(false);
    expect(err.nextRetryDelay).toBeUndefined();
    expect(err.message).toContain(`${c.method} ${c.url('busy-no-header')} with 429`);
    expect(err.message).toContain('canned busy-no-header');
    c.detail(err, 'busy-no-header', 429);
  });

  it('429 with Retry-After in seconds: retryable after exactly that delay', async () => {
    const err = await failureOf(c.call('busy-seconds'));
    expect(failureType(err)).toBe(c.serverError);
    expect(err.nonRetryable).toBe(false);
    expect(err.nextRetryDelay).toBe(30_000);
    expect(err.message).toContain('retried after 30 s');
  });

  it('429 with Retry-After as an HTTP date: retryable when the date comes; far dates capped, past dates ignored', async () => {
    const soon = await failureOf(c.call('busy-date'));
    expect(soon.nonRetryable).toBe(false);
    // The date has whole seconds and was written a moment before the answer was read.
    expect(soon.nextRetryDelay).toBeGreaterThan(100_000);
    expect(soon.nextRetryDelay).toBeLessThanOrEqual(120_000);
    const far = await failureOf(c.call('busy-far-date'));
    expect(far.nextRetryDelay).toBe(MAX_RETRY_AFTER_MS);
    const past = await failureOf(c.call('busy-past-date'));
    expect(failureType(past)).toBe(c.serverError);
    expect(past.nonRetryable).toBe(false);
    expect(past.nextRetryDelay).toBeUndefined();
  });

  it('503: retryable, honouring Retry-After when sent', async () => {
    const asked = await failureOf(c.call('unavailable-seconds'));
    expect(failureType(asked)).toBe(c.serverError);
    expect(asked.nonRetryable).toBe(false);
    expect(asked.nextRetryDelay).toBe(7_000);
    c.detail(asked, 'unavailable-seconds', 503);
    const plain = await failureOf(c.call('unavailable-no-header'));
    expect(plain.nonRetryable).toBe(false);
    expect(plain.nextRetryDelay).toBeUndefined();
  });

  it('500: retryable with the policy backoff (Retry-After counts on 429 and 503 only)', async () => {
    const err = await failureOf(c.call('failed-with-header'));
    expect(failureType(err)).toBe(c.serverError);
    expect(err.nonRetryable).toBe(false);
    expect(err.nextRetryDelay).toBeUndefined();
    c.detail(err, 'failed-with-header', 500);
  });

  it('400: final', async () => {
    const err = await failureOf(c.call('bad-request'));
    expect(failureType(err)).toBe(c.rejected);
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toContain(`${c.method} ${c.url('bad-request')} with 400`);
    c.detail(err, 'bad-request', 400);
  });

  it("404: final, the client's not-found type", async () => {
    const err = await failureOf(c.call('missing'));
    expect(failureType(err)).toBe(c.notFound);
    expect(err.nonRetryable).toBe(true);
    c.detail(err, 'missing', 404);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('reads delay-seconds and HTTP dates, relative to when the answer came', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 5 ', now)).toBe(5_000);
    expect(retryAfterMs('Sun, 01 Mar 2026 12:01:30 GMT', now)).toBe(90_000);
  });

  it('caps long waits, and leaves the backoff in charge for no wait, a past date or nonsense', () => {
    expect(retryAfterMs('86400', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs('Mon, 02 Mar 2026 12:00:00 GMT', now)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs('0', now)).toBeUndefined();
    expect(retryAfterMs('Sun, 01 Mar 2026 11:59:00 GMT', now)).toBeUndefined();
    expect(retryAfterMs('-5', now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
