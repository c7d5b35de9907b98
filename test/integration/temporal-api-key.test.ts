/**
 * API keys to Temporal: a worker (key from a file), the client and the CLI (key from `TEMPORAL_API_KEY`) reach the
 * suite's dev server through a TLS gRPC proxy that lets a call through only with `authorization: Bearer <key>`, as
 * Temporal Cloud does. With the key a pipeline runs to its gate and the CLI lists it; without it, or with another
 * key, the proxy answers UNAUTHENTICATED and the caller says so.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SlipwayClient, temporalConnectionOptions } from '@slipway/sdk/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { SlipwayConfig } from '../../packages/worker/src/config/index.js';
import { failureOf } from '../support/failures.js';
import { startHarness, type Harness } from '../support/harness.js';
import { runCli } from '../support/processes.js';
import { makeTestPki, startApiKeyProxy, type ApiKeyProxy, type TestPki } from '../support/tls-proxy.js';
import { runToGateVia } from '../support/remote-run.js';

const API_KEY = 'slipway-test-api-key-0123456789';
let h: Harness;
let secrets: string;
let pki: TestPki;
let proxy: ApiKeyProxy;
let apiKeyFile: string;

beforeAll(async () => {
  h = await startHarness({ name: 'api-key', worker: false });
  // Outside every dataset root: the directory holds keys.
  secrets = await mkdtemp(join(tmpdir(), 'slipway-api-key-'));
  pki = makeTestPki(secrets);
  apiKeyFile = join(secrets, 'temporal-api-key');
  await writeFile(apiKeyFile, `${API_KEY}\n`);
  await chmod(apiKeyFile, 0o600);
  proxy = await startApiKeyProxy({ target: inject('temporalAddress'), pki, apiKey: API_KEY });
});
afterAll(async () => {
  await proxy?.close();
  await h?.stop();
  if (secrets) await rm(secrets, { recursive: true, force: true });
});

/**
 * The harness configuration pointed at the proxy: its server certificate signed by the test CA, checked against the
 * name `localhost` (the address is an IP).
 */
function viaProxy(auth: Pick<SlipwayConfig['temporal'], 'apiKey' | 'apiKeyFile'>): SlipwayConfig {
  return {
    ...h.config,
    temporal: { ...h.config.temporal, address: proxy.address, tls: { ca: pki.ca, serverName: 'localhost' }, ...auth },
  };
}

function cliViaProxy(args: string[], env: Record<string, string>) {
  return runCli(['--address', proxy.address, '--home', h.home, '--task-queue', h.config.taskQueue, ...args], {
    ...h.people!.env,
    SLIPWAY_IDENTITY: 'ci-bot',
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.ca,
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
    ...env,
  });
}

it('a worker, the client and the CLI send the API key, and work through a proxy that demands it', async () => {
  await runToGateVia(h, {
    workerConfig: viaProxy({ apiKeyFile }),
    clientConfig: viaProxy({ apiKey: API_KEY }),
    modelName: 'api-key-churn',
    then: async (runId) => {
      const listed = await cliViaProxy(['approvals'], { TEMPORAL_API_KEY: API_KEY });
      expect(listed.code, listed.output).toBe(0);
      expect(listed.output).toContain(runId);
      expect(proxy.authorized).toBeGreaterThan(0);
    },
  });
});

it('is refused without an API key, and with another key', async () => {
  const refusedBefore = proxy.refused;
  const noKey = await failureOf(
    SlipwayClient.connect({
      ...(await temporalConnectionOptions(viaProxy({}).temporal)),
      namespace: h.config.temporal.namespace,
    }).then((client) => client.pendingApprovals().finally(() => client.close())),
  );
  expect(String((noKey as Error).message)).toMatch(/UNAUTHENTICATED|missing or unknown API key/);
  const wrongKey = await cliViaProxy(['approvals'], { TEMPORAL_API_KEY: 'not-the-key' });
  expect(wrongKey.code).not.toBe(0);
  expect(wrongKey.output).toMatch(/UNAUTHENTICATED|missing or unknown API key/);
  expect(proxy.refused).toBeGreaterThan(refusedBefore);
});
