/**
 * Who the caller is (`identity`, else the operating-system user) and where the directory of people is
 * (`directory`): read from slipway.config.json or the environment, and used by the client to set `startedBy`.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ClientErrorCode,
  SlipwayClient,
  callerIdentity,
  withStartedBy,
  type SlipwayClientError,
} from '@slipway/sdk/client';
import { Client } from '@temporalio/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE_NAME, checkBackends, loadConfig } from '../../../packages/worker/src/config/index.js';
import { embeddedDeps } from '../../../packages/worker/src/worker/create-worker.js';
import { createTestPeople } from '../../support/people.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-identity-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function thrown(fn: () => unknown): SlipwayClientError {
  try {
    fn();
  } catch (err) {
    return err as SlipwayClientError;
  }
  throw new Error('expected a throw');
}

describe('the directory and identity settings', () => {
  it('are unset by default', () => {
    const config = loadConfig({ cwd: dir, env: {} });
    expect(config.directory).toBeUndefined();
    expect(config.identity).toBeUndefined();
  });

  it('resolve the directory against the working directory, from the file or SLIPWAY_DIRECTORY', async () => {
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ directory: 'people.yaml', identity: 'maria' }));
    expect(loadConfig({ cwd: dir, env: {} })).toMatchObject({ directory: join(dir, 'people.yaml'), identity: 'maria' });
    const fromEnv = loadConfig({
      cwd: dir,
      env: { SLIPWAY_DIRECTORY: '/etc/slipway/people.json', SLIPWAY_IDENTITY: 'lee' },
    });
    expect(fromEnv).toMatchObject({ directory: '/etc/slipway/people.json', identity: 'lee' });
  });

  it('refuse an empty identity or directory, naming the file and the field', async () => {
    const path = join(dir, CONFIG_FILE_NAME);
    await writeFile(path, JSON.stringify({ identity: '   ' }));
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(`invalid Slipway configuration in ${path}: identity:`);
    await writeFile(path, JSON.stringify({ directory: '' }));
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(`invalid Slipway configuration in ${path}: directory:`);
  });
});

describe('a worker with a directory of people', () => {
  it('refuses to start when the directory cannot be used, naming the setting, the file and the field', async () => {
    const path = join(dir, 'people.yaml');
    await writeFile(path, 'version: 2\npeople: {}\n');
    const config = loadConfig({ cwd: dir, env: { SLIPWAY_DIRECTORY: 'people.yaml' } });
    const deps = embeddedDeps(config);
    try {
      await expect(checkBackends(config, deps)).rejects.toThrow(
        `the configured directory ${path} cannot be used: ${path}: not a valid directory of people: version: expected version 1`,
      );
      // A valid directory, signed by the configured administrator key, lets it start.
      const people = await createTestPeople(join(dir, 'people'), { maria: ['ml-leads'] }, { format: 'yaml' });
      await copyFile(people.directoryPath, path);
      const trusted = { ...config, directoryAdminKey: people.adminPublicKey };
      await expect(checkBackends(trusted, embeddedDeps(trusted, { registry: deps.registry }))).resolves.toBeUndefined();
    } finally {
      await deps.registry.close();
    }
  });
});

describe("the caller's identity", () => {
  it('is the configured identity, else the operating-system user, else the environment', () => {
    expect(callerIdentity('maria', { osUser: () => 'root' })).toBe('maria');
    expect(callerIdentity(undefined, { osUser: () => 'lee', env: { USER: 'other' } })).toBe('lee');
    expect(callerIdentity('  ', { osUser: () => undefined, env: { LOGNAME: 'sam' } })).toBe('sam');
  });

  it('is an error when nobody can be named, instead of an anonymous run', () => {
    const err = thrown(() => callerIdentity(undefined, { osUser: () => undefined, env: {} }));
    expect(err.code).toBe(ClientErrorCode.InvalidInput);
    expect(err.message).toContain('set `identity` in slipway.config.json or SLIPWAY_IDENTITY');
  });

  it('becomes startedBy; an input naming someone else is refused, naming both', () => {
    expect(withStartedBy({ modelName: 'churn' }, 'maria')).toEqual({ modelName: 'churn', startedBy: 'maria' });
    expect(withStartedBy({ startedBy: 'maria' }, 'maria')).toEqual({ startedBy: 'maria' });
    expect(withStartedBy([1, 2], 'maria')).toEqual([1, 2]);
    const err = thrown(() => withStartedBy({ startedBy: 'ci-bot' }, 'maria'));
    expect(err.code).toBe(ClientErrorCode.InvalidInput);
    expect(err.message).toContain('the input says the run is started by "ci-bot", but the caller is "maria"');
  });
});

describe('SlipwayClient refuses what the caller may not declare, before reaching Temporal', () => {
  // A client over a connection that is never opened: every check below fails before any call.
  const client = SlipwayClient.fromClient(new Client(), { user: 'maria' });

  it('start refuses an input whose startedBy is not the client user', async () => {
    const err = await client.start('trainAndPromote', { startedBy: 'lee' }).then(
      () => undefined,
      (e: unknown) => e as SlipwayClientError,
    );
    expect(err).toMatchObject({ code: ClientErrorCode.InvalidInput });
    expect(err?.message).toContain('"lee", but the caller is "maria"');
  });

  it('approve and reject refuse a decision that names groups', async () => {
    const decision = { as: 'mallory', groups: ['ml-leads'] } as unknown as { as: string };
    for (const call of [client.approve('r', decision), client.reject('r', decision)]) {
      const err = await call.then(
        () => undefined,
        (e: unknown) => e as SlipwayClientError,
      );
      expect(err).toMatchObject({ code: ClientErrorCode.InvalidDecision });
      expect(err?.message).toContain('a decision may not name groups (got ["ml-leads"])');
    }
  });

  it('terminate needs a reason', async () => {
    const err = await client.terminate('r', ' ').then(
      () => undefined,
      (e: unknown) => e as SlipwayClientError,
    );
    expect(err).toMatchObject({
      code: ClientErrorCode.InvalidInput,
      message: expect.stringContaining('needs a reason'),
    });
  });
});
