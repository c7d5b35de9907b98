/**
 * The webhook notifier: a {@link Notifier} that POSTs each event to one URL, as JSON or as a Slack-compatible
 * message, signed with a shared secret (see `./signature.ts` for the headers and how a receiver verifies them).
 *
 * | the receiver…                                  | the notifier                                                  |
 * | ---------------------------------------------- | ------------------------------------------------------------- |
 * | answers 2xx                                    | `delivered`                                                   |
 * | cannot be reached, answers 5xx or 429          | retries with exponential backoff (`Retry-After` honoured, capped) |
 * | answers 3xx (never followed) or another 4xx    | gives up at once                                              |
 *
 * An event it gives up on is appended to the dead-letter log and the outcome says `dead_lettered`: `notify` never
 * rejects because of the receiver, so the caller goes on. Every attempt carries the same delivery id (the event's id)
 * and a fresh timestamp and signature.
 */
import { NotificationEvent, parseOrFail, type NotificationEventInput, type NotifyDelivery } from '@slipway/sdk';
import type { Notifier } from '../ports.js';
import { shortValue } from '../util/bounded-sample.js';
import { networkReason, retryAfterMs } from '../util/http-failure.js';
import { appendDeadLetter, redactedTarget } from './dead-letter.js';
import { notificationBody, type NotificationFormat } from './payload.js';
import { DELIVERY_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from './signature.js';

/** How often and how patiently a webhook notifier tries. */
export interface NotifyRetry {
  /** Attempts in all, at least 1. */
  readonly attempts: number;
  /** The wait before the second attempt, in ms; it doubles after each further attempt… */
  readonly initialMs: number;
  /** …up to this many ms. */
  readonly maxMs: number;
}

/** The retry settings a webhook notifier uses when none are given: 5 attempts, 1 s doubling up to 30 s. */
export const DEFAULT_NOTIFY_RETRY: NotifyRetry = { attempts: 5, initialMs: 1000, maxMs: 30_000 };

/** The longest `Retry-After` a webhook notifier waits by default, in ms (1 minute). */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/** What {@link createWebhookNotifier} is built with. */
export interface WebhookNotifierOptions {
  /** The receiver (`https://…`, or `http://` to a loopback address when the caller allows it). */
  readonly url: string;
  /** The shared secret every request is signed with (never sent, never logged). */
  readonly secret: string;
  /** `json` (the event itself, the default) or `slack` (`{ text, blocks }`). */
  readonly format?: NotificationFormat;
  readonly retry?: NotifyRetry;
  /** The longest `Retry-After` honoured, in ms (default 60 s): a longer ask waits this long. */
  readonly maxRetryAfterMs?: number;
  /** Where undeliverable events are appended, one JSON line each. */
  readonly deadLetterPath: string;
  /** How long one attempt may take, in ms (default 10 s). */
  readonly timeoutMs?: number;
  /** The `fetch` to use (default: the global one). */
  readonly fetch?: typeof fetch;
  /** How to wait between attempts (default: a timer). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The clock, in ms since the epoch (default `Date.now`). */
  readonly now?: () => number;
}

/** How one attempt ended. */
type AttemptResult =
  | { ok: true; status: number }
  | { ok: false; retryable: boolean; status?: number; error: string; retryAfterMs?: number };

/**
 * Creates the webhook notifier for one receiver.
 *
 * @throws Error when `url` is not an http(s) URL, `secret` is empty or `retry` is out of range (a configuration
 *   mistake, found when the notifier is built, not when an event is sent).
 */
export function createWebhookNotifier(options: WebhookNotifierOptions): Notifier {
  const settings = checkedSettings(options);
  const target = redactedTarget(options.url);
  return {
    async notify(input: NotificationEventInput) {
      const event = parseOrFail(NotificationEvent, input, `A notification for ${target} is not valid`);
      const body = notificationBody(event, settings.format);
      let attempts = 0;
      let last: Extract<AttemptResult, { ok: false }> | undefined;
      while (attempts < settings.retry.attempts) {
        attempts += 1;
        const result = await attempt(settings, event.id, body);
        if (result.ok) return outcomeOf(event.id, { target, status: 'delivered', attempts, httpStatus: result.status });
        last = result;
        if (!result.retryable || attempts >= settings.retry.attempts) break;
        await settings.sleep(waitBefore(attempts + 1, settings, result.retryAfterMs));
      }
      const failure = last ?? { ok: false, retryable: false, error: 'no attempt was made' };
      const delivery = await deadLetter(settings, event, { target, attempts, failure });
      return outcomeOf(event.id, delivery);
    },
  };
}

type Settings = Required<Omit<WebhookNotifierOptions, 'fetch'>> & { fetch: typeof fetch };

function checkedSettings(options: WebhookNotifierOptions): Settings {
  const protocol = URL.canParse(options.url) ? new URL(options.url).protocol : undefined;
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new Error(`A webhook notifier needs an http(s) URL, not ${JSON.stringify(redactedTarget(options.url))}`);
  }
  if (options.secret === '') throw new Error(`The webhook notifier for ${redactedTarget(options.url)} has no secret`);
  const retry = options.retry ?? DEFAULT_NOTIFY_RETRY;
  const wholeAtLeast = (value: number, min: number) => Number.isInteger(value) && value >= min;
  if (!wholeAtLeast(retry.attempts, 1) || !wholeAtLeast(retry.initialMs, 0) || !wholeAtLeast(retry.maxMs, 0)) {
    throw new Error(
      `A webhook notifier's retry needs whole attempts ≥ 1, initialMs ≥ 0 and maxMs ≥ 0, got ${JSON.stringify(retry)}`,
    );
  }
  return {
    url: options.url,
    secret: options.secret,
    format: options.format ?? 'json',
    retry,
    maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS,
    deadLetterPath: options.deadLetterPath,
    timeoutMs: options.timeoutMs ?? 10_000,
    fetch: options.fetch ?? fetch,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    now: options.now ?? Date.now,
  };
}

