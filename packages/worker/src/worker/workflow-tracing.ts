/**
 * The workflow side of tracing, without loading the OpenTelemetry SDK: the workflow interceptors module a bundle
 * made for tracing includes (`slipway bundle --tracing`), and the sink a worker without tracing drops the workflow
 * spans of such a bundle in (`startTracing` in `tracing.ts` gives the sink of a worker with tracing).
 */
import { createRequire } from 'node:module';
import type { OpenTelemetrySinks } from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks } from '@temporalio/worker';

/** The workflow interceptors module a bundle made for tracing includes (it makes the workflow's spans). */
export const WORKFLOW_TRACING_MODULE = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

/** The sink of a worker without tracing: the workflow interceptors' spans are dropped. */
export function droppedWorkflowSpans(): InjectedSinks<OpenTelemetrySinks> {
  return { exporter: { export: { fn: () => undefined } } };
}
