/**
 * Worker Versioning against the real dev server: `slipway worker --deployment-name … --workflow-bundle …` polls as a
 * version of that Worker Deployment whose build id is the bundle's digest; once the version is current, a pipeline
 * runs on it, the deployment lists it, and the run records the version it ran on. Malformed versioning flags are
 * refused before anything connects.
 */
import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { churnInput } from '../../examples/churn/src/input.js';
import { loadWorkflowBundle } from '../../packages/worker/src/worker/workflow-bundle.js';
import { startHarness, type Harness } from '../support/harness.js';
import { SLIPWAY_CLI, runCli, spawnNode, type Child } from '../support/processes.js';
import { eventually, waitForGate } from '../support/waits.js';

let h: Harness;
let worker: Child | undefined;

beforeAll(async () => {
  h = await startHarness({ name: 'versioning', worker: false });
});
afterAll(async () => {
  worker?.process.kill('SIGKILL');
  await worker?.exited;
  await h?.stop();
});

/** `slipway <args>` pointed at the harness. */
function globals(): string[] {
  const { config } = h;
  return ['--address', config.temporal.address, '--home', config.home, '--task-queue', config.taskQueue];
}

it('a versioned worker polls as its deployment version, runs a pipeline once current, and the run records it', async () => {
  const deploymentName = `slipway-it-${randomUUID().slice(0, 8)}`;
  const bundlePath = inject('builtinBundlePath');
  const { header } = await loadWorkflowBundle(bundlePath);
  worker = spawnNode(
    SLIPWAY_CLI,
    [...globals(), 'worker', '--workflow-bundle', bundlePath, '--deployment-name', deploymentName],
    {
      SLIPWAY_DATA_ROOTS: h.config.data.roots.join(','),
      SLIPWAY_MODEL_SERVER: h.modelServer.url,
      ...h.people!.env,
    },
  );
  // The build id defaults to the bundle's digest, and the worker says how to make its version current.
  await eventually('the worker to print its version', () =>
    Promise.resolve(worker!.output().includes('set-current-version') ? true : undefined),
  );
  expect(worker.output()).toContain(`Worker Deployment ${deploymentName}, build id ${header.digest}`);
  const service = h.client.temporal.workflowService;
  const namespace = h.config.temporal.namespace;
  const version = { deploymentName, buildId: header.digest };
  const described = await eventually('the deployment to list the version', async () => {
    const answer = await service.describeWorkerDeployment({ namespace, deploymentName });
    const summaries = answer.workerDeploymentInfo?.versionSummaries ?? [];
    return summaries.some((s) => s.deploymentVersion?.buildId === header.digest) ? answer : undefined;
  });
  expect(described.workerDeploymentInfo?.name).toBe(deploymentName);
  await service.setWorkerDeploymentCurrentVersion({
    namespace,
    deploymentName,
    buildId: header.digest,
    identity: 'it',
  });

  const { runId } = await h.client.start(
    'trainAndPromote',
    churnInput({ serverUrl: h.modelServer.url, modelName: 'versioned-churn' }),
  );
  // Validate, train and register ran on the versioned worker (the only one polling the task queue).
  await waitForGate(h.client, runId);
  const run = await h.client.temporal.workflow.getHandle(runId).describe();
  const versioning = run.raw.workflowExecutionInfo?.versioningInfo;
  expect(versioning?.deploymentVersion).toMatchObject(version);
  expect(versioning?.behavior).toBe(temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE);
  const current = await service.describeWorkerDeployment({ namespace, deploymentName });
  expect(current.workerDeploymentInfo?.routingConfig?.currentDeploymentVersion).toMatchObject(version);
});

it('refuses a deployment with no build id when the workflow code is bundled at start', async () => {
  const { code, output } = await runCli([...globals(), 'worker', '--deployment-name', 'slipway-fleet']);
  expect(code).not.toBe(0);
  expect(output).toContain('the Worker Deployment slipway-fleet needs a build id: give --build-id');
});

it('refuses a deployment name Temporal would refuse, and a build id without a deployment', async () => {
  const dotted = await runCli([...globals(), 'worker', '--deployment-name', 'fleet.v2', '--build-id', 'b1']);
  expect(dotted.code).not.toBe(0);
  expect(dotted.output).toContain('--deployment-name: must not contain "."');
  const orphan = await runCli([...globals(), 'worker', '--build-id', 'b1']);
  expect(orphan.code).not.toBe(0);
  expect(orphan.output).toContain('need a Worker Deployment: give --deployment-name too');
});
