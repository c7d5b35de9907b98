/**
 * Runs the model server over HTTP: on a loopback address by default; on any other address (a container's
 * `0.0.0.0`, a host's interface) only in the bind mode where every route needs the token.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { isLoopbackHost } from '../net/loopback.js';
import { createModelServer, type ModelServer, type ModelServerOptions } from './app.js';

export { LOOPBACK_HOSTS, isLoopbackHost, type LoopbackHost } from '../net/loopback.js';

/** Options of {@link startModelServer}. */
export interface StartModelServerOptions extends ModelServerOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /**
   * Address to bind (default `127.0.0.1`). Any other than a loopback address turns `tokenEverywhere` on: every route
   * needs the token there.
   */
  host?: string;
}

/** A listening model server. */
export interface RunningModelServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  readonly server: ModelServer;
  /** Stops accepting connections, waits for pending writes, and closes the listener. */
  close(): Promise<void>;
}

/**
 * Creates the model server (restoring its state from `<home>/serving/`) and listens on `host:port`.
 *
 * ```ts
 * const token = await resolveModelServerToken(config);
 * const running = await startModelServer({ home: '.slipway', artifacts, predictors, token, port: 0 });
 * console.log(`serving on ${running.url}`);
 * ```
 *
 * @throws Error when the port cannot be bound.
 */
export async function startModelServer(options: StartModelServerOptions): Promise<RunningModelServer> {
  const host = options.host ?? '127.0.0.1';
  if (host.trim() === '') throw new Error('startModelServer: host is empty (default 127.0.0.1)');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`startModelServer: port must be an integer in 0..65535, got ${port}`);
  }
  const tokenEverywhere = options.tokenEverywhere === true || !isLoopbackHost(host);
  const server = await createModelServer({ ...options, tokenEverywhere });
  const http = await listen(server, host, port);
  const address = http.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    server,
    close: async () => {
      const closed = new Promise<void>((resolve, reject) => http.close((err) => (err ? reject(err) : resolve())));
      if ('closeIdleConnections' in http) http.closeIdleConnections();
      await closed;
      await server.flush();
    },
  };
}

function listen(server: ModelServer, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const http = serve({ fetch: server.app.fetch, hostname, port }, () => {
      http.off('error', reject);
      resolve(http);
    });
    http.once('error', reject);
  });
}
