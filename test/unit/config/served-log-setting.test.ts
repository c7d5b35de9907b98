/**
 * `modelServer.servedLogMaxBytes`: the size past which the model server starts a new served-log file; absent by
 * default (the server's own default applies), refused when it is not a whole number of at least 1024 bytes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE_NAME, loadConfig } from '../../../packages/worker/src/config/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-served-log-setting-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const withConfig = async (modelServer: unknown) => {
  await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ modelServer }));
  return () => loadConfig({ cwd: dir, env: {} });
};

describe('modelServer.servedLogMaxBytes', () => {
  it('is absent by default and read from the configuration file', async () => {
    expect(loadConfig({ cwd: dir, env: {} }).modelServer.servedLogMaxBytes).toBeUndefined();
    const load = await withConfig({ servedLogMaxBytes: 8 * 1024 * 1024 });
    expect(load().modelServer).toMatchObject({ servedLogMaxBytes: 8 * 1024 * 1024, port: expect.any(Number) });
  });

  it('refuses a size that is not a whole number of at least 1024 bytes, naming the field', async () => {
    for (const bad of [100, 4096.5, '1MB']) {
      const load = await withConfig({ servedLogMaxBytes: bad });
      expect(load, String(bad)).toThrow(/modelServer\.servedLogMaxBytes/);
    }
  });
});
