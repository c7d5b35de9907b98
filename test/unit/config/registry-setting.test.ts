/**
 * The `registry` and `mlflow` settings: a SQLite file or an MLflow server, chosen by URL from the config file
 * or the environment, with a clear error naming the source and the field for anything malformed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONFIG_FILE_NAME,
  loadConfig,
  openConfiguredRegistry,
  withConfiguredRegistry,
} from '../../../packages/worker/src/config/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the registry setting', () => {
  it('defaults to <home>/registry.db and resolves a relative sqlite: path against the working directory', () => {
    expect(loadConfig({ cwd: dir, env: {} }).registry).toEqual({
      kind: 'sqlite',
      path: join(dir, '.slipway', 'registry.db'),
    });
    expect(loadConfig({ cwd: dir, env: { SLIPWAY_REGISTRY: 'sqlite:db/models.db' } }).registry).toEqual({
      kind: 'sqlite',
      path: join(dir, 'db', 'models.db'),
    });
  });

  it('reads mlflow+http(s) URLs, dropping a trailing slash', async () => {
    expect(loadConfig({ cwd: dir, env: { SLIPWAY_REGISTRY: 'mlflow+http://127.0.0.1:5000/' } }).registry).toEqual({
      kind: 'mlflow',
      trackingUrl: 'http://127.0.0.1:5000',
    });
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ registry: 'mlflow+https://mlflow.example/prefix' }));
    expect(loadConfig({ cwd: dir, env: {} }).registry).toEqual({
      kind: 'mlflow',
      trackingUrl: 'https://mlflow.example/prefix',
    });
  });

  it('names the source, the field and what is expected for a malformed URL', async () => {
    expect(() => loadConfig({ cwd: dir, env: { SLIPWAY_REGISTRY: 'postgres://db/models' } })).toThrow(
      /invalid Slipway configuration in the environment: registry: .*"postgres:\/\/db\/models" is not valid: expected sqlite:<path>.* or mlflow\+http/,
    );
    expect(() => loadConfig({ cwd: dir, env: { SLIPWAY_REGISTRY: 'sqlite:' } })).toThrow(/names no file/);
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ registry: 'mlflow+http://user:pw@host:5000' }));
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(
      new RegExp(`${CONFIG_FILE_NAME}: registry: .*credentials in the URL are not supported`),
    );
  });

  it('opens the SQLite registry at the configured path; reading commands create no empty database', async () => {
    const config = loadConfig({ cwd: dir, env: { SLIPWAY_REGISTRY: 'sqlite:r.db' } });
    expect(
      await withConfiguredRegistry(
        config,
        async (r) => (await r.listModels()).length,
        () => -1,
      ),
    ).toBe(-1);
    await expect(withConfiguredRegistry(config, (r) => r.listModels())).rejects.toThrow(
      `no model registry at ${join(dir, 'r.db')}`,
    );
    const registry = openConfiguredRegistry(config);
    await registry.close();
    expect(await withConfiguredRegistry(config, (r) => r.listModels())).toEqual([]);
  });
});

describe('the mlflow credentials setting', () => {
  it('takes a token, or a username and password, from the environment as MLflow clients do', () => {
    const token = loadConfig({ cwd: dir, env: { MLFLOW_TRACKING_TOKEN: 't0k' } });
    expect(token.mlflow).toEqual({ credentials: { token: 't0k' } });
    const basic = loadConfig({
      cwd: dir,
      env: { MLFLOW_TRACKING_USERNAME: 'ci', MLFLOW_TRACKING_PASSWORD: 'secret' },
    });
    expect(basic.mlflow).toEqual({ credentials: { username: 'ci', password: 'secret' } });
    expect(loadConfig({ cwd: dir, env: {} }).mlflow).toEqual({});
  });

  it('refuses a username without a password', () => {
    expect(() => loadConfig({ cwd: dir, env: { MLFLOW_TRACKING_USERNAME: 'ci' } })).toThrow(
      /the environment: mlflow: username and password go together/,
    );
  });
});
