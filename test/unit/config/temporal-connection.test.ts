/**
 * The `temporal` settings and the one place that turns them into Temporal's connection options: TLS files (client
 * certificate and key, CA, server name) and API keys (inline or from a file), from the configuration file or the
 * Temporal CLI's variables; half-configured TLS, unsafe or empty files and secrets inside a dataset root refused
 * with errors naming the file and the setting. (Real mutual TLS: test/integration/temporal-tls.test.ts.)
 */
import { chmod, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clientConnectionOptions,
  describeTls,
  temporalConnectionOptions,
  temporalEnvironment,
} from '@slipway/sdk/client';
import { CONFIG_FILE_NAME, deniedDatasetPaths, loadConfig } from '../../../packages/worker/src/config/index.js';

const CERT_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIGHfake\n-----END PRIVATE KEY-----\n';

let dir: string;
let cert: string;
let key: string;
let ca: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'slipway-temporal-conn-')));
  [cert, key, ca] = [join(dir, 'client.pem'), join(dir, 'client.key'), join(dir, 'ca.pem')];
  await writeFile(cert, CERT_PEM);
  await writeFile(ca, CERT_PEM);
  await writeFile(key, KEY_PEM, { mode: 0o600 });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function secretFile(name: string, content: string, mode = 0o600): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  await chmod(path, mode);
  return path;
}

describe('temporalConnectionOptions', () => {
  it('reads the TLS files into the client certificate pair, the CA and the server name', async () => {
    const options = await temporalConnectionOptions({
      address: 'temporal.example:7233',
      tls: { cert, key, ca, serverName: 'frontend.internal' },
    });
    expect(options.address).toBe('temporal.example:7233');
    const tls = options.tls as Exclude<typeof options.tls, boolean | undefined>;
    expect(Buffer.from(tls.clientCertPair!.crt).toString()).toBe(CERT_PEM);
    expect(Buffer.from(tls.clientCertPair!.key).toString()).toBe(KEY_PEM);
    expect(Buffer.from(tls.serverRootCACertificate!).toString()).toBe(CERT_PEM);
    expect(tls.serverNameOverride).toBe('frontend.internal');
    expect(describeTls(options)).toBe(' over mutual TLS');
  });

  it('carries an API key with TLS on', async () => {
    const options = await temporalConnectionOptions({ address: 'ns.acct.tmprl.cloud:7233', apiKey: 'k-123' });
    expect(options).toEqual({ address: 'ns.acct.tmprl.cloud:7233', apiKey: 'k-123' });
    // Temporal's connections turn TLS on for an API key when `tls` is unset; said so in messages too.
    expect(describeTls(options)).toBe(' over TLS with an API key');
    const withCa = await temporalConnectionOptions({ address: 'a:1', apiKey: 'k-123', tls: { ca } });
    expect(withCa.apiKey).toBe('k-123');
    expect(typeof withCa.tls).toBe('object');
  });

  it('reads the API key from its file, trimmed', async () => {
    const apiKeyFile = await secretFile('api.key', '  eyJhbGciOi.key-part\n\n');
    const options = await temporalConnectionOptions({ address: 'a:1', apiKeyFile });
    expect(options.apiKey).toBe('eyJhbGciOi.key-part');
  });

  it('refuses an empty API key file, naming the file and the setting', async () => {
    const apiKeyFile = await secretFile('empty.key', ' \n');
    await expect(temporalConnectionOptions({ address: 'a:1', apiKeyFile })).rejects.toThrow(
      `The Temporal API key file ${apiKeyFile} (temporal.apiKeyFile (SLIPWAY_TEMPORAL_API_KEY_FILE)) is empty`,
    );
  });

  it('refuses an API key file others may read, a missing one, and both an inline key and a file', async () => {
    const loose = await secretFile('loose.key', 'k', 0o644);
    await expect(temporalConnectionOptions({ address: 'a:1', apiKeyFile: loose })).rejects.toThrow(
      /The Temporal API key file .*loose\.key may be read or written by its group \(mode 644\).*temporal\.apiKeyFile/,
    );
    const missing = join(dir, 'none.key');
    await expect(temporalConnectionOptions({ address: 'a:1', apiKeyFile: missing })).rejects.toThrow(
      `The Temporal API key file ${missing} (temporal.apiKeyFile (SLIPWAY_TEMPORAL_API_KEY_FILE)) does not exist`,
    );
    const apiKeyFile = await secretFile('api.key', 'k');
    await expect(temporalConnectionOptions({ address: 'a:1', apiKey: 'k', apiKeyFile })).rejects.toThrow(
      'both temporal.apiKey (TEMPORAL_API_KEY) and temporal.apiKeyFile (SLIPWAY_TEMPORAL_API_KEY_FILE) are set',
    );
  });

  it('refuses an API key with TLS turned off', async () => {
    await expect(temporalConnectionOptions({ address: 'a:1', apiKey: 'k', tls: false })).rejects.toThrow(
      'an API key for Temporal is sent only over TLS',
    );
  });

  it('refuses a certificate without its key, and a key without its certificate', async () => {
    await expect(temporalConnectionOptions({ address: 'a:1', tls: { cert } })).rejects.toThrow(
      'temporal.tls.key: cert is set without key',
    );
    await expect(temporalConnectionOptions({ address: 'a:1', tls: { key } })).rejects.toThrow(
      'temporal.tls.cert: key is set without cert',
    );
  });

  it('refuses a missing key file, a key file others may read, and files that hold no PEM', async () => {
    const missing = join(dir, 'gone.key');
    await expect(temporalConnectionOptions({ address: 'a:1', tls: { cert, key: missing } })).rejects.toThrow(
      `The Temporal TLS client key file ${missing} (temporal.tls.key (TEMPORAL_TLS_CLIENT_KEY_PATH)) does not exist`,
    );
    const loose = await secretFile('loose.key', KEY_PEM, 0o640);
    await expect(temporalConnectionOptions({ address: 'a:1', tls: { cert, key: loose } })).rejects.toThrow(
      /client key file .*loose\.key may be read or written by its group/,
    );
    const notPem = await secretFile('not.key', 'hello');
    await expect(temporalConnectionOptions({ address: 'a:1', tls: { cert, key: notPem } })).rejects.toThrow(
      `The Temporal TLS client key file ${notPem} (temporal.tls.key (TEMPORAL_TLS_CLIENT_KEY_PATH)) holds no PEM private key`,
    );
    const missingCa = join(dir, 'gone-ca.pem');
    await expect(temporalConnectionOptions({ address: 'a:1', tls: { ca: missingCa } })).rejects.toThrow(
      `the Temporal TLS CA certificate file ${missingCa} (temporal.tls.ca (TEMPORAL_TLS_SERVER_CA_CERT_PATH)) does not exist`,
    );
    await expect(temporalConnectionOptions({ address: 'a:1', tls: { cert: key, key } })).rejects.toThrow(
      `the Temporal TLS client certificate file ${key} (temporal.tls.cert (TEMPORAL_TLS_CLIENT_CERT_PATH)) holds no PEM certificate`,
    );
  });

  it('never quotes a file it refuses', async () => {
    const notPem = await secretFile('secretish.key', 'TOP-SECRET-VALUE');
    const error = await temporalConnectionOptions({ address: 'a:1', tls: { cert, key: notPem } }).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(notPem);
    expect((error as Error).message).not.toContain('TOP-SECRET-VALUE');
  });
});

