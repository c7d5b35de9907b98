/**
 * Starts one real Temporal dev server (in memory, free port, headless) for the integration project, and stops it
 * when the run ends; bundles the built-in workflows once for every test file (and for the workers the tests start
 * as processes, with `--workflow-bundle`). The Temporal CLI is found or installed into `.slipway/tools` first.
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../packages/worker/src/dev-server/index.js';
import { writeWorkflowBundle } from '../../packages/worker/src/worker/workflow-bundle.js';
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

/** Bundles the built-in workflows once per run (as `slipway bundle` does), into a file every test file loads. */
async function bundleBuiltinWorkflows(): Promise<string> {
  const dir = resolve(import.meta.dirname, '..', '..', '.slipway', 'test-bundle');
  const out = resolve(dir, `builtin-workflows-${process.pid}.js`);
  await writeWorkflowBundle({ workflowsPath: builtinWorkflows(), out });
  return out;
}

/** The built-in workflows module, as `builtinWorkflowsPath()` finds it (the setup has no `import.meta.resolve`). */
function builtinWorkflows(): string {
  return createRequire(import.meta.url).resolve('@slipway/sdk/pipelines');
}

/** Stops the dev server and removes the run's bundle. */
export async function teardown(): Promise<void> {
  await server?.stop();
  if (bundlePath) await rm(bundlePath, { force: true });
}
