/**
 * The deploy activity when a deployment is interrupted between its steps: a server that lost the staged version (it
 * restarted) makes the attempt retryable and the next attempt stages again; a staging replaced by another deploy
 * fails for good; a version an earlier attempt committed but that fails its check on a retry is rolled back.
 */
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlipwayErrorType, failureType, type ModelVersionRef } from '@slipway/sdk';
import { loadPeopleDirectory } from '../../../packages/activities/src/directory/index.js';
import type { DirectorySource } from '../../../packages/activities/src/ports.js';
import {
  ModelServerFailureType,
  createModelServerClient,
  type ModelServerClient,
  type ModelServerClientOptions,
} from '../../../packages/activities/src/model-server/index.js';
import {
  createDeployActivity,
  deploymentIdFor,
  type DeployActivityDeps,
  type DeployInput,
  type DeployOutput,
} from '../../../packages/activities/src/steps/deploy.js';
import { startModelServer, type RunningModelServer } from '../../../packages/worker/src/serve/index.js';
import {
  PREDICTORS,
  TEST_TOKEN,
  logisticModel,
  modelRoutes,
  openWorld,
  registerModel,
  tempDir,
  testAccess,
  type LinearWeights,
  type TestWorld,
} from '../serve/fixtures.js';
import { withApproval } from '../../support/approval-proofs.js';
import { createTestPeople, type TestPeople } from '../../support/people.js';

const W: LinearWeights = { bias: -0.5, tenure: 0.7, basic: 0.4, pro: -0.2 };
const SMOKE = { tenure: 3, plan: 'pro' };

