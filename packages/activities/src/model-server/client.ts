/**
 * A small typed HTTP client for the Slipway model server (`slipway serve`). Every answer is checked with the
 * protocol's zod schemas from `@slipway/sdk` (`DeployAnswer`, `PredictAnswer`, ...), the ones the server is typed by.
 *
 * Failures are Temporal `ApplicationFailure`s classified by the one HTTP rule of `../util/http-failure.ts`:
 * - the server cannot be reached or times out, answers 5xx, or 429 → retryable (a 429 or 503 with `Retry-After` is
 *   retried when the server asked);
 * - the server answers 404 → final `SlipwayNotFound`; any other 4xx, or an answer that does not match the protocol
 *   → final.
 * Each failure's message names the method and URL; its first detail is a {@link ModelServerFailureDetail}.
 */
import {
  AbortCandidateAnswer,
  CommitAnswer,
  DiscardAnswer,
  FinalErrorType,
  ModelStatusAnswer,
  PredictAnswer,
  PromoteCandidateAnswer,
  ROUTE_KEY_HEADER,
  RetryableErrorType,
  RollbackAnswer,
  ServeErrorBody,
  ServedAnswer,
  StageAnswer,
  TrafficAnswer,
  VersionHealthAnswer,
  WindowAnswer,
  describeIssues,
  type FeatureRow,
  type StageRequest,
} from '@slipway/sdk';
import type { z } from 'zod';
import type { DeployTarget } from '../ports.js';
import { badResponseFailure, requestJson, type HttpService } from '../util/http-failure.js';

// The answer schemas are the protocol's single definition in `@slipway/sdk`; re-exported for existing callers.
export {
  CommitAnswer,
  DiscardAnswer,
  ModelStatusAnswer,
  PredictAnswer,
  RollbackAnswer,
  ServedAnswer,
  ServedDeployment,
  StageAnswer,
} from '@slipway/sdk';

/**
 * Failure types the client raises (besides `SlipwayNotFound` for 404 answers); they are defined with every other
 * Slipway error type in `@slipway/sdk` (`RetryableErrorType`, `FinalErrorType`).
 */
export const ModelServerFailureType = {
  /** The server could not be reached or did not answer in time. Retryable. */
  Unreachable: RetryableErrorType.ModelServerUnreachable,
  /** The server answered 5xx, or 429 (too many requests). Retryable. */
  ServerError: RetryableErrorType.ModelServerError,
  /** The server refused the request (4xx other than 404 and 429). Final. */
  Rejected: FinalErrorType.ModelServerRejected,
  /** The answer was not the JSON the protocol promises. Final. */
  BadResponse: FinalErrorType.ModelServerBadResponse,
  /**
   * The server no longer holds the staged deployment a deploy was about to smoke-check or commit (it restarted in
   * between). Raised by the deploy activity. Retryable: the next attempt stages it again.
   */
  LostStaged: RetryableErrorType.ModelServerLostStaged,
} as const;
/** A failure type the model server client raises. */
export type ModelServerFailureType = (typeof ModelServerFailureType)[keyof typeof ModelServerFailureType];

/** The first detail of every failure the client raises. */
export interface ModelServerFailureDetail {
  method: string;
  url: string;
  /** The HTTP status, or null when no answer arrived. */
  status: number | null;
  /** The server's error code (e.g. `DeploymentRolledBack`), when it sent one. */
  code: string | null;
}

/** Options of {@link createModelServerClient}. */
export interface ModelServerClientOptions {
  /** Per-request timeout in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** Aborts every request, e.g. the activity's cancellation signal. */
  signal?: AbortSignal;
  /** The control-plane token, sent as `Authorization: Bearer <token>` to this server only. */
  token?: string;
}

/**
 * A typed client for one model server; it is the local model server's {@link DeployTarget} (traffic split,
 * measurement windows, promote, abort: each needs the token). A window the server does not hold (it restarted)
 * fails as `SlipwayNotFound` with detail code `UnknownWindow`.
 */
