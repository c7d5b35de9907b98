/**
 * How activities reach the configured model server's control plane: they send its token only to its own origin,
 * never to a URL a run input names.
 */
import { SlipwayErrorType, finalFailure } from '@slipway/sdk';
import type { ModelServerAccess } from '../ports.js';
import type { ModelServerClientOptions } from './client.js';

/**
 * Client options for `serverUrl`: the activity's signal and, when a model server is configured, its token.
 *
 * @throws a final `SlipwayInvalidInput` failure when `serverUrl` is not the configured model server's origin: the
 *   token must not go to a server a run input names.
 */
export async function clientOptionsFor(
  access: ModelServerAccess | undefined,
  serverUrl: string,
  signal: AbortSignal,
): Promise<ModelServerClientOptions> {
  if (!access) return { signal };
  if (new URL(serverUrl).origin !== new URL(access.url).origin) {
    throw finalFailure(
      SlipwayErrorType.InvalidInput,
      `serverUrl ${serverUrl} is not the model server this worker is configured for (${access.url}; set modelServer.url ` +
        'in slipway.config.json or SLIPWAY_MODEL_SERVER): the worker sends its model server token to that server only',
      { field: 'serverUrl', serverUrl, configured: access.url },
    );
  }
  return { signal, token: await access.token() };
}
