/**
 * The administrator key the directory of people must be signed with (`directoryAdminKey`, or
 * SLIPWAY_DIRECTORY_ADMIN_KEY): validated when the configuration loads, and a worker refuses to start with a
 * directory that is not signed by it (or when it is not set), naming the setting, the file and the reason.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@slipway/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CONFIG_FILE_NAME,
  checkBackends,
  loadConfig,
  type SlipwayConfig,
} from '../../../packages/worker/src/config/index.js';
import { embeddedDeps } from '../../../packages/worker/src/worker/create-worker.js';
import { createTestPeople } from '../../support/people.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-admin-key-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the directoryAdminKey setting', () => {
  const key = generateKeyPair().publicKey;

  it('is unset by default, and read from the file or SLIPWAY_DIRECTORY_ADMIN_KEY (the environment wins)', async () => {
    expect(loadConfig({ cwd: dir, env: {} }).directoryAdminKey).toBeUndefined();
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ directoryAdminKey: key }));
    expect(loadConfig({ cwd: dir, env: {} }).directoryAdminKey).toBe(key);
    const other = generateKeyPair().publicKey;
    expect(loadConfig({ cwd: dir, env: { SLIPWAY_DIRECTORY_ADMIN_KEY: ` ${other}\n` } }).directoryAdminKey).toBe(other);
  });

  it('refuses a malformed key, naming the file and the field, or the variable', async () => {
    const path = join(dir, CONFIG_FILE_NAME);
    await writeFile(path, JSON.stringify({ directoryAdminKey: 'ed25519:short' }));
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(
      `invalid Slipway configuration in ${path}: directoryAdminKey: expected an Ed25519 public key`,
    );
    await rm(path);
    const fromEnv = () => loadConfig({ cwd: dir, env: { SLIPWAY_DIRECTORY_ADMIN_KEY: key.slice('ed25519:'.length) } });
    expect(fromEnv).toThrow(
      /^invalid Slipway configuration in the environment: directoryAdminKey: expected an Ed25519 public key.*\(set by SLIPWAY_DIRECTORY_ADMIN_KEY\)$/,
    );
  });
});

describe('a worker with a directory of people', () => {
  async function startCheck(config: SlipwayConfig): Promise<void> {
    const deps = embeddedDeps(config);
    try {
      await checkBackends(config, deps);
    } finally {
      await deps.registry.close();
    }
  }

  it('starts with a directory signed by the configured administrator key', async () => {
    const people = await createTestPeople(join(dir, 'people'));
    await expect(startCheck(loadConfig({ cwd: dir, env: people.env }))).resolves.toBeUndefined();
  });

  it('refuses to start without an administrator key, with an unsigned directory, or one signed by another key', async () => {
    const signed = await createTestPeople(join(dir, 'signed'), undefined, { format: 'yaml' });
    const unsigned = await createTestPeople(join(dir, 'unsigned'), undefined, { sign: false });
    const cases: [Record<string, string>, string][] = [
      [{ ...signed.env, SLIPWAY_DIRECTORY_ADMIN_KEY: '' }, 'no administrator key is configured'],
      [unsigned.env, 'the directory is not signed'],
      [
        { ...signed.env, SLIPWAY_DIRECTORY_ADMIN_KEY: unsigned.adminPublicKey },
        `not by the configured administrator key ${unsigned.adminPublicKey}`,
      ],
    ];
    for (const [env, reason] of cases) {
      const path = env['SLIPWAY_DIRECTORY']!;
      await expect(startCheck(loadConfig({ cwd: dir, env })), reason).rejects.toThrow(
        new RegExp(`^the configured directory ${path} cannot be used: ${path}: .*${escape(reason)}`),
      );
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
