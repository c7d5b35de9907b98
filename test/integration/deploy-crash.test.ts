/**
 * Nothing serves unchecked, whatever the crash: the model server runs as its own process (`slipway serve`, as the
 * demo starts it) and is killed with SIGKILL at each point of a deploy — after the stage was persisted and before the
 * smoke check, after the smoke check and before the commit, after the commit and before the answer reached the
 * activity. The deploy activity's first attempt meets the crash; the server restarts; the activity's retry (same
 * identity, so the same deployment id) finishes. Then the server, the registry (alias and deployment record) and the
 * audit log agree, and no version ever served without passing its smoke check.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersionRef } from '@slipway/sdk';
import {
  createModelServerClient,
  defaultAuditLogPath,
  readAuditEntries,
  verifyAuditLog,
  type ActivityDeps,
  type ModelServerClient,
  type ModelServerClientOptions,
} from '@slipway/activities';
import { createDeployActivity, deploymentIdFor, type DeployInput, type DeployOutput } from '@slipway/activities/steps';
import { startModelServerProcess, type ModelServerProcess } from '../../examples/churn/demo/model-server-process.js';
import { freePort } from '../../packages/worker/src/dev-server/index.js';
import { loadConfig, resolveModelServerToken, type SlipwayConfig } from '../../packages/worker/src/config/index.js';
import { embeddedDeps } from '../../packages/worker/src/worker/create-worker.js';
import { withApproval } from '../support/approval-proofs.js';
import { createTestPeople, type TestPeople } from '../support/people.js';
import { logisticModel, registerModel, type LinearWeights } from '../unit/serve/fixtures.js';

const MODEL = 'churn';
const W: LinearWeights = { bias: -0.5, tenure: 0.7, basic: 0.4, pro: -0.2 };
const SMOKE = { tenure: 12, plan: 'pro' };

let home: string;
let config: SlipwayConfig;
let deps: ActivityDeps;
let server: ModelServerProcess;
let admin: ModelServerClient;
let people: TestPeople;

/** One activity identity (workflow, run, activity id): every attempt under it uses the same deployment id. */
function attempt(workflowId: string, number: number) {
  const identity = { workflowId, runId: `${workflowId}-run`, activityId: 'deploy' };
  const info = { activityId: 'deploy', attempt: number, workflowExecution: { workflowId, runId: identity.runId } };
  const mock = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
  return {
    identity,
    // Each attempt carries the approval proof of its version made in this workflow (maria approved, ci-bot started).
    run: async (fn: (input: DeployInput) => Promise<DeployOutput>, input: DeployInput) =>
      mock.run<[DeployInput], DeployOutput, typeof fn>(
        fn,
        await withApproval(deps.registry, people, workflowId, input),
      ),
  };
}

/** A client that SIGKILLs the model server process right after `step` took effect on the server. */
function crashingAfter(step: 'stage' | 'smoke' | 'commit') {
  return (url: string, options: ModelServerClientOptions): ModelServerClient => {
    const real = createModelServerClient(url, options);
    const crash = async () => server.kill();
    switch (step) {
      case 'stage':
        return { ...real, stage: async (...a) => real.stage(...a).finally(crash) };
      case 'smoke':
        return { ...real, smoke: async (...a) => real.smoke(...a).finally(crash) };
      case 'commit':
        // The commit took effect; its answer is lost with the process: the activity meets the dead connection.
        return {
          ...real,
          commit: async (...a) =>
            real
              .commit(...a)
              .then(crash)
              .then(() => real.commit(...a)),
        };
    }
  };
}

async function register(bias: number): Promise<ModelVersionRef> {
  const world = { root: home, artifacts: deps.artifacts, registry: deps.registry, close: () => Promise.resolve() };
  const { record } = await registerModel(world, MODEL, logisticModel({ ...W, bias }));
  return { name: MODEL, version: record.version, digest: record.artifact.digest };
}

