/**
 * The model server's control-plane token, resolved in one place for the server (`slipway serve`), the worker's
 * deploy and monitor activities, and the CLI: `modelServer.token` in the configuration (or
 * `SLIPWAY_MODEL_SERVER_TOKEN`), else the file `<home>/model-server.token`, created on first use with mode 0600.
 * A token file that group or others may read, that is not a regular file, or that another user owns is refused.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readOrCreateSecretFile, type ModelServerAccess, type SecretFileOptions } from '@slipway/activities/settings';
import type { SlipwayConfig } from './config.js';
import { checkTokenValue } from './token-setting.js';

/** The token file's name in the Slipway home. */
export const MODEL_SERVER_TOKEN_FILE_NAME = 'model-server.token';

/** A resolved token: its value, and where it came from (for messages; never the value). */
export interface ModelServerToken {
  readonly value: string;
  /** E.g. `the file /home/me/.slipway/model-server.token`; says where to find or change the token. */
  readonly source: string;
}

/**
 * The file that holds the model server token when none is configured: `<home>/model-server.token`. It is a secret:
 * never a dataset, never logged.
 */
export function modelServerTokenFile(config: Pick<SlipwayConfig, 'home'>): string {
  return join(config.home, MODEL_SERVER_TOKEN_FILE_NAME);
}

/**
 * The configured token, or the token file's (created with mode 0600 when missing; concurrent creators agree on one).
 *
 * @throws Error naming the file when it is readable or writable by group or others, not a regular file, owned by
 *   another user, or holds no valid token. The message never contains the token.
 */
export async function resolveModelServerToken(
  config: Pick<SlipwayConfig, 'home' | 'modelServer'>,
): Promise<ModelServerToken> {
  const configured = config.modelServer.token;
  if (configured !== undefined) {
    return { value: configured, source: 'modelServer.token in the configuration (or SLIPWAY_MODEL_SERVER_TOKEN)' };
  }
  const path = modelServerTokenFile(config);
  return { value: tokenOf(path, await readOrCreateSecretFile(path, newToken, TOKEN_FILE)), source: `the file ${path}` };
}

/**
 * How the worker's activities reach the configured model server: its URL (the only origin the token is sent to)
 * and the token, resolved on first use (a failure is retried on the next use).
 */
export function modelServerAccess(config: Pick<SlipwayConfig, 'home' | 'modelServer'>): ModelServerAccess {
  let token: Promise<string> | undefined;
  return {
    url: config.modelServer.url,
    token: () => {
      token ??= resolveModelServerToken(config).then(
        (t) => t.value,
        (err: unknown) => {
          token = undefined;
          throw err;
        },
      );
      return token;
    },
  };
}

function tokenOf(path: string, text: string): string {
  const value = text.endsWith('\n') ? text.slice(0, -1) : text;
  return checkTokenValue(value, `${TOKEN_FILE.what} ${path}`);
}

const TOKEN_FILE: SecretFileOptions = {
  what: 'Model server token file',
  exposure: 'anyone who reads it can deploy and roll back models',
};

function newToken(): string {
  return `${randomBytes(32).toString('base64url')}\n`;
}
