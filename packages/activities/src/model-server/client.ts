/**
 * A small typed HTTP client for the Slipway model server (`slipway serve`). Every answer is checked with the
 * protocol's zod schemas from `@slipway/sdk` (`DeployAnswer`, `PredictAnswer`, ...), the ones the server is typed by.
 *
 * Failures are Temporal `ApplicationFailure`s classified for retry:
 * - the server cannot be reached, times out, or answers 5xx → retryable;
 * - the server answers 4xx, or an answer does not match the protocol → final (non-retryable).
 * Each failure's message names the method and URL; its first detail is a {@link ModelServerFailureDetail}.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  CommitAnswer,
  DiscardAnswer,
  ModelStatusAnswer,
  PredictAnswer,
  RollbackAnswer,
  ServeErrorBody,
  ServedAnswer,
  SlipwayErrorType,
  StageAnswer,
  describeIssues,
  type FeatureRow,
  type StageRequest,
} from '@slipway/sdk';
import type { z } from 'zod';

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

/** Failure types the client raises (besides `SlipwayNotFound` for 404 answers). */
export const ModelServerFailureType = {
  /** The server could not be reached or did not answer in time. Retryable. */
  Unreachable: 'SlipwayModelServerUnreachable',
  /** The server answered 5xx. Retryable. */
  ServerError: 'SlipwayModelServerError',
  /** The server refused the request (4xx other than 404). Final. */
  Rejected: 'SlipwayModelServerRejected',
  /** The answer was not the JSON the protocol promises. Final. */
  BadResponse: 'SlipwayModelServerBadResponse',
  /**
   * The server no longer holds the staged deployment a deploy was about to smoke-check or commit (it restarted in
   * between). Raised by the deploy activity. Retryable: the next attempt stages it again.
   */
  LostStaged: 'SlipwayModelServerLostStaged',
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

/** A typed client for one model server. */
export interface ModelServerClient {
  /** The server's base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** Loads a version and stages it under `deploymentId` (serving no traffic). Needs the token. */
  stage(model: string, deploymentId: string, body: StageRequest): Promise<StageAnswer>;
  /** Scores rows with the deployment `deploymentId` (staged or stable); never logged as traffic. Needs the token. */
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
  predict(model: string, instances: FeatureRow[]): Promise<PredictAnswer>;
  status(model: string): Promise<ModelStatusAnswer>;
  /** The newest `limit` rows a version served (oldest first) and the total count. Needs the token. */
  served(model: string, version: number, limit: number): Promise<ServedAnswer>;
}

/** Creates a client for the model server at `baseUrl` (e.g. `http://127.0.0.1:8080`). */
export function createModelServerClient(baseUrl: string, options: ModelServerClientOptions = {}): ModelServerClient {
  const base = baseUrl.replace(/\/+$/, '');
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  const call = <T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown) =>
    request({
      method,
      url: base + path,
      schema,
      body,
      headers: auth,
      timeoutMs: options.timeoutMs ?? 30_000,
      signal: options.signal,
    });
  const m = (model: string) => `/v1/models/${encodeURIComponent(model)}`;
  const d = (model: string, id: string) => `${m(model)}/deployments/${encodeURIComponent(id)}`;
  return {
    baseUrl: base,
    stage: (model, id, body) => call('PUT', d(model, id), StageAnswer, body),
    smoke: (model, id, instances) => call('POST', `${d(model, id)}/predict`, PredictAnswer, { instances }),
    commit: (model, id) => call('POST', `${d(model, id)}/commit`, CommitAnswer, {}),
    discard: (model, id, reason) => call('POST', `${d(model, id)}/discard`, DiscardAnswer, { reason }),
    rollback: (model, deploymentId) => call('POST', `${m(model)}/rollback`, RollbackAnswer, { deploymentId }),
    predict: (model, instances) => call('POST', `${m(model)}/predict`, PredictAnswer, { instances }),
    status: (model) => call('GET', m(model), ModelStatusAnswer),
    served: (model, version, limit) =>
      call('GET', `${m(model)}/versions/${version}/served?limit=${limit}`, ServedAnswer),
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

async function request<T>(spec: RequestSpec<T>): Promise<T> {
  const where = `${spec.method} ${spec.url}`;
  const detail = (status: number | null, code: string | null): ModelServerFailureDetail => ({
    method: spec.method,
    url: spec.url,
    status,
    code,
  });
  const timeout = AbortSignal.timeout(spec.timeoutMs);
  let response: Response;
  try {
    response = await fetch(spec.url, {
      method: spec.method,
      headers: {
        accept: 'application/json',
        ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...spec.headers,
      },
      body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      signal: spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout,
    });
  } catch (err) {
    const reason = timeout.aborted ? `no answer within ${spec.timeoutMs} ms` : describeNetworkError(err);
    throw ApplicationFailure.create({
      type: ModelServerFailureType.Unreachable,
      message: `Could not reach the model server at ${where}: ${reason}`,
      nonRetryable: false,
      details: [detail(null, null)],
    });
  }
  const text = await response.text();
  const json = parseJson(text);
  if (!response.ok) throw httpFailure(where, response.status, json, text, detail);
  const parsed = spec.schema.safeParse(json);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: ModelServerFailureType.BadResponse,
      message: `The model server at ${where} sent an answer that is not the expected JSON: ${describeIssues(parsed.error, 5)}`,
      nonRetryable: true,
      details: [detail(response.status, null)],
    });
  }
  return parsed.data;
}

function httpFailure(
  where: string,
  status: number,
  json: unknown,
  text: string,
  detail: (status: number | null, code: string | null) => ModelServerFailureDetail,
): ApplicationFailure {
  const body = ServeErrorBody.safeParse(json);
  const code = body.success ? body.data.error.code : null;
  const said = body.success ? body.data.error.message : text.slice(0, 300) || '(empty body)';
  const type =
    status >= 500
      ? ModelServerFailureType.ServerError
      : status === 404
        ? SlipwayErrorType.NotFound
        : ModelServerFailureType.Rejected;
  return ApplicationFailure.create({
    type,
    message: `The model server answered ${where} with ${status}${code ? ` ${code}` : ''}: ${said}`,
    nonRetryable: status < 500,
    details: [detail(status, code)],
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}

/** The failure detail a model server client failure carries, or undefined for other errors. */
export function modelServerFailureDetail(err: unknown): ModelServerFailureDetail | undefined {
  // Structural check, not `instanceof`: failures may come from another copy of @temporalio/common.
  const details = (err as { details?: unknown } | null | undefined)?.details;
  const first = (Array.isArray(details) ? details[0] : undefined) as Partial<ModelServerFailureDetail> | undefined;
  if (!first || typeof first.url !== 'string' || typeof first.method !== 'string') return undefined;
  return { method: first.method, url: first.url, status: first.status ?? null, code: first.code ?? null };
}
