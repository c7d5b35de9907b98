import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlipwayErrorType } from '@slipway/sdk';
import {
  checkArtifactStore,
  createFsArtifactStore,
  createS3ArtifactStore,
  openArtifactStore,
  parseArtifactLocation,
  type CheckableArtifactStore,
} from '../../../packages/activities/src/artifacts/index.js';
import { CONFIG_FILE_NAME, loadConfig } from '../../../packages/worker/src/config/index.js';
import { embeddedDeps } from '../../../packages/worker/src/worker/create-worker.js';
import { failureOf } from '../../support/artifact-store-conformance.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-open-store-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseArtifactLocation', () => {
  it('reads s3://bucket/prefix, dropping slashes around the prefix', () => {
    expect(parseArtifactLocation('s3://ml-artifacts/teams/churn/')).toEqual({
      kind: 's3',
      bucket: 'ml-artifacts',
      prefix: 'teams/churn',
      uri: 's3://ml-artifacts/teams/churn',
    });
    expect(parseArtifactLocation('s3://ml-artifacts')).toEqual({
      kind: 's3',
      bucket: 'ml-artifacts',
      prefix: '',
      uri: 's3://ml-artifacts',
    });
    expect(parseArtifactLocation('s3://ml.artifacts-2/a=1/b_(x)')).toMatchObject({ prefix: 'a=1/b_(x)' });
  });

  it('reads a directory (relative to cwd) or a file URL as a filesystem location', () => {
    expect(parseArtifactLocation('store', dir)).toEqual({ kind: 'filesystem', root: join(dir, 'store') });
    expect(parseArtifactLocation('/var/artifacts', dir)).toEqual({
      kind: 'filesystem',
      root: resolve('/var/artifacts'),
    });
    const url = pathToFileURL(join(dir, 'a b')).href;
    expect(parseArtifactLocation(url)).toEqual({ kind: 'filesystem', root: join(dir, 'a b') });
  });

  it.each([
    ['s3://', 'a bucket name is 3–63 lowercase letters'],
    ['s3:/bucket/x', 'expected s3://bucket or s3://bucket/prefix'],
    ['s3://Bad_Bucket/x', 'a bucket name is 3–63 lowercase letters'],
    ['s3://ab/x', 'a bucket name is 3–63 lowercase letters'],
    ['s3://bucket..name/x', 'a bucket name is 3–63 lowercase letters'],
    ['s3://bucket/a//b', 'the prefix segment "" is not allowed'],
    ['s3://bucket/a/../b', 'the prefix segment ".." is not allowed'],
    ['s3://bucket/a b', 'the prefix segment "a b" is not allowed'],
    ['s3://bucket/x?versionId=1', 'the prefix segment "x?versionId=1" is not allowed'],
    ['gs://bucket/x', 'its scheme is not supported'],
    ['https://example.com/artifacts', 'its scheme is not supported'],
    ['file://example.com/x', 'is not valid'],
    ['  ', 'it is empty'],
  ])('refuses %s with a final InvalidInput saying why', (location, reason) => {
    let failure: unknown;
    try {
      parseArtifactLocation(location);
    } catch (err) {
      failure = err;
    }
    expect(failure).toMatchObject({ type: SlipwayErrorType.InvalidInput, nonRetryable: true });
    expect((failure as Error).message).toContain(`Artifact store location ${JSON.stringify(location)} is not valid`);
    expect((failure as Error).message).toContain(reason);
  });
});

describe('openArtifactStore and checkArtifactStore', () => {
  it('opens the filesystem store for a directory, whose check creates the directory', async () => {
    const root = join(dir, 'nested', 'artifacts');
    const store = openArtifactStore(root);
    expect(store.location).toBe(root);
    await checkArtifactStore(store);
    expect((await stat(root)).isDirectory()).toBe(true);
    const ref = await store.putJson({ a: 1 });
    expect(await createFsArtifactStore(root).getJson(ref)).toEqual({ a: 1 });
  });

  it('fails the check of a directory that cannot be created, naming it', async () => {
    await writeFile(join(dir, 'file'), 'in the way');
    const root = join(dir, 'file', 'artifacts');
    const failure = await failureOf(checkArtifactStore(openArtifactStore(root)));
    expect(failure).toMatchObject({ type: SlipwayErrorType.InvalidInput, nonRetryable: true });
    expect((failure as Error).message).toContain(`The artifact store directory ${root} cannot be used`);
  });

  it('opens the S3 store for s3://bucket/prefix without contacting it', () => {
    const store = openArtifactStore('s3://ml-artifacts/slipway/', { s3: { endpoint: 'http://127.0.0.1:9' } });
    expect(store).toMatchObject({ location: 's3://ml-artifacts/slipway', bucket: 'ml-artifacts', prefix: 'slipway' });
    (store as CheckableArtifactStore & { close(): void }).close();
  });

  it('passes a store that has no check of its own', async () => {
    await expect(checkArtifactStore(createFsArtifactStore(join(dir, 'plain')))).resolves.toBeUndefined();
  });

  it('refuses S3 store options S3 would refuse', () => {
    expect(() => createS3ArtifactStore({ bucket: 'ok-bucket', partSize: 1024 * 1024 })).toThrow(
      'S3 needs at least 5 MiB',
    );
    expect(() => createS3ArtifactStore({ bucket: 'NO' })).toThrow('a bucket name is 3–63 lowercase letters');
  });
});

describe('the artifacts setting', () => {
  it('keeps s3://bucket/prefix, normalized', () => {
    const config = loadConfig({ cwd: dir, env: { SLIPWAY_ARTIFACTS: 's3://ml-artifacts/slipway/' } });
    expect(config.artifacts).toBe('s3://ml-artifacts/slipway');
  });

  it('makes a directory absolute, and defaults to <home>/artifacts', () => {
    const relative = loadConfig({ cwd: dir, env: { SLIPWAY_ARTIFACTS: 'store' } });
    expect(relative.artifacts).toBe(join(dir, 'store'));
    const fallback = loadConfig({ cwd: dir, env: { SLIPWAY_HOME: 'h' } });
    expect(fallback.artifacts).toBe(join(dir, 'h', 'artifacts'));
  });

  it('names the source and the reason of a malformed location', async () => {
    expect(() => loadConfig({ cwd: dir, env: { SLIPWAY_ARTIFACTS: 's3://Bad_Bucket/x' } })).toThrow(
      /invalid Slipway configuration in the environment: .*artifacts.*"s3:\/\/Bad_Bucket\/x" is not valid: a bucket name/,
    );
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ artifacts: 'gs://bucket' }));
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(
      new RegExp(`invalid Slipway configuration in ${join(dir, CONFIG_FILE_NAME)}: .*its scheme is not supported`),
    );
  });

  it('gives the worker the S3 store when artifacts live in S3', async () => {
    const config = loadConfig({
      cwd: dir,
      env: {},
      overrides: { artifacts: 's3://ml-artifacts/w', s3: { endpoint: 'http://127.0.0.1:9', region: 'eu-west-1' } },
    });
    const deps = embeddedDeps(config);
    try {
      expect(deps.artifacts).toMatchObject({ location: 's3://ml-artifacts/w', bucket: 'ml-artifacts', prefix: 'w' });
    } finally {
      await deps.registry.close();
    }
  });
});