describe('the environment (the Temporal CLI variables)', () => {
  it('reads the TLS files, the address, the namespace and the API key', () => {
    const env = {
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'ml-prod',
      TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
      TEMPORAL_API_KEY: '',
    };
    expect(temporalEnvironment(env)).toEqual({
      address: 'temporal.internal:7233',
      namespace: 'ml-prod',
      tls: { cert, key, ca, serverName: 'frontend.internal' },
    });
  });

  it('takes the older names too, refusing two names that disagree', () => {
    expect(temporalEnvironment({ TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key }).tls).toEqual({ cert, key });
    expect(() => temporalEnvironment({ TEMPORAL_TLS_CLIENT_KEY_PATH: key, TEMPORAL_TLS_KEY: '/other.key' })).toThrow(
      'TEMPORAL_TLS_CLIENT_KEY_PATH and TEMPORAL_TLS_KEY disagree',
    );
  });

  it('reads TEMPORAL_TLS as a switch, refusing other values and false with files', () => {
    expect(temporalEnvironment({ TEMPORAL_TLS: 'true' }).tls).toBe(true);
    expect(temporalEnvironment({ TEMPORAL_TLS: 'false' }).tls).toBe(false);
    expect(() => temporalEnvironment({ TEMPORAL_TLS: 'yes please' })).toThrow('TEMPORAL_TLS must be true or false');
    expect(() => temporalEnvironment({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca })).toThrow(
      'TEMPORAL_TLS is false while TLS files are set (ca)',
    );
  });

  it("gives a client without tls or apiKey the environment's TLS, and leaves given ones alone", async () => {
    const env = { TEMPORAL_TLS_CLIENT_CERT_PATH: cert, TEMPORAL_TLS_CLIENT_KEY_PATH: key, TEMPORAL_ADDRESS: 'x:1' };
    const fromEnv = await clientConnectionOptions({}, env);
    expect(fromEnv.address).toBe('x:1');
    expect(describeTls(fromEnv)).toBe(' over mutual TLS');
    expect(await clientConnectionOptions({ address: 'y:2', apiKey: 'k' }, env)).toEqual({
      address: 'y:2',
      apiKey: 'k',
    });
    expect(await clientConnectionOptions({}, {})).toEqual({ address: '127.0.0.1:7233' });
  });
});

