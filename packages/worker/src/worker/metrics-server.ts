/**
 * The worker's `/metrics` and `/healthz` endpoint (node:http). `/metrics` answers the Prometheus text of every
 * source in turn: the Temporal runtime's own metrics (read from the core exporter on its internal loopback port;
 * see `installWorkerRuntime`) followed by Slipway's series. `/healthz` answers 200 while the worker is `RUNNING`
 * and 503 otherwise (starting, draining, stopped, failed), with the state in the body.
 *
 * With a token, `/metrics` answers only a request that carries it (`Authorization: Bearer <token>`; Prometheus's
 * `authorization` scrape setting sends it); any address but loopback needs one, so that a worker bound where others
 * reach it never serves its series (model names, steps, drift per feature) to anyone who asks. `/healthz` stays
 * open: it tells only whether the worker polls, and a kubelet's HTTP probe cannot carry a secret.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRICS_TOKEN_SOURCE } from '../config/telemetry-setting.js';
import { MIN_TOKEN_LENGTH } from '../config/token-setting.js';
import { bearerCheck, bearerRefusal, type BearerCheck } from '../net/bearer.js';
import { isLoopbackHost } from '../net/loopback.js';

/** The Prometheus text exposition format's media type. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** A source of Prometheus text: its name (for the error comment when it cannot be read) and the reader. */
export interface MetricsSource {
  name: string;
  read(): Promise<string>;
}

/** Options of {@link startMetricsServer}. */
export interface MetricsServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The bearer token `/metrics` asks for; required on any host but loopback. */
  token?: string;
  sources: readonly MetricsSource[];
  /** The worker's state (`RUNNING` is healthy), or undefined before the worker exists. */
  state(): string | undefined;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts the endpoint; fails naming the address when it cannot listen there, and before listening when the address
 * is not loopback and no token is configured.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  if (options.token === undefined && !isLoopbackHost(options.host)) {
    throw new Error(
      `the metrics endpoint on ${options.host} (not a loopback address) needs a token, so that only your scraper ` +
        `reads it: set SLIPWAY_METRICS_TOKEN (or metrics.token in slipway.config.json, at least ${MIN_TOKEN_LENGTH} characters) ` +
        'and give Prometheus the same token (`authorization: { credentials_file: ... }` in its scrape job)',
    );
  }
  const authorized = options.token === undefined ? undefined : bearerCheck(options.token);
  const server = createServer((req, res) => {
    handle(options, authorized, req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  });
  await listen(server, options.host, options.port);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`cannot serve metrics on ${host}:${port}: ${err.code ?? err.message}`)),
    );
    server.listen(port, host, () => resolve());
  });
}

async function handle(
  options: MetricsServerOptions,
  authorized: BearerCheck | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
    return;
  }
  if (path === '/healthz') {
    const state = options.state() ?? 'STARTING';
    const body = JSON.stringify({ status: state === 'RUNNING' ? 'ok' : 'unavailable', worker: state });
    res.writeHead(state === 'RUNNING' ? 200 : 503, { 'content-type': 'application/json' }).end(`${body}\n`);
    return;
  }
  if (path === '/metrics') {
    if (authorized && !authorized(req.headers.authorization)) {
      const refusal = bearerRefusal('/metrics', req.headers.authorization, 'metrics token', METRICS_TOKEN_SOURCE);
      res
        .writeHead(401, { 'www-authenticate': 'Bearer realm="slipway-worker-metrics"', 'content-type': 'text/plain' })
        .end(`${refusal}\n`);
      return;
    }
    const parts = await Promise.all(options.sources.map(readSource));
    res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(parts.join('\n'));
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics or /healthz\n');
}

/** One source's text, ending in a newline; a source that fails gives a comment saying so, not a failed scrape. */
async function readSource(source: MetricsSource): Promise<string> {
  try {
    const text = await source.read();
    return text.endsWith('\n') || text === '' ? text : `${text}\n`;
  } catch (err) {
    return `# ${source.name} unavailable: ${(err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ')}\n`;
  }
}
