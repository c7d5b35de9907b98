/**
 * Deploy targets behind one port. The `DeployTarget` conformance suite runs on both adapters against a real model
 * server: the model server's own client, and the webhook target through a contract server (a small platform speaking
 * `docs/deploy-target-webhook.md` that forwards to that model server). Then a real rollout: `trainAndPromote` with a
 * rollout plan on a real dev server and worker, whose `rolloutVersion` child rolls the model out through the
 * configured webhook target (its token read from a file, sent to that origin only, never in the history) while
 * loopback traffic flows, and ends promoted with registry, contract server and model server agreeing.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createFsArtifactStore,
  createModelServerClient,
  createWebhookDeployTarget,
  type ArtifactStore,
  type ModelRegistry,
} from '@slipway/activities';
import type { ArtifactRef, TrainAndPromoteResult } from '@slipway/sdk';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { openConfiguredRegistry, resolveModelServerToken } from '../../packages/worker/src/config/index.js';
import { startModelServer, type RunningModelServer } from '../../packages/worker/src/serve/index.js';
import { createSlipwayWorker, type SlipwayWorker } from '../../packages/worker/src/worker/create-worker.js';
import { describeDeployTargetConformance, type DeployTargetFixture } from '../support/deploy-target-conformance.js';
import { bundle, startHarness, type Harness } from '../support/harness.js';
import { expectAgreement, expectHealthyCanary, trafficUntil } from '../support/rollout-traffic.js';
import { waitForGate } from '../support/waits.js';
import { startWebhookContractServer, type WebhookContractServer } from '../support/webhook-contract-server.js';
import { PREDICTORS, TEST_TOKEN, logisticModel } from '../unit/serve/fixtures.js';

/** The platform's token for Slipway (not the model server's). */
const WEBHOOK_TOKEN = 'webhook-platform-token-for-slipway-0123';
const WRONG = 'a-wrong-token-of-the-right-length-000';
const ROW = { tenure: 12, plan: 'basic' };

describe('the DeployTarget port on both adapters', () => {
  let dir: string;
  let artifacts: ArtifactStore;
  let server: RunningModelServer;
  let contract: WebhookContractServer;
  let versions: [ArtifactRef, ArtifactRef, ArtifactRef];

  const start = (port = 0) =>
    startModelServer({ home: join(dir, 'home'), artifacts, predictors: PREDICTORS, token: TEST_TOKEN, port });
  const restart = async () => {
    const port = server.port;
    await server.close();
    server = await start(port);
  };
  const predict = async (model: string, routeKey: string) =>
    createModelServerClient(server.url).predict(model, [ROW], { routeKey });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-conformance-'));
    artifacts = createFsArtifactStore(join(dir, 'artifacts'));
    versions = [
      await artifacts.putJson(logisticModel({ bias: 0, tenure: 1, basic: 0, pro: 1 })),
      await artifacts.putJson(logisticModel({ bias: 1, tenure: 1, basic: 0, pro: 1 })),
      await artifacts.putJson(logisticModel({ bias: 2, tenure: 1, basic: 0, pro: 1 })),
    ];
    server = await start();
    contract = await startWebhookContractServer({
      modelServer: { url: server.url, token: TEST_TOKEN.value },
      token: WEBHOOK_TOKEN,
    });
  });
  afterAll(async () => {
    await contract?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const common = () => ({ artifacts: versions, row: ROW, predict, restart });
  describeDeployTargetConformance('model-server', (): DeployTargetFixture => ({
    ...common(),
    target: createModelServerClient(server.url, { token: TEST_TOKEN.value }),
    wrongToken: createModelServerClient(server.url, { token: WRONG }),
  }));
  describeDeployTargetConformance('webhook', (): DeployTargetFixture => ({
    ...common(),
    target: createWebhookDeployTarget(contract.url, { token: WEBHOOK_TOKEN }),
    wrongToken: createWebhookDeployTarget(contract.url, { token: WRONG }),
  }));

  it('the webhook target checks its health with the token; a wrong token is refused', async () => {
    expect(await createWebhookDeployTarget(contract.url, { token: WEBHOOK_TOKEN }).health()).toEqual({ status: 'ok' });
    await expect(createWebhookDeployTarget(contract.url, { token: WRONG }).health()).rejects.toMatchObject({
      type: 'SlipwayModelServerRejected',
    });
  });
});

