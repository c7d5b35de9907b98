/**
 * Mutual TLS to Temporal: a worker, the client and the CLI reach the suite's dev server through a TLS-terminating
 * proxy that demands a client certificate signed by its CA. With the right certificate a pipeline runs to its gate
 * and the CLI lists the gate; without a certificate, with one from another CA, or with a missing key file, each is
 * refused with an error that says so.
 */
import { rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientErrorCode, SlipwayClient, temporalConnectionOptions } from '@slipway/sdk/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { SlipwayConfig } from '../../packages/worker/src/config/index.js';
import { connectWorker, createSlipwayWorker } from '../../packages/worker/src/worker/create-worker.js';
import { clientError } from '../support/failures.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { runCli } from '../support/processes.js';
import { makeTestPki, startTlsProxy, type TestPki, type TlsProxy } from '../support/tls-proxy.js';
import { runToGateVia } from '../support/remote-run.js';

let h: Harness;
let pkiDir: string;
let pki: TestPki;
let proxy: TlsProxy;

beforeAll(async () => {
  h = await startHarness({ name: 'tls', worker: false });
  // Outside every dataset root: the directory holds private keys.
  pkiDir = await mkdtemp(join(tmpdir(), 'slipway-tls-pki-'));
  pki = makeTestPki(pkiDir);
  proxy = await startTlsProxy({ target: inject('temporalAddress'), pki });
});
afterAll(async () => {
  await proxy?.close();
  await h?.stop();
  if (pkiDir) await rm(pkiDir, { recursive: true, force: true });
});

/** The harness configuration pointed at the proxy, with these TLS settings. */
function viaProxy(tls: SlipwayConfig['temporal']['tls']): SlipwayConfig {
  return { ...h.config, temporal: { ...h.config.temporal, address: proxy.address, ...(tls ? { tls } : {}) } };
}

/** The CLI through the proxy, with the Temporal CLI's TLS variables. */
function cliViaProxy(args: string[], tlsEnv: Record<string, string>) {
  return runCli(['--address', proxy.address, '--home', h.home, '--task-queue', h.config.taskQueue, ...args], {
    ...h.people!.env,
    SLIPWAY_IDENTITY: 'ci-bot',
    ...tlsEnv,
  });
}

it('a worker, the client and the CLI work through mutual TLS with a certificate the CA signed', async () => {
  const config = viaProxy({ cert: pki.clientCert, key: pki.clientKey, ca: pki.ca });
  await runToGateVia(h, {
    workerConfig: config,
    clientConfig: config,
    modelName: 'tls-churn',
    then: async (runId) => {
      const listed = await cliViaProxy(['approvals'], {
        TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: pki.clientKey,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.ca,
      });
      expect(listed.code, listed.output).toBe(0);
      expect(listed.output).toContain(runId);
      expect(proxy.accepted).toBeGreaterThanOrEqual(3);
    },
  });
});

it('refuses a client and the CLI that bring no client certificate', async () => {
  const refusedBefore = proxy.refused;
  const error = await clientError(
    SlipwayClient.connect({
      ...(await temporalConnectionOptions(viaProxy({ ca: pki.ca }).temporal)),
      namespace: h.config.temporal.namespace,
    }),
  );
  expect(error.code).toBe(ClientErrorCode.ServerUnreachable);
  expect(error.message).toContain(`cannot reach Temporal at ${proxy.address}`);
  const cli = await cliViaProxy(['approvals'], { TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.ca });
  expect(cli.code).not.toBe(0);
  expect(cli.output).toContain(`cannot reach Temporal at ${proxy.address}`);
  expect(proxy.refused).toBeGreaterThan(refusedBefore);
});

it('refuses a worker whose certificate another CA signed', async () => {
  const refusedBefore = proxy.refused;
  const config = viaProxy({ cert: pki.strangerCert, key: pki.strangerKey, ca: pki.ca });
  await expect(connectWorker(config)).rejects.toThrow(`cannot reach Temporal at ${proxy.address} over mutual TLS`);
  expect(proxy.refused).toBeGreaterThan(refusedBefore);
});

it('refuses to start a worker or the CLI whose key file is missing, naming the file and the setting', async () => {
  const missing = join(pkiDir, 'nowhere.key');
  const config = viaProxy({ cert: pki.clientCert, key: missing, ca: pki.ca });
  await expect(createSlipwayWorker({ config, workflowBundle: await bundle() })).rejects.toThrow(
    `The Temporal TLS client key file ${missing} (temporal.tls.key (TEMPORAL_TLS_CLIENT_KEY_PATH)) does not exist`,
  );
  const cli = await cliViaProxy(['approvals'], {
    TEMPORAL_TLS_CLIENT_CERT_PATH: pki.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: missing,
  });
  expect(cli.code).not.toBe(0);
  expect(cli.output).toContain(`The Temporal TLS client key file ${missing}`);
  expect(cli.output).toContain('TEMPORAL_TLS_CLIENT_KEY_PATH');
});
