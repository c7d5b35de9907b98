/**
 * The webhook deploy target: a {@link DeployTarget} that speaks the HTTP contract of `docs/deploy-target-webhook.md`,
 * for serving platforms (KServe, SageMaker, Seldon, an in-house one) that implement that contract in front of their
 * own API. Every request carries the configured bearer token and goes to the configured base URL only: redirects
 * are never followed (a redirect is refused, so the token never reaches another origin). Every answer is checked
 * with the same `@slipway/sdk` schemas the Slipway model server is typed by, and must name the model (and window)
 * it was asked about.
 *
 * Failures follow the one HTTP rule of `../util/http-failure.ts` and carry the model server client's failure types
 * and detail shape (`ModelServerFailureType`, `ModelServerFailureDetail`), so the rollout steps treat both targets
 * alike: no answer, 5xx and 429 are retryable (`Retry-After` honoured on 429 and 503); 404 is a final
 * `SlipwayNotFound` (a window the target lost carries code `UnknownWindow`); any other 4xx (a 409 such as
 * `CandidateConflict`, a 401 for a wrong token) is a final `SlipwayModelServerRejected`; a 2xx answer that breaks the
 * contract is a final `SlipwayModelServerBadResponse`.
 */
import {
  AbortCandidateAnswer,
  DeployTargetHealthAnswer,
  ModelStatusAnswer,
  PredictAnswer,
  PromoteCandidateAnswer,
  RollbackAnswer,
  StageAnswer,
  TrafficAnswer,
  WindowAnswer,
  describeIssues,
} from '@slipway/sdk';
import type { z } from 'zod';
import { deployTargetHttpService } from '../model-server/client.js';
import type { DeployTarget, DeployTargetOptions } from '../ports.js';
import { badResponseFailure, requestJson } from '../util/http-failure.js';

/** The version of the webhook contract this adapter speaks, sent in {@link WEBHOOK_CONTRACT_HEADER}. */
export const WEBHOOK_CONTRACT_VERSION = '1';

/** The header that names the contract version on every request. */
export const WEBHOOK_CONTRACT_HEADER = 'x-slipway-webhook-contract';

/** The error code a redirect answer is reported with: Slipway never follows one. */
export const REDIRECT_REFUSED = 'RedirectRefused';

/** A webhook deploy target: the {@link DeployTarget} port, plus the contract's health check. */
export interface WebhookDeployTarget extends DeployTarget {
  /** The configured base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** `GET {url}/health` with the token: the target is up and accepts the token. */
  health(): Promise<DeployTargetHealthAnswer>;
  /**
   * Restores the deployment that served before the stable deployment `deploymentId` (a repeat answers the same);
   * refused (409 `NotCurrent`) when `deploymentId` is not stable, and while a candidate holds traffic.
   */
  rollback(model: string, deploymentId: string): Promise<RollbackAnswer>;
}

/**
 * Creates the webhook deploy target at `baseUrl` (e.g. `https://serving.example.com/slipway`; a path prefix is
 * kept). Its shape is a `DeployTargetFactory`. The token in `options` is sent as `Authorization: Bearer <token>`.
 */
