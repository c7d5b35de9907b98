/**
 * Where a rollout step acts: the deploy target at the step's `serverUrl`. A configured webhook target
 * (`deployTargets`, `docs/deploy-target-webhook.md`) when the URL is one of theirs, with its own token; otherwise
 * the local Slipway model server (its client implements `DeployTarget`), whose token goes to its own origin only.
 */
import { configuredTargetFor } from '../deploy-target/configured.js';
import { createWebhookDeployTarget } from '../deploy-target/webhook.js';
import { clientOptionsFor } from '../model-server/access.js';
import { createModelServerClient } from '../model-server/client.js';
import type { DeployTarget, DeployTargetAccess, DeployTargetFactory, ModelServerAccess } from '../ports.js';
import { currentActivityHooks } from '../data/activity-context.js';

/** What the rollout steps need to reach their target. */
export interface RolloutTargetDeps {
  /**
   * The configured model server and its control-plane token: a step naming another `serverUrl` (and none of
   * `deployTargets`) fails (the token is never sent elsewhere); without it, requests carry no token, which a
   * Slipway model server refuses.
   */
  modelServer?: ModelServerAccess | undefined;
  /** Builds the model server's target; by default its client ({@link createModelServerClient}). */
  target?: DeployTargetFactory | undefined;
  /** The configured webhook targets, each with its own token (see `ActivityDeps.deployTargets`). */
  deployTargets?: readonly DeployTargetAccess[] | undefined;
}

/**
 * The deploy target at `serverUrl`, its requests cancelled with the current activity: the configured webhook target
 * of that URL (built on its configured URL, with its token), else the model server's.
 *
 * @throws a final `SlipwayInvalidInput` failure when a model server is configured and `serverUrl` is neither its
 *   origin nor a configured deploy target.
 */
export async function rolloutTarget(deps: RolloutTargetDeps, serverUrl: string): Promise<DeployTarget> {
  const { signal } = currentActivityHooks();
  const webhook = configuredTargetFor(deps.deployTargets, serverUrl);
  if (webhook) return createWebhookDeployTarget(webhook.url, { token: await webhook.token(), signal });
  const options = await clientOptionsFor(deps.modelServer, serverUrl, signal, deps.deployTargets);
  return (deps.target ?? createModelServerClient)(serverUrl, options);
}
