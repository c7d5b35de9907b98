/**
 * `@slipway/worker` — everything that runs as a process: the worker wiring (configuration → adapters →
 * activities → Temporal worker), the embedded Temporal dev server, the local model server, and the
 * building blocks of the `slipway` CLI.
 *
 * ```ts
 * import { createSlipwayWorker, loadConfig } from '@slipway/worker';
 * const worker = await createSlipwayWorker({ config: loadConfig(), workflowsPath: new URL('./workflows.js', import.meta.url).pathname });
 * await worker.run(); // until Ctrl-C
 * ```
 *
 * @packageDocumentation
 */
export * from './config/index.js';
export {
  builtinWorkflowsPath,
  connectWorker,
  createSlipwayWorker,
  embeddedDeps,
  type ActivityFunction,
  type SlipwayWorker,
  type SlipwayWorkerOptions,
} from './worker/create-worker.js';
export { ensureSearchAttributes } from './worker/search-attributes.js';
export * from './dev-server/index.js';
export * from './serve/index.js';
export {
  describeWaitingGate,
  renderEvidence,
  renderPending,
  renderStatus,
  renderStep,
  renderSteps,
} from './cli/render.js';