export function createWebhookDeployTarget(baseUrl: string, options: DeployTargetOptions = {}): WebhookDeployTarget {
  const base = baseUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = {
    [WEBHOOK_CONTRACT_HEADER]: WEBHOOK_CONTRACT_VERSION,
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  };
  const call = <T>(method: string, path: string, schema: z.ZodType<T>, about?: About, body?: unknown) =>
    request({
      method,
      url: base + path,
      schema,
      about,
      body,
      headers,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
  const m = (model: string) => `/models/${encodeURIComponent(model)}`;
  const d = (model: string, id: string) => `${m(model)}/deployments/${encodeURIComponent(id)}`;
  const w = (model: string, id: string) => `${m(model)}/windows/${encodeURIComponent(id)}`;
  return {
    baseUrl: base,
    health: () => call('GET', '/health', DeployTargetHealthAnswer),
    stage: (model, id, body) => call('PUT', d(model, id), StageAnswer, { model }, body),
    smoke: (model, id, instances) => call('POST', `${d(model, id)}/smoke`, PredictAnswer, { model }, { instances }),
    setTraffic: (model, body) => call('PUT', `${m(model)}/traffic`, TrafficAnswer, { model }, body),
    openWindow: (model, id) => call('PUT', w(model, id), WindowAnswer, { model, windowId: id }, {}),
    readWindow: (model, id) => call('GET', w(model, id), WindowAnswer, { model, windowId: id }),
    closeWindow: (model, id) => call('POST', `${w(model, id)}/close`, WindowAnswer, { model, windowId: id }, {}),
    promote: (model, id) => call('POST', `${d(model, id)}/promote`, PromoteCandidateAnswer, { model }, {}),
    abort: (model, id, reason) => call('POST', `${d(model, id)}/abort`, AbortCandidateAnswer, { model }, { reason }),
    rollback: (model, id) => call('POST', `${d(model, id)}/rollback`, RollbackAnswer, { model }, {}),
    status: (model) => call('GET', m(model), ModelStatusAnswer, { model }),
  };
}

/** What an answer must be about: the model asked about, and the window when one was named. */
interface About {
  model: string;
  windowId?: string;
}

interface RequestSpec<T> {
  method: string;
  url: string;
  schema: z.ZodType<T>;
  about: About | undefined;
  body: unknown;
  headers: Record<string, string>;
  timeoutMs: number | undefined;
  signal: AbortSignal | undefined;
}

/** How the webhook target's failures are typed and described: as the model server client's. */
const WEBHOOK = deployTargetHttpService('webhook deploy target');

async function request<T>(spec: RequestSpec<T>): Promise<T> {
  const answer = await requestJson(WEBHOOK, {
    method: spec.method,
    url: spec.url,
    body: spec.body,
    headers: spec.headers,
    timeoutMs: spec.timeoutMs ?? 30_000,
    signal: spec.signal,
    fetch: fetchWithoutRedirects,
  });
  const call = { method: spec.method, url: spec.url };
  const expected = 'the JSON the webhook contract promises';
  const parsed = spec.schema.safeParse(answer.json);
  if (!parsed.success) {
    throw badResponseFailure(WEBHOOK, call, answer.status, expected, describeIssues(parsed.error, 5));
  }
  const other = spec.about === undefined ? undefined : answeredAbout(parsed.data, spec.about);
  if (other !== undefined) throw badResponseFailure(WEBHOOK, call, answer.status, expected, `it is about ${other}`);
  return parsed.data;
}

/** What else than `about` the answer is about (another model or window), or undefined when it is the right one. */
function answeredAbout(answer: unknown, about: About): string | undefined {
  const { model, windowId } = answer as { model?: unknown; windowId?: unknown };
  if (model !== about.model) return `model ${JSON.stringify(model)}, not "${about.model}"`;
  if (about.windowId !== undefined && windowId !== about.windowId) {
    return `window ${JSON.stringify(windowId)}, not ${about.windowId}`;
  }
  return undefined;
}

/**
 * `fetch` that never follows a redirect: a 3xx answer becomes a refusal with code {@link REDIRECT_REFUSED} (a final
 * failure), so the token goes to the configured origin only.
 */
async function fetchWithoutRedirects(url: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(url, { ...init, redirect: 'manual' });
  if (response.status < 300 || response.status > 399) return response;
  await response.body?.cancel();
  const location = response.headers.get('location');
  const message =
    `it redirected to ${location === null ? '(no location)' : JSON.stringify(location.slice(0, 300))}; Slipway does ` +
    'not follow redirects (the token goes to the configured origin only): configure the URL the target answers at';
  return new Response(JSON.stringify({ error: { code: REDIRECT_REFUSED, message } }), {
    status: response.status,
    headers: { 'content-type': 'application/json' },
  });
}
