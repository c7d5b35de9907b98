import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayErrorType, failureType, type ModelVersionRef } from '@slipway/sdk';
import { loadPeopleDirectory } from '../../../packages/activities/src/directory/index.js';
import { createModelServerClient } from '../../../packages/activities/src/model-server/index.js';
import type { DirectorySource } from '../../../packages/activities/src/ports.js';
import {
  createDeployActivity,
  deploymentIdFor,
  type DeployInput,
  type DeployOutput,
} from '../../../packages/activities/src/steps/deploy.js';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
import {
  FIXED_SCORE_KIND,
  PREDICTORS,
  TEST_TOKEN,
  expectedScore,
  logisticModel,
  openWorld,
  registerModel,
  tempDir,
  testAccess,
  type LinearWeights,
  type TestWorld,
} from '../serve/fixtures.js';
import { withApproval } from '../../support/approval-proofs.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';

const W1: LinearWeights = { bias: -0.5, tenure: 0.7, basic: 0.4, pro: -0.2 };
const W2: LinearWeights = { bias: 0.3, tenure: -0.4, basic: 0.1, pro: 0.9 };

let world: TestWorld;
let people: TestPeople;

/**
 * An activity environment whose identity (and so deployment id) is fixed by the three names. Each deploy carries
 * an approval proof of its version made in that workflow (signed by maria, started by ci-bot).
 */
function activity(workflowId: string, activityId: string) {
  const identity = { workflowId, runId: `${workflowId}-run`, activityId };
  const info = { activityId, workflowExecution: { workflowId, runId: identity.runId } };
  // Expected failures are asserted on; keep the environment's "Activity failed" warnings out of the output.
  const mock = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
  const env = {
    run: async (fn: (input: DeployInput) => Promise<DeployOutput>, input: DeployInput) =>
      mock.run<[DeployInput], DeployOutput, typeof fn>(
        fn,
        await withApproval(world.registry, people, workflowId, input),
      ),
  };
  return { identity, env };
}

