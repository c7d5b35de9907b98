/**
 * Starts one real Temporal dev server (in memory, free port, headless) for the integration project, and
 * stops it when the run ends; bundles the built-in workflows once for every test file. The Temporal CLI is found or installed into `.slipway/tools` first.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../packages/worker/src/dev-server/index.js';
import { createRequire } from 'node:module';

let server: DevServer | undefined;
let bundlePath: string | undefined;

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    /** The built-in workflows, bundled once for the whole run (webpack takes seconds per bundle). */
    builtinBundlePath: string;
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
  bundlePath = await bundleBuiltinWorkflows();
  project.provide('builtinBundlePath', bundlePath);
}

/** Bundles the built-in workflows once per run, into a file every test file's workers load. */
async function bundleBuiltinWorkflows(): Promise<string> {
  const dir = resolve(import.meta.dirname, '..', '..', '.slipway', 'test-bundle');
  await mkdir(dir, { recursive: true });
  const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error };
  const { code } = await bundleWorkflowCode({ workflowsPath: builtinWorkflows(), logger: quiet });
  const path = join(dir, `builtin-workflows-${process.pid}.js`);
  await writeFile(path, code);
  return path;
}

/** Stops the dev server. */
export async function teardown(): Promise<void> {
  await server?.stop();
  if (bundlePath) await rm(bundlePath, { force: true });
}

/** Where the built-in workflows are (as `builtinWorkflowsPath()` finds them; the setup runs without `import.meta.resolve`). */
function builtinWorkflows(): string {
  return createRequire(import.meta.url).resolve('@slipway/sdk/pipelines');
}
