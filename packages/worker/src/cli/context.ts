import { hostname } from 'node:os';
import { SlipwayClient, temporalConnectionOptions, type SlipwayClientOptions } from '@slipway/sdk/client';
import { loadConfig, type SlipwayConfig } from '../config/config.js';

/** Options every command accepts. */
export interface GlobalOptions {
  address?: string;
  namespace?: string;
  home?: string;
  taskQueue?: string;
}

/** The configuration for a command: file and environment, then the command-line flags. */
export function commandConfig(options: GlobalOptions): SlipwayConfig {
  const temporal = {
    ...(options.address ? { address: options.address } : {}),
    ...(options.namespace ? { namespace: options.namespace } : {}),
  };
  return loadConfig({
    overrides: {
      ...(options.home ? { home: options.home } : {}),
      ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
      ...(Object.keys(temporal).length ? { temporal } : {}),
    },
  });
}

/**
 * A client for a command; `who` becomes the Temporal identity recorded in history. Runs it starts are started by
 * `startAs` when given (a command whose `--as` person signs the start, e.g. `slipway deploy`), else the configured
 * `identity` (else the operating-system user).
 */
export async function commandClient(
  config: SlipwayConfig,
  who?: string,
  options: { startAs?: string; interceptors?: SlipwayClientOptions['interceptors'] } = {},
): Promise<SlipwayClient> {
  const user = options.startAs ?? config.identity;
  return SlipwayClient.connect({
    // TLS files and the API key file are read here: a missing one fails naming the file and its setting.
    ...(await temporalConnectionOptions(config.temporal)),
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    identity: `slipway-cli:${who ?? config.identity ?? process.env.USER ?? 'unknown'}@${hostname()}`,
    ...(user ? { user } : {}),
    ...(config.stepQueues ? { stepQueues: config.stepQueues } : {}),
    ...(options.interceptors ? { interceptors: options.interceptors } : {}),
  });
}

/**
 * Runs `fn` with a client and closes it afterwards. With tracing configured (`tracing.endpoint`, or
 * `OTEL_EXPORTER_OTLP_ENDPOINT`), the client's calls are traced (a run's trace starts at `slipway run`) and the spans
 * are sent before the command ends.
 */
export async function withClient<T>(
  options: GlobalOptions,
  who: string | undefined,
  fn: (client: SlipwayClient, config: SlipwayConfig) => Promise<T>,
  clientOptions: { startAs?: string } = {},
): Promise<T> {
  const config = commandConfig(options);
  // The OpenTelemetry SDK is loaded only when tracing is on.
  const tracing = config.tracing ? (await import('../worker/tracing.js')).startTracing(config.tracing) : undefined;
  try {
    const interceptors = tracing ? { interceptors: tracing.clientInterceptors } : {};
    const client = await commandClient(config, who, { ...clientOptions, ...interceptors });
    try {
      return await fn(client, config);
    } finally {
      await client.close();
    }
  } finally {
    await tracing?.shutdown();
  }
}
