/**
 * The one HTTP failure rule of Slipway's HTTP clients (the model server client and the MLflow client), and the JSON
 * request that applies it. Every failure is a Temporal `ApplicationFailure` whose message names the method and URL
 * and whose first detail is the client's own detail object (e.g. `ModelServerFailureDetail`, `MlflowFailureDetail`):
 *
 * | what happened                                 | failure                         | retry                                   |
 * | --------------------------------------------- | ------------------------------- | --------------------------------------- |
 * | no connection, reset, DNS failure, no answer in time, the answer broke off | the client's `unreachable` type | retryable |
 * | 429 Too Many Requests, 503 Service Unavailable | the client's `serverError` type | retryable, after `Retry-After` if sent |
 * | any other 5xx                                  | the client's `serverError` type | retryable (the retry policy's backoff)  |
 * | 404 Not Found                                  | the client's `notFound` type (`SlipwayNotFound` for the model server), else `rejected` | final |
 * | any other 4xx                                  | the client's `rejected` type    | final                                   |
 * | a 2xx answer that is not what the protocol promises | the client's `badResponse` type | final                             |
 *
 * `Retry-After` (on a 429 or 503) is read as delay-seconds or as an HTTP date and becomes the failure's
 * `nextRetryDelay`, so Temporal waits as long as the server asked instead of its backoff; it is capped at
 * {@link MAX_RETRY_AFTER_MS} (a longer wait is not worth holding a run for: the retry asks again), and a value that
 * is not a delay, or lies in the past, leaves the retry policy's backoff in charge. The retry policy's maximum
 * attempts and timeouts still apply.
 */
import { retryableFailure, finalFailure, type FinalErrorType, type RetryableErrorType } from '@slipway/sdk';
import type { ApplicationFailure } from '@temporalio/common';

/** The longest `Retry-After` a failure honours, in milliseconds (5 minutes). */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** One request: its method and full URL, as failure messages and details name it. */
export interface HttpCall {
  readonly method: string;
  readonly url: string;
}

/** What a server said when it refused: its error code (if it sent one) and message. */
export interface HttpErrorSaid {
  readonly code: string | null;
  readonly message: string;
}

/** How one HTTP client names its server, types its failures and describes them. */
export interface HttpService<D> {
  /** How messages name the server, e.g. `model server` ("Could not reach the model server at …"). */
  readonly name: string;
  readonly types: {
    /** No answer: retryable. */
    readonly unreachable: RetryableErrorType;
    /** 5xx, 429: retryable. */
    readonly serverError: RetryableErrorType;
    /** Any other 4xx: final. */
    readonly rejected: FinalErrorType;
    /** A 2xx answer that is not what was promised: final. */
    readonly badResponse: FinalErrorType;
    /** 404, when the client has a type of its own for it (otherwise `rejected`): final. */
    readonly notFound?: FinalErrorType;
  };
  /** The first detail of every failure, in the client's own shape. */
  detail(call: HttpCall, status: number | null, code: string | null): D;
  /** The error code and message of a refusal's body (`json` is undefined when the body is not JSON). */
  said(json: unknown, text: string): HttpErrorSaid;
}

/** The retryable failure for a request that got no (whole) answer. */
export function unreachableFailure<D>(service: HttpService<D>, call: HttpCall, reason: string): ApplicationFailure {
  return retryableFailure(
    service.types.unreachable,
    `Could not reach the ${service.name} at ${call.method} ${call.url}: ${reason}`,
    service.detail(call, null, null),
  );
}