describe('deploy activity, interrupted', () => {
  let world: TestWorld;
  let people: TestPeople;
  let directory: DirectorySource;
  let home: { path: string; cleanup: () => Promise<void> };
  let server: RunningModelServer;
  let stable: number;

  const client = () => createModelServerClient(server.url, { token: TEST_TOKEN.value });
  const start = (port = 0) =>
    startModelServer({ home: home.path, artifacts: world.artifacts, predictors: PREDICTORS, token: TEST_TOKEN, port });
  const restart = async () => {
    await server.close();
    server = await start(server.port);
  };
  const activity = (deps: Partial<DeployActivityDeps> = {}) =>
    createDeployActivity({
      artifacts: world.artifacts,
      registry: world.registry,
      modelServer: testAccess(server.url),
      directory,
      ...deps,
    });
  /** One activity identity: every attempt under it uses the same deployment id. */
  const attempts = (workflowId: string) => {
    const identity = { workflowId, runId: `${workflowId}-run`, activityId: 'deploy' };
    const info = { activityId: 'deploy', workflowExecution: { workflowId, runId: identity.runId } };
    const mock = new MockActivityEnvironment(info, { logger: new DefaultLogger('ERROR') });
    type Deploy = (input: DeployInput) => Promise<DeployOutput>;
    // Each attempt carries an approval proof of its version made in this workflow (maria approves, ci-bot started).
    const run = async (fn: Deploy, input: DeployInput) =>
      mock.run<[DeployInput], DeployOutput, Deploy>(fn, await withApproval(world.registry, people, workflowId, input));
    const fail = (fn: Deploy, input: DeployInput) =>
      run(fn, input).then(
        () => expect.fail('expected the attempt to fail'),
        (e: unknown) => e as Error & { nonRetryable: boolean },
      );
    return { identity, run, fail };
  };
  const register = async (bias: number): Promise<ModelVersionRef> => {
    const { record } = await registerModel(world, 'churn', logisticModel({ ...W, bias }));
    return { name: 'churn', version: record.version, digest: record.artifact.digest };
  };
  /** A client that runs `after` once `step` took effect on the server. */
  const withHook =
    (step: 'stage' | 'smoke' | 'commit', after: () => Promise<void>) =>
    (url: string, options: ModelServerClientOptions): ModelServerClient => {
      const real = createModelServerClient(url, options);
      const hooked = { ...real };
      if (step === 'stage') hooked.stage = (...a) => real.stage(...a).then(async (r) => (await after(), r));
      if (step === 'smoke') hooked.smoke = (...a) => real.smoke(...a).then(async (r) => (await after(), r));
      if (step === 'commit') hooked.commit = (...a) => real.commit(...a).then(async (r) => (await after(), r));
      return hooked;
    };

  beforeAll(async () => {
    world = await openWorld('deploy-retries');
    people = await createTestPeople(join(world.root, 'people'));
    directory = { location: people.directoryPath, read: () => loadPeopleDirectory(people.directoryPath) };
    home = await tempDir('deploy-retries-home');
    server = await start();
    const first = await register(0);
    await attempts('wf-first').run(activity(), { version: first, serverUrl: server.url, smokeFeatures: SMOKE });
    stable = first.version;
  });

  afterAll(async () => {
    await server?.close();
    await world?.close();
    await home?.cleanup();
  });

  it.each(['stage', 'smoke'] as const)(
    'a server restarted after the %s makes the attempt retryable; the next one stages again and deploys',
    async (step) => {
      const version = await register(stable + 1);
      const { identity, run, fail } = attempts(`wf-restart-${step}`);
      const input = { version, serverUrl: server.url, smokeFeatures: SMOKE };
      const err = await fail(activity({ client: withHook(step, restart) }), input);
      expect(failureType(err)).toBe(ModelServerFailureType.LostStaged);
      expect(err.nonRetryable).toBe(false);
      const next = step === 'stage' ? 'smoke check' : 'commit';
      expect(err.message).toMatch(
        new RegExp(`no longer holds staged deployment .*restarted before the ${next}.*stages it again`),
      );
      expect(await client().status('churn')).toMatchObject({ stable: { version: stable }, staged: null });
      expect((await client().status('churn')).ended.at(-1)).toMatchObject({
        version: version.version,
        outcome: 'abandoned',
      });
      expect(await world.registry.getAlias('churn', 'champion')).toBe(stable);

      const output = await run(activity(), input);
      const deploymentId = deploymentIdFor('churn', version.version, identity);
      expect(output).toMatchObject({ deploymentId, version: version.version, previousVersion: stable });
      expect(await client().status('churn')).toMatchObject({ stable: { version: version.version, deploymentId } });
      expect(await world.registry.getAlias('churn', 'champion')).toBe(version.version);
      expect((await world.registry.getVersion('churn', version.version))?.deployments).toMatchObject([
        { status: 'deployed', deploymentId, previousVersion: stable },
      ]);
      stable = version.version;
    },
  );

  it('fails for good when another deploy replaced its staging before the commit; the other one stays staged', async () => {
    const ours = await register(stable + 10);
    const theirs = await register(stable + 20);
    const replace = async () => {
      const staged = await modelRoutes(server.url).stage(
        'theirs',
        theirs.version,
        (await world.registry.getVersion('churn', theirs.version))!.artifact,
      );
      expect(staged.status).toBe(200);
    };
    const err = await attempts('wf-replaced').fail(activity({ client: withHook('smoke', replace) }), {
      version: ours,
      serverUrl: server.url,
      smokeFeatures: SMOKE,
    });
    expect(failureType(err)).toBe(SlipwayErrorType.DeployFailed);
    expect(err.nonRetryable).toBe(true);
    expect(err.message).toMatch(/refused the commit.*DeploymentDiscarded.*replaced by deployment "theirs"/);
    expect(await client().status('churn')).toMatchObject({
      stable: { version: stable },
      staged: { deploymentId: 'theirs' },
    });
    expect((await world.registry.getVersion('churn', ours.version))?.deployments).toMatchObject([{ status: 'failed' }]);
    expect(await world.registry.getAlias('churn', 'champion')).toBe(stable);
    expect((await modelRoutes(server.url).discard('theirs', 'test over')).status).toBe(200);
  });

  it('rolls back a version an earlier attempt committed when the retry finds it failing its check', async () => {
    const version = await register(stable + 30);
    const { identity, fail } = attempts('wf-committed-then-failed');
    const input = { version, serverUrl: server.url, smokeFeatures: SMOKE };
    // Attempt 1 commits, then loses the answer (the error a dropped connection gives).
    const lost = () =>
      Promise.reject(
        ApplicationFailure.create({
          type: ModelServerFailureType.Unreachable,
          message: 'connection reset',
          nonRetryable: false,
        }),
      );
    const first = await fail(activity({ client: withHook('commit', lost) }), input);
    expect(first.nonRetryable).toBe(false);
    const deploymentId = deploymentIdFor('churn', version.version, identity);
    expect(await client().status('churn')).toMatchObject({ stable: { version: version.version, deploymentId } });

    // Attempt 2's smoke check fails (here: an answer from another deployment): the committed version is rolled back.
    const wrongAnswer = (url: string, options: ModelServerClientOptions): ModelServerClient => {
      const real = createModelServerClient(url, options);
      return {
        ...real,
        smoke: async (model, _id, rows) => ({
          ...(await real.smoke(model, deploymentId, rows)),
          deploymentId: 'someone-else',
        }),
      };
    };
    const second = await fail(activity({ client: wrongAnswer }), input);
    expect(failureType(second)).toBe(SlipwayErrorType.DeployFailed);
    expect(second.message).toMatch(
      new RegExp(
        `smoke check failed.*"someone-else".*an earlier attempt had committed it, so it was rolled back; version ${stable} serves again`,
      ),
    );
    expect(await client().status('churn')).toMatchObject({ stable: { version: stable } });
    expect(await world.registry.getAlias('churn', 'champion')).toBe(stable);
    expect((await world.registry.getVersion('churn', version.version))?.deployments).toMatchObject([
      { status: 'failed' },
    ]);
  });
});
