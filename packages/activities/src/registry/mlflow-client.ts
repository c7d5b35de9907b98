/**
 * A small client for MLflow's REST API (`/api/2.0/mlflow/...`, the same in MLflow 2.x and 3.x) on Node's
 * own `fetch`. Failures are Temporal `ApplicationFailure`s classified for retry:
 * - the server cannot be reached or does not answer in time, or answers 5xx → retryable, naming the URL;
 * - the server answers 4xx, or with something that is not JSON → final (non-retryable).
 * Each failure's first detail is an {@link MlflowFailureDetail} carrying MLflow's `error_code`.
 */
import { ApplicationFailure } from '@temporalio/common';

/** Failure types the MLflow client raises. */
export const MlflowFailureType = {
  /** The server could not be reached or did not answer in time. Retryable. */
  Unreachable: 'SlipwayMlflowUnreachable',
  /** The server answered 5xx. Retryable. */
  ServerError: 'SlipwayMlflowServerError',
  /** The server refused the request (4xx). Final. */
  Rejected: 'SlipwayMlflowRejected',
  /** The answer was not the JSON MLflow sends. Final. */
  BadResponse: 'SlipwayMlflowBadResponse',
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
  };
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

async function request(spec: RequestSpec): Promise<unknown> {
  const where = `${spec.method} ${spec.url}`;
  const detail = (status: number | null, errorCode: string | null): MlflowFailureDetail => ({
    method: spec.method,
    url: spec.url,
    status,
    errorCode,
  });
  const timeout = AbortSignal.timeout(spec.timeoutMs);
  let response: Response;
  try {
    response = await spec.fetch(spec.url, {
      method: spec.method,
      headers: {
        accept: 'application/json',
        ...(spec.body ? { 'content-type': 'application/json' } : {}),
        ...(spec.authorization ? { authorization: spec.authorization } : {}),
      },
      ...(spec.body ? { body: JSON.stringify(spec.body) } : {}),
      signal: timeout,
    });
  } catch (err) {
    const reason = timeout.aborted ? `no answer within ${spec.timeoutMs} ms` : networkReason(err);
    throw ApplicationFailure.create({
      type: MlflowFailureType.Unreachable,
      message: `Could not reach the MLflow server at ${where}: ${reason}`,
      nonRetryable: false,
      details: [detail(null, null)],
    });
  }
  const text = await response.text().catch(() => '');
  const json = parseJson(text);
  if (!response.ok) throw httpFailure(where, response.status, json, text, detail);
  if (json === undefined) {
    throw ApplicationFailure.create({
      type: MlflowFailureType.BadResponse,
      message: `The MLflow server answered ${where} with something that is not JSON: ${text.slice(0, 200)}`,
      nonRetryable: true,
      details: [detail(response.status, null)],
    });
  }
  return json;
}

function httpFailure(
  where: string,
  status: number,
  json: unknown,
  text: string,
  detail: (status: number | null, errorCode: string | null) => MlflowFailureDetail,
): ApplicationFailure {
  const body = json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  const errorCode = typeof body.error_code === 'string' ? body.error_code : null;
  const said = typeof body.message === 'string' ? body.message : text.slice(0, 300) || '(empty body)';
  const retryable = status >= 500 || status === 429;
  return ApplicationFailure.create({
    type: retryable ? MlflowFailureType.ServerError : MlflowFailureType.Rejected,
    message: `The MLflow server answered ${where} with ${status}${errorCode ? ` ${errorCode}` : ''}: ${said}`,
    nonRetryable: !retryable,
    details: [detail(status, errorCode)],
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function networkReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  const code = cause !== null && typeof cause === 'object' ? (cause as { code?: unknown }).code : undefined;
  const causeMessage = cause instanceof Error ? cause.message : undefined;
  return typeof code === 'string' ? `${code}${causeMessage ? ` (${causeMessage})` : ''}` : err.message;
}
