/**
 * The model server's control-plane token, resolved in one place for the server (`slipway serve`), the worker's
 * deploy and monitor activities, and the CLI: `modelServer.token` in the configuration (or
 * `SLIPWAY_MODEL_SERVER_TOKEN`), else the file `<home>/model-server.token`, created on first use with mode 0600.
 * A token file that group or others may read, that is not a regular file, or that another user owns is refused.
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ModelServerAccess } from '@slipway/activities';
import type { SlipwayConfig } from './config.js';

/** The token file's name in the Slipway home. */
export const MODEL_SERVER_TOKEN_FILE_NAME = 'model-server.token';

/** The fewest characters a model server token may have. */
export const MIN_TOKEN_LENGTH = 16;

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
  const source = `the file ${path}`;
  const existing = await readTokenFile(path);
  if (existing !== undefined) return { value: existing, source };
  await createTokenFile(path);
  const created = await readTokenFile(path);
  if (created === undefined) throw new Error(`Model server token file ${path} disappeared right after it was created`);
  return { value: created, source };
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

/** Checks a token's shape; the error names `where` and never the value. */
export function checkTokenValue(value: string, where: string): string {
  if (value.length < MIN_TOKEN_LENGTH) {
    throw new Error(`${where} holds a model server token shorter than ${MIN_TOKEN_LENGTH} characters`);
  }
  if (/[\s\p{Cc}]/u.test(value)) throw new Error(`${where} holds a model server token with whitespace in it`);
  return value;
}

/** The token in `path`, or undefined when the file does not exist; refuses an unsafe file. */
async function readTokenFile(path: string): Promise<string | undefined> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (!stats.isFile()) {
    throw new Error(
      `Model server token file ${path} is not a regular file (a symbolic link or a directory); remove it`,
    );
  }
  if (process.platform !== 'win32') {
    const mode = stats.mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new Error(
        `Model server token file ${path} may be read or written by group or others (mode ${mode.toString(8).padStart(4, '0')}); ` +
          `run \`chmod 600 ${path}\`, or delete it to have a new token created`,
      );
    }
    const uid = process.getuid?.();
    if (uid !== undefined && stats.uid !== uid) {
      throw new Error(
        `Model server token file ${path} belongs to user id ${stats.uid}, not to this user (${uid}); remove it`,
      );
    }
  }
  const text = await readFile(path, 'utf8');
  const value = text.endsWith('\n') ? text.slice(0, -1) : text;
  return checkTokenValue(value, `Model server token file ${path}`);
}

/** Writes a new random token to a 0600 temp file, then links it to `path`; the first creator wins. */
async function createTokenFile(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(`${randomBytes(32).toString('base64url')}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await rm(temp, { force: true });
  }
}