describe('the temporal configuration', () => {
  it('resolves TLS and API key files against the working directory; the environment wins field by field', async () => {
    await writeFile(
      join(dir, CONFIG_FILE_NAME),
      JSON.stringify({ temporal: { tls: { cert: 'client.pem', key: 'client.key' }, apiKeyFile: 'api.key' } }),
    );
    const config = loadConfig({
      cwd: dir,
      env: { TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca, TEMPORAL_API_KEY: 'from-env', SLIPWAY_DATA_ROOTS: '/srv/data' },
    });
    expect(config.temporal.tls).toEqual({ cert, key, ca });
    // The environment's API key replaces the file's key file.
    expect(config.temporal.apiKey).toBe('from-env');
    expect(config.temporal.apiKeyFile).toBeUndefined();
  });

  it('refuses a certificate without its key in the configuration file, naming the file and the field', async () => {
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({ temporal: { tls: { cert: 'client.pem' } } }));
    expect(() => loadConfig({ cwd: dir, env: {} })).toThrow(
      `invalid Slipway configuration in ${join(dir, CONFIG_FILE_NAME)}: temporal.tls.key: cert is set without key`,
    );
  });

  it('refuses a client key or an API key file inside a dataset root, and never reads them as datasets', () => {
    const env = { SLIPWAY_DATA_ROOTS: dir, TEMPORAL_TLS_CLIENT_CERT_PATH: cert };
    expect(() => loadConfig({ cwd: dir, env: { ...env, TEMPORAL_TLS_CLIENT_KEY_PATH: key } })).toThrow(
      `temporal.tls.key ${key} lies inside the dataset root ${dir}, where a run could read it`,
    );
    expect(() =>
      loadConfig({ cwd: dir, env: { SLIPWAY_DATA_ROOTS: dir, SLIPWAY_TEMPORAL_API_KEY_FILE: 'a.key' } }),
    ).toThrow(`temporal.apiKeyFile ${join(dir, 'a.key')} lies inside the dataset root ${dir}`);
    const outside = loadConfig({
      cwd: dir,
      env: { SLIPWAY_DATA_ROOTS: '/srv/data', TEMPORAL_TLS_CLIENT_CERT_PATH: cert, TEMPORAL_TLS_CLIENT_KEY_PATH: key },
    });
    expect(deniedDatasetPaths(outside)).toContain(key);
  });

  it('reads the Worker Deployment from the file and the environment, refusing a "." in its name', async () => {
    await writeFile(
      join(dir, CONFIG_FILE_NAME),
      JSON.stringify({ temporal: { deployment: { name: 'slipway-fleet', defaultVersioningBehavior: 'PINNED' } } }),
    );
    const config = loadConfig({ cwd: dir, env: { SLIPWAY_BUILD_ID: 'git-3f2a9c1' } });
    expect(config.temporal.deployment).toEqual({
      name: 'slipway-fleet',
      buildId: 'git-3f2a9c1',
      defaultVersioningBehavior: 'PINNED',
    });
    expect(() => loadConfig({ cwd: dir, env: { SLIPWAY_DEPLOYMENT_NAME: 'fleet.v2' } })).toThrow(
      'temporal.deployment.name: must not contain "."',
    );
    await writeFile(join(dir, CONFIG_FILE_NAME), JSON.stringify({}));
    expect(() => loadConfig({ cwd: dir, env: { SLIPWAY_BUILD_ID: 'b1' } })).toThrow(
      'temporal.deployment.buildId or .defaultVersioningBehavior is set without temporal.deployment.name',
    );
  });
});