/** What serves, what the registry says, and what the audit log recorded, for one model version. */
async function agreement(version: number) {
  const status = await admin.status(MODEL);
  const predicted = await admin.predict(MODEL, [SMOKE]);
  const record = await deps.registry.getVersion(MODEL, version);
  const entries = (await readAuditEntries(defaultAuditLogPath(home))).filter((e) => e.version === version);
  return {
    serving: { version: status.stable?.version, deploymentId: status.stable?.deploymentId, staged: status.staged },
    answeredBy: { version: predicted.version, deploymentId: predicted.deploymentId },
    alias: await deps.registry.getAlias(MODEL, 'champion'),
    deployments: record?.deployments.map((d) => ({ id: d.deploymentId, status: d.status, prev: d.previousVersion })),
    audit: entries.map((e) => ({ kind: e.kind, deploymentId: e.data['deploymentId'], status: e.data['status'] })),
  };
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'slipway-deploy-crash-'));
  const port = await freePort();
  people = await createTestPeople(join(home, 'people'));
  config = loadConfig({
    env: {},
    cwd: home,
    overrides: {
      home,
      modelServer: { port, url: `http://127.0.0.1:${port}` },
      // The deploy activity re-verifies each approval against this signed directory.
      directory: people.directoryPath,
      directoryAdminKey: people.adminPublicKey,
    },
  });
  deps = embeddedDeps(config);
  server = await startModelServerProcess({ home, port });
  admin = createModelServerClient(server.url, { token: (await resolveModelServerToken(config)).value });
  const v1 = await register(0);
  const deploy = createDeployActivity(deps);
  await attempt('wf-first', 1).run(deploy, { version: v1, serverUrl: server.url, smokeFeatures: SMOKE });
  expect(await agreement(1)).toMatchObject({ serving: { version: 1 }, alias: 1 });
});

afterAll(async () => {
  await server?.stop();
  await deps?.registry.close();
  if (home) await rm(home, { recursive: true, force: true });
});

describe.each([
  { point: 'after the stage was persisted, before the smoke check', step: 'stage' as const, servesNew: false },
  { point: 'after the smoke check, before the commit', step: 'smoke' as const, servesNew: false },
  { point: 'after the commit, before its answer reached the activity', step: 'commit' as const, servesNew: true },
])('the model server killed $point', ({ step, servesNew }) => {
  it('the retry finishes the deploy; server, registry and audit log agree', async () => {
    const before = await admin.status(MODEL);
    const previous = before.stable?.version as number;
    const version = await register(previous);
    const workflowId = `wf-crash-${step}`;
    const input: DeployInput = { version, serverUrl: server.url, smokeFeatures: SMOKE };

    const first = attempt(workflowId, 1);
    const crashed = createDeployActivity({ ...deps, client: crashingAfter(step) });
    const err = await first.run(crashed, input).catch((e: unknown) => e);
    expect((err as { nonRetryable?: boolean }).nonRetryable, String(err)).toBe(false);
    const deploymentId = deploymentIdFor(MODEL, version.version, first.identity);

    server = await startModelServerProcess({ home, port: config.modelServer.port });
    // Before the retry: a committed version serves (the registry lags until the retry), an unchecked one never does.
    const between = await agreement(version.version);
    expect(between.serving).toEqual({
      version: servesNew ? version.version : previous,
      deploymentId: servesNew ? deploymentId : before.stable?.deploymentId,
      staged: null,
    });
    expect(between.answeredBy.version).toBe(between.serving.version);
    expect(between).toMatchObject({ alias: previous, deployments: [], audit: [{ kind: 'register' }] });
    if (!servesNew) {
      expect((await admin.status(MODEL)).ended.at(-1)).toMatchObject({ deploymentId, outcome: 'abandoned' });
    }

    const output = await attempt(workflowId, 2).run(createDeployActivity(deps), input);
    expect(output).toMatchObject({ deploymentId, version: version.version, previousVersion: previous });
    expect(await agreement(version.version)).toEqual({
      serving: { version: version.version, deploymentId, staged: null },
      answeredBy: { version: version.version, deploymentId },
      alias: version.version,
      deployments: [{ id: deploymentId, status: 'deployed', prev: previous }],
      audit: [
        { kind: 'register', deploymentId: undefined, status: undefined },
        { kind: 'alias', deploymentId: undefined, status: undefined },
        { kind: 'deployment', deploymentId, status: 'deployed' },
      ],
    });
    expect(await verifyAuditLog(defaultAuditLogPath(home), deps.registry)).toMatchObject({ ok: true });
    // Only the ordinary predictions above were logged as served traffic, never the smoke checks of both attempts.
    expect((await admin.served(MODEL, version.version, 10)).total).toBe(servesNew ? 2 : 1);
  });
});
