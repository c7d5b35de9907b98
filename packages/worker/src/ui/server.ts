/**
 * The approvals page (`slipway ui`): a small HTTP server on 127.0.0.1 that lists the gates waiting for a decision,
 * shows each gate's evidence, and signs decisions with the page's service key for the person it signed in.
 *
 * ```ts
 * const page = await startApprovalsPage({ config: loadConfig(), client });
 * console.log(page.url); // http://127.0.0.1:8790
 * ```
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SlipwayClient } from '@slipway/sdk/client';
import { loadKeyFile, type PersonKey } from '@slipway/sdk/keys';
import { openConfiguredArtifacts, type SlipwayConfig } from '../config/index.js';
import { gateAccess } from './gate-access.js';
import { handle, sendError } from './routes.js';
import { SessionStore } from './sessions.js';
import { configuredReaders, type UiContext } from './ui-context.js';

/** The address the page listens on: the loopback interface only (a reverse proxy publishes it further). */
export const UI_HOST = '127.0.0.1';

/** A running approvals page. */
export interface ApprovalsPage {
  url: string;
  port: number;
  /** Warnings for the operator (e.g. no service key: nobody can decide from the page). */
  warnings: string[];
  close(): Promise<void>;
}

/** Starts the page on `port` (default: the configured `ui.port`; 0 picks a free one). */
export async function startApprovalsPage(options: {
  config: SlipwayConfig;
  client: SlipwayClient;
  port?: number;
}): Promise<ApprovalsPage> {
  const { config, client } = options;
  const readers = configuredReaders(config);
  const service = config.ui.service ? await serviceKey(config.ui.service, readers) : undefined;
  const warnings = service
    ? []
    : ['ui.service is not set in slipway.config.json: the page shows gates, but nobody can decide from it'];
  const ctx: UiContext = {
    config,
    access: gateAccess(client, service),
    ...(service ? { service: service.name } : {}),
    artifacts: openConfiguredArtifacts(config),
    sessions: new SessionStore(config.ui.sessionMinutes * 60_000),
    origins: [],
    ...readers,
  };
  const server = createServer((req, res) => {
    handle(ctx, req, res).catch((err: unknown) => sendError(res, err));
  });
  const port = await listen(server, options.port ?? config.ui.port);
  ctx.origins.push(`http://${UI_HOST}:${port}`, `http://localhost:${port}`);
  if (config.ui.publicOrigin) ctx.origins.push(config.ui.publicOrigin);
  return {
    url: `http://${UI_HOST}:${port}`,
    port,
    warnings,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/**
 * The page's service key, checked against the directory: the service must be listed under `services` with this
 * key's public half, else the page would sign decisions every gate refuses.
 */
async function serviceKey(
  setting: { name: string; keyFile: string },
  readers: Pick<UiContext, 'directory'>,
): Promise<PersonKey> {
  const key = await loadKeyFile(setting.keyFile);
  const { directory, location } = await readers.directory();
  const listed = directory.services?.[setting.name];
  if (listed === undefined) {
    throw new Error(
      `the directory of people (${location}) lists no service "${setting.name}" (ui.service.name): add it under ` +
        `"services" with the public key ${key.publicKey} and whom it signs for, then have the administrator sign it again`,
    );
  }
  if (listed.publicKey !== key.publicKey) {
    throw new Error(
      `the directory of people (${location}) gives the service "${setting.name}" the key ${listed.publicKey}, but ` +
        `ui.service.keyFile (${setting.keyFile}) holds ${key.publicKey}: decisions the page signs would be refused`,
    );
  }
  return { ...key, name: setting.name };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, UI_HOST, () => resolve((server.address() as AddressInfo).port));
  });
}
