/**
 * OpenTelemetry tracing through `@temporalio/interceptors-opentelemetry`: a client's start span, the workflow's
 * spans (made in the sandbox, handed out through the `exporter` sink) and each activity's span share one trace.
 * Spans go to an OTLP/HTTP endpoint (`tracing.endpoint`); with no endpoint, tracing is off.
 *
 * The workflow's spans need the workflow interceptors in the bundle (`WORKFLOW_TRACING_MODULE`, see
 * `workflow-tracing.ts`; `slipway bundle --tracing`). This module loads the OpenTelemetry SDK: import it only when
 * tracing is on.
 */
import type * as otel from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ClientInterceptors } from '@temporalio/client';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
  makeWorkflowExporter,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { TracingSetting } from '../config/index.js';

/** A process's tracing: the tracer, the interceptors that use it, and the flush at the end. */
export interface Tracing {
  readonly tracer: otel.Tracer;
  /** For a Temporal client (`SlipwayClient.connect({ interceptors })`): the start span, propagated to the run. */
  readonly clientInterceptors: ClientInterceptors;
  /** For a worker: the activity spans. */
  readonly activityInterceptors: ActivityInterceptorsFactory[];
  /** For a worker: the sink the workflow spans arrive in. */
  readonly sinks: InjectedSinks<OpenTelemetrySinks>;
  /** Sends the spans not yet sent and stops. */
  shutdown(): Promise<void>;
}

/**
 * Starts tracing for this process: spans batched to the OTLP/HTTP endpoint, with `service.name` from the setting.
 * Registers the tracer provider, W3C trace-context propagation and an async-local context manager globally (the
 * interceptors read the active context), so call it once per process.
 */
export function startTracing(setting: TracingSetting): Tracing {
  const resource = new Resource({ 'service.name': setting.serviceName });
  const processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: setting.endpoint }), {
    scheduledDelayMillis: 1_000,
  });
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(processor);
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  const tracer = provider.getTracer('slipway');
  return {
    tracer,
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer })] },
    activityInterceptors: [
      (ctx) => ({
        inbound: new OpenTelemetryActivityInboundInterceptor(ctx, { tracer }),
        outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
      }),
    ],
    sinks: { exporter: makeWorkflowExporter(processor, resource) },
    shutdown: () => provider.shutdown(),
  };
}
