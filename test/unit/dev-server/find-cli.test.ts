import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  DevServerErrorCode,
  findTemporalCli,
  isDevServerError,
  TEMPORAL_CLI_PATH_ENV,
  toolsLayout,
} from '../../../packages/worker/src/dev-server/index.js';

let root: string;
let home: string;

async function fakeCli(dir: string, name = 'temporal', mode = 0o755): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, '#!/bin/sh\necho "temporal version 0.0.0-test"\n');
  await chmod(path, mode);
  return path;
}

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'slipway-find-cli-'));
  home = join(root, '.slipway');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('findTemporalCli lookup order', () => {
  it('prefers TEMPORAL_CLI_PATH over PATH and the tools folder', async () => {
    const fromEnv = await fakeCli(join(root, 'env-bin'));
    await fakeCli(join(root, 'path-bin'));
    await fakeCli(join(home, 'tools', 'bin'));
    const found = findTemporalCli({ home, env: { [TEMPORAL_CLI_PATH_ENV]: fromEnv, PATH: join(root, 'path-bin') } });
    expect(found).toEqual({ path: fromEnv, source: 'env' });
  });

  it('fails clearly, naming the variable, when TEMPORAL_CLI_PATH points at a missing file', async () => {
    await fakeCli(join(root, 'path-bin'));
    const missing = join(root, 'nowhere', 'temporal');
    const err = captureError(() =>
      findTemporalCli({ home, env: { [TEMPORAL_CLI_PATH_ENV]: missing, PATH: join(root, 'path-bin') } }),
    );
    expect(isDevServerError(err, DevServerErrorCode.cliNotFound)).toBe(true);
    expect((err as Error).message).toContain('TEMPORAL_CLI_PATH');
    expect((err as Error).message).toContain(missing);
    expect((err as Error).message).toContain('does not exist');
  });

  it('fails clearly when TEMPORAL_CLI_PATH points at a file that is not executable', async () => {
    const notExecutable = await fakeCli(join(root, 'env-bin'), 'temporal', 0o644);
    const err = captureError(() => findTemporalCli({ home, env: { [TEMPORAL_CLI_PATH_ENV]: notExecutable } }));
    expect(isDevServerError(err, DevServerErrorCode.cliNotFound)).toBe(true);
    expect((err as Error).message).toMatch(/TEMPORAL_CLI_PATH.*not executable/);
  });

  it('finds the first temporal on PATH with source "path"', async () => {
    const first = await fakeCli(join(root, 'first'));
    await fakeCli(join(root, 'second'));
    await fakeCli(join(home, 'tools', 'bin'));
    const PATH = [join(root, 'empty'), join(root, 'first'), join(root, 'second')].join(delimiter);
    expect(findTemporalCli({ home, env: { PATH } })).toEqual({ path: first, source: 'path' });
  });

  it('skips a non-executable temporal on PATH', async () => {
    await fakeCli(join(root, 'first'), 'temporal', 0o644);
    const second = await fakeCli(join(root, 'second'));
    const PATH = [join(root, 'first'), join(root, 'second')].join(delimiter);
    expect(findTemporalCli({ home, env: { PATH } })).toEqual({ path: second, source: 'path' });
  });

  it('falls back to the tools folder: the venv first, then tools/bin', async () => {
    const layout = toolsLayout(home);
    const inBin = await fakeCli(join(home, 'tools', 'bin'));
    expect(findTemporalCli({ home, env: { PATH: join(root, 'empty') } })).toEqual({ path: inBin, source: 'tools' });
    await fakeCli(join(layout.venvDir, 'bin'));
    expect(findTemporalCli({ home, env: { PATH: '' } })).toEqual({ path: layout.venvCli, source: 'tools' });
  });

  it('returns undefined when there is no CLI anywhere', () => {
    expect(findTemporalCli({ home, env: { PATH: join(root, 'empty') } })).toBeUndefined();
  });
});
