/**
 * A small serving platform for the tests that speaks the webhook deploy-target contract
 * (`docs/deploy-target-webhook.md`) on 127.0.0.1, as a KServe or SageMaker bridge would: it checks the bearer token
 * and the contract version, validates each request body with the contract's schemas, and carries it out on a real
 * Slipway model server through that server's client (with the model server's own token, which Slipway never sees).
 * Refusals are relayed with their status and code; a model server that cannot be reached is a `503`. The routes are
 * written here from the document, not shared with the adapter, so a drift between the two fails the tests.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createModelServerClient, type ModelServerClient } from '@slipway/activities';
import { AbortCandidateRequest, PredictRequest, SetTrafficRequest, StageRequest, describeIssues } from '@slipway/sdk';
import { z } from 'zod';
import { modelServerFailureDetail } from '../../packages/activities/src/model-server/index.js';

/** One request the contract server received. */
export interface ContractRequest {
  method: string;
  /** The path below the prefix, e.g. `/models/churn/traffic`. */
  path: string;
  /** Whether it carried the right token. */
  authorized: boolean;
}

/** A running contract server. */
export interface WebhookContractServer {
  /** Its base URL (with the prefix), the URL a worker's `deployTargets` names. */
  readonly url: string;
  /** Every request received, oldest first. */
  readonly requests: ContractRequest[];
  close(): Promise<void>;
}

/** Options of {@link startWebhookContractServer}. */
export interface ContractServerOptions {
  /** The model server it forwards to, and that server's control-plane token. */
  modelServer: { url: string; token: string };
  /** The bearer token Slipway must send (the platform's, not the model server's). */
  token: string;
  /** A path prefix the contract lives under (default `/slipway`). */
  prefix?: string;
}

const Empty = z.object({}).strict();

/** An answer the route gives: a status and a JSON body. */
interface Reply {
  status: number;
  body: unknown;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Starts the contract server on 127.0.0.1 (a free port). */
export async function startWebhookContractServer(options: ContractServerOptions): Promise<WebhookContractServer> {
  const prefix = options.prefix ?? '/slipway';
  const client = createModelServerClient(options.modelServer.url, { token: options.modelServer.token });
  const requests: ContractRequest[] = [];
  const server = createServer((req, res) => {
    void handle(req, res, { prefix, client, token: options.token, requests });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

interface Context {
  prefix: string;
  client: ModelServerClient;
  token: string;
  requests: ContractRequest[];
}

async function handle(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  const pathname = new URL(req.url ?? '/', 'http://contract').pathname;
  const path = pathname.startsWith(`${ctx.prefix}/`) ? pathname.slice(ctx.prefix.length) : pathname;
  const authorized = hasToken(req.headers.authorization, ctx.token);
  ctx.requests.push({ method: req.method ?? '', path, authorized });
  let reply: Reply;
  try {
    if (!pathname.startsWith(`${ctx.prefix}/`)) throw new Refusal(404, 'NotFound', `No route ${pathname}`);
    if (!authorized) throw new Refusal(401, 'Unauthorized', 'Missing or wrong bearer token');
    if (req.headers['x-slipway-webhook-contract'] !== '1') {
      throw new Refusal(400, 'UnsupportedContract', 'This platform speaks webhook contract 1');
    }
    const body = await readJson(req);
    reply = { status: 200, body: await route(req.method ?? '', segments(path), body, ctx.client) };
  } catch (err) {
    reply = refusalReply(err);
  }
  res.writeHead(reply.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(reply.body));
}

/** Carries out one contract route on the model server. */
async function route(method: string, parts: string[], body: unknown, client: ModelServerClient): Promise<unknown> {
  const [first, model, kind, id, action] = parts;
  if (parts.length === 1 && first === 'health' && method === 'GET') return { status: 'ok' };
  if (first !== 'models' || model === undefined) throw noRoute(method, parts);
  if (parts.length === 2 && method === 'GET') return client.status(model);
  if (parts.length === 3 && kind === 'traffic' && method === 'PUT') {
    return client.setTraffic(model, parse(SetTrafficRequest, body));
  }
  const call = `${method} ${kind ?? ''}${parts.length === 5 ? `/${action ?? ''}` : ''}`;
  if (id === undefined || parts.length > 5) throw noRoute(method, parts);
  switch (call) {
    case 'PUT deployments':
      return client.stage(model, id, parse(StageRequest, body));
    case 'POST deployments/smoke':
      return client.smoke(model, id, parse(PredictRequest, body).instances);
    case 'POST deployments/promote':
      parse(Empty, body);
      return client.promote(model, id);
    case 'POST deployments/abort':
      return client.abort(model, id, parse(AbortCandidateRequest, body).reason);
    case 'POST deployments/rollback':
      parse(Empty, body);
      return client.rollback(model, id);
    case 'PUT windows':
      parse(Empty, body);
      return client.openWindow(model, id);
    case 'GET windows':
      return client.readWindow(model, id);
    case 'POST windows/close':
      parse(Empty, body);
      return client.closeWindow(model, id);
    default:
      throw noRoute(method, parts);
  }
}

function noRoute(method: string, parts: string[]): Refusal {
  return new Refusal(404, 'NotFound', `No route ${method} /${parts.join('/')}`);
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Refusal(400, 'InvalidRequest', describeIssues(parsed.error, 5));
  return parsed.data;
}

/** The reply for a failure: a refusal as it is, a model server failure relayed (unreachable: 503). */
function refusalReply(err: unknown): Reply {
  if (err instanceof Refusal) return { status: err.status, body: { error: { code: err.code, message: err.message } } };
  const detail = modelServerFailureDetail(err);
  const message = err instanceof Error ? err.message : String(err);
  if (detail === undefined) return { status: 500, body: { error: { code: 'Internal', message } } };
  const status = detail.status ?? 503;
  return { status, body: { error: { code: detail.code ?? (status === 503 ? 'Unavailable' : 'Upstream'), message } } };
}

function segments(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
}

function hasToken(header: string | undefined, token: string): boolean {
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    throw new Refusal(415, 'UnsupportedMediaType', 'Bodies are application/json');
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new Refusal(400, 'InvalidRequest', 'The body is not JSON');
  }
}
