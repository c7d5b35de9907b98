/**
 * The `data.roots` setting and the dataset access a configuration gives the worker and the CLI: roots from the
 * config file or `SLIPWAY_DATA_ROOTS`, relative ones against the working directory, the artifact store always
 * among them, and the state directory and the configuration file always denied.
 */
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayErrorType } from '@slipway/sdk';
import { ANYWHERE, checkDatasetAccess } from '../../../packages/activities/src/sources/index.js';
import {
  CONFIG_FILE_NAME,
  datasetAccessOf,
  deniedDatasetPaths,
  loadConfig,
  localDatasetAccess,
  workerDatasetAccess,
} from '../../../packages/worker/src/config/index.js';
import { embeddedDeps } from '../../../packages/worker/src/worker/create-worker.js';
import { rejection } from '../data/fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'slipway-config-roots-')));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('data.roots', () => {
  it('defaults to the working directory, plus the artifact store', () => {
    const config = loadConfig({ cwd: dir, env: {} });
    expect(config.data.roots).toEqual([dir, join(dir, '.slipway', 'artifacts')]);
    const onS3 = loadConfig({ cwd: dir, env: { SLIPWAY_ARTIFACTS: 's3://ml-models/slipway/' } });
    expect(onS3.data.roots).toEqual([dir, 's3://ml-models/slipway']);
  });

  it('reads the config file, resolving relative directories against the working directory', async () => {
    await writeFile(
      join(dir, CONFIG_FILE_NAME),
      JSON.stringify({ data: { roots: ['datasets', '/srv/shared', 's3://ml/datasets/'] } }),
    );
    expect(loadConfig({ cwd: dir, env: {} }).data.roots).toEqual([
      join(dir, 'datasets'),
      '/srv/shared',
      's3://ml/datasets',
      join(dir, '.slipway', 'artifacts'),
    ]);
  });

  it('takes SLIPWAY_DATA_ROOTS, comma-separated, over the file; an empty variable is unset', async () => {
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ data: { roots: ['from-file'] } }));
    const env = { SLIPWAY_DATA_ROOTS: ' /srv/data , s3://ml/datasets,rel ', SLIPWAY_ARTIFACTS: '/srv/artifacts' };
    expect(loadConfig({ cwd: dir, env }).data.roots).toEqual([
      '/srv/data',
      's3://ml/datasets',
      join(dir, 'rel'),
      '/srv/artifacts',
    ]);
    expect(loadConfig({ cwd: dir, env: { SLIPWAY_DATA_ROOTS: '' } }).data.roots[0]).toBe(join(dir, 'from-file'));
  });

  it('refuses a malformed root, naming where it came from and why', async () => {
    expect(() => loadConfig({ cwd: dir, env: { SLIPWAY_DATA_ROOTS: 'https://example.invalid/x' } })).toThrow(
      /invalid Slipway configuration in the environment: data\.roots\.0: dataset root "https:\/\/example\.invalid\/x" is not valid/,
    );
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ data: { roots: ['s3://ml/../x'] } }));
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(/has a "\." or "\.\." segment/);
  });
});

describe('the dataset access of a configuration', () => {
  it('denies the state directory, the config file and every secret file; allows the artifact store inside the state directory', async () => {
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ taskQueue: 'q', audit: { keyFile: 'keys/a.pem' } }));
    const config = loadConfig({ cwd: dir, env: {} });
    const denied = [
      join(dir, '.slipway'),
      join(dir, CONFIG_FILE_NAME),
      join(dir, '.slipway', 'model-server.token'),
      join(dir, 'keys', 'a.pem'),
    ];
    expect(deniedDatasetPaths(config)).toEqual(denied);
    expect(datasetAccessOf(config)).toEqual({
      roots: [dir, join(dir, '.slipway', 'artifacts')],
      denied,
      allowedInsideDenied: [join(dir, '.slipway', 'artifacts')],
    });
    expect(localDatasetAccess(config).roots).toBe(ANYWHERE);
  });

  it('the worker refuses the state directory and the config file, and reads a snapshot in the artifact store', async () => {
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ s3: { secretAccessKey: 'k' } }));
    const config = loadConfig({ cwd: dir, env: {} });
    const access = embeddedDeps(config).datasetAccess;
    expect(access).toEqual(datasetAccessOf(config));
    const home = join(dir, '.slipway');
    await mkdir(join(home, 'artifacts', 'sha256', 'ab'), { recursive: true });
    const refuse = async (path: string) =>
      expect(await rejection(checkDatasetAccess(pathToFileURL(path).href, access!))).toMatchObject({
        type: SlipwayErrorType.AccessDenied,
      });
    await refuse(join(home, 'registry.db'));
    await refuse(join(dir, CONFIG_FILE_NAME));
    // The audit signing key, even when it lives outside the state directory, inside a dataset root.
    const outsideKey = loadConfig({ cwd: dir, env: { SLIPWAY_AUDIT_KEY_FILE: join(dir, 'signing.pem') } });
    await writeFile(join(dir, 'signing.pem'), 'not a dataset');
    expect(
      await rejection(checkDatasetAccess(pathToFileURL(join(dir, 'signing.pem')).href, datasetAccessOf(outsideKey))),
    ).toMatchObject({ type: SlipwayErrorType.AccessDenied });
    const snapshot = join(home, 'artifacts', 'sha256', 'ab', 'abcd.csv');
    expect(await checkDatasetAccess(pathToFileURL(snapshot).href, access!)).toMatchObject({ path: snapshot });
    expect(await checkDatasetAccess(pathToFileURL(join(dir, 'data.csv')).href, access!)).toMatchObject({
      kind: 'file',
    });
  });

  it("an override of the worker's access changes its roots, never what is denied", () => {
    const config = loadConfig({ cwd: dir, env: {} });
    const access = embeddedDeps(config, {
      datasetAccess: { roots: ['/srv/data'], denied: ['/srv/data/keys'] },
    }).datasetAccess;
    expect(access).toEqual(workerDatasetAccess(config, { roots: ['/srv/data'], denied: ['/srv/data/keys'] }));
    expect(access).toEqual({
      roots: ['/srv/data'],
      denied: [
        '/srv/data/keys',
        join(dir, '.slipway'),
        join(dir, '.slipway', 'model-server.token'),
        join(dir, '.slipway', 'audit-key.pem'),
      ],
      allowedInsideDenied: [join(dir, '.slipway', 'artifacts')],
    });
  });
});