export interface ModelServerClient extends DeployTarget {
  /** The server's base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** Loads a version and stages it under `deploymentId` (serving no traffic). Needs the token. */
  stage(model: string, deploymentId: string, body: StageRequest): Promise<StageAnswer>;
  /**
   * Scores rows with the deployment `deploymentId` (staged, candidate or stable); never logged as traffic. Needs
   * the token.
   */
  smoke(model: string, deploymentId: string, instances: FeatureRow[]): Promise<PredictAnswer>;
  /** Makes the staged deployment `deploymentId` the one that serves. Needs the token. */
  commit(model: string, deploymentId: string): Promise<CommitAnswer>;
  /** Drops the staged deployment `deploymentId` without serving it. Needs the token. */
  discard(model: string, deploymentId: string, reason: string): Promise<DiscardAnswer>;
  /** Restores the deployment before `deploymentId`, which must serve. Needs the token. */
  rollback(model: string, deploymentId: string): Promise<RollbackAnswer>;
  /**
   * Scores rows with the stable version; the rows are logged as served traffic. Each prediction names the features
   * the model imputed (`imputed`), if any; a request with a row missing a feature the model does not impute, or
   * holding one it does not know, is refused (final `Rejected`, the server's message naming the rows and
   * features); a model that fails while scoring is a `ServerError`.
   */
  predict(model: string, instances: FeatureRow[], options?: { routeKey?: string }): Promise<PredictAnswer>;
  /** What serves the model: stable, candidate, weights, mode, staged, ended stagings. */
  status(model: string): Promise<ModelStatusAnswer>;
  /** The model's traffic split. Needs the token. */
  traffic(model: string): Promise<TrafficAnswer>;
  /**
   * Rows a version served, oldest first, with the total count and a cursor after the last row: the newest `limit`
   * rows, or with `after` (a cursor an earlier answer gave, or `'start'`) up to `limit` rows after it. Needs the
   * token. A cursor the server did not give out for this model and version is refused (final `Rejected`).
   */
  served(model: string, version: number, limit: number, after?: string): Promise<ServedAnswer>;
  /**
   * The requests a version answered with `from < time ≤ to` (ISO 8601; no `from`: every one the server still
   * keeps), their errors and p99 latency, and `since`, when the server's in-memory record starts. Needs the token.
   */
  health(
    model: string,
    version: number,
    window: { from?: string | undefined; to: string },
  ): Promise<VersionHealthAnswer>;
}

