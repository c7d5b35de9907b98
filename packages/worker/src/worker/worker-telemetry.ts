/**
 * What telemetry adds to a Slipway worker's options: the activity interceptors (outermost first: Slipway's final
 * error types made non-retryable, always; then the activities in flight, tracing spans and Slipway's step series),
 * the workflow tracing interceptors when tracing is on (for a worker that bundles its workflow code at start) and the
 * sink the workflow spans arrive in (dropped when tracing is off, for a bundle that has them).
 */
import type { Worker, WorkerOptions } from '@temporalio/worker';
import type { MetricsSetting, TracingSetting } from '../config/index.js';
import { finalErrorsActivityInterceptor } from './final-errors-interceptor.js';
import { metricsActivityInterceptor } from './metrics-interceptor.js';
import type { RunningActivities } from './running-activities.js';
import { startMetricsServer, type MetricsServer } from './metrics-server.js';
import type { Tracing } from './tracing.js';
import { WORKFLOW_TRACING_MODULE, droppedWorkflowSpans } from './workflow-tracing.js';
import { createWorkerMetrics, type PendingGate, type WorkerMetrics } from './worker-metrics.js';
import { installWorkerRuntime } from './worker-runtime.js';

/** A worker's telemetry: Slipway's series, tracing, and the activities in flight, each optional. */
export interface WorkerTelemetry {
  metrics?: WorkerMetrics;
  tracing?: Tracing;
  /** Kept up to date with the activities the worker runs (what a shutdown that cannot finish names). */
  running?: RunningActivities;
}

/**
 * The worker options a worker's telemetry sets, with every activity interceptor a Slipway worker installs: the one
 * place they are composed.
 */
export function workerTelemetryOptions(telemetry: WorkerTelemetry = {}): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const { metrics, tracing, running } = telemetry;
  return {
    interceptors: {
      activity: [
        // Outermost: it acts on the failure exactly as it leaves the activity.
        finalErrorsActivityInterceptor(),
        ...(running ? [running.interceptor()] : []),
        ...(tracing?.activityInterceptors ?? []),
        ...(metrics ? [metricsActivityInterceptor(metrics)] : []),
      ],
      // Bundled at start with tracing on: the workflow's spans. A prebuilt bundle has them when written with them.
      ...(tracing ? { workflowModules: [WORKFLOW_TRACING_MODULE] } : {}),
    },
    sinks: tracing?.sinks ?? droppedWorkflowSpans(),
  };
}

/** A worker process's telemetry, started before its worker: the endpoint, the tracing, and their stop. */
export interface RunningWorkerTelemetry {
  readonly telemetry: WorkerTelemetry;
  /** The metrics endpoint, when one was asked for. */
  readonly server?: MetricsServer;
  /** Tells the endpoint's `/healthz` which worker to report on. */
  watch(worker: Pick<Worker, 'getState'>): void;
  /** Closes the endpoint and sends the spans not yet sent. */
  stop(): Promise<void>;
}

/**
 * Starts what a worker process needs for `/metrics`, `/healthz` and traces, before the worker and its connection:
 * the Temporal runtime with its Prometheus exporter (installed once per process), Slipway's series (pending gates
 * read with `pendingGates`), the endpoint on `metrics.host:metrics.port`, and tracing to `tracing.endpoint`.
 */
export async function startWorkerTelemetry(options: {
  metrics?: MetricsSetting;
  tracing?: TracingSetting;
  pendingGates?: () => Promise<PendingGate[]>;
}): Promise<RunningWorkerTelemetry> {
  let worker: Pick<Worker, 'getState'> | undefined;
  let server: MetricsServer | undefined;
  const telemetry: WorkerTelemetry = {};
  if (options.metrics) {
    const core = await installWorkerRuntime();
    const metrics = createWorkerMetrics(options.pendingGates ? { pendingGates: options.pendingGates } : {});
    telemetry.metrics = metrics;
    server = await startMetricsServer({
      ...options.metrics,
      sources: [core, { name: 'slipway metrics', read: () => metrics.text() }],
      state: () => worker?.getState(),
    });
  }
  // The OpenTelemetry SDK is loaded only when tracing is on.
  if (options.tracing) telemetry.tracing = (await import('./tracing.js')).startTracing(options.tracing);
  return {
    telemetry,
    ...(server ? { server } : {}),
    watch: (w) => (worker = w),
    async stop() {
      await server?.close();
      await telemetry.tracing?.shutdown();
    },
  };
}
