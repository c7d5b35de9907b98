/**
 * Runs the model server over HTTP on a loopback address.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { createModelServer, type ModelServer, type ModelServerOptions } from './app.js';

/** Loopback addresses the model server may bind to; it never listens on other interfaces. */
export const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'] as const;
/** A loopback address the model server may bind to. */
export type LoopbackHost = (typeof LOOPBACK_HOSTS)[number];

/** Options of {@link startModelServer}. */
export interface StartModelServerOptions extends ModelServerOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Loopback address to bind (default `127.0.0.1`). */
  host?: LoopbackHost;
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
 * @throws Error when `host` is not a loopback address or the port cannot be bound.
 */
export async function startModelServer(options: StartModelServerOptions): Promise<RunningModelServer> {
  const host = options.host ?? '127.0.0.1';
  if (!(LOOPBACK_HOSTS as readonly string[]).includes(host)) {
    throw new Error(
      `startModelServer: host "${host}" is not a loopback address (use one of ${LOOPBACK_HOSTS.join(', ')})`,
    );
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`startModelServer: port must be an integer in 0..65535, got ${port}`);
  }
  const server = await createModelServer(options);
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