/** The failure for a non-2xx answer, by the rule above; `now` is when the answer arrived (for HTTP-date `Retry-After`). */
export function httpStatusFailure<D>(
  service: HttpService<D>,
  call: HttpCall,
  answer: { status: number; retryAfter: string | null; said: HttpErrorSaid },
  now: number = Date.now(),
): ApplicationFailure {
  const { status, said } = answer;
  const message = `The ${service.name} answered ${call.method} ${call.url} with ${status}${said.code ? ` ${said.code}` : ''}: ${said.message}`;
  const detail = service.detail(call, status, said.code);
  if (status >= 500 || status === 429) {
    const delay = status === 429 || status === 503 ? retryAfterMs(answer.retryAfter, now) : undefined;
    const asked = delay === undefined ? '' : ` (it asked to be retried after ${Math.ceil(delay / 1000)} s)`;
    return retryableFailure(service.types.serverError, message + asked, detail, { nextRetryDelay: delay });
  }
  const type = status === 404 && service.types.notFound ? service.types.notFound : service.types.rejected;
  return finalFailure(type, message, detail);
}

/** The final failure for a 2xx answer that is not `expected` (e.g. `the expected JSON`), saying why. */
export function badResponseFailure<D>(
  service: HttpService<D>,
  call: HttpCall,
  status: number,
  expected: string,
  reason: string,
): ApplicationFailure {
  return finalFailure(
    service.types.badResponse,
    `The ${service.name} at ${call.method} ${call.url} sent an answer that is not ${expected}: ${reason}`,
    service.detail(call, status, null),
  );
}

/**
 * The delay a `Retry-After` header asks for, in milliseconds, capped at {@link MAX_RETRY_AFTER_MS}: delay-seconds
 * (`120`) or an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`, taken relative to `now`). Undefined when there is no
 * header, it is neither, or it asks for no wait (zero, or a date that has passed).
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

/** A JSON request to one server. */
export interface JsonRequest {
  readonly method: string;
  readonly url: string;
  /** Sent as JSON when defined. */
  readonly body?: unknown;
  /** Extra headers (e.g. `authorization`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Per-request timeout in milliseconds. */
  readonly timeoutMs: number;
  /** Aborts the request too (e.g. the activity's cancellation signal). */
  readonly signal?: AbortSignal | undefined;
  /** The `fetch` to use (default: the global one). */
  readonly fetch?: typeof fetch;
}

/** A 2xx answer: its status, body text, and the body parsed as JSON (undefined when it is not JSON). */
export interface JsonAnswer {
  readonly status: number;
  readonly text: string;
  readonly json: unknown;
}

/**
 * Sends a JSON request and returns the 2xx answer; every other outcome throws the failure the rule above gives (an
 * answer that broke off while being read counts as unreachable). The caller checks the answer's shape and fails
 * with {@link badResponseFailure} when it is not what the protocol promises.
 */
export async function requestJson<D>(service: HttpService<D>, request: JsonRequest): Promise<JsonAnswer> {
  const call: HttpCall = { method: request.method, url: request.url };
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const noAnswer = (err: unknown) =>
    unreachableFailure(
      service,
      call,
      timeout.aborted ? `no answer within ${request.timeoutMs} ms` : networkReason(err),
    );
  let response: Response;
  let text: string;
  try {
    response = await (request.fetch ?? fetch)(request.url, {
      method: request.method,
      headers: {
        accept: 'application/json',
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...request.headers,
      },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal: request.signal ? AbortSignal.any([request.signal, timeout]) : timeout,
    });
    text = await response.text();
  } catch (err) {
    throw noAnswer(err);
  }
  const json = parseJson(text);
  if (!response.ok) {
    const retryAfter = response.headers.get('retry-after');
    throw httpStatusFailure(service, call, { status: response.status, retryAfter, said: service.said(json, text) });
  }
  return { status: response.status, text, json };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Why a request got no answer: the socket error's code and message (`ECONNREFUSED (connect ECONNREFUSED …)`). */
export function networkReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  const code = cause !== null && typeof cause === 'object' ? (cause as { code?: unknown }).code : undefined;
  const causeMessage = cause instanceof Error ? cause.message : undefined;
  if (typeof code === 'string') return `${code}${causeMessage ? ` (${causeMessage})` : ''}`;
  return causeMessage ?? err.message;
}