/** Creates a client for the model server at `baseUrl` (e.g. `http://127.0.0.1:8080`). */
export function createModelServerClient(baseUrl: string, options: ModelServerClientOptions = {}): ModelServerClient {
  const base = baseUrl.replace(/\/+$/, '');
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const call = <T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown, headers = {}) =>
    request({
      method,
      url: base + path,
      schema,
      body,
      headers: { ...auth, ...headers },
      timeoutMs: options.timeoutMs ?? 30_000,
      signal: options.signal,
    });
  const m = (model: string) => `/v1/models/${encodeURIComponent(model)}`;
  const d = (model: string, id: string) => `${m(model)}/deployments/${encodeURIComponent(id)}`;
  const w = (model: string, id: string) => `${m(model)}/windows/${encodeURIComponent(id)}`;
  return {
    baseUrl: base,
    stage: (model, id, body) => call('PUT', d(model, id), StageAnswer, body),
    smoke: (model, id, instances) => call('POST', `${d(model, id)}/predict`, PredictAnswer, { instances }),
    commit: (model, id) => call('POST', `${d(model, id)}/commit`, CommitAnswer, {}),
    discard: (model, id, reason) => call('POST', `${d(model, id)}/discard`, DiscardAnswer, { reason }),
    rollback: (model, deploymentId) => call('POST', `${m(model)}/rollback`, RollbackAnswer, { deploymentId }),
    predict: (model, instances, options = {}) => {
      const key = options.routeKey === undefined ? {} : { [ROUTE_KEY_HEADER]: options.routeKey };
      return call('POST', `${m(model)}/predict`, PredictAnswer, { instances }, key);
    },
    status: (model) => call('GET', m(model), ModelStatusAnswer),
    traffic: (model) => call('GET', `${m(model)}/traffic`, TrafficAnswer),
    setTraffic: (model, body) => call('PUT', `${m(model)}/traffic`, TrafficAnswer, body),
    promote: (model, id) => call('POST', `${d(model, id)}/promote`, PromoteCandidateAnswer, {}),
    abort: (model, id, reason) => call('POST', `${d(model, id)}/abort`, AbortCandidateAnswer, { reason }),
    openWindow: (model, id) => call('PUT', w(model, id), WindowAnswer, {}),
    readWindow: (model, id) => call('GET', w(model, id), WindowAnswer),
    closeWindow: (model, id) => call('POST', `${w(model, id)}/close`, WindowAnswer, {}),
    served: (model, version, limit, after) => {
      const query = new URLSearchParams({ limit: String(limit), ...(after === undefined ? {} : { after }) });
      return call('GET', `${m(model)}/versions/${version}/served?${query.toString()}`, ServedAnswer);
    },
    health: (model, version, window) => {
      const query = new URLSearchParams({ ...(window.from === undefined ? {} : { from: window.from }), to: window.to });
      return call('GET', `${m(model)}/versions/${version}/health?${query.toString()}`, VersionHealthAnswer);
    },
  };
}

interface RequestSpec<T> {
  method: string;
  url: string;
  schema: z.ZodType<T>;
  body: unknown;
  headers: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal | undefined;
}

/**
 * How a deploy target's HTTP failures are typed and described (see `../util/http-failure.ts`): the model server's
 * and the webhook target's alike, so the rollout steps treat both the same. `name` is how messages name the server.
 * What a server says in a refusal is cut (code 100, message 2000 characters): it goes into failure messages.
 */
export function deployTargetHttpService(name: string): HttpService<ModelServerFailureDetail> {
  return {
    name,
    types: {
      unreachable: ModelServerFailureType.Unreachable,
      serverError: ModelServerFailureType.ServerError,
      rejected: ModelServerFailureType.Rejected,
      badResponse: ModelServerFailureType.BadResponse,
      notFound: FinalErrorType.NotFound,
    },
    detail: (call, status, code) => ({ method: call.method, url: call.url, status, code }),
    said(json, text) {
      const body = ServeErrorBody.safeParse(json);
      return body.success
        ? { code: body.data.error.code.slice(0, 100), message: body.data.error.message.slice(0, 2000) }
        : { code: null, message: text.slice(0, 300) || '(empty body)' };
    },
  };
}

const MODEL_SERVER = deployTargetHttpService('model server');

async function request<T>(spec: RequestSpec<T>): Promise<T> {
  const answer = await requestJson(MODEL_SERVER, spec);
  const parsed = spec.schema.safeParse(answer.json);
  if (parsed.success) return parsed.data;
  const call = { method: spec.method, url: spec.url };
  throw badResponseFailure(MODEL_SERVER, call, answer.status, 'the expected JSON', describeIssues(parsed.error, 5));
}

/** The failure detail a model server client failure carries, or undefined for other errors. */
export function modelServerFailureDetail(err: unknown): ModelServerFailureDetail | undefined {
  // Structural check, not `instanceof`: failures may come from another copy of @temporalio/common.
  const details = (err as { details?: unknown } | null | undefined)?.details;
  const first = (Array.isArray(details) ? details[0] : undefined) as Partial<ModelServerFailureDetail> | undefined;
  if (!first || typeof first.url !== 'string' || typeof first.method !== 'string') return undefined;
  return { method: first.method, url: first.url, status: first.status ?? null, code: first.code ?? null };
}
