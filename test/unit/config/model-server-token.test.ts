/**
 * The model server token: configured (config file or environment), else generated into `<home>/model-server.token`
 * with mode 0600 on first use; an unsafe token file is refused with a message that names it and never the token.
 */
import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONFIG_FILE_NAME,
  loadConfig,
  modelServerAccess,
  modelServerTokenFile,
  resolveModelServerToken,
} from '../../../packages/worker/src/config/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-token-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const config = (env: NodeJS.ProcessEnv = {}) => loadConfig({ cwd: dir, env });
const posix = process.platform !== 'win32';

describe('the model server token', () => {
  it('is generated on first use into <home>/model-server.token with mode 0600, then read back', async () => {
    const path = modelServerTokenFile(config());
    expect(path).toBe(join(dir, '.slipway', 'model-server.token'));
    const first = await resolveModelServerToken(config());
    expect(first.source).toBe(`the file ${path}`);
    expect(first.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    if (posix) expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe(`${first.value}\n`);
    expect((await resolveModelServerToken(config())).value).toBe(first.value);
    expect((await readdir(join(dir, '.slipway'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('is one token when several resolve it at once', async () => {
    const tokens = await Promise.all(Array.from({ length: 8 }, () => resolveModelServerToken(config())));
    expect(new Set(tokens.map((t) => t.value)).size).toBe(1);
    expect(await readFile(modelServerTokenFile(config()), 'utf8')).toBe(`${tokens[0]!.value}\n`);
  });

  it('comes from modelServer.token or SLIPWAY_MODEL_SERVER_TOKEN when configured; the file is not created', async () => {
    await writeFile(
      join(dir, CONFIG_FILE_NAME),
      JSON.stringify({ modelServer: { token: 'from-the-config-file-0123' } }),
    );
    expect(await resolveModelServerToken(config())).toEqual({
      value: 'from-the-config-file-0123',
      source: 'modelServer.token in the configuration (or SLIPWAY_MODEL_SERVER_TOKEN)',
    });
    const fromEnv = await resolveModelServerToken(config({ SLIPWAY_MODEL_SERVER_TOKEN: 'from-the-environment-0123' }));
    expect(fromEnv.value).toBe('from-the-environment-0123');
    await expect(stat(modelServerTokenFile(config()))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a configured token that is short or has whitespace, naming the source and the field', () => {
    expect(() => config({ SLIPWAY_MODEL_SERVER_TOKEN: 'short' })).toThrow(
      /the environment: modelServer\.token: must be at least 16 characters/,
    );
    expect(() => config({ SLIPWAY_MODEL_SERVER_TOKEN: 'has a space in it 0123456789' })).toThrow(
      /modelServer\.token: must not contain whitespace/,
    );
  });

  it.runIf(posix)(
    'refuses a token file that group or others may read, naming the file and the fix, never the token',
    async () => {
      const path = modelServerTokenFile(config());
      await mkdir(join(dir, '.slipway'));
      await writeFile(path, 'a-token-others-can-read-0123\n', { mode: 0o644 });
      await chmod(path, 0o644);
      const err = (await resolveModelServerToken(config()).catch((e: unknown) => e)) as Error;
      expect(err.message).toBe(
        `Model server token file ${path} may be read or written by its group (mode 644): anyone who reads it ` +
          `can deploy and roll back models. Run \`chmod 600 ${path}\`, or replace the file if its content may have leaked`,
      );
      expect(err.message).not.toContain('a-token-others-can-read');
      await chmod(path, 0o600);
      expect((await resolveModelServerToken(config())).value).toBe('a-token-others-can-read-0123');
    },
  );

  it.runIf(posix)('refuses a symbolic link, and a file holding no valid token, without quoting it', async () => {
    const path = modelServerTokenFile(config());
    await mkdir(join(dir, '.slipway'));
    const elsewhere = join(dir, 'elsewhere');
    await writeFile(elsewhere, 'a-token-somewhere-else-0123\n', { mode: 0o600 });
    await symlink(elsewhere, path);
    await expect(resolveModelServerToken(config())).rejects.toThrow(/is not a regular file/);
    await rm(path);
    await writeFile(path, 'tiny\n', { mode: 0o600 });
    const err = (await resolveModelServerToken(config()).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(`Model server token file ${path} holds a model server token shorter than 16 characters`);
  });

  // Only root can give a file to another user; elsewhere this case cannot be set up.
  it.runIf(posix && process.getuid?.() === 0)('refuses a token file another user owns', async () => {
    const path = modelServerTokenFile(config());
    await mkdir(join(dir, '.slipway'));
    await writeFile(path, 'a-token-of-another-user-0123\n', { mode: 0o600 });
    await chown(path, 4242, 4242);
    await expect(resolveModelServerToken(config())).rejects.toThrow(
      `Model server token file ${path} belongs to user id 4242, not to this user (0); remove it`,
    );
  });

  it.runIf(posix)('gives the worker the token on first use, and tries again after a failure', async () => {
    const access = modelServerAccess(config());
    expect(access.url).toBe('http://127.0.0.1:8765');
    const path = modelServerTokenFile(config());
    await mkdir(join(dir, '.slipway'));
    await writeFile(path, 'a-token-with-bad-mode-0123\n', { mode: 0o640 });
    await chmod(path, 0o640);
    await expect(access.token()).rejects.toThrow(/mode 640/);
    await chmod(path, 0o600);
    expect(await access.token()).toBe('a-token-with-bad-mode-0123');
  });
});
