/**
 * The `audit` setting (the signing key file) and the worker's start-up checks of the registry against the audit
 * log: an emptied registry, or one that records no key of the home's signed log, is refused naming both.
 */
import { chmod, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFsArtifactStore } from '../../../packages/activities/src/artifacts/index.js';
import { openSqliteRegistry } from '../../../packages/activities/src/registry/index.js';
import {
  CONFIG_FILE_NAME,
  auditKeyFilePath,
  checkBackends,
  loadConfig,
  withConfiguredRegistry,
  type SlipwayConfig,
} from '../../../packages/worker/src/config/index.js';
import { embeddedDeps } from '../../../packages/worker/src/worker/create-worker.js';
import { versionInput } from '../registry/registry-fixtures.js';

let dir: string;
let config: SlipwayConfig;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-audit-setting-'));
  config = loadConfig({ cwd: dir, env: {} });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Registers and promotes one version through the worker's audited registry: 2 audit lines. */
async function writeHistory(cfg: SlipwayConfig): Promise<void> {
  const { registry } = embeddedDeps(cfg);
  await registry.registerVersion(versionInput('churn', 'k1'));
  await registry.setAlias('churn', 'champion', 1);
  await registry.close();
}

describe('the audit setting', () => {
  it('defaults the key file to <home>/audit-key.pem; SLIPWAY_AUDIT_KEY_FILE or audit.keyFile move it', async () => {
    expect(auditKeyFilePath(config)).toBe(join(dir, '.slipway', 'audit-key.pem'));
    const fromEnv = loadConfig({ cwd: dir, env: { SLIPWAY_AUDIT_KEY_FILE: 'secrets/audit.pem' } });
    expect(auditKeyFilePath(fromEnv)).toBe(join(dir, 'secrets', 'audit.pem'));
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ audit: { keyFile: '/etc/slipway/audit.pem' } }));
    expect(auditKeyFilePath(loadConfig({ cwd: dir, env: {} }))).toBe('/etc/slipway/audit.pem');
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ audit: { keyfile: 'x' } }));
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(/audit: Unrecognized key: "keyfile"/);
  });

  it('signs with the configured key file, and refuses one that group or others may read', async () => {
    const keyFile = join(dir, 'keys', 'audit.pem');
    const configured = loadConfig({ cwd: dir, env: { SLIPWAY_AUDIT_KEY_FILE: keyFile } });
    await writeHistory(configured);
    await chmod(keyFile, 0o644);
    const { registry } = embeddedDeps(configured);
    try {
      await expect(registry.registerVersion(versionInput('churn', 'k2'))).rejects.toThrow(
        `The audit key file ${keyFile} may be read or written by its group (mode 644)`,
      );
      expect((await registry.listVersions('churn')).map((v) => v.version)).toEqual([1]);
    } finally {
      await registry.close();
    }
  });
});

describe('the worker refuses a registry that lost what the audit log records', () => {
  it('at start, for an emptied registry.db, naming both files and what to restore', async () => {
    await writeHistory(config);
    await rm(join(config.home, 'registry.db-wal'), { force: true });
    await truncate(join(config.home, 'registry.db'), 0);
    expect(() => embeddedDeps(config)).toThrow(
      `the registry ${join(config.home, 'registry.db')} is empty (0 bytes), but the audit log ` +
        `${join(config.home, 'audit.log')} records 2 mutations up to seq 2: restore the registry from a backup, or ` +
        'move the audit log aside to start a new home',
    );
  });

  it('at start and in every command, for a registry that records no key of the home’s signed log', async () => {
    await writeHistory(config);
    await openSqliteRegistry(join(dir, 'other.db')).close();
    const other = loadConfig({ cwd: dir, env: { SLIPWAY_REGISTRY: 'sqlite:other.db' } });
    const deps = embeddedDeps(other, { artifacts: createFsArtifactStore(join(dir, 'artifacts')) });
    try {
      const refusal = new RegExp(
        `the registry sqlite:${join(dir, 'other.db')} records no key of audit log \\S+: it is empty, or another ` +
          `registry than the one the log was written with; the audit log ${join(config.home, 'audit.log')} records ` +
          '2 mutations up to seq 2',
      );
      await expect(checkBackends(other, deps)).rejects.toThrow(refusal);
      await expect(withConfiguredRegistry(other, (r) => r.listModels())).rejects.toThrow(refusal);
    } finally {
      await deps.registry.close();
    }
    const own = embeddedDeps(config);
    await expect(checkBackends(config, own)).resolves.toBeUndefined();
    await own.registry.close();
  });
});
