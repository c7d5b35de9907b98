/**
 * Starts one real Temporal dev server (in memory, free port, headless) for the integration project, and
 * stops it when the run ends. The Temporal CLI is found or installed into `.slipway/tools` first.
 */
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../packages/worker/src/dev-server/index.js';

let server: DevServer | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
  }
}

/** Starts the dev server and provides its address to every test file. */
export async function setup(project: TestProject): Promise<void> {
  server = await startDevServer({
    home: resolve(import.meta.dirname, '..', '..', '.slipway'),
    port: 0,
    dbFile: null,
    onProgress: (message) => console.log(`[dev server] ${message}`),
  });
  project.provide('temporalAddress', server.address);
  project.provide('temporalNamespace', server.namespace);
}

/** Stops the dev server. */
export async function teardown(): Promise<void> {
  await server?.stop();
}