describe('a rollout through the webhook target', () => {
  let h: Harness;
  let registry: ModelRegistry;
  let contract: WebhookContractServer;
  let worker: SlipwayWorker;
  let connection: NativeConnection;
  let running: Promise<void>;

  beforeAll(async () => {
    h = await startHarness({ name: 'webhook-rollout', worker: false });
    registry = openConfiguredRegistry(h.config);
    const modelServerToken = await resolveModelServerToken(h.config);
    contract = await startWebhookContractServer({
      modelServer: { url: h.modelServer.url, token: modelServerToken.value },
      token: WEBHOOK_TOKEN,
    });
    const tokenFile = join(h.home, 'serving-platform.token');
    await writeFile(tokenFile, `${WEBHOOK_TOKEN}\n`, { mode: 0o600 });
    await chmod(tokenFile, 0o600);
    const config = { ...h.config, deployTargets: [{ url: contract.url, kind: 'webhook' as const, tokenFile }] };
    connection = await NativeConnection.connect({ address: config.temporal.address });
    worker = await createSlipwayWorker({
      config,
      connection,
      workflowBundle: await bundle(),
      workerOptions: { shutdownGraceTime: '1s' },
    });
    running = worker.run();
  }, 300_000);
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await registry?.close();
    await contract?.close();
    await h?.stop();
  });

  async function approvedRun(model: string, rollout: object): Promise<string> {
    const input = { ...churnInput({ serverUrl: contract.url, modelName: model }), rollout };
    const { runId } = await h.client.start('trainAndPromote', input);
    await waitForGate(h.client, runId);
    await h.client.approve(runId, { as: 'maria', comment: 'roll it out on the platform' });
    return runId;
  }

  /** The registry's champion, the model server's stable version and the webhook target's agree. */
  async function expectAllAgree(model: string, when: string): Promise<number | undefined> {
    const served = await expectAgreement(registry, h.modelServer.url, model, when);
    const viaWebhook = await createWebhookDeployTarget(contract.url, { token: WEBHOOK_TOKEN }).status(model);
    expect(viaWebhook.stable?.version, `webhook target's stable ${when}`).toBe(served);
    return served;
  }

  it('goes blue/green then canary 10 → 50 → 100 through the webhook target with traffic, ending promoted', async () => {
    const model = 'webhook-canary';
    const first = await h.client.result<TrainAndPromoteResult>(await approvedRun(model, { strategy: 'blueGreen' }));
    expect(first).toMatchObject({ status: 'deployed', deployment: { version: 1 } });
    expect(await expectAllAgree(model, 'after v1')).toBe(1);

    const plan = { strategy: 'canary', bakeTime: '2s', guards: { minRequests: 10 }, deadline: '10m' };
    const runId = await approvedRun(model, plan);
    const done = h.client.result<TrainAndPromoteResult>(runId);
    const [traffic, result] = await Promise.all([trafficUntil(h.modelServer.url, model, done), done]);
    expectHealthyCanary(result, traffic);
    expect(result.rollout?.status).toBe('promoted');
    expect(await expectAllAgree(model, 'after the promotion')).toBe(2);

    // The worker checked the target's health with its token before it polled.
    expect(contract.requests.find((r) => r.path === '/health')).toMatchObject({ method: 'GET', authorized: true });
    // Every control-plane call went through the contract server, with the token.
    const calls = contract.requests.filter((r) => r.path.startsWith(`/models/${model}`));
    expect(calls.every((r) => r.authorized)).toBe(true);
    const splits = calls.filter((r) => r.method === 'PUT' && r.path.endsWith('/traffic'));
    expect(splits.length).toBeGreaterThanOrEqual(4);
    expect(calls.filter((r) => r.method === 'POST' && r.path.endsWith('/promote')).length).toBeGreaterThanOrEqual(2);
    const deployments = (await registry.getVersion(model, 2))?.deployments ?? [];
    expect(deployments.find((d) => d.status === 'deployed')?.serverUrl).toBe(contract.url);

    // The token is in no workflow history: not the promotion's, not the rollout's.
    for (const id of [runId, `rollout:${model}`]) {
      const history = historyText(await h.client.temporal.workflow.getHandle(id).fetchHistory());
      expect(history).toContain(contract.url);
      expect(history).not.toContain(WEBHOOK_TOKEN);
    }
  });
});

/** A history as text, with every payload decoded (payload bytes are base64 in Temporal's JSON). */
function historyText(history: Parameters<typeof historyToJSON>[0]): string {
  const texts: string[] = [];
  const visit = (value: unknown, key?: string): void => {
    if (typeof value === 'string') texts.push(key === 'data' ? Buffer.from(value, 'base64').toString('utf8') : value);
    else if (Array.isArray(value)) value.forEach((v) => visit(v));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(JSON.parse(historyToJSON(history)));
  return texts.join('\n');
}