describe('deploy activity', () => {
  let directory: DirectorySource;
  let home: { path: string; cleanup: () => Promise<void> };
  let server: RunningModelServer;
  let deploy: ReturnType<typeof createDeployActivity>;
  let v1: ModelVersionRef;
  let v2: ModelVersionRef;
  let meanTenure: number;

  const client = () => createModelServerClient(server.url, { token: TEST_TOKEN.value });
  const start = (port = 0) =>
    startModelServer({ home: home.path, artifacts: world.artifacts, predictors: PREDICTORS, token: TEST_TOKEN, port });
  const ref = (r: { record: { name: string; version: number; artifact: { digest: string } } }): ModelVersionRef => ({
    name: r.record.name,
    version: r.record.version,
    digest: r.record.artifact.digest,
  });

  beforeAll(async () => {
    world = await openWorld('deploy');
    people = await createTestPeople(join(world.root, 'people'));
    directory = { location: people.directoryPath, read: () => loadPeopleDirectory(people.directoryPath) };
    home = await tempDir('deploy-home');
    server = await start();
    deploy = createDeployActivity({
      artifacts: world.artifacts,
      registry: world.registry,
      modelServer: testAccess(server.url),
      directory,
    });
    const first = await registerModel(world, 'churn', logisticModel(W1));
    v1 = ref(first);
    const tenure = first.profile.columns['tenure'];
    meanTenure = tenure?.kind === 'numeric' && tenure.mean !== null ? tenure.mean : Number.NaN;
    v2 = ref(await registerModel(world, 'churn', logisticModel(W2)));
  });

  afterAll(async () => {
    await server?.close();
    await world?.close();
    await home?.cleanup();
  });

  it('deploys v1: smoke-checks with profile features, moves the alias, records the deployment', async () => {
    const { env, identity } = activity('wf-deploy-1', 'deploy');
    const output = await env.run(deploy, { version: v1, serverUrl: server.url });
    expect(meanTenure).toBeGreaterThan(0);
    expect(output).toEqual({
      deploymentId: deploymentIdFor('churn', 1, identity),
      model: 'churn',
      version: 1,
      previousVersion: null,
      serverUrl: server.url,
      smokeScore: output.smokeScore,
      smokePrediction: {
        score: output.smokeScore,
        label: output.smokeScore! >= 0.5,
        scores: { false: 1 - output.smokeScore!, true: output.smokeScore },
      },
    });
    expect(output.smokeScore).toBeCloseTo(expectedScore(W1, meanTenure, 'basic'), 12);
    expect(output.deploymentId).toMatch(/^churn-v1-[0-9a-f]{16}$/);
    expect(await world.registry.getAlias('churn', 'champion')).toBe(1);
    const record = await world.registry.getVersion('churn', 1);
    expect(record?.deployments).toMatchObject([
      {
        deploymentId: output.deploymentId,
        status: 'deployed',
        alias: 'champion',
        previousVersion: null,
        serverUrl: server.url,
      },
    ]);
    expect(await client().status('churn')).toMatchObject({
      status: 'serving',
      stable: { version: 1, deploymentId: output.deploymentId },
      staged: null,
    });
    // The smoke prediction is not served traffic.
    expect((await client().served('churn', 1, 10)).total).toBe(0);
  });

  it('gives the same answer when the same activity is retried, without recording twice', async () => {
    const { env } = activity('wf-deploy-1', 'deploy');
    const first = (await world.registry.getVersion('churn', 1))?.deployments.length;
    const again = await env.run(deploy, { version: v1, serverUrl: server.url });
    expect(again.previousVersion).toBeNull();
    expect(again.deploymentId).toBe(
      deploymentIdFor('churn', 1, { workflowId: 'wf-deploy-1', runId: 'wf-deploy-1-run', activityId: 'deploy' }),
    );
    expect((await world.registry.getVersion('churn', 1))?.deployments.length).toBe(first);
  });

  it('deploys v2 over v1 and names v1 as the previous version', async () => {
    const { env } = activity('wf-deploy-2', 'deploy');
    const output = await env.run(deploy, {
      version: v2,
      serverUrl: `${server.url}/`,
      smokeFeatures: { tenure: 3, plan: 'pro' },
    });
    expect(output).toMatchObject({ version: 2, previousVersion: 1, serverUrl: server.url });
    expect(output.smokeScore).toBeCloseTo(expectedScore(W2, 3, 'pro'), 12);
    expect(await world.registry.getAlias('churn', 'champion')).toBe(2);
    expect(await client().status('churn')).toMatchObject({ stable: { version: 2 }, previous: { version: 1 } });
    // A retry after the alias moved still reports v1 as the previous version.
    expect(
      (await env.run(deploy, { version: v2, serverUrl: server.url, smokeFeatures: { tenure: 3, plan: 'pro' } }))
        .previousVersion,
    ).toBe(1);
  });

  it('discards the staged version and fails for good when the smoke prediction fails; v3 never serves', async () => {
    const v3 = ref(await registerModel(world, 'churn', logisticModel({ ...W2, bias: 2 })));
    const { env, identity } = activity('wf-deploy-3', 'deploy');
    const input = { version: v3, serverUrl: server.url, smokeFeatures: { tenure: 'many', plan: 'pro' } };
    const err = await env.run(deploy, input).catch((e: unknown) => e);
    expect(failureType(err)).toBe(SlipwayErrorType.DeployFailed);
    expect((err as { nonRetryable: boolean }).nonRetryable).toBe(true);
    expect((err as Error).message).toMatch(
      /version 3 .*smoke check failed.*tenure.*the staged version was discarded and never served; version 2 keeps serving/,
    );

    const status = await client().status('churn');
    expect(status).toMatchObject({ stable: { version: 2 }, staged: null });
    expect(status.ended.at(-1)).toMatchObject({
      version: 3,
      deploymentId: deploymentIdFor('churn', 3, identity),
      outcome: 'discarded',
    });
    expect(status.ended.at(-1)?.reason).toContain('tenure');
    expect((await client().served('churn', 3, 10)).total).toBe(0);
    expect(await world.registry.getAlias('churn', 'champion')).toBe(2);
    const failed = (await world.registry.getVersion('churn', 3))?.deployments;
    expect(failed).toMatchObject([{ status: 'failed', previousVersion: 2 }]);
    expect(failed?.[0]?.detail).toContain('tenure');

    // A retry of the same activity finds its deployment discarded and fails the same way, recording nothing new.
    const retry = await env.run(deploy, input).catch((e: unknown) => e);
    expect(failureType(retry)).toBe(SlipwayErrorType.DeployFailed);
    expect((retry as Error).message).toMatch(/earlier attempt of this deployment ended.*discarded/);
    expect((await world.registry.getVersion('churn', 3))?.deployments).toHaveLength(1);
  });

  it('fails a first deployment whose model answers an invalid score; nothing ever serves it', async () => {
    const fixed = ref(await registerModel(world, 'fixed', { kind: FIXED_SCORE_KIND, score: 1.5 }));
    const err = await activity('wf-fixed', 'deploy')
      .env.run(deploy, { version: fixed, serverUrl: server.url })
      .catch((e: unknown) => e);
    expect(failureType(err)).toBe(SlipwayErrorType.DeployFailed);
    expect((err as Error).message).toMatch(/not a probability.*discarded and never served; nothing serves/);
    expect(await client().status('fixed')).toMatchObject({ status: 'idle', stable: null, staged: null });
    expect(await world.registry.getAlias('fixed', 'champion')).toBeUndefined();
  });

  it('fails for good, without touching what serves, when the server refuses a corrupted artifact', async () => {
    const bad = await registerModel(world, 'churn', logisticModel({ ...W1, bias: 5 }));
    const path = fileURLToPath(bad.artifact.uri);
    await writeFile(path, (await readFile(path, 'utf8')).replace('basic', 'basix'));
    const err = await activity('wf-deploy-4', 'deploy')
      .env.run(deploy, { version: ref(bad), serverUrl: server.url })
      .catch((e: unknown) => e);
    expect(failureType(err)).toBe(SlipwayErrorType.DeployFailed);
    expect((err as Error).message).toMatch(/refused the deployment.*ArtifactDigestMismatch/);
    expect(await client().status('churn')).toMatchObject({ stable: { version: 2 }, staged: null });
    expect((await world.registry.getVersion('churn', bad.record.version))?.deployments).toMatchObject([
      { status: 'failed' },
    ]);
  });

  it('sends its token to the configured model server only: another serverUrl fails for good, touching nothing', async () => {
    const before = await client().status('churn');
    const err = await activity('wf-elsewhere', 'deploy')
      .env.run(deploy, { version: v1, serverUrl: 'http://127.0.0.1:1/' })
      .catch((e: unknown) => e);
    expect(failureType(err)).toBe(SlipwayErrorType.InvalidInput);
    expect((err as Error).message).toMatch(
      new RegExp(
        `serverUrl http://127.0.0.1:1/ is not the model server this worker is configured for \\(${server.url}`,
      ),
    );
    expect(await client().status('churn')).toEqual(before);
  });

  it('without the token, the server refuses the deployment and it fails for good, naming where the token is', async () => {
    const v5 = ref(await registerModel(world, 'churn', logisticModel({ ...W1, bias: 0.5 })));
    const tokenless = createDeployActivity({ artifacts: world.artifacts, registry: world.registry, directory });
    const err = await activity('wf-tokenless', 'deploy')
      .env.run(tokenless, { version: v5, serverUrl: server.url })
      .catch((e: unknown) => e);
    expect(failureType(err)).toBe(SlipwayErrorType.DeployFailed);
    expect((err as Error).message).toMatch(/refused the deployment.*401 Unauthorized.*Bearer <token>.*TEST_TOKEN/);
    expect((await client().status('churn')).staged).toBeNull();
  });

  it('fails with NotFound for an unknown version and DigestMismatch for a wrong digest', async () => {
    const { env } = activity('wf-deploy-5', 'deploy');
    const missing = await env
      .run(deploy, { version: { ...v1, version: 99 }, serverUrl: server.url })
      .catch((e: unknown) => e);
    expect(failureType(missing)).toBe(SlipwayErrorType.NotFound);
    expect((missing as Error).message).toContain('version 99');
    const wrong = await env
      .run(deploy, { version: { ...v1, digest: v2.digest }, serverUrl: server.url })
      .catch((e: unknown) => e);
    expect(failureType(wrong)).toBe(SlipwayErrorType.DigestMismatch);
  });

  it('fails with InvalidInput naming the field for bad input', async () => {
    const err = await deploy({ version: v1, serverUrl: 'not a url' }).catch((e: unknown) => e);
    expect(failureType(err)).toBe(SlipwayErrorType.InvalidInput);
    expect((err as Error).message).toContain('serverUrl');
  });

  it('reports an unreachable server as retryable, naming the URL, and records nothing', async () => {
    const closed = await startModelServer({
      home: `${world.root}/closed`,
      artifacts: world.artifacts,
      predictors: PREDICTORS,
      token: TEST_TOKEN,
    });
    await closed.close();
    const before = (await world.registry.getVersion('churn', 1))?.deployments.length;
    const toClosed = createDeployActivity({
      artifacts: world.artifacts,
      registry: world.registry,
      modelServer: testAccess(closed.url),
      directory,
    });
    const { env, identity } = activity('wf-deploy-6', 'deploy');
    const err = await env.run(toClosed, { version: v1, serverUrl: closed.url }).catch((e: unknown) => e);
    expect(failureType(err)).toBe('SlipwayModelServerUnreachable');
    expect((err as { nonRetryable: boolean }).nonRetryable).toBe(false);
    expect((err as Error).message).toContain(
      `PUT ${closed.url}/v1/models/churn/deployments/${deploymentIdFor('churn', 1, identity)}`,
    );
    expect((await world.registry.getVersion('churn', 1))?.deployments.length).toBe(before);
  });
});
