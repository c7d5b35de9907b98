/**
 * `@slipway/worker` — the worker process: configuration (`loadConfig`: defaults, `slipway.config.json`, the
 * environment) → adapters (`embeddedDeps`) → activities → a Temporal worker on the configured task queue
 * (`createSlipwayWorker`). The package also carries the `slipway` CLI (`slipway worker --workflows <module>
 * --activities <module>` serves your own pipelines and steps without writing this file).
 *
 * ```ts
 * import { createSlipwayWorker, loadConfig } from '@slipway/worker';
 * import { implementStep } from '@slipway/activities';
 * const worker = await createSlipwayWorker({
 *   config: loadConfig(),
 *   workflowsPath: new URL('./workflows.js', import.meta.url).pathname,
 *   activities: implementStep(score, scoreImpl), // or (deps) => ({ ... }) to use the worker's adapters
 * });
 * await worker.run(); // until Ctrl-C
 * ```
 *
 * The embedded Temporal dev server is `@slipway/worker/dev-server` (`startDevServer`), the local model server
 * `@slipway/worker/serve` (`startModelServer`). App code needs none of this: it uses `@slipway/sdk/client`.
 *
 * @packageDocumentation
 */
export * from './config/index.js';
export {
  builtinWorkflowsPath,
  connectWorker,
  createSlipwayWorker,
  embeddedDeps,
  withOwnActivities,
  type ActivityFunction,
  type SlipwayWorker,
  type SlipwayWorkerOptions,
} from './worker/create-worker.js';
export { loadActivitiesModule, type ActivitiesFactory, type ActivitiesModule } from './worker/activities-module.js';
export { ensureSearchAttributes } from './worker/search-attributes.js';
export { builtinStepActivityNames } from './worker/step-selection.js';
export {
  bundleWorkflows,
  loadWorkflowBundle,
  sharedWorkflowModules,
  writeWorkflowBundle,
  type BundleHeader,
  type LoadedWorkflowBundle,
} from './worker/workflow-bundle.js';
export {
  createPersonKey,
  loadOrCreatePersonKey,
  writeLocalDirectory,
  type LocalDirectory,
  type LocalPeople,
} from './people/index.js';
export {
  StepOutcome,
  createWorkerMetrics,
  type PendingGate,
  type RolloutStateName,
  type WorkerMetrics,
} from './worker/worker-metrics.js';
export {
  PROMETHEUS_CONTENT_TYPE,
  startMetricsServer,
  type MetricsServer,
  type MetricsServerOptions,
  type MetricsSource,
} from './worker/metrics-server.js';
export {
  startWorkerTelemetry,
  workerTelemetryOptions,
  type RunningWorkerTelemetry,
  type WorkerTelemetry,
} from './worker/worker-telemetry.js';
export type { Tracing } from './worker/tracing.js';
