/**
 * A small client for MLflow's REST API (`/api/2.0/mlflow/...`, the same in MLflow 2.x and 3.x) on Node's
 * own `fetch`. Failures are Temporal `ApplicationFailure`s classified by the one HTTP rule of
 * `../util/http-failure.ts`:
 * - the server cannot be reached or does not answer in time, answers 5xx, or 429 → retryable, naming the URL (a 429
 *   or 503 with `Retry-After` is retried when the server asked);
 * - the server answers any other 4xx (404 included: callers read MLflow's `error_code`), or with something that is
 *   not JSON → final (non-retryable).
 * Each failure's first detail is an {@link MlflowFailureDetail} carrying MLflow's `error_code`.
 */
import { FinalErrorType, RetryableErrorType } from '@slipway/sdk';
import { badResponseFailure, requestJson, type HttpService } from '../util/http-failure.js';

/**
 * Failure types the MLflow client raises; they are defined with every other Slipway error type in `@slipway/sdk`
 * (`RetryableErrorType`, `FinalErrorType`).
 */
export const MlflowFailureType = {
  /** The server could not be reached or did not answer in time. Retryable. */
  Unreachable: RetryableErrorType.MlflowUnreachable,
  /** The server answered 5xx, or 429 (too many requests). Retryable. */
  ServerError: RetryableErrorType.MlflowServerError,
  /** The server refused the request (4xx other than 429). Final. */
  Rejected: FinalErrorType.MlflowRejected,
  /** The answer was not the JSON MLflow sends. Final. */
  BadResponse: FinalErrorType.MlflowBadResponse,
} as const;
/** A failure type the MLflow client raises. */
export type MlflowFailureType = (typeof MlflowFailureType)[keyof typeof MlflowFailureType];

/** The first detail of every failure the client raises. */
export interface MlflowFailureDetail {
  method: string;
  url: string;
  /** The HTTP status, or null when no answer arrived. */
  status: number | null;
  /** MLflow's `error_code` (e.g. `RESOURCE_DOES_NOT_EXIST`), when it sent one. */
  errorCode: string | null;
}

/** Query parameters; arrays repeat the parameter (`order_by=a&order_by=b`). */
export type MlflowQuery = Record<string, string | number | readonly string[] | undefined>;

/** A client for one MLflow tracking server. */
export interface MlflowClient {
  /** The server's base URL, e.g. `http://127.0.0.1:5000`, without a trailing slash. */
  readonly baseUrl: string;
  get(path: string, query?: MlflowQuery): Promise<unknown>;
  post(path: string, body: object): Promise<unknown>;
  delete(path: string, body: object): Promise<unknown>;
  /** The server's MLflow version (`GET /version`), e.g. `3.17.2`. */
  version(): Promise<string>;
}

/** Options of {@link createMlflowClient}. */
export interface MlflowClientOptions {
  /** Per-request timeout in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof fetch;
  /** How to sign in, when the server asks (MLflow's basic-auth app, or a proxy that takes a bearer token). */
  credentials?: MlflowCredentials;
}

/** Credentials for an MLflow server, as MLflow's own clients take them (`MLFLOW_TRACKING_TOKEN`, or user and password). */
export type MlflowCredentials = { token: string } | { username: string; password: string };

