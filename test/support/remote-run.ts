/**
 * A pipeline run through a connection to Temporal other than the harness's own (a TLS proxy, an API-key proxy): a
 * worker and a client connected as `config.temporal` says, a `trainAndPromote` run started by the client and
 * followed to its gate, then whatever the test checks while worker and client are up.
 */
import { SlipwayClient, temporalConnectionOptions } from '@slipway/sdk/client';
import { expect } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import type { SlipwayConfig } from '../../packages/worker/src/config/index.js';
import { createSlipwayWorker } from '../../packages/worker/src/worker/create-worker.js';
import { bundle, type Harness } from './harness.js';
import { waitForGate } from './waits.js';

/**
 * Runs a worker (configured by `workerConfig`) and a client (by `clientConfig`), starts `trainAndPromote` for
 * `modelName` and waits for its gate (validate, train and register ran on that worker), then calls `then` with the
 * run's id; closes both afterwards.
 */
export async function runToGateVia(
  h: Harness,
  options: {
    workerConfig: SlipwayConfig;
    clientConfig: SlipwayConfig;
    modelName: string;
    then: (runId: string) => Promise<void>;
  },
): Promise<void> {
  const worker = await createSlipwayWorker({
    config: options.workerConfig,
    workflowBundle: await bundle(),
    workerOptions: { shutdownGraceTime: '1s' },
  });
  const running = worker.run();
  const { temporal, taskQueue } = options.clientConfig;
  const client = await SlipwayClient.connect({
    ...(await temporalConnectionOptions(temporal)),
    namespace: temporal.namespace,
    taskQueue,
    user: 'ci-bot',
    keys: { keysDir: h.people!.keysDir },
  });
  try {
    const input = churnInput({ serverUrl: h.modelServer.url, modelName: options.modelName });
    const { runId } = await client.start('trainAndPromote', input);
    const gate = await waitForGate(client, runId);
    expect(gate.evidence.candidate.version).toBe(1);
    await options.then(runId);
  } finally {
    await client.close();
    worker.shutdown();
    await running;
  }
}
