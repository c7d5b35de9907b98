/**
 * Worker Versioning options: the version a worker polls as (its build id as given, else the prebuilt bundle's
 * digest), the Temporal worker options it becomes, and `slipway worker`'s flags over the configuration.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../packages/worker/src/config/index.js';
import { workflowBundleDigest } from '../../../packages/worker/src/worker/workflow-bundle.js';
import {
  resolveWorkerVersion,
  setCurrentVersionCommand,
  withVersioningFlags,
  workerVersioningOptions,
} from '../../../packages/worker/src/worker/worker-versioning.js';

const deployment = { name: 'slipway-fleet', defaultVersioningBehavior: 'AUTO_UPGRADE' } as const;

describe('resolveWorkerVersion', () => {
  it("takes the build id as given, else the prebuilt bundle's digest", () => {
    const code = 'var workflows = {};';
    expect(resolveWorkerVersion({ ...deployment, buildId: 'git-3f2a9c1' }, { code })?.buildId).toBe('git-3f2a9c1');
    const version = resolveWorkerVersion(deployment, { code });
    expect(version).toEqual({
      deploymentName: 'slipway-fleet',
      buildId: workflowBundleDigest(code),
      defaultVersioningBehavior: 'AUTO_UPGRADE',
    });
    expect(version?.buildId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(resolveWorkerVersion(undefined, { code })).toBeUndefined();
  });

  it('refuses a deployment with no build id when the workflow code is bundled at start', () => {
    expect(() => resolveWorkerVersion(deployment, undefined)).toThrow(
      'the Worker Deployment slipway-fleet needs a build id',
    );
  });

  it("becomes Temporal's workerDeploymentOptions, with versioning on", () => {
    const version = resolveWorkerVersion({ ...deployment, buildId: 'b1' }, undefined)!;
    expect(workerVersioningOptions(version)).toEqual({
      workerDeploymentOptions: {
        version: { deploymentName: 'slipway-fleet', buildId: 'b1' },
        useWorkerVersioning: true,
        defaultVersioningBehavior: 'AUTO_UPGRADE',
      },
    });
    expect(workerVersioningOptions(undefined)).toEqual({});
    expect(setCurrentVersionCommand(version, 'ml')).toBe(
      'temporal worker deployment set-current-version --namespace ml --deployment-name slipway-fleet --build-id b1',
    );
  });
});

describe('slipway worker versioning flags', () => {
  const config = loadConfig({ cwd: '/tmp', env: {} });

  it('set the deployment over the configuration', () => {
    const flagged = withVersioningFlags(config, {
      deploymentName: 'fleet',
      buildId: 'b7',
      versioningBehavior: 'pinned',
    });
    expect(flagged.temporal.deployment).toEqual({ name: 'fleet', buildId: 'b7', defaultVersioningBehavior: 'PINNED' });
    const configured = loadConfig({ cwd: '/tmp', env: { SLIPWAY_DEPLOYMENT_NAME: 'fleet', SLIPWAY_BUILD_ID: 'b1' } });
    expect(withVersioningFlags(configured, { buildId: 'b2' }).temporal.deployment).toEqual({
      name: 'fleet',
      buildId: 'b2',
      defaultVersioningBehavior: 'AUTO_UPGRADE',
    });
    expect(withVersioningFlags(config, {})).toBe(config);
  });

  it('refuse a bad behaviour, a dotted name, and a build id without a deployment', () => {
    expect(() => withVersioningFlags(config, { deploymentName: 'fleet', versioningBehavior: 'sometimes' })).toThrow(
      '--versioning-behavior (auto-upgrade or pinned)',
    );
    expect(() => withVersioningFlags(config, { deploymentName: 'a.b' })).toThrow(
      '--deployment-name: must not contain "."',
    );
    expect(() => withVersioningFlags(config, { buildId: 'b1' })).toThrow('give --deployment-name too');
  });
});