/**
 * The wait before attempt `next` (2, 3, …): `initialMs` doubled per earlier retry, at most `maxMs`; at least what
 * the receiver asked for in `Retry-After`, itself at most `maxRetryAfterMs`.
 */
export function waitBefore(
  next: number,
  settings: Pick<Settings, 'retry' | 'maxRetryAfterMs'>,
  askedMs?: number,
): number {
  const backoff = Math.min(settings.retry.initialMs * 2 ** Math.max(0, next - 2), settings.retry.maxMs);
  return askedMs === undefined ? backoff : Math.max(backoff, Math.min(askedMs, settings.maxRetryAfterMs));
}

async function attempt(settings: Settings, id: string, body: string): Promise<AttemptResult> {
  const now = settings.now();
  const timestamp = Math.floor(now / 1000);
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await settings.fetch(settings.url, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'slipway-notifier',
        [DELIVERY_ID_HEADER]: id,
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signWebhook(settings.secret, { id, timestamp, body }),
      },
      body,
      signal: timeout,
    });
    text = await response.text();
  } catch (err) {
    const reason = timeout.aborted ? `no answer within ${settings.timeoutMs} ms` : networkReason(err);
    return { ok: false, retryable: true, error: `could not reach it: ${reason}` };
  }
  const status = response.status;
  if (status >= 200 && status < 300) return { ok: true, status };
  const said = text.trim() === '' ? '' : `: ${JSON.stringify(shortValue(text.trim(), 200))}`;
  if (status >= 300 && status < 400) {
    return { ok: false, retryable: false, status, error: `answered ${status} (redirects are not followed)${said}` };
  }
  const retryable = status >= 500 || status === 429;
  const asked = retryable ? retryAfterMs(response.headers.get('retry-after'), now) : undefined;
  return {
    ok: false,
    retryable,
    status,
    error: `answered ${status}${said}`,
    ...(asked ? { retryAfterMs: asked } : {}),
  };
}

async function deadLetter(
  settings: Settings,
  event: NotificationEvent,
  given: { target: string; attempts: number; failure: Extract<AttemptResult, { ok: false }> },
): Promise<NotifyDelivery> {
  const { target, attempts, failure } = given;
  const httpStatus = failure.status === undefined ? {} : { httpStatus: failure.status };
  const entry = { at: new Date(settings.now()).toISOString(), event, target, format: settings.format, attempts };
  try {
    await appendDeadLetter(settings.deadLetterPath, { ...entry, ...httpStatus, error: failure.error });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const error = `${failure.error}; and the dead-letter log ${settings.deadLetterPath} could not be written: ${reason}`;
    return { target, status: 'failed', attempts, ...httpStatus, error };
  }
  return {
    target,
    status: 'dead_lettered',
    attempts,
    ...httpStatus,
    error: failure.error,
    deadLetterPath: settings.deadLetterPath,
  };
}

function outcomeOf(eventId: string, delivery: NotifyDelivery) {
  return { eventId, deliveries: [delivery] };
}
