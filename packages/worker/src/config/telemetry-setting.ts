/**
 * The worker's telemetry settings: the `/metrics` and `/healthz` endpoint (`metrics`) and OpenTelemetry tracing
 * (`tracing`), from the configuration file, the environment (`SLIPWAY_METRICS_PORT`, `SLIPWAY_METRICS_HOST`,
 * `SLIPWAY_METRICS_TOKEN`, and the standard `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_SERVICE_NAME`) or flags.
 */
import { z } from 'zod';
import { TokenSetting } from './token-setting.js';

/** The address the metrics endpoint binds unless another is configured: loopback only. */
export const DEFAULT_METRICS_HOST = '127.0.0.1';

/** The `service.name` of Slipway's spans unless `tracing.serviceName` (or `OTEL_SERVICE_NAME`) says otherwise. */
export const DEFAULT_TRACING_SERVICE_NAME = 'slipway';

/** A TCP port: a whole number from 0 (a free one) to 65535. */
export const MetricsPort = z
  .number({ error: 'expected a port number from 0 to 65535' })
  .int('expected a whole port number')
  .min(0, 'expected a port number from 0 to 65535')
  .max(65535, 'expected a port number from 0 to 65535');

/** The address the metrics endpoint listens on: a host name or an IP address. */
export const MetricsHost = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9.:-]+$/, 'expected a host name or an IP address, e.g. 127.0.0.1');

/**
 * Where the worker serves `/metrics` and `/healthz`: `port` (unset: no endpoint), `host`, and `token`, the bearer
 * token `/metrics` then asks for (needed on any address but loopback).
 */
export const MetricsSettingInput = z
  .object({ port: MetricsPort, host: MetricsHost, token: TokenSetting })
  .partial()
  .strict();
/** Where the worker serves `/metrics` and `/healthz`. */
export type MetricsSettingInput = z.infer<typeof MetricsSettingInput>;

/** Where traces go: the OTLP/HTTP traces URL and the spans' service name. */
export const TracingSettingInput = z
  .object({
    endpoint: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL, e.g. http://127.0.0.1:4318/v1/traces' }),
    serviceName: z.string().trim().min(1),
  })
  .partial()
  .strict();
/** Where traces go. */
export type TracingSettingInput = z.infer<typeof TracingSettingInput>;

/** Where a configured metrics token comes from (for messages; never the value). */
export const METRICS_TOKEN_SOURCE = 'metrics.token in the configuration (or SLIPWAY_METRICS_TOKEN)';

/** The resolved metrics endpoint. */
export interface MetricsSetting {
  port: number;
  host: string;
  /** The bearer token `/metrics` asks for; none on loopback unless configured. */
  token?: string;
}

/** The resolved tracing setting: on, with its OTLP/HTTP traces URL. */
export interface TracingSetting {
  endpoint: string;
  serviceName: string;
}

/** The metrics endpoint when a port is configured (host defaults to loopback). */
export function resolveMetricsSetting(input: MetricsSettingInput | undefined): { metrics?: MetricsSetting } {
  if (input?.port === undefined) return {};
  const token = input.token === undefined ? {} : { token: input.token };
  return { metrics: { port: input.port, host: input.host ?? DEFAULT_METRICS_HOST, ...token } };
}

/** Tracing when an endpoint is configured; off otherwise. */
export function resolveTracingSetting(input: TracingSettingInput | undefined): { tracing?: TracingSetting } {
  if (input?.endpoint === undefined) return {};
  return { tracing: { endpoint: input.endpoint, serviceName: input.serviceName ?? DEFAULT_TRACING_SERVICE_NAME } };
}

/**
 * The telemetry settings the environment gives, as configuration input: `SLIPWAY_METRICS_PORT` (a number; anything
 * else is passed on as text so the configuration check names it), `SLIPWAY_METRICS_HOST`, `SLIPWAY_METRICS_TOKEN`, the
 * OTLP traces endpoint
 * (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as it is, else `OTEL_EXPORTER_OTLP_ENDPOINT` with `/v1/traces` appended, as
 * the OpenTelemetry specification says) and `OTEL_SERVICE_NAME`.
 */
export function telemetryEnvLayer(env: NodeJS.ProcessEnv): { metrics?: object; tracing?: object } {
  const port = env.SLIPWAY_METRICS_PORT?.trim();
  const metrics = defined({
    port: port ? (/^\d+$/.test(port) ? Number(port) : port) : undefined,
    host: env.SLIPWAY_METRICS_HOST?.trim() || undefined,
    token: env.SLIPWAY_METRICS_TOKEN || undefined,
  });
  const tracing = defined({
    endpoint: otlpTracesEndpoint(env),
    serviceName: env.OTEL_SERVICE_NAME?.trim() || undefined,
  });
  return {
    ...(Object.keys(metrics).length ? { metrics } : {}),
    ...(Object.keys(tracing).length ? { tracing } : {}),
  };
}

function otlpTracesEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

function defined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}