/** The `authorization` header value for credentials. */
function authorization(credentials: MlflowCredentials): string {
  if ('token' in credentials) return `Bearer ${credentials.token}`;
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/** Creates a client for the MLflow server at `baseUrl` (`http://host:port`, optionally with a path prefix). */
export function createMlflowClient(baseUrl: string, options: MlflowClientOptions = {}): MlflowClient {
  const base = baseUrl.replace(/\/+$/, '');
  const send = (method: string, path: string, query?: MlflowQuery, body?: object) =>
    request({
      method,
      url: `${base}/api/2.0/mlflow/${path}${queryString(query)}`,
      body,
      timeoutMs: options.timeoutMs ?? 30_000,
      fetch: options.fetch ?? fetch,
      ...(options.credentials ? { authorization: authorization(options.credentials) } : {}),
    });
  return {
    baseUrl: base,
    get: (path, query) => send('GET', path, query),
    post: (path, body) => send('POST', path, undefined, body),
    delete: (path, body) => send('DELETE', path, undefined, body),
    version: () => serverVersion(base, options),
  };
}

/** `GET <base>/version`: MLflow answers with its version as plain text. */
async function serverVersion(base: string, options: MlflowClientOptions): Promise<string> {
  const call = { method: 'GET', url: `${base}/version` };
  const answer = await requestJson(MLFLOW, {
    ...call,
    timeoutMs: options.timeoutMs ?? 30_000,
    fetch: options.fetch ?? fetch,
    ...(options.credentials ? { headers: { authorization: authorization(options.credentials) } } : {}),
  });
  const version = answer.text.trim();
  if (/^\d+\.\d+\.\d+[0-9A-Za-z.+-]*$/.test(version)) return version;
  throw badResponseFailure(MLFLOW, call, answer.status, 'an MLflow version', version.slice(0, 200));
}

/** MLflow's `error_code` of a failure the client raised, if any. */
export function mlflowErrorCode(err: unknown): string | null {
  return mlflowFailureDetail(err)?.errorCode ?? null;
}

/** The {@link MlflowFailureDetail} of a failure the client raised, if it is one. */
export function mlflowFailureDetail(err: unknown): MlflowFailureDetail | undefined {
  // Duck-typed, never `instanceof`: the failure may come from another copy of the package.
  if (!isMlflowFailure(err)) return undefined;
  const detail = (err as { details?: unknown }).details;
  const first: unknown = Array.isArray(detail) ? detail[0] : undefined;
  return first !== null && typeof first === 'object' && 'errorCode' in first
    ? (first as MlflowFailureDetail)
    : undefined;
}

/** True for failures worth retrying: the server was unreachable or answered 5xx. */
export function isRetryableMlflowFailure(err: unknown): boolean {
  return isMlflowFailure(err) && (err as { nonRetryable?: unknown }).nonRetryable === false;
}

const FAILURE_TYPES: ReadonlySet<string> = new Set(Object.values(MlflowFailureType));

function isMlflowFailure(err: unknown): boolean {
  const type = err !== null && typeof err === 'object' ? (err as { type?: unknown }).type : undefined;
  return typeof type === 'string' && FAILURE_TYPES.has(type);
}

/** Resolves to undefined instead of failing when MLflow answers with one of `codes`. */
export async function unlessMlflowError<T>(promise: Promise<T>, ...codes: string[]): Promise<T | undefined> {
  try {
    return await promise;
  } catch (err) {
    const code = mlflowErrorCode(err);
    if (code !== null && codes.includes(code)) return undefined;
    throw err;
  }
}

function queryString(query: MlflowQuery | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value === 'object') for (const item of value) params.append(key, item);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

interface RequestSpec {
  method: string;
  url: string;
  body: object | undefined;
  timeoutMs: number;
  fetch: typeof fetch;
  authorization?: string;
}

/** How MLflow's failures are typed and described (see `../util/http-failure.ts`). */
const MLFLOW: HttpService<MlflowFailureDetail> = {
  name: 'MLflow server',
  types: {
    unreachable: MlflowFailureType.Unreachable,
    serverError: MlflowFailureType.ServerError,
    rejected: MlflowFailureType.Rejected,
    badResponse: MlflowFailureType.BadResponse,
  },
  detail: (call, status, errorCode) => ({ method: call.method, url: call.url, status, errorCode }),
  said(json, text) {
    const body = json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : {};
    return {
      code: typeof body.error_code === 'string' ? body.error_code : null,
      message: typeof body.message === 'string' ? body.message : text.slice(0, 300) || '(empty body)',
    };
  },
};

async function request(spec: RequestSpec): Promise<unknown> {
  const answer = await requestJson(MLFLOW, {
    method: spec.method,
    url: spec.url,
    body: spec.body,
    headers: spec.authorization ? { authorization: spec.authorization } : {},
    timeoutMs: spec.timeoutMs,
    fetch: spec.fetch,
  });
  if (answer.json !== undefined) return answer.json;
  const call = { method: spec.method, url: spec.url };
  throw badResponseFailure(MLFLOW, call, answer.status, 'JSON', answer.text.slice(0, 200));
}
