/**
 * Worker Versioning: a worker started with a Worker Deployment name polls as one version of that deployment
 * (`deploymentName` + `buildId`), so new workflow code rolls out as a new version while runs already going keep to
 * the rules of their versioning behaviour (`AUTO_UPGRADE`: move to the current version at their next workflow task,
 * so workflow code changes need `patched()` and a replay check; `PINNED`: stay on the version they started on, which
 * must keep running until they finish). A new version receives work once it is made current
 * (`temporal worker deployment set-current-version`).
 */
import type { WorkerOptions } from '@temporalio/worker';
import type { z } from 'zod';
import {
  VersioningBehavior,
  WorkerDeploymentSetting,
  type SlipwayConfig,
  type WorkerDeploymentSpec,
} from '../config/index.js';
import { workflowBundleDigest } from './workflow-bundle.js';

/** The version a worker polls as, resolved. */
export interface WorkerVersion {
  deploymentName: string;
  buildId: string;
  defaultVersioningBehavior: VersioningBehavior;
}

/**
 * The version a worker polls as: the configured deployment, its build id as configured, else the digest of the
 * prebuilt workflow bundle (`sha256:<hex>`, as `slipway bundle` prints it). Undefined without a deployment.
 *
 * @throws Error when a deployment is configured with no build id and the workflow code is bundled at start (its
 *   bundle is not known before the worker starts, and webpack's output differs between machines): give a build id
 *   or a prebuilt bundle.
 */
export function resolveWorkerVersion(
  deployment: WorkerDeploymentSpec | undefined,
  workflowBundle: WorkerOptions['workflowBundle'] | undefined,
): WorkerVersion | undefined {
  if (deployment === undefined) return undefined;
  const code = workflowBundle !== undefined && 'code' in workflowBundle ? workflowBundle.code : undefined;
  const buildId = deployment.buildId ?? (code === undefined ? undefined : workflowBundleDigest(code));
  if (buildId === undefined) {
    throw new Error(
      `the Worker Deployment ${deployment.name} needs a build id: give --build-id (temporal.deployment.buildId, ` +
        'SLIPWAY_BUILD_ID), or a prebuilt bundle (--workflow-bundle, from `slipway bundle`) whose digest becomes the build id',
    );
  }
  return { deploymentName: deployment.name, buildId, defaultVersioningBehavior: deployment.defaultVersioningBehavior };
}

/** The Temporal worker options for a version (none without one). */
export function workerVersioningOptions(
  version: WorkerVersion | undefined,
): Pick<WorkerOptions, 'workerDeploymentOptions'> {
  if (version === undefined) return {};
  return {
    workerDeploymentOptions: {
      version: { deploymentName: version.deploymentName, buildId: version.buildId },
      useWorkerVersioning: true,
      defaultVersioningBehavior: version.defaultVersioningBehavior,
    },
  };
}

/** `slipway worker`'s versioning flags. */
export interface VersioningFlags {
  deploymentName?: string;
  buildId?: string;
  versioningBehavior?: string;
}

const FlagValues = WorkerDeploymentSetting.extend({ defaultVersioningBehavior: VersioningBehavior.optional() });

/**
 * The configuration with `slipway worker`'s flags over its `temporal.deployment`.
 *
 * @throws Error naming the flag when a value is malformed, or when `--build-id` or `--versioning-behavior` comes
 *   without a deployment name (flag or configuration).
 */
export function withVersioningFlags(config: SlipwayConfig, flags: VersioningFlags): SlipwayConfig {
  const given = {
    ...(flags.deploymentName === undefined ? {} : { name: flags.deploymentName }),
    ...(flags.buildId === undefined ? {} : { buildId: flags.buildId }),
    ...(flags.versioningBehavior === undefined
      ? {}
      : { defaultVersioningBehavior: flags.versioningBehavior.toUpperCase().replace('-', '_') }),
  };
  if (Object.keys(given).length === 0) return config;
  const parsed = FlagValues.safeParse(given);
  if (!parsed.success) throw new Error(`invalid worker versioning flags: ${describeFlagIssues(parsed.error)}`);
  const name = parsed.data.name ?? config.temporal.deployment?.name;
  if (name === undefined) {
    throw new Error('--build-id and --versioning-behavior need a Worker Deployment: give --deployment-name too');
  }
  const base = config.temporal.deployment;
  const deployment: WorkerDeploymentSpec = {
    name,
    ...((parsed.data.buildId ?? base?.buildId) ? { buildId: parsed.data.buildId ?? base?.buildId } : {}),
    defaultVersioningBehavior:
      parsed.data.defaultVersioningBehavior ?? base?.defaultVersioningBehavior ?? 'AUTO_UPGRADE',
  };
  return { ...config, temporal: { ...config.temporal, deployment } };
}

const FLAG_OF: Record<string, string> = {
  name: '--deployment-name',
  buildId: '--build-id',
  defaultVersioningBehavior: '--versioning-behavior (auto-upgrade or pinned)',
};

function describeFlagIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${FLAG_OF[String(issue.path[0])] ?? String(issue.path[0])}: ${issue.message}`)
    .join('; ');
}

/**
 * The command that makes a version current, so new runs (and `AUTO_UPGRADE` runs at their next workflow task) go to
 * it: printed by `slipway worker` when it starts versioned.
 */
export function setCurrentVersionCommand(version: WorkerVersion, namespace: string): string {
  return `temporal worker deployment set-current-version --namespace ${namespace} --deployment-name ${version.deploymentName} --build-id ${version.buildId}`;
}
