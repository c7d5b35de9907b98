/**
 * How activities reach the configured model server's control plane: they send its token only to its own origin,
 * never to a URL a run input names.
 */
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import type { DeployTargetAccess, ModelServerAccess } from '../ports.js';
import { configuredTargetFor } from '../deploy-target/configured.js';
import type { ModelServerClientOptions } from './client.js';

/**
 * Client options for `serverUrl`: the activity's signal and, when a model server is configured, its token.
 *
 * @throws a final `SlipwayInvalidInput` failure when `serverUrl` is not the configured model server's origin: the
 *   token must not go to a server a run input names. The message names the other configured deploy targets
 *   (`targets`), and says so when `serverUrl` is one of them (a step that speaks to the model server only).
 */
export async function clientOptionsFor(
  access: ModelServerAccess | undefined,
  serverUrl: string,
  signal: AbortSignal,
  targets: readonly DeployTargetAccess[] = [],
): Promise<ModelServerClientOptions> {
  if (!access) return { signal };
  if (new URL(serverUrl).origin !== new URL(access.url).origin) {
    const webhook = configuredTargetFor(targets, serverUrl);
    const others =
      targets.length === 0 ? '' : `; the configured deploy targets: ${targets.map((t) => t.url).join(', ')}`;
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      webhook
        ? `serverUrl ${serverUrl} is a ${webhook.kind} deploy target: this step speaks to the Slipway model server ` +
            `only (${access.url}); deploy to a ${webhook.kind} target with a rollout plan (strategy blueGreen for ` +
            'one swap)'
        : `serverUrl ${serverUrl} is not the model server this worker is configured for (${access.url}; set ` +
            'modelServer.url in slipway.config.json or SLIPWAY_MODEL_SERVER) nor one of its deployTargets' +
            `${others}: the worker sends its tokens to those servers only`,
      { field: 'serverUrl', serverUrl, configured: access.url },
    );
  }
  return { signal, token: await access.token() };
}
