import { hostname } from 'node:os';
import { SlipwayClient } from '@slipway/sdk/client';
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
  options: { startAs?: string } = {},
): Promise<SlipwayClient> {
  const user = options.startAs ?? config.identity;
  return SlipwayClient.connect({
    address: config.temporal.address,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    identity: `slipway-cli:${who ?? config.identity ?? process.env.USER ?? 'unknown'}@${hostname()}`,
    ...(user ? { user } : {}),
    ...(config.stepQueues ? { stepQueues: config.stepQueues } : {}),
    ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey, tls: true } : {}),
  });
}

/** Runs `fn` with a client and closes it afterwards. */
export async function withClient<T>(
  options: GlobalOptions,
  who: string | undefined,
  fn: (client: SlipwayClient, config: SlipwayConfig) => Promise<T>,
  clientOptions: { startAs?: string } = {},
): Promise<T> {
  const config = commandConfig(options);
  const client = await commandClient(config, who, clientOptions);
  try {
    return await fn(client, config);
  } finally {
    await client.close();
  }
}
