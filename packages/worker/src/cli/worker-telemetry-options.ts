/**
 * `slipway worker`'s telemetry flags (`--metrics-port`, `--metrics-host`) over the `metrics` and `tracing`
 * settings, and the start of what they ask for before the worker connects.
 */
import { InvalidArgumentError } from '@commander-js/extra-typings';
import type { NativeConnection, Worker } from '@temporalio/worker';
import pc from 'picocolors';
import {
  DEFAULT_METRICS_HOST,
  MetricsHost,
  MetricsPort,
  type MetricsSetting,
  type SlipwayConfig,
} from '../config/index.js';
import { connectWorker, type SlipwayWorkerOptions } from '../worker/create-worker.js';
import { pendingGatesReader } from '../worker/pending-gates.js';
import type { PendingGate } from '../worker/worker-metrics.js';
import { startWorkerTelemetry } from '../worker/worker-telemetry.js';

/** `--metrics-port`: a whole number from 0 (a free port) to 65535. */
export function metricsPortOption(value: string): number {
  const parsed = MetricsPort.safeParse(/^\d+$/.test(value.trim()) ? Number(value) : Number.NaN);
  if (parsed.success) return parsed.data;
  throw new InvalidArgumentError(`expected a port number from 0 to 65535, got ${JSON.stringify(value)}`);
}

/** `--metrics-host`: a host name or an IP address. */
export function metricsHostOption(value: string): string {
  const parsed = MetricsHost.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidArgumentError(`expected a host name or an IP address, got ${JSON.stringify(value)}`);
}

/** The metrics endpoint the flags and the configuration ask for; the host alone (no port anywhere) is refused. */
export function metricsEndpoint(
  config: Pick<SlipwayConfig, 'metrics'>,
  flags: { metricsPort?: number; metricsHost?: string },
): MetricsSetting | undefined {
  const port = flags.metricsPort ?? config.metrics?.port;
  if (port === undefined) {
    if (flags.metricsHost !== undefined) {
      throw new Error('--metrics-host needs a port: give --metrics-port (or set `metrics.port`)');
    }
    return undefined;
  }
  const token = config.metrics?.token;
  return {
    port,
    host: flags.metricsHost ?? config.metrics?.host ?? DEFAULT_METRICS_HOST,
    ...(token === undefined ? {} : { token }),
  };
}

/** What the command's telemetry gives the worker, and how it ends. */
export interface CommandTelemetry {
  workerOptions: Pick<SlipwayWorkerOptions, 'telemetry' | 'connection'>;
  /** Stops the telemetry when the worker cannot be created (else the endpoint would keep the process alive). */
  guard<T>(creating: Promise<T>): Promise<T>;
  watch(worker: Pick<Worker, 'getState'>): void;
  stop(): Promise<void>;
}

/** Starts the endpoint and tracing the flags and configuration ask for (nothing when they ask for none). */
export async function startCommandTelemetry(
  config: SlipwayConfig,
  flags: { metricsPort?: number; metricsHost?: string },
): Promise<CommandTelemetry> {
  const metrics = metricsEndpoint(config, flags);
  let connection: NativeConnection | undefined;
  let pendingGates: (() => Promise<PendingGate[]>) | undefined;
  const running = await startWorkerTelemetry({
    ...(metrics ? { metrics } : {}),
    ...(config.tracing ? { tracing: config.tracing } : {}),
    pendingGates: async () => (pendingGates ? pendingGates() : []),
  });
  const stop = async () => {
    await running.stop();
    await connection?.close();
  };
  try {
    // The worker's connection, opened here (after the runtime): the pending-gates gauge reads through it too.
    if (metrics) {
      connection = await connectWorker(config);
      pendingGates = pendingGatesReader(connection, config.temporal.namespace);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  if (running.server)
    console.log(pc.dim(`  metrics on ${running.server.url}/metrics, health on ${running.server.url}/healthz`));
  if (config.tracing) console.log(pc.dim(`  traces to ${config.tracing.endpoint} as ${config.tracing.serviceName}`));
  return {
    workerOptions: { telemetry: running.telemetry, ...(connection ? { connection } : {}) },
    guard: (creating) =>
      creating.catch(async (err: unknown) => {
        await stop();
        throw err;
      }),
    watch: (worker) => running.watch(worker),
    stop,
  };
}
